import { Injectable } from '@nestjs/common';
import { Clock, DatabaseService, DomainError, EventBus, isUniqueViolation, LibraryScope } from '@readerdesk/platform';
import { HandleInput, IdentityService } from '@readerdesk/readers';
import { randomUUID } from 'node:crypto';
import { AttachmentService, DroppedAttachment, InboundAttachment, StagedAttachment } from './attachment.service';
import { Conversation } from './conversation.entity';
import { ConversationOpened, ConversationStatusChanged, MessageAppended } from './conversation.events';
import { ConversationRepository } from './conversation.repository';
import { afterReaderReply, type Channel } from './conversation-status';
import { sanitiseHtml } from './html-sanitiser';
import { Inbox } from './inbox.entity';
import { InboxRepository } from './inbox.repository';
import { Message } from './message.entity';
import { MessageRepository } from './message.repository';

/** What every channel hands to the desk for one inbound contact. */
export interface InboundMessage {
  inboxId: string;
  channel: Channel;
  /** The channel's own id of this contact (Message-ID, CallSid, MessageSid, client message id). */
  externalId: string;
  handles: HandleInput[];
  displayName?: string | null;
  subject?: string | null;
  text?: string | null;
  html?: string | null;
  receivedAt?: Date;
  /** A conversation the channel already matched (email threading, a chat session). */
  conversationId?: string | null;
  departmentId?: string | null;
  data?: Record<string, unknown>;
  /** Files with their bytes; those over DESK_ATTACHMENT_MAX_BYTES are dropped and noted on the message. */
  attachments?: InboundAttachment[];
  /** Files the channel already had to leave out (too large to fetch, unreadable), noted the same way. */
  droppedAttachments?: DroppedAttachment[];
  /**
   * Machine mail (an auto-reply, a bounce) recorded on an existing conversation without waking it:
   * no reopening, no waiting time, no move up the queue. Needs `conversationId`; never opens one.
   */
  silent?: boolean;
}

export interface IngestResult {
  conversation: Conversation;
  message: Message;
  /** True when this external id had been stored before: nothing new was written. */
  duplicate: boolean;
  conversationCreated: boolean;
}

const ATTEMPTS = 5;

/**
 * The one entry point for inbound contacts: resolve the reader, find or open the conversation,
 * append the message, publish events after commit. Idempotent on (inbox, external id), also when
 * the same contact arrives many times at once: the unique index decides, the others find the winner.
 */
@Injectable()
export class IngestionService {
  constructor(
    private readonly db: DatabaseService,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly identity: IdentityService,
    private readonly inboxes: InboxRepository,
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly attachments: AttachmentService,
  ) {}

