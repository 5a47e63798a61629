import { DEMO, DEMO_ADMIN, DEMO_AGENT_PASSWORD } from '@readerdesk/persistence';
import { describeWithDatabase } from '@readerdesk/testing';
import { randomUUID } from 'node:crypto';
import { createTestApp, TestApp } from './support/test-app';

describeWithDatabase('a conversation walked through the REST API', () => {
  let desk: TestApp;
  let admin: Record<string, string>;
  let agent: Record<string, string>;
  let inboxId: string;

  const bearer = async (email: string, password: string) => ({
    Authorization: `Bearer ${(await desk.http.post('/api/v1/auth/login').send({ email, password }).expect(200)).body.accessToken}`,
  });

  beforeAll(async () => {
    desk = await createTestApp();
    admin = await bearer(DEMO_ADMIN.email, DEMO_ADMIN.password);
    agent = await bearer(DEMO.agents[1].email, DEMO_AGENT_PASSWORD);
    const departments = (await desk.http.get('/api/v1/departments').set(admin).expect(200)).body as Array<{
      id: string;
      code: string;
    }>;
    const reference = departments.find((d) => d.code === 'reference')!;
    await desk.http.post('/api/v1/inboxes').set(agent).send({ channel: 'api', name: 'Website form' }).expect(403);
    inboxId = (
      await desk.http
        .post('/api/v1/inboxes')
        .set(admin)
        .send({ channel: 'api', name: 'Website form', defaultDepartmentId: reference.id })
        .expect(201)
    ).body.id;
  });
  afterAll(async () => desk?.close());

  it('ingests once per external id, replies, notes, resolves with READ statistics and shows the timeline', async () => {
    const message = {
      externalId: 'form-1001',
      handles: [{ kind: 'email', value: 'maria.gonzalez@example.org' }],
      subject: 'Local history sources',
      html: '<p>Where can I find <b>1920s</b> newspapers?</p><script>steal()</script>',
    };
    const first = await desk.http.post(`/api/v1/inboxes/${inboxId}/messages`).set(admin).send(message).expect(201);
    const again = await desk.http.post(`/api/v1/inboxes/${inboxId}/messages`).set(admin).send(message).expect(200);
    expect(again.body).toMatchObject({ duplicate: true, message: { id: first.body.message.id } });
    expect(first.body.message.html).not.toContain('script');
    const id = first.body.conversation.id as string;
    expect(first.body.conversation).toMatchObject({ status: 'new', subject: 'Local history sources' });

    await desk.http
      .post(`/api/v1/conversations/${id}/notes`)
      .set(agent)
      .send({ text: 'Microfilm in Central, 2nd floor' })
      .expect(201);
    await desk.http
      .post(`/api/v1/conversations/${id}/replies`)
      .set(agent)
      .send({ text: 'Our microfilm collection has them.' })
      .expect(201);
    const pending = await desk.http.get(`/api/v1/conversations/${id}`).set(agent).expect(200);
    expect(pending.body).toMatchObject({ status: 'pending', waitingSince: null });
    expect(pending.body.firstResponseAt).not.toBeNull();

    const bad = await desk.http
      .post(`/api/v1/conversations/${id}/status`)
      .set(agent)
      .send({ status: 'resolved', readLevel: 9 })
      .expect(400);
    expect(bad.body.errors[0].field).toBe('readLevel');
    const resolved = await desk.http
      .post(`/api/v1/conversations/${id}/status`)
      .set(agent)
      .send({ status: 'resolved', readLevel: 3, questionType: 'research' })
      .expect(200);
    expect(resolved.body).toMatchObject({ status: 'resolved', readLevel: 3, questionType: 'research' });
    await desk.http.post(`/api/v1/conversations/${id}/status`).set(agent).send({ status: 'new' }).expect(409);

    const timeline = await desk.http.get(`/api/v1/conversations/${id}/timeline`).set(agent).expect(200);
    expect(timeline.body.map((m: { kind: string }) => m.kind)).toEqual(['inbound', 'note', 'outbound', 'event']);
  });

  it("hides another library's conversations and inboxes behind 404", async () => {
    await desk.http.get(`/api/v1/conversations/${randomUUID()}`).set(agent).expect(404);
    await desk.http
      .post(`/api/v1/inboxes/${randomUUID()}/messages`)
      .set(admin)
      .send({ externalId: 'x', handles: [{ kind: 'chat', value: 's' }], text: 'hi' })
      .expect(404);
  });

  it("keeps a department's conversations from agents of other departments (404), not from administrators", async () => {
    const created = await desk.http
      .post(`/api/v1/inboxes/${inboxId}/messages`)
      .set(admin)
      .send({
        externalId: 'form-2002',
        handles: [{ kind: 'email', value: 'wang.fang@example.org' }],
        text: 'Thesis sources?',
      })
      .expect(201);
    const id = created.body.conversation.id as string;
    const circulation = await bearer(DEMO.agents[2].email, DEMO_AGENT_PASSWORD);
    await desk.http.get(`/api/v1/conversations/${id}`).set(circulation).expect(404);
    await desk.http.get(`/api/v1/conversations/${id}/timeline`).set(circulation).expect(404);
    await desk.http.post(`/api/v1/conversations/${id}/replies`).set(circulation).send({ text: 'hi' }).expect(404);
    await desk.http.get(`/api/v1/conversations/${id}`).set(agent).expect(200);
    await desk.http.get(`/api/v1/conversations/${id}`).set(admin).expect(200);
  });

  it('lists conversations newest first in stable cursor pages, with filters and department scoping', async () => {
    for (let i = 0; i < 5; i += 1) {
      await desk.http
        .post(`/api/v1/inboxes/${inboxId}/messages`)
        .set(admin)
        .send({
          externalId: `page-${i}`,
          handles: [{ kind: 'email', value: `page${i}@example.org` }],
          text: `Question ${i}`,
        })
        .expect(201);
    }
    const all = (await desk.http.get('/api/v1/conversations?limit=100').set(admin).expect(200)).body.items as Array<{
      id: string;
      lastMessageAt: string;
    }>;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: Array<{ id: string }>; nextCursor: string | null } } = await desk.http
        .get(`/api/v1/conversations?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .set(admin)
        .expect(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((c) => c.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((c) => c.id));
    expect(new Set(seen).size).toBe(seen.length);
    const times = all.map((c) => Date.parse(c.lastMessageAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const resolved = (await desk.http.get('/api/v1/conversations?status=resolved').set(admin).expect(200)).body
      .items as Array<{ status: string }>;
    expect(resolved.length).toBeGreaterThan(0);
    expect(resolved.every((c) => c.status === 'resolved')).toBe(true);
    const circulation = await bearer(DEMO.agents[2].email, DEMO_AGENT_PASSWORD);
    expect((await desk.http.get('/api/v1/conversations').set(circulation).expect(200)).body.items).toEqual([]);
    await desk.http.get('/api/v1/conversations?cursor=not-a-cursor').set(admin).expect(400);
    await desk.http.get('/api/v1/conversations?limit=1000').set(admin).expect(400);
  });
});
