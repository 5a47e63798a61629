import { Injectable, OnModuleInit } from '@nestjs/common';
import { rooms, type ServerToClientEvents } from '@readerdesk/contracts';
import {
  ConversationOpened,
  ConversationStatusChanged,
  ConversationUpdated,
  MessageAppended,
  MentionCreated,
  MessageDeliveryChanged,
} from '@readerdesk/conversations';
import { MailboxHealthChanged } from '@readerdesk/channels';
import { OfferAccepted, OfferCreated, OfferEnded } from '@readerdesk/offers';
import { Clock, EventBus } from '@readerdesk/platform';
import { QueueStatsChanged } from '@readerdesk/queue-stats';
import { SlaBreached, SlaWarning } from '@readerdesk/sla';
import { PresenceChanged } from '@readerdesk/staff';

type EventName = keyof ServerToClientEvents;
type Payload<E extends EventName> = Parameters<ServerToClientEvents[E]>[0];

/** What both socket.io's server and the Redis emitter can do to the sockets of some rooms, on every node. */
export interface RoomOperator {
  emit(event: string, payload: unknown): unknown;
  except(room: string | string[]): RoomOperator;
  socketsJoin(room: string | string[]): void;
  socketsLeave(room: string | string[]): void;
  disconnectSockets(close?: boolean): void;
}

/** Whatever can emit to rooms: the api's socket.io server (which also has `local`), or the worker's Redis emitter. */
export interface RoomTarget {
  to(room: string | string[]): RoomOperator;
  /** This node's sockets only. */
  readonly local?: { to(room: string | string[]): RoomOperator };
}

/**
 * The sockets of `room` on every node, for changing their rooms. Through the Redis adapter such a
 * change reaches this node's own sockets only after a round trip through Redis, later than what
 * this node emits next (emits to its own sockets are immediate); so it is applied here at once as
 * well. Other nodes receive changes and emits in the order they were sent.
 */
export function onEveryNode(target: RoomTarget, room: string | string[]): RoomOperator[] {
  return target.local ? [target.local.to(room), target.to(room)] : [target.to(room)];
}

/**
 * Turns domain events into console events for the right rooms only: a department's traffic to that
 * department (unclaimed conversations to the library's triage room), a conversation's to those
 * following it, presence to supervisors and the agent, a mailbox's health to supervisors. The same mapping runs in the api (straight
 * into its socket.io server) and in a worker process (through Redis to every api's sockets).
 */
@Injectable()
export class RealtimeFanout implements OnModuleInit {
  private target: RoomTarget | null = null;

