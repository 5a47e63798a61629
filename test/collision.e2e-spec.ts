import { INestApplication, Module } from '@nestjs/common';
import type { ConversationViewer, ConversationViewersEvent } from '@readerdesk/contracts';
import { DEMO_ADMIN, DeskDataSourceOptions, PersistenceModule } from '@readerdesk/persistence';
import { createHttpApp, Environment, PlatformModule } from '@readerdesk/platform';
import { describeWithDatabase, testDialect } from '@readerdesk/testing';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { ApiModule } from '../apps/api/src/api.module';
import { ConnectedConsole, connectConsole, ConsoleSocket, eventually } from './support/sockets';
import { createTestApp, TestApp } from './support/test-app';

/** Short enough for a test, long enough that a renewal every half of it keeps typing on. */
const TYPING_EXPIRY_MS = 800;

const urlOf = (app: INestApplication) =>
  `http://127.0.0.1:${(app.getHttpServer() as { address(): AddressInfo }).address().port}`;

/** The viewer sets a console was sent for one conversation, oldest first, from `from` on. */
const viewerSets = (console: ConnectedConsole, conversationId: string, from = 0): ConversationViewer[][] =>
  console.received
    .slice(from)
    .filter(
      ([event, p]) =>
        event === 'conversation.viewers' && (p as ConversationViewersEvent).conversationId === conversationId,
    )
    .map(([, p]) => (p as ConversationViewersEvent).viewers);

/** The last set, as `name:typing` (`-`: not typing), or null before any. */
const shown = (console: ConnectedConsole, conversationId: string): string[] | null =>
  viewerSets(console, conversationId)
    .at(-1)
    ?.map((v) => `${v.displayName}:${v.typing ?? '-'}`) ?? null;

const showsNow = async (console: ConnectedConsole, conversationId: string, expected: string[], what: string) => {
  await eventually(() => JSON.stringify(shown(console, conversationId)) === JSON.stringify(expected), what);
  expect(shown(console, conversationId)).toEqual(expected);
};

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The demo desk, staff made by its administrator, and a conversation queued in Reference. */
class Staffing {
  admin!: { Authorization: string };
  department: Record<'reference' | 'circulation', string> = { reference: '', circulation: '' };
  inboxId = '';
  private counter = 0;

  constructor(private readonly desk: TestApp) {}

  async prepare(): Promise<void> {
    this.admin = await this.desk.signIn(DEMO_ADMIN.email, DEMO_ADMIN.password);
    const list = (await this.desk.http.get('/api/v1/departments').set(this.admin).expect(200)).body as Array<{
      id: string;
      code: string;
    }>;
    for (const d of list) if (d.code in this.department) this.department[d.code as 'reference'] = d.id;
    this.inboxId = (
      await this.desk.http
        .post('/api/v1/inboxes')
        .set(this.admin)
        .send({ channel: 'api', name: 'Collision form', defaultDepartmentId: this.department.reference })
        .expect(201)
    ).body.id as string;
  }

  /** A member of staff's access token. */
  async member(displayName: string, departmentIds: string[], role = 'agent'): Promise<string> {
    const email = `collision-${++this.counter}-${randomUUID().slice(0, 8)}@staff.example.org`;
    const password = 'a-long-enough-password';
    await this.desk.http
      .post('/api/v1/agents')
      .set(this.admin)
      .send({ email, displayName, role, password, departmentIds })
      .expect(201);
    return (await this.desk.signIn(email, password)).Authorization.slice('Bearer '.length);
  }

  async conversation(): Promise<string> {
    const answer = await this.desk.http
      .post(`/api/v1/inboxes/${this.inboxId}/messages`)
      .set(this.admin)
      .send({
        externalId: `collision-${++this.counter}`,
        handles: [{ kind: 'email', value: `reader${this.counter}@example.org` }],
        text: 'Can I renew by phone?',
      })
      .expect(201);
    return answer.body.conversation.id as string;
  }
}

/**
 * Collision (who else views or types in a conversation), through real sockets on each driver, with
 * the Redis adapter in the PostgreSQL pass when REDIS_URL is set; typing lapses after a short
 * DESK_TYPING_EXPIRY_MS.
 */
