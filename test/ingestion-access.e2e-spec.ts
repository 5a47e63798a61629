import { DEMO, DEMO_ADMIN, DEMO_AGENT_PASSWORD } from '@readerdesk/persistence';
import { describeWithDatabase } from '@readerdesk/testing';
import { createTestApp, TestApp } from './support/test-app';

type Auth = { Authorization: string };

/**
 * Posting a reader's contact is a channel's or an integration's act, not an agent's: only an
 * administrator may post inbound messages through the API channel. An agent or supervisor of
 * another department must neither read a conversation back by its externalId or the reader's
 * address, nor append to it.
 */
describeWithDatabase('posting inbound contacts through the API channel', () => {
  let desk: TestApp;
  let admin: Auth;
  let lena: Auth; // agent: reference, eresources
  let sam: Auth; // supervisor: reference, ill
  let inboxId: string;
  let conversationId: string;
  const SECRET = 'My card 21000000003 was stolen at the circulation desk';

  beforeAll(async () => {
    desk = await createTestApp();
    admin = await desk.signIn(DEMO_ADMIN.email, DEMO_ADMIN.password);
    lena = await desk.signIn(DEMO.agents[1].email, DEMO_AGENT_PASSWORD);
    sam = await desk.signIn(DEMO.agents[0].email, DEMO_AGENT_PASSWORD);
    const departments = (await desk.http.get('/api/v1/departments').set(admin).expect(200)).body as Array<{
      id: string;
      code: string;
    }>;
    const circulation = departments.find((d) => d.code === 'circulation')!;
    inboxId = (
      await desk.http
        .post('/api/v1/inboxes')
        .set(admin)
        .send({ channel: 'api', name: 'Circulation form', defaultDepartmentId: circulation.id })
        .expect(201)
    ).body.id;
    const stored = await desk.http
      .post(`/api/v1/inboxes/${inboxId}/messages`)
      .set(admin)
      .send({ externalId: 'circ-1', handles: [{ kind: 'email', value: 'reza.ahmadi@example.org' }], text: SECRET })
      .expect(201);
    conversationId = stored.body.conversation.id;
    expect(stored.body.conversation.departmentId).toBe(circulation.id);
  });
  afterAll(async () => desk?.close());

  const refused = (body: unknown) => {
    const text = JSON.stringify(body);
    expect(body).toMatchObject({ status: 403 });
    expect(body).not.toHaveProperty('conversation');
    expect(body).not.toHaveProperty('message');
    expect(text).not.toContain(conversationId);
    expect(text).not.toContain(SECRET);
  };

  it.each([
    ['an agent of another department', () => lena],
    ['a supervisor of another department', () => sam],
  ])('refuses %s (403) with a known externalId or a known reader, and appends nothing', async (_who, auth) => {
    const known = await desk.http
      .post(`/api/v1/inboxes/${inboxId}/messages`)
      .set(auth())
      .send({ externalId: 'circ-1', handles: [{ kind: 'email', value: 'reza.ahmadi@example.org' }], text: SECRET })
      .expect(403);
    refused(known.body);
    const appended = await desk.http
      .post(`/api/v1/inboxes/${inboxId}/messages`)
      .set(auth())
      .send({
        externalId: `probe-${Math.random()}`,
        handles: [{ kind: 'email', value: 'reza.ahmadi@example.org' }],
        text: 'What else did you write?',
      })
      .expect(403);
    refused(appended.body);

    const timeline = await desk.http.get(`/api/v1/conversations/${conversationId}/timeline`).set(admin).expect(200);
    expect(timeline.body.filter((m: { kind: string }) => m.kind === 'inbound')).toHaveLength(1);
    expect(timeline.body).toHaveLength(1);
    expect(timeline.body[0]).toMatchObject({ externalId: 'circ-1', text: SECRET });
  });
});
