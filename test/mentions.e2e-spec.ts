import { DEMO, DEMO_ADMIN, DEMO_AGENT_PASSWORD } from '@readerdesk/persistence';
import { describeWithDatabase, TestData } from '@readerdesk/testing';
import { connectConsole, type ConnectedConsole, eventually } from './support/sockets';
import { createTestApp, TestApp } from './support/test-app';

type Auth = { Authorization: string };

interface Mention {
  id: string;
  conversationId: string;
  conversationNumber: number;
  messageId: string;
  byAgentId: string | null;
  byName: string | null;
  excerpt: string;
  createdAt: string;
  readAt: string | null;
}

describeWithDatabase('@mentions in internal notes', () => {
  let desk: TestApp;
  let admin: Auth;
  let sam: Auth; // supervisor: Reference + ILL
  let lena: Auth; // agent: Reference + E-resources
  let arash: Auth; // agent: Circulation
  const id: Record<string, string> = {};
  const dept: Record<string, string> = {};
  let inboxId: string;
  let contacts = 0;
  const sockets: ConnectedConsole[] = [];

  const baseUrl = () => `http://127.0.0.1:${(desk.app.getHttpServer().address() as { port: number }).port}`;
  const tokenOf = (auth: Auth) => auth.Authorization.slice('Bearer '.length);
  const note = (as: Auth, conversationId: string, text: string) =>
    desk.http.post(`/api/v1/conversations/${conversationId}/notes`).set(as).send({ text });
  const mentionsOf = async (as: Auth, query: Record<string, string | number> = {}) =>
    (await desk.http.get('/api/v1/mentions').query(query).set(as).expect(200)).body as {
      items: Mention[];
      nextCursor: string | null;
    };
  const mentionEvents = (socket: ConnectedConsole) =>
    socket.received.filter(([event]) => event === 'mention.created').map(([, payload]) => payload);

  async function contact(): Promise<{ id: string; number: number }> {
    const res = await desk.http
      .post(`/api/v1/inboxes/${inboxId}/messages`)
      .set(admin)
      .send({
        externalId: `mention-${++contacts}`,
        handles: [{ kind: 'email', value: `mention.reader${contacts}@example.org` }],
        text: 'Do you hold the 1920s newspapers?',
      })
      .expect(201);
    return { id: res.body.conversation.id, number: res.body.conversation.number };
  }

  beforeAll(async () => {
    desk = await createTestApp();
    admin = await desk.signIn(DEMO_ADMIN.email, DEMO_ADMIN.password);
    sam = await desk.signIn(DEMO.agents[0].email, DEMO_AGENT_PASSWORD);
    lena = await desk.signIn(DEMO.agents[1].email, DEMO_AGENT_PASSWORD);
    arash = await desk.signIn(DEMO.agents[2].email, DEMO_AGENT_PASSWORD);
    const agents = (await desk.http.get('/api/v1/agents').set(admin).expect(200)).body as Array<{
      id: string;
      email: string;
    }>;
    for (const a of agents) id[a.email.split('@')[0]] = a.id;
    const departments = (await desk.http.get('/api/v1/departments').set(admin).expect(200)).body as Array<{
      id: string;
      code: string;
    }>;
    for (const d of departments) {
      dept[d.code] = d.id;
      // Nothing is offered or assigned behind the test's back.
      await desk.http.put(`/api/v1/departments/${d.id}/offer-settings`).set(admin).send({ mode: 'manual' }).expect(200);
    }
    inboxId = (
      await desk.http
        .post('/api/v1/inboxes')
        .set(admin)
        .send({ channel: 'api', name: 'Mentions form', defaultDepartmentId: dept.reference })
        .expect(201)
    ).body.id as string;
  });
  afterAll(async () => {
    for (const s of sockets) s.socket.disconnect();
    await desk?.close();
  });

  it('a note mentioning a colleague who may see the conversation reaches their socket and their mentions; one who may not is named in the answer only', async () => {
    const lenaSocket = await connectConsole(baseUrl(), tokenOf(lena));
    const arashSocket = await connectConsole(baseUrl(), tokenOf(arash));
    sockets.push(lenaSocket, arashSocket);
    const conversation = await contact();

    const res = await note(
      sam,
      conversation.id,
      '@Lena.Hoffmann could you check the microfilm?\nAlso @arash.karimi, @nobody.here and me, @sam.okafor.',
    ).expect(201);
    expect(res.body).toMatchObject({
      kind: 'note',
      authorAgentId: id['sam.okafor'],
      mentions: [{ agentId: id['lena.hoffmann'], displayName: 'Lena Hoffmann' }],
      notMentioned: [
        { handle: 'arash.karimi', reason: 'cannot_see' },
        { handle: 'nobody.here', reason: 'unknown' },
        { handle: 'sam.okafor', reason: 'self' },
      ],
    });
    const messageId = res.body.id as string;

    await eventually(() => mentionEvents(lenaSocket).length === 1, 'mention.created on Lena’s socket');
    const [event] = mentionEvents(lenaSocket) as Array<Record<string, unknown>>;
    expect(event).toEqual({
      mentionId: expect.any(String),
      conversationId: conversation.id,
      messageId,
      byAgentId: id['sam.okafor'],
      byName: 'Sam Okafor',
      excerpt: '@Lena.Hoffmann could you check the microfilm? Also @arash.karimi, @nobody.here and me, @sam.okafor.',
      at: res.body.createdAt,
    });

    const listed = await mentionsOf(lena);
    expect(listed).toEqual({
      items: [
        {
          id: event.mentionId,
          conversationId: conversation.id,
          conversationNumber: conversation.number,
          messageId,
          byAgentId: id['sam.okafor'],
          byName: 'Sam Okafor',
          excerpt: event.excerpt,
          createdAt: res.body.createdAt,
          readAt: null,
        },
      ],
      nextCursor: null,
    });
    // The agent of a department that cannot see the conversation is not mentioned, and hears nothing.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mentionEvents(arashSocket)).toEqual([]);
    expect((await mentionsOf(arash)).items).toEqual([]);
    expect((await mentionsOf(sam)).items).toEqual([]);
    // The timeline shows whom the note mentions.
    const timeline = await desk.http.get(`/api/v1/conversations/${conversation.id}/timeline`).set(lena).expect(200);
    const shown = (timeline.body as Array<{ id: string; mentions: unknown[] }>).find((m) => m.id === messageId);
    expect(shown?.mentions).toEqual([{ agentId: id['lena.hoffmann'], displayName: 'Lena Hoffmann' }]);
    expect((timeline.body as Array<{ id: string; mentions: unknown[] }>).filter((m) => m.id !== messageId)).toEqual(
      expect.arrayContaining([expect.objectContaining({ mentions: [] })]),
    );
  });

  it('marks a mention read for its agent only; anyone else gets 404', async () => {
    const conversation = await contact();
    await note(sam, conversation.id, 'Please call the reader back, @lena.hoffmann').expect(201);
    const [mention] = (await mentionsOf(lena, { unread: 'true' })).items;
    expect(mention.conversationId).toBe(conversation.id);

    for (const other of [arash, sam, admin]) {
      const res = await desk.http.post(`/api/v1/mentions/${mention.id}/read`).set(other).expect(404);
      expect(res.body).toMatchObject({ code: 'not_found' });
    }
    await desk.http.post('/api/v1/mentions/00000000-0000-4000-8000-000000000000/read').set(lena).expect(404);
    await desk.http.post('/api/v1/mentions/not-a-uuid/read').set(lena).expect(400);

    const read = await desk.http.post(`/api/v1/mentions/${mention.id}/read`).set(lena).expect(200);
    expect(read.body).toMatchObject({ id: mention.id, readAt: expect.any(String) });
    const again = await desk.http.post(`/api/v1/mentions/${mention.id}/read`).set(lena).expect(200);
    expect(again.body.readAt).toBe(read.body.readAt);
    const unread = await mentionsOf(lena, { unread: 'true' });
    expect(unread.items.map((m) => m.id)).not.toContain(mention.id);
    const all = await mentionsOf(lena, { unread: 'false' });
    expect(all.items.find((m) => m.id === mention.id)?.readAt).toBe(read.body.readAt);
  });

  it('takes the whole address where a local part is ambiguous, and administrators are mentionable anywhere', async () => {
    const data = new TestData(desk.database);
    const library = (await desk.http.get('/api/v1/library').set(admin).expect(200)).body as { id: string };
    const twinA = await data.agent(library.id, { email: 'kim@branch-a.example.org', departments: [dept.reference] });
    await data.agent(library.id, { email: 'kim@branch-b.example.org', departments: [dept.reference] });
    await data.agent(library.id, { email: 'gone@example.org', departments: [dept.reference], active: false });
    const conversation = await contact();
    const res = await note(
      lena,
      conversation.id,
      'Ask @kim, or rather @KIM@branch-a.example.org; @gone left; @admin decides. Write to reader@example.org.',
    ).expect(201);
    expect(res.body.mentions).toEqual([
      { agentId: twinA.id, displayName: twinA.displayName },
      { agentId: id.admin, displayName: DEMO_ADMIN.displayName },
    ]);
    expect(res.body.notMentioned).toEqual([
      { handle: 'kim', reason: 'ambiguous' },
      { handle: 'gone', reason: 'unknown' },
    ]);
    // The administrator works in every department, the Circulation conversation included.
    await desk.http
      .post(`/api/v1/conversations/${conversation.id}/transfer`)
      .set(admin)
      .send({ departmentId: dept.circulation })
      .expect(200);
    const circ = await note(admin, conversation.id, 'For @arash.karimi and @lena.hoffmann').expect(201);
    expect(circ.body.mentions).toEqual([{ agentId: id['arash.karimi'], displayName: 'Arash Karimi' }]);
    expect(circ.body.notMentioned).toEqual([{ handle: 'lena.hoffmann', reason: 'cannot_see' }]);
    expect((await mentionsOf(arash)).items.map((m) => m.conversationId)).toEqual([conversation.id]);
  });

  it('a conversation moved to a department the agent does not work in takes its mentions with it', async () => {
    const conversation = await contact();
    await note(sam, conversation.id, '@lena.hoffmann have a look').expect(201);
    const [mention] = (await mentionsOf(lena)).items;
    expect(mention.conversationId).toBe(conversation.id);
    await desk.http
      .post(`/api/v1/conversations/${conversation.id}/transfer`)
      .set(admin)
      .send({ departmentId: dept.circulation })
      .expect(200);
    expect((await mentionsOf(lena)).items.map((m) => m.id)).not.toContain(mention.id);
    await desk.http.post(`/api/v1/mentions/${mention.id}/read`).set(lena).expect(404);
    await desk.http
      .post(`/api/v1/conversations/${conversation.id}/transfer`)
      .set(admin)
      .send({ departmentId: dept.reference })
      .expect(200);
    expect((await mentionsOf(lena)).items[0].id).toBe(mention.id);
  });

  it('pages newest first with a cursor, and refuses bad paging input', async () => {
    const conversation = await contact();
    for (const n of [1, 2, 3]) await note(sam, conversation.id, `Note ${n} for @lena.hoffmann`).expect(201);
    const total = (await mentionsOf(lena, { limit: 100 })).items;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Mention[]; nextCursor: string | null } = await mentionsOf(lena, {
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((m) => m.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(total.map((m) => m.id));
    expect(total.slice(0, 3).map((m) => m.excerpt)).toEqual([
      'Note 3 for @lena.hoffmann',
      'Note 2 for @lena.hoffmann',
      'Note 1 for @lena.hoffmann',
    ]);
    const sorted = [...total].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
    expect(total.map((m) => m.id)).toEqual(sorted.map((m) => m.id));

    expect((await desk.http.get('/api/v1/mentions').query({ cursor: 'garbage' }).set(lena).expect(400)).body.code).toBe(
      'invalid_cursor',
    );
    for (const query of [{ limit: 0 }, { limit: 101 }, { unread: 'maybe' }, { other: 1 }]) {
      const res = await desk.http.get('/api/v1/mentions').query(query).set(lena).expect(400);
      expect(res.body.code).toBe('validation_failed');
    }
  });
});
