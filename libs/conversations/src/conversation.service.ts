import { Injectable, OnModuleInit } from '@nestjs/common';
import {
  Clock,
  DatabaseService,
  DomainError,
  EventBus,
  libraryScope,
  LibraryScope,
  newRowId,
} from '@readerdesk/platform';
import { ReadersMerged } from '@readerdesk/readers';
import { StaffDirectory, worksIn } from '@readerdesk/staff';
import { type Actor, actorAgentId, type SystemName } from './actor';
import { AttachmentService } from './attachment.service';
import { Conversation } from './conversation.entity';
import { ConversationStatusChanged, ConversationUpdated, MessageAppended } from './conversation.events';
import { ConversationRepository } from './conversation.repository';
import type { ConversationFilter, ConversationOrder, ConversationPageAfter } from './conversation-search';
import {
  afterStaffReply,
  assertMove,
  type ConversationStatus,
  type Priority,
  type QuestionType,
} from './conversation-status';
import { Message, MessageKind } from './message.entity';
import { MessageRepository } from './message.repository';
import { ConversationErrors } from './conversation.errors';

export interface StatusChange {
  to: ConversationStatus;
  /** Who changes it; `actorAgentId` (null for the system) is the older spelling, kept for callers not moved yet. */
  actor?: Actor;
  actorAgentId?: string | null;
  snoozedUntil?: Date;
  readLevel?: number;
  questionType?: QuestionType;
}

/** What staff may edit directly; department and assignee move through transfer and assign. */
export interface ConversationEdit {
  subject?: string | null;
  priority?: Priority;
  /** The whole new set (normalised: trimmed, lower case, no duplicates). */
  tags?: string[];
}

/** Tags as the desk keeps them: trimmed, lower case, inner spaces as one, no duplicates, in the given order. */
export function normaliseTags(tags: string[]): string[] {
  const seen = new Set<string>();
  for (const tag of tags) {
    const clean = tag.normalize('NFC').trim().toLowerCase().replace(/\s+/g, ' ');
    if (clean) seen.add(clean);
  }
  return [...seen];
}

/** Agents take unassigned conversations or release their own; the rest is for supervisors, administrators and the system. */
function assertMayAssign(actor: Actor, conversation: Conversation, assigneeId: string | null): void {
  if (actor.kind === 'system' || actor.role !== 'agent') return;
  const takes = assigneeId === actor.agentId && (conversation.assigneeId ?? actor.agentId) === actor.agentId;
  const releases = assigneeId === null && conversation.assigneeId === actor.agentId;
  if (!takes && !releases) {
    throw new DomainError(
      ConversationErrors.assignmentForbidden,
      'Agents take unassigned conversations or release their own; a supervisor assigns the rest',
    );
  }
}

/** Timeline events the system caused say which part of it did. */
function systemOf(actor: Actor | undefined): { system?: SystemName } {
  return actor?.kind === 'system' ? { system: actor.name } : {};
}

/** What staff do to a conversation: change its status, reply, leave notes, read its timeline. */
@Injectable()
export class ConversationService implements OnModuleInit {
  constructor(
    private readonly db: DatabaseService,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly attachments: AttachmentService,
    // Optional only for integration specs that build the service by hand and never assign or
    // transfer; Nest always injects it (it is not @Optional).
    private readonly directory?: StaffDirectory,
  ) {}

  private get staff(): StaffDirectory {
    if (!this.directory) throw new Error('ConversationService was built without the StaffDirectory');
    return this.directory;
  }

  onModuleInit(): void {
    // A merge of two readers moves the source reader's conversations to the target.
    this.events.subscribe(ReadersMerged, async (event) => {
      const scope = libraryScope(event.libraryId);
      await this.db.transaction(() =>
        this.conversations.updateWhere(scope, { readerId: event.sourceReaderId }, { readerId: event.targetReaderId }),
      );
    });
  }

  get(scope: LibraryScope, id: string): Promise<Conversation> {
    return this.conversations.getById(scope, id);
  }

