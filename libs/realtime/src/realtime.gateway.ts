import { Logger, OnModuleInit } from '@nestjs/common';
import {
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import { ConversationService } from '@readerdesk/conversations';
import { DomainError, EventBus, libraryScope, type LibraryScope } from '@readerdesk/platform';
import { OffersService } from '@readerdesk/offers';
import {
  AuthService,
  hasRole,
  readCookie,
  SESSION_COOKIES,
  StaffAccessChanged,
  StaffDirectory,
  StaffErrors,
  type StaffMember,
  type StaffPrincipal,
  worksIn,
} from '@readerdesk/staff';
import type { Server } from 'socket.io';
import { ClientToServerEvents, rooms, ServerToClientEvents } from '@readerdesk/contracts';
import { type AgentSocket, ConversationViewersService } from './conversation-viewers.service';
import { onEveryNode, RealtimeFanout } from './realtime.fanout';

const CONVERSATION_ROOM = rooms.conversation('');
const VIEWING_ROOM = rooms.viewing('');
const isId = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f-]{36}$/i.test(value);

/**
 * The rooms a member of staff's sockets belong in: their own, the triage queue, their departments,
 * every department for an administrator, and the staffing room for supervisors and above.
 */
function roomsOf(libraryId: string, member: StaffMember): string[] {
  const joined = [rooms.agent(member.id), rooms.triage(libraryId), ...member.departmentIds.map(rooms.department)];
  if (member.role === 'administrator') joined.push(rooms.allDepartments(libraryId));
  if (hasRole(member.role, 'supervisor')) joined.push(rooms.supervisors(libraryId));
  return joined;
}

const mayFollow = (member: StaffMember, departmentId: string | null): boolean =>
  departmentId === null || worksIn(member, departmentId);

/**
 * The agent console's live channel. A socket authenticates on the handshake with the same access
 * token as the REST API and joins its rooms (roomsOf); RealtimeFanout sends domain events to those
 * rooms. When a member of staff's role, departments or status change (StaffAccessChanged), their
 * sockets on every api node follow at once: they leave the rooms they may no longer hear, joined
 * conversations included, or are dropped when the account was deactivated.
 */
@WebSocketGateway({ path: '/socket.io', cors: { origin: true, credentials: true } })
export class RealtimeGateway implements OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit, OnModuleInit {
  private readonly logger = new Logger('Realtime');

  @WebSocketServer()
  server!: Server<ClientToServerEvents, ServerToClientEvents>;

  constructor(
    private readonly auth: AuthService,
    private readonly staff: StaffDirectory,
    private readonly conversations: ConversationService,
    private readonly fanout: RealtimeFanout,
    private readonly events: EventBus,
    private readonly offers: OffersService,
    private readonly viewers: ConversationViewersService,
  ) {}

  afterInit(server: Server<ClientToServerEvents, ServerToClientEvents>): void {
    this.fanout.attach(server);
    this.viewers.attach(server);
  }

  onModuleInit(): void {
    this.events.subscribe(StaffAccessChanged, (event) => this.follow(event.libraryId, event.agentId));
  }

  async handleConnection(socket: AgentSocket): Promise<void> {
    try {
      // The console signed in with a session cookie sends it on the handshake; API clients pass auth.token.
      const given = (socket.handshake.auth as { token?: unknown }).token;
      const token =
        typeof given === 'string' ? given : readCookie(socket.handshake.headers.cookie, SESSION_COOKIES.access);
      if (!token) throw new Error('no token');
      const principal = await this.auth.verify(token);
      const member = await this.staff.member(libraryScope(principal.libraryId), principal.agentId);
      if (!member?.active) throw new Error('no such active member of staff');
      socket.data.principal = principal;
      await socket.join(roomsOf(principal.libraryId, member));
      this.registerHandlers(socket, principal);
    } catch (error) {
      socket.emit(
        'auth.error',
        error instanceof DomainError && error.code === StaffErrors.tokenRevoked.code
          ? { code: error.code, message: error.message }
          : { code: StaffErrors.unauthenticated.code, message: 'Sign in first: pass the access token as auth.token' },
      );
      socket.disconnect(true);
    }
  }

  handleDisconnect(socket: AgentSocket): void {
    void this.viewers.disconnected(socket);
  }

  /**
   * Brings an agent's sockets, wherever they are connected, in line with what the agent may now
   * see. Reads the member again rather than trusting the event, so that two quick changes settle
   * on the last one.
   */
  private async follow(libraryId: string, agentId: string): Promise<void> {
    const scope = libraryScope(libraryId);
    const member = await this.staff.member(scope, agentId);
    const room = rooms.agent(agentId);
    const everywhere = onEveryNode(this.server, room);
    if (!member?.active) {
      this.server.to(room).emit('auth.error', {
        code: StaffErrors.tokenRevoked.code,
        message: 'This account has been deactivated',
      });
      for (const sockets of everywhere) sockets.disconnectSockets(true);
      return;
    }
    const wanted = new Set(roomsOf(libraryId, member));
    const leave = new Set<string>();
    const followed = new Set<string>();
    for (const socket of await this.server.in(room).fetchSockets()) {
      for (const joined of socket.rooms) {
        if (joined === socket.id || wanted.has(joined)) continue;
        if (joined.startsWith(CONVERSATION_ROOM)) followed.add(joined.slice(CONVERSATION_ROOM.length));
        else if (joined.startsWith(VIEWING_ROOM)) followed.add(joined.slice(VIEWING_ROOM.length));
        else leave.add(joined);
      }
    }
    const unseen: string[] = [];
    for (const conversationId of followed) {
      const conversation = await this.conversations.find(scope, conversationId);
      if (!conversation || !mayFollow(member, conversation.departmentId)) {
        unseen.push(conversationId);
        leave.add(rooms.conversation(conversationId)).add(rooms.viewing(conversationId));
      }
    }
    for (const sockets of everywhere) {
      sockets.socketsJoin([...wanted]);
      if (leave.size > 0) sockets.socketsLeave([...leave]);
    }
    // Those still viewing a conversation the member may no longer see stop seeing them there.
    for (const conversationId of unseen) void this.viewers.announce(conversationId);
    this.server.to(room).emit('access.changed', { role: member.role, departmentIds: [...member.departmentIds] });
  }