describeWithDatabase('collision: who else is viewing or typing in a conversation', () => {
  let desk: TestApp;
  let staffing: Staffing;
  let url: string;
  const consoles: ConnectedConsole[] = [];
  const open = async (token: string): Promise<ConnectedConsole> => {
    const live = await connectConsole(url, token);
    consoles.push(live);
    return live;
  };
  let ada: string;
  let ben: string;
  let cleo: string;

  beforeAll(async () => {
    desk = await createTestApp({ DESK_TYPING_EXPIRY_MS: String(TYPING_EXPIRY_MS) });
    url = urlOf(desk.app);
    staffing = new Staffing(desk);
    await staffing.prepare();
    ada = await staffing.member('Ada', [staffing.department.reference]);
    ben = await staffing.member('Ben', [staffing.department.reference]);
    cleo = await staffing.member('Cleo', [staffing.department.circulation]);
  });
  afterAll(async () => {
    for (const c of consoles) c.socket.disconnect();
    await desk?.close();
  });

  it('shows two agents viewing one conversation to each other, longest viewing first', async () => {
    const conversationId = await staffing.conversation();
    const a = await open(ada);
    const b = await open(ben);
    expect(await a.socket.emitWithAck('conversation.view', { conversationId })).toEqual({ ok: true });
    await showsNow(a, conversationId, ['Ada:-'], 'Ada to see herself viewing');
    expect(await b.socket.emitWithAck('conversation.view', { conversationId })).toEqual({ ok: true });
    await showsNow(a, conversationId, ['Ada:-', 'Ben:-'], 'Ada to see Ben');
    await showsNow(b, conversationId, ['Ada:-', 'Ben:-'], 'Ben to see Ada');
    const [first, second] = viewerSets(b, conversationId).at(-1)!;
    expect(first).toEqual({ agentId: expect.any(String), displayName: 'Ada', typing: null, since: expect.any(String) });
    expect(Date.parse(first.since)).toBeLessThanOrEqual(Date.parse(second.since));
    expect(first.agentId).not.toBe(second.agentId);

    // Viewing again (a console reconnecting its view) changes nothing but tells the set again.
    expect(await a.socket.emitWithAck('conversation.view', { conversationId })).toEqual({ ok: true });
    expect(viewerSets(a, conversationId).at(-1)![0].since).toBe(first.since);
    a.socket.disconnect();
    b.socket.disconnect();
  });

  it('shows typing, and clears it on typing: false, and by itself when no renewal comes', async () => {
    const conversationId = await staffing.conversation();
    const a = await open(ada);
    const b = await open(ben);
    for (const c of [a, b]) await c.socket.emitWithAck('conversation.view', { conversationId });
    await showsNow(b, conversationId, ['Ada:-', 'Ben:-'], 'both viewing');

    const type = (mode: 'reply' | 'note', typing: boolean) =>
      a.socket.emitWithAck('conversation.typing', { conversationId, mode, typing });
    expect(await type('reply', true)).toEqual({ ok: true });
    await showsNow(b, conversationId, ['Ada:reply', 'Ben:-'], 'Ada typing a reply');
    expect(await type('reply', false)).toEqual({ ok: true });
    await showsNow(b, conversationId, ['Ada:-', 'Ben:-'], 'Ada no longer typing');

    // Renewed every half expiry: typing stays on past one expiry, with no event in between.
    expect(await type('note', true)).toEqual({ ok: true });
    await showsNow(b, conversationId, ['Ada:note', 'Ben:-'], 'Ada typing a note');
    const mark = b.received.length;
    for (let i = 0; i < 3; i++) {
      await pause(TYPING_EXPIRY_MS / 2);
      await type('note', true);
    }
    const renewedAt = Date.now();
    expect(viewerSets(b, conversationId, mark)).toEqual([]);

    // Then the console vanishes from the conversation without a word: the note lapses by itself.
    await showsNow(b, conversationId, ['Ada:-', 'Ben:-'], 'the note to lapse');
    expect(Date.now() - renewedAt).toBeGreaterThanOrEqual(TYPING_EXPIRY_MS - 100);
    expect(viewerSets(b, conversationId, mark)).toHaveLength(1);
    a.socket.disconnect();
    b.socket.disconnect();
  });

  it('counts an agent with two tabs once, and drops a viewer whose socket closes, typing or not', async () => {
    const conversationId = await staffing.conversation();
    const a = await open(ada);
    const a2 = await open(ada);
    const b = await open(ben);
    for (const c of [a, b, a2]) await c.socket.emitWithAck('conversation.view', { conversationId });
    await showsNow(b, conversationId, ['Ada:-', 'Ben:-'], 'Ada once, with two tabs');

    await a2.socket.emitWithAck('conversation.typing', { conversationId, mode: 'reply', typing: true });
    await showsNow(b, conversationId, ['Ada:reply', 'Ben:-'], "Ada's second tab typing");
    // The tab typing closes mid-reply: Ada still views (her first tab), typing nothing.
    a2.socket.disconnect();
    await showsNow(b, conversationId, ['Ada:-', 'Ben:-'], "Ada's typing tab gone");

    await b.socket.emitWithAck('conversation.typing', { conversationId, mode: 'note', typing: true });
    await showsNow(a, conversationId, ['Ada:-', 'Ben:note'], 'Ben typing');
    b.socket.disconnect();
    await showsNow(a, conversationId, ['Ada:-'], 'Ben gone with his socket');

    expect(await a.socket.emitWithAck('conversation.leave', { conversationId })).toEqual({ ok: true });
    const mark = a.received.length;
    expect(await a.socket.emitWithAck('conversation.typing', { conversationId, mode: 'reply', typing: true })).toEqual({
      ok: false,
      error: 'not_viewing',
    });
    const c = await open(ben);
    await c.socket.emitWithAck('conversation.view', { conversationId });
    await showsNow(c, conversationId, ['Ben:-'], 'Ben alone after Ada left');
    await pause(200);
    expect(viewerSets(a, conversationId, mark)).toEqual([]);
    a.socket.disconnect();
    c.socket.disconnect();
  });

  it("refuses another department's agent and an unknown conversation, and tells them nothing of who views", async () => {
    const conversationId = await staffing.conversation();
    const a = await open(ada);
    const outsider = await open(cleo);
    await a.socket.emitWithAck('conversation.view', { conversationId });
    expect(await outsider.socket.emitWithAck('conversation.view', { conversationId })).toEqual({
      ok: false,
      error: 'not_found',
    });
    expect(await outsider.socket.emitWithAck('conversation.view', { conversationId: randomUUID() })).toEqual({
      ok: false,
      error: 'not_found',
    });
    expect(
      await outsider.socket.emitWithAck('conversation.typing', { conversationId, mode: 'reply', typing: true }),
    ).toEqual({ ok: false, error: 'not_viewing' });
    await a.socket.emitWithAck('conversation.typing', { conversationId, mode: 'reply', typing: true });
    await showsNow(a, conversationId, ['Ada:reply'], 'Ada typing');
    const b = await open(ben);
    await b.socket.emitWithAck('conversation.view', { conversationId });
    await showsNow(a, conversationId, ['Ada:reply', 'Ben:-'], 'Ben joining');
    await pause(200);
    expect(outsider.received.filter(([event]) => event === 'conversation.viewers')).toEqual([]);
    for (const c of [a, b, outsider]) c.socket.disconnect();
  });

  it('answers malformed payloads with an error ack and keeps the socket', async () => {
    const conversationId = await staffing.conversation();
    const a = await open(ada);
    const raw = a.socket as unknown as { emitWithAck(event: string, payload?: unknown): Promise<unknown> };
    expect(await raw.emitWithAck('conversation.view', 'not an object')).toEqual({ ok: false, error: 'invalid_id' });
    expect(await raw.emitWithAck('conversation.view', null)).toEqual({ ok: false, error: 'invalid_id' });
    expect(await raw.emitWithAck('conversation.view', { conversationId: 42 })).toEqual({
      ok: false,
      error: 'invalid_id',
    });
    expect(await raw.emitWithAck('conversation.leave', {})).toEqual({ ok: false, error: 'invalid_id' });
    expect(
      await raw.emitWithAck('conversation.typing', { conversationId: '../x', mode: 'reply', typing: true }),
    ).toEqual({ ok: false, error: 'invalid_id' });
    await a.socket.emitWithAck('conversation.view', { conversationId });
    for (const bad of [
      { conversationId, mode: 'shout', typing: true },
      { conversationId, mode: 'reply', typing: 'yes' },
      { conversationId },
    ])
      expect(await raw.emitWithAck('conversation.typing', bad)).toEqual({ ok: false, error: 'invalid_payload' });
    // An event without an acknowledgement is no crash either.
    (a.socket as unknown as { emit(event: string, payload: unknown): void }).emit('conversation.view', {
      conversationId,
    });
    expect(a.socket.connected).toBe(true);
    expect(await a.socket.emitWithAck('conversation.typing', { conversationId, mode: 'reply', typing: true })).toEqual({
      ok: true,
    });
    await showsNow(a, conversationId, ['Ada:reply'], 'Ada typing after the bad payloads');
    a.socket.disconnect();
  });

  it('takes viewers out of a conversation transferred to a department they may not see', async () => {
    const conversationId = await staffing.conversation();
    const a = await open(ada);
    const boss = await open(staffing.admin.Authorization.slice('Bearer '.length));
    const outsider = await open(cleo);
    await a.socket.emitWithAck('conversation.view', { conversationId });
    await boss.socket.emitWithAck('conversation.view', { conversationId });
    const chief = `${DEMO_ADMIN.displayName}:-`;
    await showsNow(boss, conversationId, ['Ada:-', chief], 'the administrator to see Ada');
    const mark = a.received.length;

    await desk.http
      .post(`/api/v1/conversations/${conversationId}/transfer`)
      .set(staffing.admin)
      .send({ departmentId: staffing.department.circulation })
      .expect(200);
    await showsNow(boss, conversationId, [chief], 'the administrator to see Ada gone');
    expect(await a.socket.emitWithAck('conversation.typing', { conversationId, mode: 'reply', typing: true })).toEqual({
      ok: false,
      error: 'not_viewing',
    });
    expect(await outsider.socket.emitWithAck('conversation.view', { conversationId })).toEqual({ ok: true });
    await showsNow(boss, conversationId, [chief, 'Cleo:-'], 'the administrator to see Cleo');
    await showsNow(outsider, conversationId, [chief, 'Cleo:-'], 'Cleo to see the administrator');
    expect(viewerSets(a, conversationId, mark)).toEqual([]);
    for (const c of [a, boss, outsider]) c.socket.disconnect();
  });
});