  /** The conversation, or null (no 404): for event handlers and channels that may meet a stale id. */
  find(scope: LibraryScope, id: string): Promise<Conversation | null> {
    return this.conversations.findById(scope, id);
  }

  /** The conversation with this reference number (the [#number] of a subject), or null. */
  findByNumber(scope: LibraryScope, number: number): Promise<Conversation | null> {
    return this.conversations.findByNumber(scope, number);
  }

  /**
   * One page of the conversations in `visible` departments matching the filter, most recent
   * activity first, after the (last_message_at, id) cursor.
   */
  page(
    scope: LibraryScope,
    filter: ConversationFilter,
    visible: Set<string> | 'all',
    limit: number,
    after?: ConversationPageAfter,
    order: ConversationOrder = 'activity',
  ): Promise<Conversation[]> {
    return this.conversations.page(scope, filter, visible, limit, after, order);
  }

  /** How many conversations each queue view holds for this agent (see ConversationRepository.counts). */
  counts(
    scope: LibraryScope,
    visible: Set<string> | 'all',
    agentId: string,
  ): Promise<{ mine: number; unassigned: number; departments: number; all: number }> {
    return this.conversations.counts(scope, visible, agentId);
  }

  timeline(scope: LibraryScope, id: string): Promise<Message[]> {
    return this.conversations.getById(scope, id).then(() => this.messages.timeline(scope, id));
  }

  /** The timeline of a conversation the caller already holds (no existence check, no 404). */
  messagesOf(scope: LibraryScope, conversationId: string): Promise<Message[]> {
    return this.messages.timeline(scope, conversationId);
  }

  /** The message an inbox received or sent under this external id (an email's Message-ID), or null. */
  findMessageByExternalId(scope: LibraryScope, inboxId: string, externalId: string): Promise<Message | null> {
    return this.messages.findByExternalId(scope, inboxId, externalId);
  }

  /** The latest message of the inbox carrying one of these external ids (the ids a reply names), or null. */
  latestMessageWithExternalId(scope: LibraryScope, inboxId: string, externalIds: string[]): Promise<Message | null> {
    return this.messages.latestWithExternalId(scope, inboxId, externalIds);
  }

  async changeStatus(scope: LibraryScope, id: string, change: StatusChange): Promise<Conversation> {
    const agentId = change.actor ? actorAgentId(change.actor) : (change.actorAgentId ?? null);
    return this.db.transaction(async () => {
      const conversation = await this.conversations.getById(scope, id);
      const from = conversation.status;
      assertMove(from, change.to);
      const now = this.clock.now();
      const changes: Partial<Conversation> = { status: change.to };
      if (change.to === 'snoozed') {
        if (!change.snoozedUntil || change.snoozedUntil <= now) {
          throw new DomainError(ConversationErrors.snoozeNeedsFutureTime, 'Snoozing needs a time in the future');
        }
        changes.snoozedUntil = change.snoozedUntil;
      } else {
        changes.snoozedUntil = null;
      }
      if (change.to === 'resolved') {
        if (!change.readLevel || !change.questionType) {
          throw new DomainError(
            ConversationErrors.resolutionNeedsStatistics,
            'Resolving records the READ scale level (1–6) and the question type',
          );
        }
        Object.assign(changes, {
          readLevel: change.readLevel,
          questionType: change.questionType,
          resolvedAt: now,
          waitingSince: null,
        });
      }
      if (change.to === 'pending') changes.waitingSince = null;
      if (change.to === 'open' && from === 'resolved')
        Object.assign(changes, { resolvedAt: null, waitingSince: now, queuedAt: now });
      await this.conversations.update(scope, id, changes);
      await this.record(scope, conversation, 'event', agentId, null, {
        type: 'status_changed',
        from,
        to: change.to,
        ...systemOf(change.actor),
      });
      this.events.publish(ConversationStatusChanged, {
        libraryId: scope.libraryId,
        conversationId: id,
        departmentId: conversation.departmentId,
        from,
        to: change.to,
        actorAgentId: agentId,
      });
      return this.conversations.getById(scope, id);
    });
  }

