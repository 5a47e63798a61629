import type { OffersService } from '@readerdesk/offers';
import { JwtService } from '@nestjs/jwt';
import { rooms } from '@readerdesk/contracts';
import {
  type AttachmentService,
  Conversation,
  ConversationOpened,
  ConversationService,
  ConversationStatusChanged,
  ConversationUpdated,
  MessageAppended,
  MessageDeliveryChanged,
} from '@readerdesk/conversations';
import { DatabaseService, Environment, EventBus, EventDefinition } from '@readerdesk/platform';
import { ConversationRepository } from '../../conversations/src/conversation.repository';
import { MessageRepository } from '../../conversations/src/message.repository';
import {
  Agent,
  AgentRole,
  AuthService,
  Department,
  PasswordHasher,
  PresenceChanged,
  SESSION_COOKIES,
  StaffDirectory,
} from '@readerdesk/staff';
import { connectTestDatabase, describeWithDatabase, TestClock, TestData } from '@readerdesk/testing';
import { Library } from '@readerdesk/tenancy';
import { AgentRepository } from '../../staff/src/agent.repository';
import { DepartmentRepository } from '../../staff/src/department.repository';
import { RefreshTokenRepository } from '../../staff/src/refresh-token.repository';
import { ConversationViewersService } from './conversation-viewers.service';
import { RealtimeFanout, RoomOperator, RoomTarget } from './realtime.fanout';
import { RealtimeGateway } from './realtime.gateway';

type Handler = (request: unknown, ack: (answer: unknown) => void) => Promise<void> | void;

/** What the gateway touches of a socket.io socket: its handshake, rooms, emits and handlers. */
class FakeSocket {
  readonly rooms = new Set<string>();
  readonly emitted: Array<[string, unknown]> = [];
  readonly handlers = new Map<string, Handler>();
  readonly data: Record<string, unknown> = {};
  disconnected = false;

  constructor(readonly handshake: { auth: Record<string, unknown>; headers: { cookie?: string } }) {}

  join(room: string | string[]): Promise<void> {
    for (const r of [room].flat()) this.rooms.add(r);
    return Promise.resolve();
  }

  leave(room: string): Promise<void> {
    this.rooms.delete(room);
    return Promise.resolve();
  }

  emit(event: string, payload: unknown): boolean {
    this.emitted.push([event, payload]);
    return true;
  }

  disconnect(): void {
    this.disconnected = true;
  }

  on(event: string, handler: Handler): void {
    this.handlers.set(event, handler);
  }

  /** Sends a client event with an acknowledgement, as a console does. */
  request(event: string, payload: unknown): Promise<unknown> {
    const handler = this.handlers.get(event);
    if (!handler) throw new Error(`no handler for ${event}`);
    return new Promise((resolve) => void handler(payload, resolve));
  }
}

/**
 * A RoomTarget that records every emit; `deliveredTo` says what a socket in some rooms would get.
 * Room leaves apply to the sockets it was told about, as socket.io applies them to its own.
 */
class RecordingTarget implements RoomTarget {
  readonly emits: Array<{ rooms: string[]; event: string; payload: unknown }> = [];
  readonly sockets: FakeSocket[] = [];

  to(room: string | string[]): RoomOperator {
    return this.operator([room].flat(), []);
  }

  private operator(to: string[], except: string[]): RoomOperator {
    const matches = (socket: FakeSocket) =>
      to.some((r) => socket.rooms.has(r)) && !except.some((r) => socket.rooms.has(r));
    return {
      emit: (event, payload) => this.emits.push({ rooms: to, event, payload }),
      except: (room) => this.operator(to, [...except, ...[room].flat()]),
      socketsJoin: (room) => {
        for (const socket of this.sockets.filter(matches)) for (const r of [room].flat()) socket.rooms.add(r);
      },
      socketsLeave: (room) => {
        for (const socket of this.sockets.filter(matches)) for (const r of [room].flat()) socket.rooms.delete(r);
      },
      disconnectSockets: () => {
        for (const socket of this.sockets.filter(matches)) socket.disconnect();
      },
    };
  }

