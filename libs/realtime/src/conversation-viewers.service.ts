import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import {
  type ClientToServerEvents,
  type ConversationViewer,
  rooms,
  type ServerToClientEvents,
  type TypingMode,
} from '@readerdesk/contracts';
import { ConversationUpdated } from '@readerdesk/conversations';
import { Clock, Environment, EventBus } from '@readerdesk/platform';
import type { StaffPrincipal } from '@readerdesk/staff';
import type { Server, Socket } from 'socket.io';

/** What one socket says about one conversation it views. JSON only: other nodes read it through Redis. */
export interface Viewing {
  agentId: string;
  displayName: string;
  since: string;
  typing: TypingMode | null;
  /** When typing started or was last renewed (epoch ms): between two tabs of one agent the latest wins. */
  typingAt: number | null;
}

/** An agent console socket's `data`: who signed in, and the conversations it views by id. */
export interface AgentSocketData {
  principal?: StaffPrincipal;
  viewing?: Record<string, Viewing>;
}

export type AgentSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, AgentSocketData>;
type AgentServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, AgentSocketData>;

/**
 * Collision: who is viewing (and typing in) a conversation, live.
 *
 * There is no viewer store. A socket that views a conversation is in its viewing room and keeps
 * what it says about it (since when, typing what) in `socket.data`; after every change the node
 * that saw it asks socket.io for the room's sockets (`fetchSockets()`, which the Redis adapter
 * answers from every api node, the in-memory one from this process), merges them by agent and
 * sends the set to the room. So the set is exactly the sockets connected now and allowed in the
 * room: a closed socket, a node that died with its sockets, a transfer or access change that took
 * sockets out of the room (RealtimeFanout, the gateway's follow) cannot leave a stale viewer
 * behind, as rows in a Redis hash would until their TTL (and a hash would need heartbeats to keep
 * a long view alive, plus code to keep it in line with room membership). The same code runs
 * embedded and on Redis. The price is one request/response round trip over the api nodes per
 * change; changes come at human pace (open, close, start and stop typing), and typing renewals
 * are handled where the socket lives, at no cost to anyone else.
 *
 * Typing lapses DESK_TYPING_EXPIRY_MS after the last `typing: true` by a timer on the socket's own
 * node (which is also where the socket goes if that node dies).
 */