  /**
   * Ends the conversation's snooze when it is due: back to `open`, a timeline event by the system, and
   * ConversationStatusChanged (the SLA clocks resume, consoles hear it). Exactly once whoever calls (a
   * delayed job, the sweep, both, two workers); nothing when it is no longer snoozed or was snoozed again
   * until later. True when this call woke it.
   */
  async wakeFromSnooze(scope: LibraryScope, id: string): Promise<boolean> {
    return this.db.transaction(async () => {
      const now = this.clock.now();
      const conversation = await this.conversations.findById(scope, id);
      if (!conversation || !(await this.conversations.wakeIfDue(scope, id, now))) return false;
      await this.record(scope, conversation, 'event', null, null, {
        type: 'status_changed',
        from: 'snoozed',
        to: 'open',
        reason: 'snooze_ended',
        snoozedUntil: conversation.snoozedUntil?.toISOString() ?? null,
        system: 'snooze',
      });
      this.events.publish(ConversationStatusChanged, {
        libraryId: scope.libraryId,
        conversationId: id,
        departmentId: conversation.departmentId,
        from: 'snoozed',
        to: 'open',
        actorAgentId: null,
      });
      return true;
    });
  }

  /** Changes subject, priority or tags; each change is an event on the timeline. Unchanged fields record nothing. */
  async edit(
    scope: LibraryScope,
    id: string,
    actorAgentId: string | null,
    edit: ConversationEdit,
  ): Promise<Conversation> {
    return this.db.transaction(async () => {
      const conversation = await this.conversations.getById(scope, id);
      const changes: Partial<Conversation> = {};
      const events: Array<Record<string, unknown>> = [];
      if (edit.subject !== undefined) {
        const subject = edit.subject === null ? null : edit.subject.trim() || null;
        if (subject !== conversation.subject) {
          changes.subject = subject;
          events.push({ type: 'subject_changed', from: conversation.subject, to: subject });
        }
      }
      if (edit.priority !== undefined && edit.priority !== conversation.priority) {
        changes.priority = edit.priority;
        events.push({ type: 'priority_changed', from: conversation.priority, to: edit.priority });
      }
      if (edit.tags !== undefined) {
        const tags = normaliseTags(edit.tags);
        const added = tags.filter((t) => !conversation.tags.includes(t));
        const removed = conversation.tags.filter((t) => !tags.includes(t));
        if (added.length > 0 || removed.length > 0 || tags.join('\n') !== conversation.tags.join('\n')) {
          changes.tags = tags;
          events.push({ type: 'tags_changed', added, removed });
        }
      }
      return this.apply(scope, conversation, actorAgentId, changes, events);
    });
  }

  /**
   * Gives the conversation to an agent (or to nobody, with null). Agents take unassigned
   * conversations or release their own; supervisors, administrators and the system assign anyone
   * who is an active member of staff working in the conversation's department.
   */
  /**
   * `ifAssigneeId`: who the caller saw holding it (null: nobody); when that is no longer so the change
   * is refused (409) instead of silently taking a conversation a colleague took a moment ago.
   */
  async assign(
    scope: LibraryScope,
    id: string,
    actor: Actor,
    assigneeId: string | null,
    { ifAssigneeId }: { ifAssigneeId?: string | null } = {},
  ): Promise<Conversation> {
    return this.db.transaction(async () => {
      const conversation = await this.conversations.getById(scope, id);
      if (ifAssigneeId !== undefined && conversation.assigneeId !== ifAssigneeId) {
        throw new DomainError(
          ConversationErrors.assignmentChanged,
          conversation.assigneeId
            ? 'Someone else took this conversation a moment ago'
            : 'Nobody holds this conversation any more',
        );
      }
      assertMayAssign(actor, conversation, assigneeId);
      if (assigneeId !== null) await this.assertCanTake(scope, conversation, assigneeId);
      if (conversation.assigneeId === assigneeId) return conversation;
      return this.apply(scope, conversation, actorAgentId(actor), { assigneeId }, [
        { type: 'assigned', from: conversation.assigneeId, to: assigneeId, ...systemOf(actor) },
      ]);
    });
  }