  private registerHandlers(socket: AgentSocket, principal: StaffPrincipal): void {
    socket.on('conversation.join', async (request, ack) => {
      const answer = await this.joinConversation(socket, principal, request?.conversationId);
      if (typeof ack === 'function') ack(answer);
    });
    socket.on('conversation.leave', async (request, ack) => {
      const conversationId: unknown = request?.conversationId;
      if (!isId(conversationId)) {
        if (typeof ack === 'function') ack({ ok: false, error: 'invalid_id' });
        return;
      }
      await socket.leave(rooms.conversation(conversationId));
      await this.viewers.leave(socket, conversationId);
      if (typeof ack === 'function') ack({ ok: true });
    });
    socket.on('conversation.view', async (request, ack) => {
      const answer = await this.viewConversation(socket, principal, request?.conversationId);
      if (typeof ack === 'function') ack(answer);
    });
    socket.on('conversation.typing', async (request, ack) => {
      const { conversationId, mode, typing } = (request ?? {}) as Partial<Record<keyof typeof request, unknown>>;
      let answer: { ok: boolean; error?: string };
      if (!isId(conversationId)) answer = { ok: false, error: 'invalid_id' };
      else if ((mode !== 'reply' && mode !== 'note') || typeof typing !== 'boolean')
        answer = { ok: false, error: 'invalid_payload' };
      else answer = await this.viewers.typing(socket, conversationId, mode, typing);
      if (typeof ack === 'function') ack(answer);
    });
    for (const [event, answer] of [
      ['offer.accept', (scope: LibraryScope, id: string) => this.offers.accept(scope, id, principal.agentId)],
      ['offer.reject', (scope: LibraryScope, id: string) => this.offers.reject(scope, id, principal.agentId)],
    ] as const) {
      socket.on(event, async (request, ack) => {
        const offerId: unknown = request?.offerId;
        let reply: { ok: boolean; error?: string };
        if (typeof offerId !== 'string' || !/^[0-9a-f-]{36}$/i.test(offerId))
          reply = { ok: false, error: 'invalid_id' };
        else
          try {
            await answer(libraryScope(principal.libraryId), offerId);
            reply = { ok: true };
          } catch (error) {
            // The same codes as the REST answer (offer_ended, offer_not_yours, offer_over_capacity, not_found).
            const code = (error as { code?: unknown }).code;
            reply = { ok: false, error: typeof code === 'string' ? code : 'unavailable' };
            if (typeof code !== 'string') this.logger.warn(`${event} failed: ${(error as Error).message}`);
          }
        if (typeof ack === 'function') ack(reply);
      });
    }
  }

  private joinConversation(
    socket: AgentSocket,
    principal: StaffPrincipal,
    conversationId: unknown,
  ): Promise<{ ok: boolean; error?: string }> {
    return this.withVisible(principal, conversationId, 'join', async (id) => {
      await socket.join(rooms.conversation(id));
      return { ok: true };
    });
  }

  /** Collision: the same check as following, then the viewing room (ConversationViewersService). */
  private viewConversation(
    socket: AgentSocket,
    principal: StaffPrincipal,
    conversationId: unknown,
  ): Promise<{ ok: boolean; error?: string }> {
    return this.withVisible(principal, conversationId, 'view', async (id) => {
      const displayName = await this.staff.displayName(libraryScope(principal.libraryId), principal.agentId);
      // Closed while the checks ran: socket.io would ignore the join, and nobody is to be told.
      if (!socket.connected || displayName === null) return { ok: false, error: 'unavailable' };
      await this.viewers.view(socket, id, { agentId: principal.agentId, displayName });
      return { ok: true };
    });
  }

  /** A well-formed id of a conversation the caller may see, then `act`; the answer codes the console reads. */
  private async withVisible(
    principal: StaffPrincipal,
    conversationId: unknown,
    what: string,
    act: (id: string) => Promise<{ ok: boolean; error?: string }>,
  ): Promise<{ ok: boolean; error?: string }> {
    if (!isId(conversationId)) return { ok: false, error: 'invalid_id' };
    try {
      if (!(await this.maySee(principal, conversationId))) return { ok: false, error: 'not_found' };
      return await act(conversationId);
    } catch (error) {
      this.logger.warn(`${what} failed: ${(error as Error).message}`);
      return { ok: false, error: 'unavailable' };
    }
  }

  /**
   * Whether the member of staff may see the conversation now (the rule of DepartmentAccessService):
   * the member as they are now, not as the handshake found them, since their role may have changed.
   * Another library's conversation reads as unknown.
   */
  private async maySee(principal: StaffPrincipal, conversationId: string): Promise<boolean> {
    const scope = libraryScope(principal.libraryId);
    const member = await this.staff.member(scope, principal.agentId);
    const conversation = await this.conversations.find(scope, conversationId);
    return !!conversation && !!member?.active && mayFollow(member, conversation.departmentId);
  }
}