// Two api instances share viewers through the Redis adapter; that needs REDIS_URL (set in the PostgreSQL pass).
const withRedis = testDialect() === 'postgres' && !!process.env.REDIS_URL;
if (!withRedis)
  console.warn('collision across two api instances skipped: it needs REDIS_URL and runs in the PostgreSQL pass');

(withRedis ? describeWithDatabase : describe.skip)('collision across two api instances sharing Redis', () => {
  let desk: TestApp;
  let second: INestApplication;
  let staffing: Staffing;
  const sockets: ConsoleSocket[] = [];

  beforeAll(async () => {
    desk = await createTestApp({ DESK_TYPING_EXPIRY_MS: String(TYPING_EXPIRY_MS) });
    // A second api process on the same database and Redis (one desk: the same QUEUE_PREFIX).
    @Module({
      imports: [
        PlatformModule.forRoot({
          env: Object.assign(new Environment(), desk.env, { DESK_ROLE: 'api' }),
          dataSource: DeskDataSourceOptions,
        }),
        PersistenceModule,
        ApiModule,
      ],
    })
    class SecondApi {}
    second = await createHttpApp(SecondApi);
    await second.listen(0, '127.0.0.1');
    staffing = new Staffing(desk);
    await staffing.prepare();
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await second?.close();
    await desk?.close();
  });

  it("shows each instance's viewers and typing to the other's, and drops a viewer closed on one", async () => {
    const conversationId = await staffing.conversation();
    const a = await connectConsole(urlOf(desk.app), await staffing.member('Ada', [staffing.department.reference]));
    const b = await connectConsole(urlOf(second), await staffing.member('Ben', [staffing.department.reference]));
    const outsider = await connectConsole(
      urlOf(second),
      await staffing.member('Cleo', [staffing.department.circulation]),
    );
    sockets.push(a.socket, b.socket, outsider.socket);

    expect(await a.socket.emitWithAck('conversation.view', { conversationId })).toEqual({ ok: true });
    expect(await b.socket.emitWithAck('conversation.view', { conversationId })).toEqual({ ok: true });
    expect(await outsider.socket.emitWithAck('conversation.view', { conversationId })).toEqual({
      ok: false,
      error: 'not_found',
    });
    await showsNow(a, conversationId, ['Ada:-', 'Ben:-'], 'Ada (first instance) to see Ben (second)');
    await showsNow(b, conversationId, ['Ada:-', 'Ben:-'], 'Ben (second instance) to see Ada (first)');

    await b.socket.emitWithAck('conversation.typing', { conversationId, mode: 'reply', typing: true });
    await showsNow(a, conversationId, ['Ada:-', 'Ben:reply'], "Ben's typing on the first instance");
    // Ben's instance lets his typing lapse; Ada's hears it.
    await showsNow(a, conversationId, ['Ada:-', 'Ben:-'], "Ben's typing to lapse");
    await a.socket.emitWithAck('conversation.typing', { conversationId, mode: 'note', typing: true });
    await showsNow(b, conversationId, ['Ada:note', 'Ben:-'], "Ada's note on the second instance");

    a.socket.disconnect();
    await showsNow(b, conversationId, ['Ben:-'], 'Ada gone from the second instance');
    expect(outsider.received.filter(([event]) => event === 'conversation.viewers')).toEqual([]);
  });
});
