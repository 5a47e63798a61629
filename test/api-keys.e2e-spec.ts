import { createHash, randomUUID } from 'node:crypto';
import { InboxService } from '@readerdesk/conversations';
import { DEMO, DEMO_ADMIN, DEMO_AGENT_PASSWORD } from '@readerdesk/persistence';
import { Clock, libraryScope } from '@readerdesk/platform';
import { StaffAdminService } from '@readerdesk/staff';
import { LibraryAdminService } from '@readerdesk/tenancy';
import { describeWithDatabase } from '@readerdesk/testing';
import { createTestApp, TestApp } from './support/test-app';

type Auth = { Authorization: string };
interface Created {
  id: string;
  key: string;
  prefix: string;
  scopes: string[];
}

/**
 * API keys per library (issue #11, item 4): a website form posts to its inbox with a key that
 * never expires until revoked, reads nothing back, and reaches nothing else; CORS per library.
 */
describeWithDatabase('API keys and CORS per library', () => {
  let desk: TestApp;
  let admin: Auth;
  let lena: Auth; // an agent
  let formInbox: string; // library A (the demo library), circulation
  let otherInbox: string; // library A, no department
  let foreignInbox: string; // library B
  let foreignAdmin: Auth; // library B's administrator
  let foreignAdminKeyMade: Promise<string> | undefined;
  const SECRET_TEXT = 'My card 21000000003 was stolen at the circulation desk';

  const createKey = async (name: string, scopes: string[], by: Auth = admin): Promise<Created> =>
    (await desk.http.post('/api/v1/api-keys').set(by).send({ name, scopes }).expect(201)).body as Created;
  /** Library B's key with the admin scope. */
  const foreignAdminKey = (): Promise<string> =>
    (foreignAdminKeyMade ??= createKey('B admin', ['admin'], foreignAdmin).then((k) => k.key));
  const contact = (externalId: string, text = SECRET_TEXT) => ({
    externalId,
    handles: [{ kind: 'email', value: 'reza.ahmadi@example.org' }],
    text,
  });
  const post = (inboxId: string, key: string, externalId = `form-${randomUUID()}`) =>
    desk.http.post(`/api/v1/inboxes/${inboxId}/messages`).set('X-Api-Key', key).send(contact(externalId));
  const listed = async (id: string) =>
    ((await desk.http.get('/api/v1/api-keys').set(admin).expect(200)).body as Array<Record<string, unknown>>).find(
      (k) => k.id === id,
    )!;

  beforeAll(async () => {
    desk = await createTestApp();
    admin = await desk.signIn(DEMO_ADMIN.email, DEMO_ADMIN.password);
    lena = await desk.signIn(DEMO.agents[1].email, DEMO_AGENT_PASSWORD);
    const departments = (await desk.http.get('/api/v1/departments').set(admin).expect(200)).body as Array<{
      id: string;
      code: string;
    }>;
    const circulation = departments.find((d) => d.code === 'circulation')!;
    const inbox = async (name: string, defaultDepartmentId?: string) =>
      (
        await desk.http
          .post('/api/v1/inboxes')
          .set(admin)
          .send({ channel: 'api', name, defaultDepartmentId })
          .expect(201)
      ).body.id as string;
    formInbox = await inbox('Website form', circulation.id);
    otherInbox = await inbox('Partner integration');

    const other = await desk.app.get(LibraryAdminService).createLibrary({
      slug: `other-${randomUUID().slice(0, 8)}`,
      name: 'Other Library',
      defaultCountry: 'US',
      defaultLanguage: 'en',
      timeZone: 'UTC',
    });
    const scopeB = libraryScope(other.id);
    foreignInbox = await desk.database.transaction(
      async () =>
        (
          await desk.app
            .get(InboxService)
            .create(scopeB, { channel: 'api', name: 'B form', defaultDepartmentId: null, settings: {} })
        ).id,
    );
    const password = 'other-library-admin-password';
    const email = `admin-${randomUUID().slice(0, 8)}@other.example.net`;
    await desk.app
      .get(StaffAdminService)
      .createAgent(scopeB, { email, displayName: 'B admin', role: 'administrator', departmentIds: [], password });
    foreignAdmin = await desk.signIn(email, password);
  });
  afterAll(async () => desk?.close());

  it('shows a new key once, lists keys without it, and stores only its SHA-256', async () => {
    const created = await createKey('Website form', [`ingest:${formInbox}`]);
    expect(created.key).toMatch(/^rdk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(`rdk_${created.prefix}_`)).toBe(true);
    expect(created.scopes).toEqual([`ingest:${formInbox}`]);

    const list = (await desk.http.get('/api/v1/api-keys').set(admin).expect(200)).body as Array<
      Record<string, unknown>
    >;
    const row = list.find((k) => k.id === created.id)!;
    expect(row).toMatchObject({ name: 'Website form', prefix: created.prefix, revokedAt: null, lastUsedAt: null });
    expect(row).not.toHaveProperty('key');
    const secretPart = created.key.split('_').slice(2).join('_');
    expect(JSON.stringify(list)).not.toContain(secretPart);

    const [stored] = await desk.database.manager.query<Array<Record<string, unknown>>>(
      `SELECT * FROM api_keys WHERE id = ${desk.database.dialect === 'postgres' ? '$1' : '?'}`,
      [created.id],
    );
    expect(stored.key_hash).toBe(createHash('sha256').update(created.key).digest('hex'));
    expect(JSON.stringify(stored)).not.toContain(secretPart);
  });

  it('lets an ingest key post to its inbox (201, ids only, the duplicate flag) through either header', async () => {
    const { key } = await createKey('Form', [`ingest:${formInbox}`]);
    const stored = await post(formInbox, key, 'form-1').expect(201);
    expect(stored.body).toEqual({
      conversation: { id: expect.any(String) },
      message: { id: expect.any(String) },
      duplicate: false,
    });
    expect(JSON.stringify(stored.body)).not.toContain(SECRET_TEXT);
    const again = await desk.http
      .post(`/api/v1/inboxes/${formInbox}/messages`)
      .set('Authorization', `Bearer ${key}`)
      .send(contact('form-1'))
      .expect(200);
    expect(again.body).toEqual({ ...stored.body, duplicate: true });

    const timeline = await desk.http
      .get(`/api/v1/conversations/${stored.body.conversation.id}/timeline`)
      .set(admin)
      .expect(200);
    expect(timeline.body).toEqual([expect.objectContaining({ externalId: 'form-1', text: SECRET_TEXT })]);
  });

  it('refuses an ingest key another inbox (403) and answers for another library’s inbox as for none', async () => {
    const { key } = await createKey('Form', [`ingest:${formInbox}`]);
    const elsewhere = await post(otherInbox, key).expect(403);
    expect(elsewhere.body).toMatchObject({ code: 'api_key_scope' });
    const foreign = await post(foreignInbox, key).expect(403);
    const missing = await post(randomUUID(), key).expect(403);
    expect(foreign.body.code).toBe(missing.body.code);

    // A key that may post anywhere in its library (admin) gets the 404 of a missing inbox.
    const { key: adminKey } = await createKey('Integration', ['admin']);
    const foreignToAdmin = await post(foreignInbox, adminKey).expect(404);
    const missingToAdmin = await post(randomUUID(), adminKey).expect(404);
    expect(foreignToAdmin.body.code).toBe('not_found');
    expect(missingToAdmin.body.code).toBe('not_found');
    await post(otherInbox, adminKey).expect(201);
    // And library B's own key cannot reach library A's inbox either.
    expect((await post(formInbox, await foreignAdminKey()).expect(404)).body.code).toBe('not_found');

    const conversations = await desk.http.get('/api/v1/conversations').set(admin).query({ limit: 100 }).expect(200);
    const inboxes = (conversations.body.items as Array<{ inboxId: string }>).map((c) => c.inboxId);
    expect(inboxes).not.toContain(foreignInbox);
  });

  it('answers 401 api_key_invalid to an unknown or malformed key, and to a revoked key from the next request', async () => {
    const unknown = await post(formInbox, `rdk_${'0'.repeat(12)}_${'A'.repeat(43)}`).expect(401);
    expect(unknown.body).toMatchObject({ code: 'api_key_invalid', status: 401 });
    expect((await post(formInbox, 'rdk_nonsense').expect(401)).body.code).toBe('api_key_invalid');
    const created = await createKey('Form', [`ingest:${formInbox}`]);
    // The right prefix with a wrong secret is no key either.
    expect((await post(formInbox, `${created.key.slice(0, -2)}xx`).expect(401)).body.code).toBe('api_key_invalid');

    await post(formInbox, created.key).expect(201);
    await desk.http.delete(`/api/v1/api-keys/${created.id}`).set(admin).expect(204);
    expect((await post(formInbox, created.key).expect(401)).body.code).toBe('api_key_invalid');
    expect((await listed(created.id)).revokedAt).toEqual(expect.any(String));
    await desk.http.delete(`/api/v1/api-keys/${randomUUID()}`).set(admin).expect(404);
  });

  it('records when a key was last used, at most once a minute', async () => {
    const created = await createKey('Form', [`ingest:${formInbox}`]);
    expect((await listed(created.id)).lastUsedAt).toBeNull();
    const before = Date.now();
    await post(formInbox, created.key).expect(201);
    const first = (await listed(created.id)).lastUsedAt as string;
    expect(new Date(first).getTime()).toBeGreaterThanOrEqual(before - 1000);
    await post(formInbox, created.key).expect(201);
    expect((await listed(created.id)).lastUsedAt).toBe(first);

    // Two minutes on for the desk (its clock; the keys it read expire with it): the next use is recorded.
    const clock = desk.app.get(Clock);
    const real = clock.now.bind(clock);
    const later = jest.spyOn(clock, 'now').mockImplementation(() => new Date(real().getTime() + 120_000));
    try {
      await post(formInbox, created.key).expect(201);
    } finally {
      later.mockRestore();
    }
    expect(new Date((await listed(created.id)).lastUsedAt as string).getTime()).toBeGreaterThanOrEqual(
      before + 110_000,
    );
  });

  it('lets a read key GET what an agent may, over the whole library, and nothing else', async () => {
    const { key: ingestKey } = await createKey('Form', [`ingest:${formInbox}`]);
    const stored = await post(formInbox, ingestKey).expect(201);
    const conversationId = stored.body.conversation.id as string;
    const { key } = await createKey('Reporting', ['read']);
    const read = (path: string) => desk.http.get(path).set('X-Api-Key', key);

    // Lena works in reference and eresources; the key sees circulation's conversation all the same.
    await desk.http.get(`/api/v1/conversations/${conversationId}`).set(lena).expect(404);
    expect((await read(`/api/v1/conversations/${conversationId}`).expect(200)).body.id).toBe(conversationId);
    expect((await read(`/api/v1/conversations/${conversationId}/timeline`).expect(200)).body[0].text).toBe(SECRET_TEXT);
    await read('/api/v1/departments').expect(200);

    const refused = async (request: PromiseLike<{ status: number; body: { code: string } }>) => {
      const answer = await request;
      expect([answer.status, answer.body.code]).toEqual([403, 'api_key_scope']);
    };
    await refused(
      desk.http.post(`/api/v1/conversations/${conversationId}/notes`).set('X-Api-Key', key).send({ text: 'x' }),
    );
    await refused(post(formInbox, key));
    await refused(desk.http.patch('/api/v1/library').set('X-Api-Key', key).send({ name: 'Renamed' }));
    await refused(read('/api/v1/agents')); // a supervisor's route
    await refused(read('/api/v1/api-keys'));
    await refused(read('/api/v1/auth/me'));
    await refused(read(`/api/v1/inboxes/${formInbox}/email`)); // an administrator's

    // An ingest key reads nothing; library B's key does not see library A's conversation.
    await refused(desk.http.get(`/api/v1/conversations/${conversationId}`).set('X-Api-Key', ingestKey));
    await desk.http
      .get(`/api/v1/conversations/${conversationId}`)
      .set('X-Api-Key', await foreignAdminKey())
      .expect(404);
  });

  it('lets an admin key administer the library but never manage keys or write as a member of staff', async () => {
    const { key } = await createKey('Provisioning', ['admin']);
    await desk.http.get('/api/v1/agents').set('X-Api-Key', key).expect(200);
    await desk.http
      .post('/api/v1/branches')
      .set('X-Api-Key', key)
      .send({ code: `b-${randomUUID().slice(0, 6)}`, name: 'Mobile library', timeZone: 'UTC' })
      .expect(201);
    const keys = await desk.http
      .post('/api/v1/api-keys')
      .set('X-Api-Key', key)
      .send({ name: 'x', scopes: ['admin'] });
    expect([keys.status, keys.body.code]).toEqual([403, 'api_key_scope']);
    await desk.http.delete(`/api/v1/api-keys/${randomUUID()}`).set('X-Api-Key', key).expect(403);
    const note = await desk.http.post('/api/v1/readers/resolve').set('X-Api-Key', key).send({ handles: [] });
    expect(note.status).toBe(403);
  });

  it('checks what a new key is made of, and keeps key management to administrators', async () => {
    const bad = await desk.http
      .post('/api/v1/api-keys')
      .set(admin)
      .send({ name: 'x', scopes: ['write'] })
      .expect(400);
    expect(bad.body).toMatchObject({ code: 'invalid_api_key_scope' });
    expect(bad.body.detail).toContain('"write"');
    await desk.http.post('/api/v1/api-keys').set(admin).send({ name: 'x', scopes: [] }).expect(400);
    const foreign = await desk.http
      .post('/api/v1/api-keys')
      .set(admin)
      .send({ name: 'x', scopes: [`ingest:${foreignInbox}`] })
      .expect(404);
    expect(foreign.body.code).toBe('not_found');
    await desk.http
      .post('/api/v1/api-keys')
      .set(lena)
      .send({ name: 'x', scopes: ['read'] })
      .expect(403);
    await desk.http.get('/api/v1/api-keys').set(lena).expect(403);
    await desk.http.get('/api/v1/api-keys').expect(401);
  });

  describe('CORS', () => {
    const SITE = 'https://www.example.org';
    const preflight = (origin: string, path = `/api/v1/inboxes/${formInbox}/messages`) =>
      desk.http
        .options(path)
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'x-api-key,content-type');

    beforeAll(async () => {
      const invalid = await desk.http
        .patch('/api/v1/library')
        .set(admin)
        .send({ allowedOrigins: ['https://www.example.org/contact'] })
        .expect(400);
      expect(invalid.body.code).toBe('invalid_origin');
      await desk.http
        .patch('/api/v1/library')
        .set(admin)
        .send({ allowedOrigins: ['*'] })
        .expect(400);
      const library = await desk.http
        .patch('/api/v1/library')
        .set(admin)
        .send({ allowedOrigins: ['HTTPS://WWW.EXAMPLE.ORG/', SITE] })
        .expect(200);
      expect(library.body.allowedOrigins).toEqual([SITE]);
      await desk.http
        .patch('/api/v1/library')
        .set(foreignAdmin)
        .send({ allowedOrigins: ['https://b.example.net'] })
        .expect(200);
    });

    it('answers a preflight from an allowed origin with the CORS headers, and one from another origin with none', async () => {
      const allowed = await preflight(SITE).expect(204);
      expect(allowed.headers['access-control-allow-origin']).toBe(SITE);
      expect(allowed.headers['access-control-allow-methods']).toContain('POST');
      expect(allowed.headers['access-control-allow-headers']).toContain('X-Api-Key');
      expect(allowed.headers['access-control-allow-credentials']).toBeUndefined();

      const denied = await preflight('https://evil.example.com');
      expect(denied.headers['access-control-allow-origin']).toBeUndefined();
      expect(denied.headers['access-control-allow-methods']).toBeUndefined();
    });

    it('answers a request with a key for the origins of the key’s library only', async () => {
      const { key } = await createKey('Form', [`ingest:${formInbox}`]);
      const fromSite = await post(formInbox, key).set('Origin', SITE).expect(201);
      expect(fromSite.headers['access-control-allow-origin']).toBe(SITE);

      // Library B allows its own site: a preflight from it passes (it names no library), but the
      // answer to library A's key carries no CORS headers, so B's page cannot read it.
      expect((await preflight('https://b.example.net').expect(204)).headers['access-control-allow-origin']).toBe(
        'https://b.example.net',
      );
      const fromB = await post(formInbox, key).set('Origin', 'https://b.example.net');
      expect(fromB.headers['access-control-allow-origin']).toBeUndefined();
      const bOwn = await post(foreignInbox, await foreignAdminKey())
        .set('Origin', 'https://b.example.net')
        .expect(201);
      expect(bOwn.headers['access-control-allow-origin']).toBe('https://b.example.net');
      const bAtA = await post(foreignInbox, await foreignAdminKey())
        .set('Origin', SITE)
        .expect(201);
      expect(bAtA.headers['access-control-allow-origin']).toBeUndefined();

      // A staff token names its library the same way.
      const staff = await desk.http.get('/api/v1/library').set(admin).set('Origin', SITE).expect(200);
      expect(staff.headers['access-control-allow-origin']).toBe(SITE);
      const staffFromB = await desk.http.get('/api/v1/library').set(admin).set('Origin', 'https://b.example.net');
      expect(staffFromB.headers['access-control-allow-origin']).toBeUndefined();
    });
  });
});