  /** Leaves the conversation to nobody: an agent releases their own, a supervisor or the system anyone's. */
  release(scope: LibraryScope, id: string, actor: Actor): Promise<Conversation> {
    return this.assign(scope, id, actor, null);
  }

  /**
   * Moves the conversation to another department of the library (404 when there is none), with an
   * optional note for the colleagues there. The assignee stays only if they work there too.
   */
  async transfer(
    scope: LibraryScope,
    id: string,
    actor: Actor,
    departmentId: string,
    options: { note?: string } = {},
  ): Promise<Conversation> {
    await this.staff.assertDepartmentsExist(scope, [departmentId]);
    return this.db.transaction(async () => {
      const conversation = await this.conversations.getById(scope, id);
      if (conversation.departmentId === departmentId) return conversation;
      const changes: Partial<Conversation> = { departmentId, queuedAt: this.clock.now() };
      if (conversation.assigneeId) {
        const assignee = await this.staff.member(scope, conversation.assigneeId);
        if (!assignee || !worksIn(assignee, departmentId)) changes.assigneeId = null;
      }
      const agentId = actorAgentId(actor);
      const updated = await this.apply(scope, conversation, agentId, changes, [
        {
          type: 'transferred',
          from: conversation.departmentId,
          to: departmentId,
          ...(changes.assigneeId === null ? { unassigned: conversation.assigneeId } : {}),
          ...systemOf(actor),
        },
      ]);
      if (options.note?.trim()) await this.record(scope, updated, 'note', agentId, options.note.trim(), {});
      return updated;
    });
  }

  /** The assignee must be an active member of staff of this library who works in the conversation's department. */
  private async assertCanTake(scope: LibraryScope, conversation: Conversation, assigneeId: string): Promise<void> {
    const assignee = await this.staff.member(scope, assigneeId);
    if (!assignee || !assignee.active) {
      throw new DomainError(
        ConversationErrors.unknownAssignee,
        'The assignee is not an active member of staff of this library',
      );
    }
    if (conversation.departmentId && !worksIn(assignee, conversation.departmentId)) {
      throw new DomainError(
        ConversationErrors.assigneeNotInDepartment,
        'The assignee does not work in the conversation’s department; transfer it first',
      );
    }
  }

  /** Stores the changes, records one timeline event each, and tells the consoles once. */
  private async apply(
    scope: LibraryScope,
    conversation: Conversation,
    actorAgentId: string | null,
    changes: Partial<Conversation>,
    events: Array<Record<string, unknown>>,
  ): Promise<Conversation> {
    // What consumers hear of; bookkeeping columns that move with them (queuedAt) are not news.
    const changed = (Object.keys(changes) as Array<keyof Conversation>).filter(
      (key) => key !== 'queuedAt' && JSON.stringify(changes[key]) !== JSON.stringify(conversation[key]),
    ) as Array<'subject' | 'priority' | 'tags' | 'departmentId' | 'assigneeId'>;
    if (changed.length === 0) return conversation;
    await this.conversations.update(scope, conversation.id, changes);
    const updated = await this.conversations.getById(scope, conversation.id);
    // Published before the timeline entries: the socket fanout moves the rooms on this event (a transfer's
    // followers outside the new department leave), and the bus delivers in publishing order.
    this.events.publish(ConversationUpdated, {
      libraryId: scope.libraryId,
      conversationId: conversation.id,
      departmentId: updated.departmentId,
      previousDepartmentId: conversation.departmentId,
      assigneeId: updated.assigneeId,
      changed,
      actorAgentId,
    });
    // One change after the other on the timeline, also when they fall in the same millisecond (it sorts by time, then id).
    const now = this.clock.now().getTime();
    for (const [k, data] of events.entries()) {
      await this.record(scope, updated, 'event', actorAgentId, null, data, [], new Date(now + k));
    }
    return updated;
  }