  /** socket.io sends an emit to several rooms once to each socket in any of them. */
  deliveredTo(socket: FakeSocket): string[] {
    return this.emits.filter((e) => e.rooms.some((r) => socket.rooms.has(r))).map((e) => e.event);
  }

  clear(): void {
    this.emits.length = 0;
  }
}

describeWithDatabase('realtime rooms and fanout', () => {
  let database: DatabaseService;
  let drop: () => Promise<void>;
  let data: TestData;
  let events: EventBus;
  let gateway: RealtimeGateway;
  let jwt: JwtService;
  const target = new RecordingTarget();

  let north: Library;
  let south: Library;
  let reference: Department;
  let circulation: Department;
  let southDesk: Department;
  type Member = 'agent' | 'supervisor' | 'admin' | 'southAdmin';
  let staff: Record<Member, Agent>;
  let consoles: Record<Member, FakeSocket>;
  let referenceConversation: Conversation;
  let circulationConversation: Conversation;
  let triageConversation: Conversation;
  let southConversation: Conversation;

  const tokenOf = (agent: Agent): Promise<string> =>
    jwt.signAsync({ sub: agent.id, lib: agent.libraryId, role: agent.role });

  const connect = async (handshake: FakeSocket['handshake']): Promise<FakeSocket> => {
    const socket = new FakeSocket(handshake);
    target.sockets.push(socket);
    await gateway.handleConnection(socket as unknown as Parameters<RealtimeGateway['handleConnection']>[0]);
    return socket;
  };

  const consoleOf = async (agent: Agent): Promise<FakeSocket> =>
    connect({ auth: { token: await tokenOf(agent) }, headers: {} });

  /** Publishes outside any transaction, then lets the bus's asynchronous delivery run. */
  const publish = async <P>(event: EventDefinition<P>, payload: P) => {
    events.publish(event, payload);
    await new Promise((resolve) => setImmediate(resolve));
  };

  beforeAll(async () => {
    ({ database, drop } = await connectTestDatabase());
    data = new TestData(database);
    events = new EventBus(database);
    jwt = new JwtService({ secret: 'realtime-int-spec-secret-long-enough-123' });
    const agents = new AgentRepository(database);
    const auth = new AuthService(
      database,
      agents,
      new RefreshTokenRepository(database),
      new PasswordHasher(),
      jwt,
      new TestClock(),
    );
    const fanout = new RealtimeFanout(events, new TestClock());
    fanout.onModuleInit();
    gateway = new RealtimeGateway(
      auth,
      new StaffDirectory(agents, new DepartmentRepository(database)),
      // The gateway only looks conversations up: no attachments are read.
      new ConversationService(
        database,
        events,
        new TestClock(),
        new ConversationRepository(database),
        new MessageRepository(database),
        undefined as unknown as AttachmentService,
      ),
      fanout,
      events,
      // Offers are not answered on these sockets.
      undefined as unknown as OffersService,
      // Nobody views a conversation here (collision is tested end to end, test/collision.e2e-spec.ts).
      new ConversationViewersService(new Environment(), new TestClock(), events),
    );
    gateway.afterInit(target as unknown as Parameters<RealtimeGateway['afterInit']>[0]);

    north = await data.library();
    south = await data.library();
    reference = await data.department(north, { code: 'ref' });
    circulation = await data.department(north, { code: 'circ' });
    southDesk = await data.department(south, { code: 'ref' });
    const member = (library: Library, role: AgentRole, departments: Department[]) =>
      data.agent(library, { role, departments });
    staff = {
      agent: await member(north, 'agent', [reference]),
      supervisor: await member(north, 'supervisor', [circulation]),
      admin: await member(north, 'administrator', []),
      southAdmin: await member(south, 'administrator', []),
    };
    consoles = {
      agent: await consoleOf(staff.agent),
      supervisor: await consoleOf(staff.supervisor),
      admin: await consoleOf(staff.admin),
      southAdmin: await consoleOf(staff.southAdmin),
    };

    const { reader } = await data.reader(north, { handles: [{ kind: 'email', value: 'Reader@Example.org' }] });
    const inbox = await data.inbox(north, { channel: 'email' });
    const opened = (departmentId: string | null) => data.conversation({ reader, inbox }, { departmentId });
    referenceConversation = await opened(reference.id);
    circulationConversation = await opened(circulation.id);
    triageConversation = await opened(null);
    const far = await data.reader(south);
    const farInbox = await data.inbox(south, { defaultDepartmentId: southDesk.id });
    southConversation = await data.conversation({ reader: far.reader, inbox: farInbox });
  });

  beforeEach(() => target.clear());
  afterAll(async () => drop?.());

  describe('joining rooms on connection', () => {
    it("puts an agent in its own room, its departments' rooms and the triage queue, nothing else", () => {
      expect([...consoles.agent.rooms].sort()).toEqual(
        [rooms.agent(staff.agent.id), rooms.triage(north.id), rooms.department(reference.id)].sort(),
      );
    });

    it("adds the library's supervisors room for a supervisor, still only its own departments", () => {
      expect([...consoles.supervisor.rooms].sort()).toEqual(
        [
          rooms.agent(staff.supervisor.id),
          rooms.triage(north.id),
          rooms.department(circulation.id),
          rooms.supervisors(north.id),
        ].sort(),
      );
    });

    it("gives an administrator its library's all-departments room, and none of another library's", () => {
      expect([...consoles.admin.rooms].sort()).toEqual(
        [
          rooms.agent(staff.admin.id),
          rooms.triage(north.id),
          rooms.allDepartments(north.id),
          rooms.supervisors(north.id),
        ].sort(),
      );
      expect(consoles.southAdmin.rooms).toEqual(
        new Set([
          rooms.agent(staff.southAdmin.id),
          rooms.triage(south.id),
          rooms.allDepartments(south.id),
          rooms.supervisors(south.id),
        ]),
      );
    });

    it('takes the access token from the session cookie when the handshake passes none', async () => {
      const socket = await connect({
        auth: {},
        headers: { cookie: `other=1; ${SESSION_COOKIES.access}=${await tokenOf(staff.agent)}` },
      });
      expect(socket.rooms).toEqual(consoles.agent.rooms);
    });

    it('drops a socket without a valid token before it joins anything, saying why', async () => {
      const forged = await new JwtService({ secret: 'not-the-desk-secret-at-all-0123456789' }).signAsync({
        sub: staff.admin.id,
        lib: north.id,
        role: 'administrator',
      });
      for (const handshake of [
        { auth: {}, headers: {} },
        { auth: { token: forged }, headers: {} },
      ]) {
        const socket = await connect(handshake);
        expect(socket.rooms.size).toBe(0);
        expect(socket.disconnected).toBe(true);
        expect(socket.emitted).toEqual([['auth.error', expect.objectContaining({ code: 'unauthenticated' })]]);
        expect(socket.handlers.size).toBe(0);
      }
    });
  });

  describe('fanout of domain events', () => {
    const base = (conversation: Conversation) => ({
      libraryId: conversation.libraryId,
      conversationId: conversation.id,
    });

    it("sends a new conversation to its department's room, or the triage room when unclaimed", async () => {
      for (const conversation of [referenceConversation, triageConversation]) {
        await publish(ConversationOpened, {
          ...base(conversation),
          readerId: conversation.readerId,
          departmentId: conversation.departmentId,
          channel: 'email',
        });
      }
      expect(target.emits).toEqual([
        {
          rooms: [rooms.department(reference.id), rooms.allDepartments(north.id)],
          event: 'conversation.opened',
          payload: {
            conversationId: referenceConversation.id,
            readerId: referenceConversation.readerId,
            departmentId: reference.id,
            channel: 'email',
          },
        },
        expect.objectContaining({ rooms: [rooms.triage(north.id)], event: 'conversation.opened' }),
      ]);
    });

    it('sends messages, delivery changes and status changes to the department and conversation rooms', async () => {
      const c = circulationConversation;
      await publish(MessageAppended, {
        ...base(c),
        messageId: 'm1',
        kind: 'inbound',
        departmentId: c.departmentId,
        authorAgentId: null,
      });
      await publish(MessageDeliveryChanged, {
        ...base(c),
        messageId: 'm2',
        departmentId: c.departmentId,
        delivery: { status: 'failed', attempts: 3, error: '550 no such user', at: '2026-03-02T09:00:00Z' },
      });
      await publish(ConversationStatusChanged, {
        ...base(c),
        departmentId: c.departmentId,
        from: 'open',
        to: 'resolved',
        actorAgentId: staff.supervisor.id,
      });
      const both = [rooms.department(circulation.id), rooms.allDepartments(north.id), rooms.conversation(c.id)];
      expect(target.emits).toEqual([
        {
          rooms: both,
          event: 'message.appended',
          payload: { conversationId: c.id, messageId: 'm1', kind: 'inbound', departmentId: circulation.id },
        },
        {
          rooms: both,
          event: 'message.delivery-changed',
          payload: { conversationId: c.id, messageId: 'm2', status: 'failed', error: '550 no such user' },
        },
        {
          rooms: both,
          event: 'conversation.status-changed',
          payload: { conversationId: c.id, from: 'open', to: 'resolved' },
        },
      ]);
    });

    it("sends a status change of an unclaimed conversation to the triage room, by the event's department", async () => {
      await publish(ConversationStatusChanged, {
        ...base(triageConversation),
        departmentId: null,
        from: 'new',
        to: 'open',
        actorAgentId: null,
      });
      expect(target.emits.map((e) => e.rooms)).toEqual([
        [rooms.triage(north.id), rooms.conversation(triageConversation.id)],
      ]);
    });

    it('sends a transfer to both departments, the conversation and the new assignee, each room once', async () => {
      const c = referenceConversation;
      await publish(ConversationUpdated, {
        ...base(c),
        departmentId: circulation.id,
        previousDepartmentId: reference.id,
        assigneeId: staff.supervisor.id,
        changed: ['departmentId', 'assigneeId'],
        actorAgentId: staff.admin.id,
      });
      await publish(ConversationUpdated, {
        ...base(c),
        departmentId: circulation.id,
        previousDepartmentId: circulation.id,
        assigneeId: null,
        changed: ['subject'],
        actorAgentId: staff.admin.id,
      });
      expect(target.emits.map((e) => [...e.rooms].sort())).toEqual([
        [
          rooms.agent(staff.supervisor.id),
          rooms.conversation(c.id),
          rooms.department(circulation.id),
          rooms.department(reference.id),
          rooms.allDepartments(north.id),
        ].sort(),
        [rooms.conversation(c.id), rooms.department(circulation.id), rooms.allDepartments(north.id)].sort(),
      ]);
    });

    it('takes a transferred conversation away from followers who may not see its new department', async () => {
      const c = triageConversation;
      const followers = await Promise.all([staff.agent, staff.supervisor, staff.admin].map(consoleOf));
      for (const socket of followers)
        expect(await socket.request('conversation.join', { conversationId: c.id })).toEqual({ ok: true });
      await publish(ConversationUpdated, {
        ...base(c),
        departmentId: circulation.id,
        previousDepartmentId: null,
        assigneeId: null,
        changed: ['departmentId'],
        actorAgentId: staff.admin.id,
      });
      // All heard the transfer (in the triage room); the Reference agent then left the conversation's room.
      expect(followers.map((socket) => target.deliveredTo(socket))).toEqual(
        followers.map(() => ['conversation.updated']),
      );
      expect(followers.map((socket) => socket.rooms.has(rooms.conversation(c.id)))).toEqual([false, true, true]);
    });

    it('sends presence to the supervisors room and the agent only', async () => {
      await publish(PresenceChanged, {
        libraryId: north.id,
        agentId: staff.agent.id,
        from: 'offline',
        to: 'available',
        at: '2026-03-02T09:00:00Z',
      });
      expect(target.emits).toEqual([
        {
          rooms: [rooms.supervisors(north.id), rooms.agent(staff.agent.id)],
          event: 'presence.changed',
          payload: { agentId: staff.agent.id, from: 'offline', to: 'available', at: '2026-03-02T09:00:00Z' },
        },
      ]);
    });
  });

  describe('what reaches each console', () => {
    const appended = (c: Conversation) =>
      publish(MessageAppended, {
        authorAgentId: null,
        libraryId: c.libraryId,
        conversationId: c.id,
        messageId: `m-${c.id}`,
        kind: 'inbound',
        departmentId: c.departmentId,
      });

    it("reaches a department's members and the administrator, not another department's staff", async () => {
      await appended(referenceConversation);
      expect(target.deliveredTo(consoles.agent)).toEqual(['message.appended']);
      expect(target.deliveredTo(consoles.admin)).toEqual(['message.appended']);
      expect(target.deliveredTo(consoles.supervisor)).toEqual([]);
      expect(target.deliveredTo(consoles.southAdmin)).toEqual([]);
    });

    it('reaches everybody of the library for an unclaimed conversation, and nobody of another library', async () => {
      await appended(triageConversation);
      for (const name of ['agent', 'supervisor', 'admin'] as const)
        expect(target.deliveredTo(consoles[name])).toEqual(['message.appended']);
      expect(target.deliveredTo(consoles.southAdmin)).toEqual([]);
    });

    it("never lets another library's events reach this library's consoles", async () => {
      await appended(southConversation);
      await publish(ConversationOpened, {
        libraryId: south.id,
        conversationId: southConversation.id,
        readerId: southConversation.readerId,
        departmentId: null,
        channel: 'api',
      });
      await publish(PresenceChanged, {
        libraryId: south.id,
        agentId: staff.southAdmin.id,
        from: 'offline',
        to: 'busy',
        at: '2026-03-02T09:00:00Z',
      });
      expect(target.deliveredTo(consoles.southAdmin)).toEqual([
        'message.appended',
        'conversation.opened',
        'presence.changed',
      ]);
      for (const name of ['agent', 'supervisor', 'admin'] as const)
        expect(target.deliveredTo(consoles[name])).toEqual([]);
    });
  });

  describe('following one conversation', () => {
    it('lets an agent follow conversations of its departments and the triage queue only', async () => {
      const socket = await consoleOf(staff.agent);
      const join = (conversationId: unknown) => socket.request('conversation.join', { conversationId });
      expect(await join(referenceConversation.id)).toEqual({ ok: true });
      expect(await join(triageConversation.id)).toEqual({ ok: true });
      expect(await join(circulationConversation.id)).toEqual({ ok: false, error: 'not_found' });
      expect(await join(southConversation.id)).toEqual({ ok: false, error: 'not_found' });
      expect(await join('not-an-id')).toEqual({ ok: false, error: 'invalid_id' });
      expect(socket.rooms.has(rooms.conversation(referenceConversation.id))).toBe(true);
      expect(socket.rooms.has(rooms.conversation(circulationConversation.id))).toBe(false);
      expect(socket.rooms.has(rooms.conversation(southConversation.id))).toBe(false);

      expect(await socket.request('conversation.leave', { conversationId: referenceConversation.id })).toEqual({
        ok: true,
      });
      expect(socket.rooms.has(rooms.conversation(referenceConversation.id))).toBe(false);
    });

    it("lets an administrator follow any of its library's conversations, not another library's", async () => {
      const socket = await consoleOf(staff.admin);
      const join = (c: Conversation) => socket.request('conversation.join', { conversationId: c.id });
      expect(await join(circulationConversation)).toEqual({ ok: true });
      expect(await join(southConversation)).toEqual({ ok: false, error: 'not_found' });
    });
  });
});
