import { CannedReplyService } from '@readerdesk/canned-replies';
import { DEMO, DEMO_ADMIN, DEMO_AGENT_PASSWORD } from '@readerdesk/persistence';
import { libraryScope } from '@readerdesk/platform';
import { describeWithDatabase, TestData } from '@readerdesk/testing';
import { createTestApp, TestApp } from './support/test-app';

type Auth = { Authorization: string };

describeWithDatabase('canned replies', () => {
  let desk: TestApp;
  let admin: Auth;
  let supervisor: Auth; // Sam: Reference + ILL
  let lena: Auth; // agent: Reference + E-resources
  let arash: Auth; // agent: Circulation
  const dept: Record<string, string> = {};
  let inboxOf: Record<string, string>;
  let elsewhereReply: string;
  let contacts = 0;

  const create = (as: Auth, body: Record<string, unknown>) =>
    desk.http.post('/api/v1/canned-replies').set(as).send(body);
  const titles = (body: Array<{ title: string }>) => body.map((r) => r.title);

  /** A reader's question in a department's inbox; the conversation's id and number. */
  async function contact(department: string, displayName?: string): Promise<{ id: string; number: number }> {
    const res = await desk.http
      .post(`/api/v1/inboxes/${inboxOf[department]}/messages`)
      .set(admin)
      .send({
        externalId: `canned-${++contacts}`,
        handles: [{ kind: 'email', value: `canned.reader${contacts}@example.org` }],
        ...(displayName ? { displayName } : {}),
        text: 'When are you open?',
      })
      .expect(201);
    return { id: res.body.conversation.id, number: res.body.conversation.number };
  }

  beforeAll(async () => {
    desk = await createTestApp();
    admin = await desk.signIn(DEMO_ADMIN.email, DEMO_ADMIN.password);
    supervisor = await desk.signIn(DEMO.agents[0].email, DEMO_AGENT_PASSWORD);
    lena = await desk.signIn(DEMO.agents[1].email, DEMO_AGENT_PASSWORD);
    arash = await desk.signIn(DEMO.agents[2].email, DEMO_AGENT_PASSWORD);
    const departments = (await desk.http.get('/api/v1/departments').set(admin).expect(200)).body as Array<{
      id: string;
      code: string;
    }>;
    for (const d of departments) dept[d.code] = d.id;
    // Nothing is offered or assigned behind the test's back.
    for (const d of departments)
      await desk.http.put(`/api/v1/departments/${d.id}/offer-settings`).set(admin).send({ mode: 'manual' }).expect(200);
    inboxOf = {};
    for (const code of ['reference', 'circulation']) {
      const inbox = await desk.http
        .post('/api/v1/inboxes')
        .set(admin)
        .send({ channel: 'api', name: `Form ${code}`, defaultDepartmentId: dept[code] })
        .expect(201);
      inboxOf[code] = inbox.body.id as string;
    }
    const data = new TestData(desk.database);
    const other = await data.library({ name: 'Elsewhere' });
    elsewhereReply = (
      await desk.app
        .get(CannedReplyService)
        .create(
          libraryScope(other.id),
          { agentId: 'x', role: 'administrator', departments: 'all' },
          { title: 'Theirs', text: 'Not yours', shortcut: 'hours' },
        )
    ).id;
  });
  afterAll(async () => desk?.close());

  it('refuses bad input with 400 naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ text: 'No title' }, 'title'],
      [{ title: 'x'.repeat(121), text: 'Too long a title' }, 'title'],
      [{ title: '   ', text: 'Blank title' }, 'title'],
      [{ title: 'Long', text: 'x'.repeat(10_001) }, 'text'],
      [{ title: 'Empty' }, 'text'],
      [{ title: 'Shortcut', text: 'Bad shortcut', shortcut: 'opening hours!' }, 'shortcut'],
      [{ title: 'Shortcut', text: 'Long shortcut', shortcut: 'a'.repeat(65) }, 'shortcut'],
      [{ title: 'Department', text: 'Bad department', departmentId: 'reference' }, 'departmentId'],
      [{ title: 'Unknown', text: 'Unknown field', html: '<b>no</b>' }, 'html'],
    ];
    for (const [body, field] of cases) {
      const res = await create(admin, body).expect(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ code: 'validation_failed' });
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    }
    const okLength = await create(admin, { title: 'x'.repeat(120), text: 'y'.repeat(10_000) }).expect(201);
    await desk.http.delete(`/api/v1/canned-replies/${okLength.body.id}`).set(admin).expect(204);
    await desk.http.get('/api/v1/canned-replies').query({ departmentId: 'nope' }).set(admin).expect(400);
    await desk.http
      .get('/api/v1/canned-replies')
      .query({ q: 'x'.repeat(121) })
      .set(admin)
      .expect(400);
    await desk.http.patch('/api/v1/canned-replies/not-a-uuid').set(admin).send({ title: 'x' }).expect(400);
  });

  it('administrators create, change and delete any reply; shortcuts are unique per library and department', async () => {
    const wide = await create(admin, {
      title: 'Opening hours',
      shortcut: 'Hours',
      text: 'We are open 9 to 5, {{reader.first_name}}. {{reader.nickname}}',
    }).expect(201);
    expect(wide.body).toMatchObject({
      title: 'Opening hours',
      shortcut: 'hours',
      departmentId: null,
      unknownPlaceholders: ['reader.nickname'],
    });
    const taken = await create(admin, { title: 'Hours again', shortcut: 'hours', text: 'Again' }).expect(409);
    expect(taken.body).toMatchObject({ code: 'duplicate_shortcut' });
    expect(taken.body.errors).toEqual([expect.objectContaining({ field: 'shortcut' })]);
    // Another department (or another library: the fixture's "hours") may hold the same shortcut.
    const ref = await create(admin, {
      title: 'Reference hours',
      shortcut: 'hours',
      text: 'The reference desk is open 10 to 4.',
      departmentId: dept.reference,
    }).expect(201);
    await create(admin, { title: 'Ref again', shortcut: 'HOURS', text: 'x', departmentId: dept.reference }).expect(409);
    await desk.http.patch(`/api/v1/canned-replies/${ref.body.id}`).set(admin).send({ departmentId: null }).expect(409);

    const patched = await desk.http
      .patch(`/api/v1/canned-replies/${wide.body.id}`)
      .set(admin)
      .send({ title: 'Opening hours (summer)', shortcut: null, text: 'Open 9 to 8.' })
      .expect(200);
    expect(patched.body).toMatchObject({
      id: wide.body.id,
      title: 'Opening hours (summer)',
      shortcut: null,
      text: 'Open 9 to 8.',
      unknownPlaceholders: [],
    });
    await create(admin, { title: 'Hours (library)', shortcut: 'hours', text: 'Free again' }).expect(201);

    await desk.http.delete(`/api/v1/canned-replies/${wide.body.id}`).set(admin).expect(204);
    await desk.http.delete(`/api/v1/canned-replies/${wide.body.id}`).set(admin).expect(404);
    const list = await desk.http.get('/api/v1/canned-replies').set(admin).expect(200);
    expect(titles(list.body)).toEqual(['Hours (library)', 'Reference hours']);

    // Another library's reply reads as unknown.
    await desk.http.patch(`/api/v1/canned-replies/${elsewhereReply}`).set(admin).send({ title: 'Mine' }).expect(404);
    await desk.http.delete(`/api/v1/canned-replies/${elsewhereReply}`).set(admin).expect(404);
    expect(JSON.stringify(list.body)).not.toContain('Theirs');
  });

  it('supervisors manage their departments’ replies only; agents manage none', async () => {
    const mine = await create(supervisor, {
      title: 'ILL forms',
      text: 'Fill in the form.',
      departmentId: dept.ill,
    }).expect(201);
    expect(mine.body.departmentId).toBe(dept.ill);
    const wide = await create(supervisor, { title: 'Library-wide', text: 'x' }).expect(403);
    expect(wide.body).toMatchObject({ code: 'forbidden' });
    await create(supervisor, { title: 'Circ', text: 'x', departmentId: dept.circulation }).expect(404);

    const circ = await create(admin, { title: 'Renewals', text: 'Renew online.', departmentId: dept.circulation });
    const library = await create(admin, { title: 'Welcome', shortcut: 'welcome', text: 'Welcome!' }).expect(201);
    // Another department's reply: not there for the supervisor; a library-wide one: theirs to use, not to change.
    await desk.http.patch(`/api/v1/canned-replies/${circ.body.id}`).set(supervisor).send({ title: 'x' }).expect(404);
    await desk.http.delete(`/api/v1/canned-replies/${circ.body.id}`).set(supervisor).expect(404);
    await desk.http.patch(`/api/v1/canned-replies/${library.body.id}`).set(supervisor).send({ title: 'x' }).expect(403);
    await desk.http.delete(`/api/v1/canned-replies/${library.body.id}`).set(supervisor).expect(403);
    // Moving their own: to another of their departments yes, out of them or to the whole library no.
    await desk.http
      .patch(`/api/v1/canned-replies/${mine.body.id}`)
      .set(supervisor)
      .send({ departmentId: dept.circulation })
      .expect(404);
    await desk.http
      .patch(`/api/v1/canned-replies/${mine.body.id}`)
      .set(supervisor)
      .send({ departmentId: null })
      .expect(403);
    const moved = await desk.http
      .patch(`/api/v1/canned-replies/${mine.body.id}`)
      .set(supervisor)
      .send({ departmentId: dept.reference, shortcut: 'ill-form' })
      .expect(200);
    expect(moved.body).toMatchObject({ departmentId: dept.reference, shortcut: 'ill-form' });

    for (const agent of [lena, arash]) {
      expect((await create(agent, { title: 'x', text: 'y', departmentId: dept.reference }).expect(403)).body.code).toBe(
        'forbidden',
      );
      await desk.http.patch(`/api/v1/canned-replies/${mine.body.id}`).set(agent).send({ title: 'x' }).expect(403);
      await desk.http.delete(`/api/v1/canned-replies/${mine.body.id}`).set(agent).expect(403);
    }
    await desk.http.delete(`/api/v1/canned-replies/${mine.body.id}`).set(supervisor).expect(204);
    await desk.http.delete(`/api/v1/canned-replies/${circ.body.id}`).set(admin).expect(204);
  });

  it('lists what the caller may use: library-wide replies and their departments’, filtered by q or department', async () => {
    await create(admin, { title: 'E-book lending', shortcut: 'ebooks', text: 'x', departmentId: dept.eresources });
    await create(admin, { title: 'Overdue fines', shortcut: 'fines', text: 'x', departmentId: dept.circulation });
    const asLena = await desk.http.get('/api/v1/canned-replies').set(lena).expect(200);
    expect(titles(asLena.body)).toEqual(['E-book lending', 'Hours (library)', 'Reference hours', 'Welcome']);
    const asArash = await desk.http.get('/api/v1/canned-replies').set(arash).expect(200);
    expect(titles(asArash.body)).toEqual(['Hours (library)', 'Overdue fines', 'Welcome']);
    const all = await desk.http.get('/api/v1/canned-replies').set(admin).expect(200);
    expect(titles(all.body)).toHaveLength(5);

    const q = await desk.http.get('/api/v1/canned-replies').query({ q: 'HOUR' }).set(lena).expect(200);
    expect(titles(q.body)).toEqual(['Hours (library)', 'Reference hours']);
    const byShortcut = await desk.http.get('/api/v1/canned-replies').query({ q: 'ebo' }).set(lena).expect(200);
    expect(titles(byShortcut.body)).toEqual(['E-book lending']);
    const wildcard = await desk.http.get('/api/v1/canned-replies').query({ q: '%' }).set(lena).expect(200);
    expect(wildcard.body).toEqual([]);

    const ref = await desk.http.get('/api/v1/canned-replies').query({ departmentId: dept.reference }).set(lena);
    expect(titles(ref.body)).toEqual(['Hours (library)', 'Reference hours', 'Welcome']);
    // Another department's: unknown to an agent who does not work there; an administrator sees it.
    await desk.http.get('/api/v1/canned-replies').query({ departmentId: dept.circulation }).set(lena).expect(404);
    const circ = await desk.http
      .get('/api/v1/canned-replies')
      .query({ departmentId: dept.circulation })
      .set(admin)
      .expect(200);
    expect(titles(circ.body)).toEqual(['Hours (library)', 'Overdue fines', 'Welcome']);
  });

  it('fills the placeholders for a conversation the caller may see, leaving unknown ones as written', async () => {
    const text =
      'Dear {{reader.first_name}} ({{ reader.name }}), this is {{agent.first_name}} ({{agent.name}}) of ' +
      '{{library.name}} about {{conversation.reference}}. {{reader.nickname}} <b>{{conversation.subject}}</b>';
    const reply = await create(admin, { title: 'Full', text, departmentId: dept.reference }).expect(201);
    expect(reply.body.unknownPlaceholders).toEqual(['reader.nickname', 'conversation.subject']);
    const conversation = await contact('reference', 'Maria  Gonzalez');
    const path = `/api/v1/conversations/${conversation.id}/canned-replies/${reply.body.id}/render`;
    const rendered = await desk.http.post(path).set(lena).expect(200);
    expect(rendered.body).toEqual({
      text:
        `Dear Maria (Maria Gonzalez), this is Lena (Lena Hoffmann) of Riverside Public Library about ` +
        `#${conversation.number}. {{reader.nickname}} <b>{{conversation.subject}}</b>`,
      unknown: ['reader.nickname', 'conversation.subject'],
      missing: [],
    });
    // Agent placeholders are the caller's.
    const bySam = await desk.http.post(path).set(supervisor).expect(200);
    expect(bySam.body.text).toContain('this is Sam (Sam Okafor)');
    // Nothing was sent or stored on the conversation.
    const timeline = await desk.http.get(`/api/v1/conversations/${conversation.id}/timeline`).set(lena).expect(200);
    expect(timeline.body.filter((m: { kind: string }) => m.kind !== 'event')).toHaveLength(1);

    const nameless = await contact('reference');
    const blank = await desk.http
      .post(`/api/v1/conversations/${nameless.id}/canned-replies/${reply.body.id}/render`)
      .set(lena)
      .expect(200);
    expect(blank.body.text).toMatch(/^Dear \{\{reader\.first_name\}\} \(\{\{ reader\.name \}\}\)/);
    expect(blank.body.missing).toEqual(['reader.first_name', 'reader.name']);
  });

  it('renders nothing the caller may not see: another department’s conversation or reply, another library’s reply', async () => {
    const reference = await contact('reference', 'Reza Ahmadi');
    const circulation = await contact('circulation', 'Tom Becker');
    const refReply = (await desk.http.get('/api/v1/canned-replies').query({ q: 'Reference hours' }).set(admin)).body[0]
      .id as string;
    const circReply = (
      await create(admin, { title: 'Circ only', text: 'Hi {{reader.first_name}}', departmentId: dept.circulation })
    ).body.id as string;
    const render = (conversationId: string, replyId: string, as: Auth) =>
      desk.http.post(`/api/v1/conversations/${conversationId}/canned-replies/${replyId}/render`).set(as);

    // Arash (Circulation) cannot see the Reference conversation, nor use Reference's reply.
    expect((await render(reference.id, circReply, arash).expect(404)).body.code).toBe('not_found');
    await render(circulation.id, refReply, arash).expect(404);
    expect((await render(circulation.id, circReply, arash).expect(200)).body.text).toBe('Hi Tom');
    // Lena (Reference) cannot use Circulation's reply, nor render on its conversation.
    await render(reference.id, circReply, lena).expect(404);
    await render(circulation.id, refReply, lena).expect(404);
    await render(reference.id, elsewhereReply, admin).expect(404);
    await render('00000000-0000-4000-8000-000000000000', refReply, admin).expect(404);
    // An administrator may fill any of the library's replies into any conversation.
    expect((await render(reference.id, circReply, admin).expect(200)).body.text).toBe('Hi Reza');
  });
});