@Injectable()
export class ConversationViewersService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Collision');
  private server: AgentServer | null = null;
  /** Typing expiry timers by socket id and conversation id. */
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Announcements under way by conversation: one at a time per node, re-run once for what came meanwhile. */
  private readonly announcing = new Map<string, { again: boolean; done: Promise<void> }>();

  constructor(
    private readonly env: Environment,
    private readonly clock: Clock,
    private readonly events: EventBus,
  ) {}

  attach(server: Server<ClientToServerEvents, ServerToClientEvents>): void {
    this.server = server;
  }

  onModuleInit(): void {
    this.events.subscribe(ConversationUpdated, (e) => {
      if (e.departmentId === null || e.departmentId === e.previousDepartmentId) return;
      // After a transfer RealtimeFanout takes viewers who may not see the new department out of the
      // viewing room (synchronously, in its own handler of this event); tell those left who remains.
      setImmediate(() => void this.announce(e.conversationId));
    });
  }

  onApplicationShutdown(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Starts (or repeats) viewing; the caller has checked that the agent may see the conversation. */
  async view(socket: AgentSocket, conversationId: string, viewer: { agentId: string; displayName: string }) {
    const room = rooms.viewing(conversationId);
    const viewing = (socket.data.viewing ??= {});
    // A socket taken out of the room (a transfer) starts afresh when it may view again.
    if (!viewing[conversationId] || !socket.rooms.has(room))
      viewing[conversationId] = { ...viewer, since: this.clock.now().toISOString(), typing: null, typingAt: null };
    await socket.join(room);
    await this.announce(conversationId);
  }

  /** Stops viewing: nothing when the socket was not. */
  async leave(socket: AgentSocket, conversationId: string): Promise<void> {
    const room = rooms.viewing(conversationId);
    const was = socket.rooms.has(room);
    this.stopTimer(socket.id, conversationId);
    if (socket.data.viewing) delete socket.data.viewing[conversationId];
    if (!was) return;
    await socket.leave(room);
    await this.announce(conversationId);
  }

  /** A socket closed: it has left every room already (socket.io), so each conversation it viewed hears without it. */
  async disconnected(socket: AgentSocket): Promise<void> {
    const viewed = Object.keys(socket.data.viewing ?? {});
    socket.data.viewing = {};
    for (const conversationId of viewed) this.stopTimer(socket.id, conversationId);
    await Promise.all(viewed.map((conversationId) => this.announce(conversationId)));
  }

  /** `not_viewing` unless the socket views the conversation; repeats of `typing: true` only renew the expiry. */
  async typing(
    socket: AgentSocket,
    conversationId: string,
    mode: TypingMode,
    typing: boolean,
  ): Promise<{ ok: boolean; error?: string }> {
    const viewing = socket.data.viewing?.[conversationId];
    if (!viewing || !socket.rooms.has(rooms.viewing(conversationId))) return { ok: false, error: 'not_viewing' };
    let changed: boolean;
    if (typing) {
      changed = viewing.typing !== mode;
      viewing.typing = mode;
      viewing.typingAt = Date.now();
      this.stopTimer(socket.id, conversationId);
      const timer = setTimeout(() => {
        this.timers.delete(key(socket.id, conversationId));
        if (socket.data.viewing?.[conversationId] !== viewing || viewing.typing === null) return;
        viewing.typing = viewing.typingAt = null;
        void this.announce(conversationId);
      }, this.env.DESK_TYPING_EXPIRY_MS);
      timer.unref();
      this.timers.set(key(socket.id, conversationId), timer);
    } else {
      changed = viewing.typing !== null;
      this.stopTimer(socket.id, conversationId);
      viewing.typing = viewing.typingAt = null;
    }
    if (changed) await this.announce(conversationId);
    return { ok: true };
  }

  /**
   * Sends the conversation's viewers to its viewing room. Runs one at a time per conversation on
   * this node, so that this node's announcements reach consoles in the order of the changes; a
   * change during a run makes one more run (whose promise the caller then waits for). Never throws.
   */
  announce(conversationId: string): Promise<void> {
    const running = this.announcing.get(conversationId);
    if (running) {
      running.again = true;
      return running.done;
    }
    const state = { again: true, done: Promise.resolve() };
    this.announcing.set(conversationId, state);
    state.done = (async () => {
      try {
        while (state.again) {
          state.again = false;
          await this.announceOnce(conversationId);
        }
      } finally {
        this.announcing.delete(conversationId);
      }
    })();
    return state.done;
  }

  private async announceOnce(conversationId: string): Promise<void> {
    const server = this.server;
    if (!server) return;
    const room = rooms.viewing(conversationId);
    try {
      let sockets: Array<{ data: AgentSocketData }>;
      try {
        sockets = await server.in(room).fetchSockets();
      } catch (error) {
        // Redis away or an api node not answering in time: this node's own viewers are better than none.
        this.logger.warn(`viewers of ${conversationId} from this node only: ${(error as Error).message}`);
        sockets = await server.local.in(room).fetchSockets();
      }
      if (sockets.length === 0) return;
      server.to(room).emit('conversation.viewers', { conversationId, viewers: merge(conversationId, sockets) });
    } catch (error) {
      this.logger.warn(`viewers of ${conversationId} not sent: ${(error as Error).message}`);
    }
  }

  private stopTimer(socketId: string, conversationId: string): void {
    const timer = this.timers.get(key(socketId, conversationId));
    if (timer) clearTimeout(timer);
    this.timers.delete(key(socketId, conversationId));
  }
}

const key = (socketId: string, conversationId: string) => `${socketId} ${conversationId}`;

/** One entry per agent: their first tab's `since`, the typing their tabs started last. Longest viewing first. */
function merge(conversationId: string, sockets: Array<{ data: AgentSocketData }>): ConversationViewer[] {
  const byAgent = new Map<string, ConversationViewer & { typingAt: number }>();
  for (const { data } of sockets) {
    const viewing = data.viewing?.[conversationId];
    if (!viewing) continue;
    const seen = byAgent.get(viewing.agentId);
    const typingAt = viewing.typing ? (viewing.typingAt ?? 0) : -1;
    if (!seen) {
      const { agentId, displayName, since, typing } = viewing;
      byAgent.set(agentId, { agentId, displayName, since, typing, typingAt });
      continue;
    }
    if (viewing.since < seen.since) seen.since = viewing.since;
    if (typingAt > seen.typingAt) Object.assign(seen, { typing: viewing.typing, typingAt });
  }
  return [...byAgent.values()]
    .sort((a, b) => a.since.localeCompare(b.since) || a.agentId.localeCompare(b.agentId))
    .map(({ agentId, displayName, typing, since }) => ({ agentId, displayName, typing, since }));
}
