import { Injectable, OnModuleInit } from '@nestjs/common';
import {
  ConversationRepository,
  Inbox,
  InboxRepository,
  Message,
  MessageAppended,
  MessageDelivery,
  MessageDeliveryChanged,
  MessageRepository,
} from '@readerdesk/conversations';
import {
  Clock,
  DatabaseService,
  Environment,
  EventBus,
  LibraryScope,
  libraryScope,
  QueueService,
} from '@readerdesk/platform';
import { EmailInboxService } from './email-inbox.service';
import { SendEmailJob } from './email-outbox.jobs';
import { outboundMessageId } from './outbound-email';
import { OutboundMessageRepository } from './outbound-message.repository';

/**
 * Outbound messages without a delivery state younger than this are taken by the sweep (a crash
 * between the reply's commit and the outbox); older ones predate the outbox and are left alone,
 * rather than mailing readers answers written days ago.
 */
export const ORPHAN_WINDOW_MS = 24 * 60 * 60 * 1000;
const SWEEP_BATCH = 500;

/**
 * The email outbox. Every outbound message on a conversation of an email inbox gets its Message-ID
 * (its external id, stable across retries, so replies to it thread back) and the delivery state
 * "queued" in the database before anything is sent; then a send job named after the message. The
 * database is the truth: the sweep re-enqueues whatever is still queued, so a lost job (the
 * in-process queue across a restart, Redis lost) or a crash before enqueueing loses no reply.
 * Runs in every process (the api records replies); sending is the worker's.
 */
@Injectable()
export class EmailOutbox implements OnModuleInit {
  constructor(
    private readonly env: Environment,
    private readonly db: DatabaseService,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly queue: QueueService,
    private readonly emailInboxes: EmailInboxService,
    private readonly inboxes: InboxRepository,
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly outbound: OutboundMessageRepository,
  ) {}

  onModuleInit(): void {
    this.events.subscribe(MessageAppended, async (event) => {
      if (event.kind !== 'outbound') return;
      await this.take(libraryScope(event.libraryId), event.messageId);
    });
  }

  /** Claims an outbound message of an email inbox (when nobody has yet) and enqueues its send; ignores the rest. */
  async take(scope: LibraryScope, messageId: string): Promise<void> {
    const message = await this.messages.findById(scope, messageId);
    if (!message || message.kind !== 'outbound' || !message.inboxId) return;
    if (message.deliveryStatus !== null && message.deliveryStatus !== 'queued') return;
    const inbox = await this.inboxes.findById(scope, message.inboxId);
    if (inbox?.channel !== 'email') return;
    if (message.deliveryStatus === null) await this.claim(scope, message, inbox);
    await this.enqueue(scope, message.id);
  }

  /**
   * Re-enqueues every outbound email still waiting: queued ones, and recent ones the outbox never
   * took. Job ids are message ids, so one that is still waiting or retrying is not doubled.
   */
  async sweep(): Promise<number> {
    const byLibrary = new Map<string, Map<string, Inbox>>();
    for (const inbox of await this.inboxes.allOfChannel('email')) {
      const inboxes = byLibrary.get(inbox.libraryId) ?? new Map<string, Inbox>();
      inboxes.set(inbox.id, inbox);
      byLibrary.set(inbox.libraryId, inboxes);
    }
    const orphansSince = new Date(this.clock.now().getTime() - ORPHAN_WINDOW_MS);
    let found = 0;
    for (const [libraryId, inboxes] of byLibrary) {
      const scope = libraryScope(libraryId);
      const waiting = await this.outbound.awaitingDelivery(scope, [...inboxes.keys()], orphansSince, SWEEP_BATCH);
      for (const message of waiting) {
        const inbox = inboxes.get(message.inboxId ?? '');
        if (!inbox) continue;
        if (message.deliveryStatus === null) await this.claim(scope, message, inbox);
        await this.enqueue(scope, message.id);
        found += 1;
      }
    }
    return found;
  }

  enqueue(scope: LibraryScope, messageId: string): Promise<string> {
    return this.queue.add(
      SendEmailJob,
      { libraryId: scope.libraryId, messageId },
      {
        jobId: messageId,
        attempts: this.env.DESK_EMAIL_SEND_ATTEMPTS,
        backoff: { type: 'exponential', delayMs: this.env.DESK_EMAIL_RETRY_BASE_MS },
      },
    );
  }

  /** Gives the message its Message-ID and the state "queued", unless another process already did. */
  private async claim(scope: LibraryScope, message: Message, inbox: Inbox): Promise<void> {
    const address = this.emailInboxes.settingsOf(inbox).address;
    const delivery: MessageDelivery = {
      status: 'queued',
      attempts: 0,
      error: null,
      at: this.clock.now().toISOString(),
    };
    await this.db.transaction(async () => {
      const claimed = await this.outbound.claim(scope, message.id, {
        externalId: outboundMessageId(address),
        deliveryStatus: 'queued',
        data: { ...message.data, delivery },
      });
      if (!claimed) return;
      const conversation = await this.conversations.findById(scope, message.conversationId);
      this.events.publish(MessageDeliveryChanged, {
        libraryId: scope.libraryId,
        conversationId: message.conversationId,
        messageId: message.id,
        departmentId: conversation?.departmentId ?? null,
        delivery,
      });
    });
  }
}
