import { DEMO_ADMIN } from '@readerdesk/persistence';
import { describeWithDatabase } from '@readerdesk/testing';
import type { AddressInfo } from 'node:net';
import { io } from 'socket.io-client';
import { ConnectedConsole, connectConsole, ConsoleSocket, eventually } from './support/sockets';
import { createTestApp, TestApp } from './support/test-app';

interface Session {
  id: string;
  accessToken: string;
  refreshToken: string;
  auth: { Authorization: string };
}

/**
 * Access follows changes at once: a transfer takes a conversation away from followers who may not
 * see its new department; a change of role, departments or status moves (or drops) the member's
 * open sockets and makes their access tokens from before answer 401. Real sockets, real HTTP.
 */
describeWithDatabase('live rooms and tokens follow access changes', () => {
  let desk: TestApp;
  let url: string;
  let admin: { Authorization: string };
  let inboxId: string;
  const department: Record<'reference' | 'circulation' | 'childrens', string> = {
    reference: '',
    circulation: '',
    childrens: '',
  };
  const sockets: ConsoleSocket[] = [];
  let reference: ConnectedConsole;
  let referenceAgent: Session;
  let circulation: ConnectedConsole;
  let counter = 0;

  /** A member of staff created by the administrator, signed in. */
  const member = async (role: string, departmentIds: string[]): Promise<Session> => {
    const email = `member-${++counter}@staff.example.org`;
    const password = 'a-long-enough-password';
    const created = await desk.http
      .post('/api/v1/agents')
      .set(admin)
      .send({ email, displayName: `Member ${counter}`, role, password, departmentIds })
      .expect(201);
    const login = await desk.http.post('/api/v1/auth/login').send({ email, password }).expect(200);
    const { accessToken, refreshToken } = login.body as { accessToken: string; refreshToken: string };
    return {
      id: created.body.id as string,
      accessToken,
      refreshToken,
      auth: { Authorization: `Bearer ${accessToken}` },
    };
  };
  const open = async (live: Promise<ConnectedConsole>): Promise<ConnectedConsole> => {
    const connected = await live;
    sockets.push(connected.socket);
    return connected;
  };
  /** A new conversation from a reader, queued in Reference (the inbox's department). */
  const ingest = async (): Promise<string> => {
    const answer = await desk.http
      .post(`/api/v1/inboxes/${inboxId}/messages`)
      .set(admin)
      .send({
        externalId: `access-${++counter}`,
        handles: [{ kind: 'email', value: `r${counter}@example.org` }],
        text: 'Hello',
      })
      .expect(201);
    return answer.body.conversation.id as string;
  };
  const transfer = (conversationId: string, departmentId: string, note?: string) =>
    desk.http
      .post(`/api/v1/conversations/${conversationId}/transfer`)
      .set(admin)
      .send({ departmentId, ...(note ? { note } : {}) })
      .expect(200);
  const note = (conversationId: string, text: string) =>
    desk.http.post(`/api/v1/conversations/${conversationId}/notes`).set(admin).send({ text }).expect(201);
  const patchAgent = (id: string, changes: object) =>
    desk.http.patch(`/api/v1/agents/${id}`).set(admin).send(changes).expect(200);
  /** The events a console received about one conversation since `from`. */
  const about = (console: ConnectedConsole, conversationId: string, from = 0): string[] =>
    console.received
      .slice(from)
      .filter(([, payload]) => (payload as { conversationId?: string }).conversationId === conversationId)
      .map(([event]) => event);
  const heard = (console: ConnectedConsole, event: string) => console.received.some(([name]) => name === event);

  beforeAll(async () => {
    desk = await createTestApp();
    url = `http://127.0.0.1:${(desk.app.getHttpServer().address() as AddressInfo).port}`;
    admin = await desk.signIn(DEMO_ADMIN.email, DEMO_ADMIN.password);
    const list = (await desk.http.get('/api/v1/departments').set(admin).expect(200)).body as Array<{
      id: string;
      code: keyof typeof department;
    }>;
    for (const d of list) if (d.code in department) department[d.code] = d.id;
    inboxId = (
      await desk.http
        .post('/api/v1/inboxes')
        .set(admin)
        .send({ channel: 'api', name: 'Access form', defaultDepartmentId: department.reference })
        .expect(201)
    ).body.id as string;
    referenceAgent = await member('agent', [department.reference]);
    reference = await open(connectConsole(url, referenceAgent.accessToken));
    circulation = await open(connectConsole(url, (await member('agent', [department.circulation])).accessToken));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await desk?.close();
  });

  it("stops a transferred conversation's events, notes included, for followers who may not see its new department", async () => {
    const conversationId = await ingest();
    expect(await reference.socket.emitWithAck('conversation.join', { conversationId })).toEqual({ ok: true });
    const mark = reference.received.length;
    const circulationMark = circulation.received.length;

    await transfer(conversationId, department.circulation, 'Over to you: a renewal question');
    await eventually(() => about(reference, conversationId, mark).includes('conversation.updated'), 'the transfer');
    await note(conversationId, 'Internal: the fine was waived last month');
    const notesIn = (console: ConnectedConsole, from: number) =>
      console.received
        .slice(from)
        .filter(([event, p]) => event === 'message.appended' && (p as { kind: string }).kind === 'note').length;
    await eventually(
      () => notesIn(circulation, circulationMark) === 2,
      "the transfer's note and the later one in Circulation",
    );

    expect(about(reference, conversationId, mark)).toEqual(['conversation.updated']);
    await desk.http.get(`/api/v1/conversations/${conversationId}`).set(referenceAgent.auth).expect(404);
  });

  it("moves a demoted administrator's open socket out of other departments' rooms and conversations at once", async () => {
    const boss = await member('administrator', [department.circulation]);
    const live = await open(connectConsole(url, boss.accessToken));
    const followed = await ingest();
    expect(await live.socket.emitWithAck('conversation.join', { conversationId: followed })).toEqual({ ok: true });
    const inCirculation = await ingest();
    await transfer(inCirculation, department.circulation);

    await patchAgent(boss.id, { role: 'agent' });
    await eventually(() => heard(live, 'access.changed'), 'access.changed on the open socket');
    const mark = live.received.length;
    const referenceMark = reference.received.length;

    await note(followed, 'Internal: Reference only');
    const fresh = await ingest();
    await note(inCirculation, 'Internal: Circulation');
    await eventually(
      () =>
        about(reference, followed, referenceMark).includes('message.appended') &&
        about(reference, fresh, referenceMark).includes('message.appended'),
      'the Reference events at a Reference agent',
    );
    await eventually(() => about(live, inCirculation, mark).includes('message.appended'), 'the Circulation note');

    expect(about(live, followed, mark)).toEqual([]);
    expect(about(live, fresh, mark)).toEqual([]);
    expect(live.received.slice(mark).map(([event]) => event)).toEqual(['message.appended']);
    expect(await live.socket.emitWithAck('conversation.join', { conversationId: followed })).toEqual({
      ok: false,
      error: 'not_found',
    });
  });

  it("refuses a demoted administrator's token on administrator routes at once; a refreshed token carries the new role", async () => {
    const chief = await member('administrator', []);
    await desk.http.get('/api/v1/agents').set(chief.auth).expect(200);
    await patchAgent(chief.id, { role: 'supervisor' });

    const stale = await desk.http.patch('/api/v1/library').set(chief.auth).send({ name: 'Renamed' }).expect(401);
    expect(stale.body).toMatchObject({ status: 401, code: 'token_revoked' });
    await desk.http.get('/api/v1/conversations').set(chief.auth).expect(401);

    const refreshed = await desk.http
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: chief.refreshToken })
      .expect(200);
    expect(refreshed.body.agent.role).toBe('supervisor');
    const now = { Authorization: `Bearer ${refreshed.body.accessToken as string}` };
    const forbidden = await desk.http.patch('/api/v1/library').set(now).send({ name: 'Renamed' }).expect(403);
    expect(forbidden.body.code).toBe('forbidden');
    await desk.http.get('/api/v1/agents').set(now).expect(200);
  });

  it("drops a deactivated agent's socket, refuses their access and refresh tokens, and a new handshake", async () => {
    const leaver = await member('agent', [department.reference]);
    const live = await open(connectConsole(url, leaver.accessToken));

    await patchAgent(leaver.id, { active: false });
    await eventually(() => live.socket.disconnected, 'the open socket to be dropped');
    expect(live.received).toContainEqual(['auth.error', expect.objectContaining({ code: 'token_revoked' })]);

    const refused = await desk.http.get('/api/v1/conversations').set(leaver.auth).expect(401);
    expect(refused.body).toMatchObject({ code: 'token_revoked', detail: 'This account has been deactivated' });
    const refresh = await desk.http
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: leaver.refreshToken })
      .expect(401);
    expect(refresh.body.code).toBe('refresh_token_invalid');

    const again: ConsoleSocket = io(url, {
      path: '/socket.io',
      transports: ['websocket'],
      auth: { token: leaver.accessToken },
      reconnection: false,
    });
    sockets.push(again);
    const error = await new Promise<{ code: string }>((resolve) => again.on('auth.error', resolve));
    expect(error.code).toBe('token_revoked');
    await new Promise<void>((resolve) => (again.disconnected ? resolve() : again.once('disconnect', () => resolve())));
  });

  it("moves an agent's sockets when their departments change, and refuses the token from before", async () => {
    const mover = await member('agent', [department.reference]);
    const live = await open(connectConsole(url, mover.accessToken));
    const followed = await ingest();
    expect(await live.socket.emitWithAck('conversation.join', { conversationId: followed })).toEqual({ ok: true });

    const changed = await patchAgent(mover.id, { departmentIds: [department.childrens] });
    expect(changed.body.departmentIds).toEqual([department.childrens]);
    await eventually(() => heard(live, 'access.changed'), 'access.changed on the open socket');
    expect(live.received).toContainEqual(['access.changed', { role: 'agent', departmentIds: [department.childrens] }]);
    const mark = live.received.length;
    const referenceMark = reference.received.length;

    await note(followed, 'Internal: Reference only');
    const moved = await ingest();
    await transfer(moved, department.childrens);
    await eventually(() => about(live, moved, mark).includes('conversation.updated'), "the Children's transfer");
    await eventually(
      () => about(reference, followed, referenceMark).includes('message.appended'),
      'the Reference note',
    );
    expect(about(live, followed, mark)).toEqual([]);

    const stale = await desk.http.get('/api/v1/conversations').set(mover.auth).expect(401);
    expect(stale.body.code).toBe('token_revoked');
    // Unchanged departments, a display name only: the token version stays, so does the token.
    const after = await desk.http.post('/api/v1/auth/refresh').send({ refreshToken: mover.refreshToken }).expect(200);
    const auth = { Authorization: `Bearer ${after.body.accessToken as string}` };
    await patchAgent(mover.id, { displayName: 'Renamed mover', departmentIds: [department.childrens] });
    await desk.http.get('/api/v1/conversations').set(auth).expect(200);
    await desk.http
      .patch(`/api/v1/agents/${mover.id}`)
      .set(admin)
      .send({ departmentIds: ['00000000-0000-4000-8000-000000000000'] })
      .expect(404);
  });
});
