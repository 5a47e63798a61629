import { Injectable, OnModuleInit } from '@nestjs/common';
import { Clock, DatabaseService, DomainError, EventBus, libraryScope, LibraryScope } from '@readerdesk/platform';
import { ReadersMerged } from '@readerdesk/readers';
import { randomUUID } from 'node:crypto';
import { AttachmentService } from './attachment.service';
import { Conversation } from './conversation.entity';
import { ConversationStatusChanged, MessageAppended } from './conversation.events';
import { ConversationRepository } from './conversation.repository';
import { afterStaffReply, assertMove, type ConversationStatus, type QuestionType } from './conversation-status';
import { Message, MessageKind } from './message.entity';
import { MessageRepository } from './message.repository';

export interface StatusChange {
  to: ConversationStatus;
  actorAgentId: string | null;
  snoozedUntil?: Date;
  readLevel?: number;
  questionType?: QuestionType;
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
        from,
        to: change.to,
        actorAgentId: change.actorAgentId,
      });
      return this.conversations.getById(scope, id);
    });
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
  ): Promise<Message> {
    const [message] = await this.messages.insert(scope, {
      id: randomUUID(),
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
      createdAt: this.clock.now(),
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