  constructor(
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  attach(target: RoomTarget): void {
    this.target = target;
  }

  private emit<E extends EventName>(to: string | string[], event: E, payload: Payload<E>): void {
    this.target?.to(to).emit(event, payload);
  }

  onModuleInit(): void {
    /** Who may hear a department's traffic: its members and the administrators; everybody hears triage. */
    const toDepartment = (libraryId: string, departmentId: string | null): string[] =>
      departmentId ? [rooms.department(departmentId), rooms.allDepartments(libraryId)] : [rooms.triage(libraryId)];
    this.events.subscribe(ConversationOpened, (e) => {
      this.emit(toDepartment(e.libraryId, e.departmentId), 'conversation.opened', {
        conversationId: e.conversationId,
        readerId: e.readerId,
        departmentId: e.departmentId,
        channel: e.channel,
      });
    });
    this.events.subscribe(MessageAppended, (e) => {
      this.emit(
        [...toDepartment(e.libraryId, e.departmentId), rooms.conversation(e.conversationId)],
        'message.appended',
        {
          conversationId: e.conversationId,
          messageId: e.messageId,
          kind: e.kind,
          departmentId: e.departmentId,
        },
      );
    });
    this.events.subscribe(MessageDeliveryChanged, (e) => {
      this.emit(
        [...toDepartment(e.libraryId, e.departmentId), rooms.conversation(e.conversationId)],
        'message.delivery-changed',
        {
          conversationId: e.conversationId,
          messageId: e.messageId,
          status: e.delivery.status,
          error: e.delivery.error,
        },
      );
    });
    this.events.subscribe(ConversationStatusChanged, (e) => {
      this.emit(
        [...toDepartment(e.libraryId, e.departmentId), rooms.conversation(e.conversationId)],
        'conversation.status-changed',
        { conversationId: e.conversationId, from: e.from, to: e.to },
      );
    });
    this.events.subscribe(ConversationUpdated, (e) => {
      const conversation = rooms.conversation(e.conversationId);
      const to = new Set([...toDepartment(e.libraryId, e.departmentId), conversation]);
      for (const room of toDepartment(e.libraryId, e.previousDepartmentId)) to.add(room);
      if (e.assigneeId) to.add(rooms.agent(e.assigneeId));
      this.emit([...to], 'conversation.updated', {
        conversationId: e.conversationId,
        departmentId: e.departmentId,
        previousDepartmentId: e.previousDepartmentId,
        assigneeId: e.assigneeId,
        changed: e.changed,
      });
      if (e.departmentId !== null && e.departmentId !== e.previousDepartmentId) {
        // After a transfer, followers who may not see the new department stop hearing the
        // conversation (its notes included): the department rooms say who may. This runs before
        // the transfer's own note is fanned out, since the bus delivers events in publishing order.
        // They stop viewing it too (collision: they must not learn who else does).
        const viewing = rooms.viewing(e.conversationId);
        if (this.target)
          for (const sockets of onEveryNode(this.target, [conversation, viewing]))
            sockets.except(toDepartment(e.libraryId, e.departmentId)).socketsLeave([conversation, viewing]);
      }
    });
    // Offers go to their agent alone: the conversation and the reader's name travel with the offer,
    // since the agent may not see the department yet (an overflow offer).
    this.events.subscribe(OfferCreated, (e) => {
      this.emit(rooms.agent(e.agentId), 'offer.created', {
        offerId: e.offerId,
        mode: e.mode,
        channel: e.channel,
        departmentId: e.departmentId,
        offeredAt: e.offeredAt,
        expiresAt: e.expiresAt,
        timeoutMs: e.expiresAt ? Math.max(0, Date.parse(e.expiresAt) - this.clock.now().getTime()) : null,
        conversation: { id: e.conversationId, ...e.conversation },
        reader: { id: e.readerId, displayName: e.reader.displayName },
      });
    });
    this.events.subscribe(OfferAccepted, (e) => {
      this.emit(rooms.agent(e.agentId), 'offer.accepted', { offerId: e.offerId, conversationId: e.conversationId });
    });
    // A mention goes to the agent it names alone (who may see the conversation: MentionService checked).
    this.events.subscribe(MentionCreated, (e) => {
      this.emit(rooms.agent(e.agentId), 'mention.created', {
        mentionId: e.mentionId,
        conversationId: e.conversationId,
        messageId: e.messageId,
        byAgentId: e.byAgentId,
        byName: e.byName,
        excerpt: e.excerpt,
        at: e.at,
      });
    });
    this.events.subscribe(OfferEnded, (e) => {
      this.emit(rooms.agent(e.agentId), 'offer.ended', {
        offerId: e.offerId,
        conversationId: e.conversationId,
        reason: e.reason,
      });
    });
    this.events.subscribe(MailboxHealthChanged, (e) => {
      // Supervisors need to know why mail stopped arriving; agents do not hear it (the error may name the account).
      this.emit(rooms.supervisors(e.libraryId), 'mailbox.health-changed', {
        inboxId: e.inboxId,
        address: e.address,
        state: e.state,
        error: e.error,
        consecutiveFailures: e.consecutiveFailures,
        since: e.since,
      });
    });
    for (const [definition, name] of [
      [SlaWarning, 'sla.warning'],
      [SlaBreached, 'sla.breached'],
    ] as const) {
      this.events.subscribe(definition, (e) => {
        // Supervisors watch every queue's promises; the department works the conversation.
        const to = new Set([
          ...toDepartment(e.libraryId, e.departmentId),
          rooms.conversation(e.conversationId),
          rooms.supervisors(e.libraryId),
        ]);
        this.emit([...to], name, {
          conversationId: e.conversationId,
          departmentId: e.departmentId,
          target: e.target,
          policyId: e.policyId,
          dueAt: e.dueAt,
        });
      });
    }
    this.events.subscribe(QueueStatsChanged, (e) => {
      // The supervisor board reads the figures again; agents have no board.
      this.emit(rooms.supervisors(e.libraryId), 'queue-stats.changed', { departmentIds: e.departmentIds, at: e.at });
    });
    this.events.subscribe(PresenceChanged, (e) => {
      this.emit([rooms.supervisors(e.libraryId), rooms.agent(e.agentId)], 'presence.changed', {
        agentId: e.agentId,
        from: e.from,
        to: e.to,
        at: e.at,
      });
    });
  }
}
