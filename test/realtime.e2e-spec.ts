import { DEMO, DEMO_ADMIN, DEMO_AGENT_PASSWORD } from '@readerdesk/persistence';
import { libraryScope } from '@readerdesk/platform';
import type { ClientToServerEvents, ServerToClientEvents } from '@readerdesk/contracts';
import { StaffAdminService } from '@readerdesk/staff';
import { describeWithDatabase, TestData } from '@readerdesk/testing';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { io, Socket } from 'socket.io-client';
import { createTestApp, TestApp } from './support/test-app';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

describeWithDatabase('live events over socket.io', () => {
  let desk: TestApp;
  let url: string;
  const sockets: Client[] = [];
  let adminAuth: Record<string, string>;
  let inboxId: string;

  const token = async (email: string, password: string): Promise<string> =>
    (await desk.http.post('/api/v1/auth/login').send({ email, password }).expect(200)).body.accessToken as string;

  const connect = async (accessToken?: string): Promise<{ socket: Client; received: Array<[string, unknown]> }> => {
    const socket: Client = io(url, {
      path: '/socket.io',
      transports: ['websocket'],
      auth: accessToken ? { token: accessToken } : {},
      reconnection: false,
    });
    sockets.push(socket);
    const received: Array<[string, unknown]> = [];
    socket.onAny((event: string, payload: unknown) => received.push([event, payload]));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    // Let the server finish joining rooms after the handshake.
    await new Promise((resolve) => setTimeout(resolve, 150));
    return { socket, received };
  };
  const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

  beforeAll(async () => {
    desk = await createTestApp();
    url = `http://127.0.0.1:${(desk.app.getHttpServer().address() as AddressInfo).port}`;
    adminAuth = { Authorization: `Bearer ${await token(DEMO_ADMIN.email, DEMO_ADMIN.password)}` };
    const departments = (await desk.http.get('/api/v1/departments').set(adminAuth).expect(200)).body as Array<{
      id: string;
      code: string;
    }>;
    const reference = departments.find((d) => d.code === 'reference')!;
    inboxId = (
      await desk.http
        .post('/api/v1/inboxes')
        .set(adminAuth)
        .send({ channel: 'api', name: 'Form', defaultDepartmentId: reference.id })
        .expect(201)
    ).body.id;
    const other = libraryScope(randomUUID());
    await new TestData(desk.database).library({
      id: other.libraryId,
      slug: 'far',
      name: 'Far Library',
      defaultCountry: 'GB',
      timeZone: 'Europe/London',
    });
    await desk.app.get(StaffAdminService).createAgent(other, {
      email: 'admin@far.example.org',
      displayName: 'Far admin',
      role: 'administrator',
      password: 'far-admin-password',
      departmentIds: [],
    });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await desk?.close();
  });

  it('drops a socket without a valid token, saying why', async () => {
    const socket: Client = io(url, {
      path: '/socket.io',
      transports: ['websocket'],
      auth: { token: 'forged' },
      reconnection: false,
    });
    sockets.push(socket);
    const error = await new Promise<{ code: string }>((resolve) => socket.on('auth.error', resolve));
    expect(error.code).toBe('unauthenticated');
    await new Promise<void>((resolve) =>
      socket.disconnected ? resolve() : socket.once('disconnect', () => resolve()),
    );
  });

  it("pushes a new conversation to its department's agents only, and nothing to another library", async () => {
    const reference = await connect(await token(DEMO.agents[1].email, DEMO_AGENT_PASSWORD));
    const circulation = await connect(await token(DEMO.agents[2].email, DEMO_AGENT_PASSWORD));
    const far = await connect(await token('admin@far.example.org', 'far-admin-password'));
    const created = await desk.http
      .post(`/api/v1/inboxes/${inboxId}/messages`)
      .set(adminAuth)
      .send({
        externalId: 'live-1',
        handles: [{ kind: 'email', value: 'live@example.org' }],
        text: 'Is the reading room open?',
      })
      .expect(201);
    await settle();
    const conversationId = created.body.conversation.id as string;
    expect(reference.received.map(([event]) => event)).toEqual(['conversation.opened', 'message.appended']);
    expect(reference.received[0][1]).toMatchObject({ conversationId, channel: 'api' });
    expect(circulation.received).toEqual([]);
    expect(far.received).toEqual([]);

    const refused = await circulation.socket.emitWithAck('conversation.join', { conversationId });
    expect(refused).toEqual({ ok: false, error: 'not_found' });
    const foreign = await far.socket.emitWithAck('conversation.join', { conversationId });
    expect(foreign.ok).toBe(false);
    expect(await reference.socket.emitWithAck('conversation.join', { conversationId })).toEqual({ ok: true });

    await desk.http
      .post(`/api/v1/conversations/${conversationId}/replies`)
      .set(adminAuth)
      .send({ text: 'Yes, until 8 pm.' })
      .expect(201);
    await settle();
    const events = reference.received.slice(2).map(([event]) => event);
    expect(events).toContain('conversation.status-changed');
    expect(events).toContain('message.appended');
    expect(circulation.received).toEqual([]);
    expect(far.received).toEqual([]);
  });

  it('tells supervisors when an agent changes presence', async () => {
    const supervisor = await connect(await token(DEMO.agents[0].email, DEMO_AGENT_PASSWORD));
    const agentToken = await token(DEMO.agents[3].email, DEMO_AGENT_PASSWORD);
    await desk.http
      .put('/api/v1/agents/me/presence')
      .set({ Authorization: `Bearer ${agentToken}` })
      .send({ presence: 'available' })
      .expect(200);
    await settle();
    // Supervisors also hear the queue figures move (queue-stats.changed, at most every 2 s, tested in
    // queue-stats.e2e-spec): one may land here from the contacts of the tests before.
    expect(supervisor.received.filter(([event]) => event !== 'queue-stats.changed')).toEqual([
      ['presence.changed', expect.objectContaining({ from: 'offline', to: 'available' })],
    ]);
  });
});
