import { Logger, OnModuleInit } from '@nestjs/common';
import { OnGatewayConnection, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import {
  ConversationOpened,
  ConversationRepository,
  ConversationStatusChanged,
  MessageAppended,
} from '@readerdesk/conversations';
import { EventBus, libraryScope } from '@readerdesk/platform';
import {
  AuthService,
  DepartmentAccessService,
  DepartmentRepository,
  hasRole,
  PresenceChanged,
  type StaffPrincipal,
} from '@readerdesk/staff';
import type { Server, Socket } from 'socket.io';
import { ClientToServerEvents, rooms, ServerToClientEvents } from './realtime.events';

type AgentSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  { principal?: StaffPrincipal }
>;

/**
 * The agent console's live channel. A socket authenticates on the handshake with the same access
 * token as the REST API and joins its rooms: itself, its departments (an administrator: all of the
 * library's), the library's triage queue, and supervisors their library's staffing room. Domain
 * events go to the rooms of their department, so nobody receives another department's or another
 * library's traffic.
 */
@WebSocketGateway({ path: '/socket.io', cors: { origin: true, credentials: true } })
export class RealtimeGateway implements OnGatewayConnection, OnModuleInit {
  private readonly logger = new Logger('Realtime');

  @WebSocketServer()
  server!: Server<ClientToServerEvents, ServerToClientEvents>;

  constructor(
    private readonly auth: AuthService,
    private readonly access: DepartmentAccessService,
    private readonly departments: DepartmentRepository,
    private readonly conversations: ConversationRepository,
    private readonly events: EventBus,
  ) {}

  onModuleInit(): void {
    const toDepartment = (libraryId: string, departmentId: string | null) =>
      departmentId ? rooms.department(departmentId) : rooms.triage(libraryId);
    this.events.subscribe(ConversationOpened, (e) => {
      this.server?.to(toDepartment(e.libraryId, e.departmentId)).emit('conversation.opened', {
        conversationId: e.conversationId,
        readerId: e.readerId,
        departmentId: e.departmentId,
        channel: e.channel,
      });
    });
    this.events.subscribe(MessageAppended, (e) => {
      this.server
        ?.to([toDepartment(e.libraryId, e.departmentId), rooms.conversation(e.conversationId)])
        .emit('message.appended', {
          conversationId: e.conversationId,
          messageId: e.messageId,
          kind: e.kind,
          departmentId: e.departmentId,
        });
    });
    this.events.subscribe(ConversationStatusChanged, async (e) => {
      const conversation = await this.conversations.findById(libraryScope(e.libraryId), e.conversationId);
      this.server
        ?.to([toDepartment(e.libraryId, conversation?.departmentId ?? null), rooms.conversation(e.conversationId)])
        .emit('conversation.status-changed', { conversationId: e.conversationId, from: e.from, to: e.to });
    });
    this.events.subscribe(PresenceChanged, (e) => {
      this.server
        ?.to([rooms.supervisors(e.libraryId), rooms.agent(e.agentId)])
        .emit('presence.changed', { agentId: e.agentId, from: e.from, to: e.to, at: e.at });
    });
  }

  async handleConnection(socket: AgentSocket): Promise<void> {
    try {
      const token = (socket.handshake.auth as { token?: unknown }).token;
      if (typeof token !== 'string') throw new Error('no token');
      const principal = await this.auth.verify(token);
      socket.data.principal = principal;
      const scope = libraryScope(principal.libraryId);
      const mine = await this.access.departmentsOf(principal);
      const departmentIds = mine === 'all' ? (await this.departments.find(scope)).map((d) => d.id) : [...mine];
      const joined = [
        rooms.agent(principal.agentId),
        rooms.triage(principal.libraryId),
        ...departmentIds.map(rooms.department),
      ];
      if (hasRole(principal.role, 'supervisor')) joined.push(rooms.supervisors(principal.libraryId));
      await socket.join(joined);
      this.registerHandlers(socket, principal);
    } catch {
      socket.emit('auth.error', {
        code: 'unauthenticated',
        message: 'Sign in first: pass the access token as auth.token',
      });
      socket.disconnect(true);
    }
  }

  private registerHandlers(socket: AgentSocket, principal: StaffPrincipal): void {
    socket.on('conversation.join', async (request, ack) => {
      const answer = await this.joinConversation(socket, principal, request?.conversationId);
      if (typeof ack === 'function') ack(answer);
    });
    socket.on('conversation.leave', async (request, ack) => {
      if (typeof request?.conversationId === 'string') await socket.leave(rooms.conversation(request.conversationId));
      if (typeof ack === 'function') ack({ ok: true });
    });
  }

  private async joinConversation(
    socket: AgentSocket,
    principal: StaffPrincipal,
    conversationId: unknown,
  ): Promise<{ ok: boolean; error?: string }> {
    if (typeof conversationId !== 'string' || !/^[0-9a-f-]{36}$/i.test(conversationId))
      return { ok: false, error: 'invalid_id' };
    try {
      const conversation = await this.conversations.findById(libraryScope(principal.libraryId), conversationId);
      if (!conversation || !(await this.access.canSee(principal, conversation.departmentId)))
        return { ok: false, error: 'not_found' };
      await socket.join(rooms.conversation(conversationId));
      return { ok: true };
    } catch (error) {
      this.logger.warn(`join failed: ${(error as Error).message}`);
      return { ok: false, error: 'unavailable' };
    }
  }
}
