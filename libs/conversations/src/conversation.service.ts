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
import { AttachmentService } from './attachment.service';
import { Conversation } from './conversation.entity';
import { ConversationStatusChanged, ConversationUpdated, MessageAppended } from './conversation.events';
import { ConversationRepository } from './conversation.repository';
import {
  afterStaffReply,
  assertMove,
  type ConversationStatus,
  type Priority,
  type QuestionType,
} from './conversation-status';
import { Message, MessageKind } from './message.entity';
import { MessageRepository } from './message.repository';

export interface StatusChange {
  to: ConversationStatus;
  actorAgentId: string | null;
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
  ) {}

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

  timeline(scope: LibraryScope, id: string): Promise<Message[]> {
    return this.conversations.getById(scope, id).then(() => this.messages.timeline(scope, id));
  }

  async changeStatus(scope: LibraryScope, id: string, change: StatusChange): Promise<Conversation> {
    return this.db.transaction(async () => {
      const conversation = await this.conversations.getById(scope, id);
      const from = conversation.status;
      assertMove(from, change.to);
      const now = this.clock.now();
      const changes: Partial<Conversation> = { status: change.to };
      if (change.to === 'snoozed') {
        if (!change.snoozedUntil || change.snoozedUntil <= now) {
          throw new DomainError('snooze_needs_future_time', 'Snoozing needs a time in the future', 400);
        }
        changes.snoozedUntil = change.snoozedUntil;
      } else {
        changes.snoozedUntil = null;
      }
      if (change.to === 'resolved') {
        if (!change.readLevel || !change.questionType) {
          throw new DomainError(
            'resolution_needs_statistics',
            'Resolving records the READ scale level (1–6) and the question type',
            400,
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
      if (change.to === 'open' && from === 'resolved') Object.assign(changes, { resolvedAt: null, waitingSince: now });
      await this.conversations.update(scope, id, changes);
      await this.record(scope, conversation, 'event', change.actorAgentId, null, {
        type: 'status_changed',
        from,
        to: change.to,
      });
      this.events.publish(ConversationStatusChanged, {
        libraryId: scope.libraryId,
        conversationId: id,
        departmentId: conversation.departmentId,
        from,
        to: change.to,
        actorAgentId: change.actorAgentId,
      });
      return this.conversations.getById(scope, id);
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
   * Gives the conversation to an agent (or to nobody). Whether that agent may take it (a member of
   * its department) is the caller's check, which knows the staff.
   */
  async assign(
    scope: LibraryScope,
    id: string,
    actorAgentId: string | null,
    assigneeId: string | null,
  ): Promise<Conversation> {
    return this.db.transaction(async () => {
      const conversation = await this.conversations.getById(scope, id);
      if (conversation.assigneeId === assigneeId) return conversation;
      return this.apply(scope, conversation, actorAgentId, { assigneeId }, [
        { type: 'assigned', from: conversation.assigneeId, to: assigneeId },
      ]);
    });
  }

  /**
   * Moves the conversation to another department's queue, with an optional note for the colleagues
   * there. The assignee stays only when `keepAssignee` says they work in the new department too.
   */
  async transfer(
    scope: LibraryScope,
    id: string,
    actorAgentId: string | null,
    departmentId: string,
    options: { keepAssignee: boolean; note?: string },
  ): Promise<Conversation> {
    return this.db.transaction(async () => {
      const conversation = await this.conversations.getById(scope, id);
      if (conversation.departmentId === departmentId) return conversation;
      const changes: Partial<Conversation> = { departmentId };
      if (!options.keepAssignee) changes.assigneeId = null;
      const updated = await this.apply(scope, conversation, actorAgentId, changes, [
        {
          type: 'transferred',
          from: conversation.departmentId,
          to: departmentId,
          ...(changes.assigneeId === null && conversation.assigneeId ? { unassigned: conversation.assigneeId } : {}),
        },
      ]);
      if (options.note?.trim()) await this.record(scope, updated, 'note', actorAgentId, options.note.trim(), {});
      return updated;
    });
  }

  /** Stores the changes, records one timeline event each, and tells the consoles once. */
  private async apply(
    scope: LibraryScope,
    conversation: Conversation,
    actorAgentId: string | null,
    changes: Partial<Conversation>,
    events: Array<Record<string, unknown>>,
  ): Promise<Conversation> {
    const changed = (Object.keys(changes) as Array<keyof Conversation>).filter(
      (key) => JSON.stringify(changes[key]) !== JSON.stringify(conversation[key]),
    ) as Array<'subject' | 'priority' | 'tags' | 'departmentId' | 'assigneeId'>;
    if (changed.length === 0) return conversation;
    await this.conversations.update(scope, conversation.id, changes);
    const updated = await this.conversations.getById(scope, conversation.id);
    // One change after the other on the timeline, also when they fall in the same millisecond (it sorts by time, then id).
    const now = this.clock.now().getTime();
    for (const [k, data] of events.entries()) {
      await this.record(scope, updated, 'event', actorAgentId, null, data, [], new Date(now + k));
    }
    this.events.publish(ConversationUpdated, {
      libraryId: scope.libraryId,
      conversationId: conversation.id,
      departmentId: updated.departmentId,
      previousDepartmentId: conversation.departmentId,
      assigneeId: updated.assigneeId,
      changed,
      actorAgentId,
    });
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
        throw new DomainError('conversation_closed', 'A closed conversation takes no replies', 409);
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
      return this.record(scope, conversation, 'outbound', agentId, text, {}, attachmentIds);
    });
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
    const [message] = await this.messages.insert(scope, {
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
    } as Message);
    await this.attachments.attachUploads(scope, conversation.id, message.id, attachmentIds);
    this.events.publish(MessageAppended, {
      libraryId: scope.libraryId,
      conversationId: conversation.id,
      messageId: message.id,
      kind,
      departmentId: conversation.departmentId,
    });
    return message;
  }
}
