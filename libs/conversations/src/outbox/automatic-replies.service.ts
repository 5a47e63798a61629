import { Injectable } from '@nestjs/common';
import { Clock, DatabaseService, EventBus, LibraryScope, newRowId } from '@readerdesk/platform';
import { MessageAppended } from '../conversation.events';
import { ConversationRepository } from '../conversation.repository';
import type { Message } from '../message.entity';
import { MessageRepository } from '../message.repository';
import { OutboxRepository } from './outbox.repository';
import { OutboxService } from './outbox.service';

/** Where an automatic reply keeps the key its `oncePer` rule counts by. */
export const AUTOMATIC_REPLY_KEY = 'automaticReplyKey';

export interface AutomaticReply {
  conversationId: string;
  text: string;
  /** Kept on the message as given; the channel reads it when sending (email: `acknowledgement`, `email.to`). */
  data: Record<string, unknown>;
  /**
   * At most one automatic reply with this key in the library within `withinMs` (email: one
   * acknowledgement per address an hour). Decided one key at a time, so two contacts arriving
   * together get one reply between them.
   */
  oncePer?: { key: string; withinMs: number };
}

/**
 * Replies the desk sends by itself (an acknowledgement of a new question): outbound messages with
 * no author, on the timeline like any reply, claimed and sent by the outbox through the channel.
 */
@Injectable()
export class AutomaticRepliesService {
  constructor(
    private readonly db: DatabaseService,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly outbox: OutboxRepository,
    private readonly delivery: OutboxService,
  ) {}

  /** Records the reply and hands it to the outbox; null when its key had one within the window (or no conversation). */
  async record(scope: LibraryScope, reply: AutomaticReply): Promise<Message | null> {
    const conversation = await this.conversations.findById(scope, reply.conversationId);
    if (!conversation) return null;
    const once = reply.oncePer;
    return this.db.transaction(async () => {
      const now = this.clock.now();
      if (once) {
        await this.outbox.lockUntilCommit(`readerdesk-auto-reply:${scope.libraryId}:${once.key}`);
        const recent = await this.outbox.automaticSince(scope, new Date(now.getTime() - once.withinMs));
        if (recent.some((m) => m.data[AUTOMATIC_REPLY_KEY] === once.key)) return null;
      }
      const [message] = await this.messages.insert(scope, {
        id: newRowId(),
        libraryId: scope.libraryId,
        conversationId: conversation.id,
        inboxId: conversation.inboxId,
        kind: 'outbound',
        externalId: null,
        authorAgentId: null,
        subject: null,
        text: reply.text,
        html: null,
        rawHtml: null,
        deliveryStatus: null,
        data: once ? { ...reply.data, [AUTOMATIC_REPLY_KEY]: once.key } : reply.data,
        createdAt: now,
      });
      // Claimed before the commit (as the acknowledgement always was): no one sees it without its external id.
      await this.delivery.claimRecorded(scope, message);
      this.events.publish(MessageAppended, {
        libraryId: scope.libraryId,
        conversationId: conversation.id,
        messageId: message.id,
        kind: 'outbound',
        departmentId: conversation.departmentId,
        authorAgentId: null,
      });
      return (await this.messages.findById(scope, message.id)) ?? message;
    });
  }
}