  async ingest(scope: LibraryScope, input: InboundMessage): Promise<IngestResult> {
    if (!input.externalId?.trim())
      throw new DomainError('external_id_required', 'An inbound message needs the channel’s id for it', 400);
    if (!input.text?.trim() && !input.html?.trim())
      throw new DomainError('empty_message', 'An inbound message needs a text or an HTML body', 400);
    const inbox = await this.inboxes.getById(scope, input.inboxId);
    const known = await this.stored(scope, input);
    if (known) return known;
    const { reader } = await this.identity.resolveReader(scope, {
      handles: input.handles,
      displayName: input.displayName,
    });
    const { staged, dropped } = await this.attachments.stageInbound(scope, input.attachments ?? []);
    dropped.push(...(input.droppedAttachments ?? []));
    try {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await this.db.transaction(() => this.append(scope, inbox, reader.id, input, staged, dropped));
        } catch (error) {
          if (!isUniqueViolation(error)) throw error;
          const winner = await this.stored(scope, input);
          if (winner) {
            await this.attachments.discard(staged);
            return winner;
          }
          if (attempt >= ATTEMPTS) throw error;
        }
      }
    } catch (error) {
      await this.attachments.discard(staged);
      throw error;
    }
  }

  private async stored(scope: LibraryScope, input: InboundMessage): Promise<IngestResult | null> {
    const message = await this.messages.findByExternalId(scope, input.inboxId, input.externalId);
    if (!message) return null;
    const conversation = await this.conversations.getById(scope, message.conversationId);
    return { conversation, message, duplicate: true, conversationCreated: false };
  }

  private async append(
    scope: LibraryScope,
    inbox: Inbox,
    readerId: string,
    input: InboundMessage,
    staged: StagedAttachment[],
    dropped: DroppedAttachment[],
  ): Promise<IngestResult> {
    // A channel's time, but never in the future (a sender's clock, a hand-set date): queues sort by it.
    const now = this.clock.now();
    const at = input.receivedAt && input.receivedAt < now ? input.receivedAt : now;
    let conversation = input.conversationId ? await this.conversations.findById(scope, input.conversationId) : null;
    if (conversation && conversation.readerId !== readerId && input.channel !== 'email') conversation = null;
    if (conversation && !input.silent && afterReaderReply(conversation.status) === null) conversation = null;
    // Chat, SMS and calls continue the reader's ongoing conversation; email threads only through its headers.
    if (!conversation && !input.conversationId && input.channel !== 'email') {
      conversation = await this.conversations.latestOngoing(scope, readerId, inbox.id);
    }
    let created = false;
    if (input.silent && !conversation) {
      throw new DomainError('no_conversation', 'A silent message needs the conversation it belongs to', 409);
    }
    if (conversation && input.silent) {
      // Recorded for the record only: the conversation's state is the staff's and the reader's business.
    } else if (!conversation) {
      [conversation] = await this.conversations.insert(scope, {
        id: randomUUID(),
        number: await this.conversations.nextNumber(scope),
        readerId,
        inboxId: inbox.id,
        channel: input.channel,
        departmentId: input.departmentId ?? inbox.defaultDepartmentId,
        assigneeId: null,
        status: 'new',
        priority: 'normal',
        subject: input.subject?.slice(0, 500) ?? null,
        tags: [],
        snoozedUntil: null,
        readLevel: null,
        questionType: null,
        firstResponseAt: null,
        waitingSince: at,
        resolvedAt: null,
        lastMessageAt: at,
        // When the question arrived, not when a backlog was fetched: date filters and SLA clocks read this.
        createdAt: at,
      } as unknown as Conversation);
      created = true;
    } else {
      const from = conversation.status;
      const to = afterReaderReply(from) ?? from;
      const changes = {
        status: to,
        waitingSince: conversation.waitingSince ?? at,
        lastMessageAt: at,
        snoozedUntil: to === 'open' ? null : conversation.snoozedUntil,
      };
      await this.conversations.update(scope, conversation.id, changes);
      Object.assign(conversation, changes);
      if (to !== from) {
        this.events.publish(ConversationStatusChanged, {
          libraryId: scope.libraryId,
          conversationId: conversation.id,
          from,
          to,
          actorAgentId: null,
        });
      }
    }
    const [message] = await this.messages.insert(scope, {
      id: randomUUID(),
      conversationId: conversation.id,
      inboxId: inbox.id,
      kind: 'inbound',
      externalId: input.externalId,
      authorAgentId: null,
      subject: input.subject?.slice(0, 500) ?? null,
      text: input.text ?? null,
      html: input.html ? sanitiseHtml(input.html) : null,
      rawHtml: input.html ?? null,
      deliveryStatus: null,
      data: dropped.length > 0 ? { ...input.data, droppedAttachments: dropped } : (input.data ?? {}),
      createdAt: at,
    } as Message);
    await this.attachments.record(scope, staged, conversation.id, message.id);
    const base = { libraryId: scope.libraryId, conversationId: conversation.id };
    if (created) {
      this.events.publish(ConversationOpened, {
        ...base,
        readerId,
        departmentId: conversation.departmentId,
        channel: conversation.channel,
      });
    }
    this.events.publish(MessageAppended, {
      ...base,
      messageId: message.id,
      kind: 'inbound',
      departmentId: conversation.departmentId,
    });
    return { conversation, message, duplicate: false, conversationCreated: created };
  }
}
