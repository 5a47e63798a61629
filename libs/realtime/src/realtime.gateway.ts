import { Logger } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import { ConversationService } from '@readerdesk/conversations';
import { libraryScope } from '@readerdesk/platform';
import {
  AuthService,
  DepartmentAccessService,
  hasRole,
  readCookie,
  SESSION_COOKIES,
  StaffDirectory,
  StaffErrors,
  type StaffPrincipal,
} from '@readerdesk/staff';
import type { Server, Socket } from 'socket.io';
import { ClientToServerEvents, rooms, ServerToClientEvents } from '@readerdesk/contracts';
import { RealtimeFanout } from './realtime.fanout';

type AgentSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  { principal?: StaffPrincipal }
>;

/**
 * The agent console's live channel. A socket authenticates on the handshake with the same access
 * token as the REST API and joins its rooms: itself, its departments (an administrator: all of the
 * library's), the library's triage queue, and supervisors their library's staffing room.
 * RealtimeFanout sends domain events to those rooms.
 */
@WebSocketGateway({ path: '/socket.io', cors: { origin: true, credentials: true } })
export class RealtimeGateway implements OnGatewayConnection, OnGatewayInit {
  private readonly logger = new Logger('Realtime');

  @WebSocketServer()
  server!: Server<ClientToServerEvents, ServerToClientEvents>;

  constructor(
    private readonly auth: AuthService,
    private readonly access: DepartmentAccessService,
    private readonly staff: StaffDirectory,
    private readonly conversations: ConversationService,
    private readonly fanout: RealtimeFanout,
  ) {}

  afterInit(server: Server<ClientToServerEvents, ServerToClientEvents>): void {
    this.fanout.attach(server);
  }

  async handleConnection(socket: AgentSocket): Promise<void> {
    try {
      // The console signed in with a session cookie sends it on the handshake; API clients pass auth.token.
      const given = (socket.handshake.auth as { token?: unknown }).token;
      const token =
        typeof given === 'string' ? given : readCookie(socket.handshake.headers.cookie, SESSION_COOKIES.access);
      if (!token) throw new Error('no token');
      const principal = await this.auth.verify(token);
      socket.data.principal = principal;
      const scope = libraryScope(principal.libraryId);
      const mine = await this.access.departmentsOf(principal);
      const departmentIds = mine === 'all' ? (await this.staff.listDepartments(scope)).map((d) => d.id) : [...mine];
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
        code: StaffErrors.unauthenticated.code,
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
      const conversation = await this.conversations.find(libraryScope(principal.libraryId), conversationId);
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