  /** Records a staff reply; delivering it on the conversation's channel is the channel's job (an outbox, with the channel issues). */
  async reply(
    scope: LibraryScope,
    id: string,
    agentId: string,
    text: string,
    attachmentIds: string[] = [],
  ): Promise<Message> {
    return this.db.transaction(async () => {
      const conversation = await this.conversations.getById(scope, id);
      if (conversation.status === 'closed')
        throw new DomainError(ConversationErrors.conversationClosed, 'A closed conversation takes no replies');
      const now = this.clock.now();
      const to = afterStaffReply(conversation.status);
      await this.conversations.update(scope, id, {
        status: to,
        firstResponseAt: conversation.firstResponseAt ?? now,
        waitingSince: null,
        lastMessageAt: now,
        assigneeId: conversation.assigneeId ?? agentId,
      });
      if (to !== conversation.status) {
        this.events.publish(ConversationStatusChanged, {
          libraryId: scope.libraryId,
          conversationId: id,
          departmentId: conversation.departmentId,
          from: conversation.status,
          to,
          actorAgentId: agentId,
        });
      }
      // Written at the instant first_response_at takes: queue statistics tell the first answer by that equality.
      return this.record(scope, conversation, 'outbound', agentId, text, {}, attachmentIds, now);
    });
  }

  /** An event on the timeline that a part of the system caused (an SLA warning or breach), in the caller's transaction. */
  async recordSystemEvent(
    scope: LibraryScope,
    conversation: Conversation,
    system: SystemName,
    data: Record<string, unknown>,
  ): Promise<Message> {
    return this.record(scope, conversation, 'event', null, null, { ...data, system });
  }

  /** Several system events (of any conversations of the library) stored with one insert, then announced each. */
  async recordSystemEvents(
    scope: LibraryScope,
    system: SystemName,
    events: ReadonlyArray<{ conversation: Conversation; data: Record<string, unknown> }>,
  ): Promise<Message[]> {
    const at = this.clock.now();
    const messages = await this.messages.insert(
      scope,
      ...events.map(({ conversation, data }) =>
        this.newMessage(conversation, 'event', null, null, { ...data, system }, at),
      ),
    );
    messages.forEach((message, i) => this.announce(scope, events[i].conversation, message));
    return messages;
  }

  async note(
    scope: LibraryScope,
    id: string,
    agentId: string,
    text: string,
    attachmentIds: string[] = [],
  ): Promise<Message> {
    return this.db.transaction(async () =>
      this.record(scope, await this.conversations.getById(scope, id), 'note', agentId, text, {}, attachmentIds),
    );
  }

  private async record(
    scope: LibraryScope,
    conversation: Conversation,
    kind: MessageKind,
    agentId: string | null,
    text: string | null,
    data: Record<string, unknown>,
    attachmentIds: string[] = [],
    at: Date = this.clock.now(),
  ): Promise<Message> {
    const [message] = await this.messages.insert(scope, this.newMessage(conversation, kind, agentId, text, data, at));
    if (attachmentIds.length > 0)
      await this.attachments.attachUploads(scope, conversation.id, message.id, attachmentIds);
    this.announce(scope, conversation, message);
    return message;
  }

  private newMessage(
    conversation: Conversation,
    kind: MessageKind,
    agentId: string | null,
    text: string | null,
    data: Record<string, unknown>,
    at: Date,
  ): Message {
    return {
      id: newRowId(),
      conversationId: conversation.id,
      inboxId: kind === 'outbound' ? conversation.inboxId : null,
      kind,
      externalId: null,
      authorAgentId: agentId,
      subject: null,
      text,
      html: null,
      rawHtml: null,
      deliveryStatus: null,
      data,
      createdAt: at,
    } as Message;
  }

  /** MessageAppended for a message just stored (published when the transaction commits). */
  private announce(scope: LibraryScope, conversation: Conversation, message: Message): void {
    this.events.publish(MessageAppended, {
      libraryId: scope.libraryId,
      conversationId: conversation.id,
      messageId: message.id,
      kind: message.kind,
      departmentId: conversation.departmentId,
      authorAgentId: message.authorAgentId,
    });
  }
}
