import { Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import {
  Clock,
  DatabaseService,
  Environment,
  EventBus,
  JobHandler,
  LibraryScope,
  libraryScope,
  QueueService,
} from '@readerdesk/platform';
import type { JobContext } from '@readerdesk/platform';
import { type ChannelAdapter, delivered, type DeliveryOutcome } from '../channels/channel-port';
import { ChannelRegistry } from '../channels/channel-registry';
import { type Channel, CHANNELS } from '../conversation-status';
import type { Conversation } from '../conversation.entity';
import { MessageAppended, MessageDeliveryChanged } from '../conversation.events';
import { ConversationRepository } from '../conversation.repository';
import type { Inbox } from '../inbox.entity';
import { InboxRepository } from '../inbox.repository';
import type { Message, MessageDelivery } from '../message.entity';
import { MessageRepository } from '../message.repository';
import { DeliverMessageJob, SweepOutboxJob } from './outbox.jobs';
import { OutboxRepository } from './outbox.repository';

/**
 * Outbound messages without a delivery state younger than this are taken by the sweep (a crash
 * between the reply's commit and the outbox); older ones predate the outbox and are left alone,
 * rather than sending readers answers written days ago.
 */
export const ORPHAN_WINDOW_MS = 24 * 60 * 60 * 1000;
/** How often the worker looks for outbound messages the queue lost. */
export const OUTBOX_SWEEP_EVERY_MS = 5 * 60 * 1000;
const SWEEP_BATCH = 500;
/**
 * How long an attempt may be "sending" before the outbox takes its worker for dead and tries again
 * (with the same external id). Longer than any live attempt can last: nodemailer gives up after 2
 * minutes connecting and 10 minutes of a silent socket.
 */
export const SENDING_LEASE_MS = 15 * 60 * 1000;

type DeliveringAdapter = ChannelAdapter & Required<Pick<ChannelAdapter, 'deliver'>>;

/**
 * The one outbox of every channel that sends. An outbound message on an inbox whose adapter has
 * `deliver()` gets its external id (`outboundExternalId`, stable across retries) and the state
 * "queued" in the database before a job named after it is enqueued; the worker hands it to the
 * adapter and records what became of it: sent (with the channel's detail under `data[channel]`),
 * queued again with the reason while attempts remain (the queue retries with backoff; attempts are
 * counted in the database, so a restart does not reset them), or failed with the reason. The
 * database is the truth: the sweep re-enqueues whatever is still queued and claims recent messages
 * nobody took, so a lost job or a crash before enqueueing loses no reply. The only publisher of
 * `MessageDeliveryChanged`. Claims run in every process (the api records replies); delivery is
 * the worker's.
 */
@Injectable()
export class OutboxService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('Outbox');

  constructor(
    private readonly env: Environment,
    private readonly db: DatabaseService,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly queue: QueueService,
    private readonly channels: ChannelRegistry,
    private readonly inboxes: InboxRepository,
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly outbox: OutboxRepository,
  ) {}

  onModuleInit(): void {
    this.events.subscribe(MessageAppended, async (event) => {
      if (event.kind !== 'outbound') return;
      await this.take(libraryScope(event.libraryId), event.messageId);
    });
  }

  onApplicationBootstrap(): void {
    if (this.env.DESK_ROLE === 'api') return;
    // Once at start (whatever a restart left queued) and then on a schedule the queue shares between workers.
    void Promise.all([
      this.queue.schedule(SweepOutboxJob, 'outbox-sweep', {}, { everyMs: OUTBOX_SWEEP_EVERY_MS }),
      this.queue.add(SweepOutboxJob, {}, { jobId: 'outbox-sweep-at-start' }),
    ]).catch((error: unknown) => this.logger.error(`could not schedule the outbox sweep: ${String(error)}`));
  }

  /** Claims an outbound message of a delivering channel (when nobody has yet) and enqueues it; ignores the rest. */
  async take(scope: LibraryScope, messageId: string): Promise<void> {
    const message = await this.messages.findById(scope, messageId);
    if (!message || message.kind !== 'outbound' || !message.inboxId) return;
    if (message.deliveryStatus !== null && message.deliveryStatus !== 'queued') return;
    const inbox = await this.inboxes.findById(scope, message.inboxId);
    const adapter = inbox && this.deliveringAdapter(inbox.channel);
    if (!inbox || !adapter) return;
    if (message.deliveryStatus === null) await this.claim(scope, message, inbox, adapter);
    await this.enqueue(scope, message.id);
  }

  /**
   * Re-enqueues every outbound message still waiting on a channel that delivers: queued ones, and
   * recent ones the outbox never took. Job ids are message ids, so one still waiting or retrying is
   * not doubled.
   */
  async sweep(): Promise<number> {
    const byLibrary = new Map<string, Map<string, { inbox: Inbox; adapter: DeliveringAdapter }>>();
    for (const channel of CHANNELS) {
      const adapter = this.deliveringAdapter(channel);
      if (!adapter) continue;
      for (const inbox of await this.inboxes.allOfChannel(channel)) {
        const inboxes =
          byLibrary.get(inbox.libraryId) ?? new Map<string, { inbox: Inbox; adapter: DeliveringAdapter }>();
        inboxes.set(inbox.id, { inbox, adapter });
        byLibrary.set(inbox.libraryId, inboxes);
      }
    }
    const orphansSince = new Date(this.clock.now().getTime() - ORPHAN_WINDOW_MS);
    let found = 0;
    for (const [libraryId, inboxes] of byLibrary) {
      const scope = libraryScope(libraryId);
      const waiting = await this.outbox.awaitingDelivery(scope, [...inboxes.keys()], orphansSince, SWEEP_BATCH);
      for (const message of waiting) {
        const target = inboxes.get(message.inboxId ?? '');
        if (!target) continue;
        if (message.deliveryStatus === null) await this.claim(scope, message, target.inbox, target.adapter);
        await this.enqueue(scope, message.id);
        found += 1;
      }
    }
    return found;
  }

  enqueue(scope: LibraryScope, messageId: string): Promise<string> {
    return this.queue.add(
      DeliverMessageJob,
      { libraryId: scope.libraryId, messageId },
      {
        jobId: messageId,
        attempts: this.env.DESK_DELIVERY_ATTEMPTS,
        backoff: { type: 'exponential', delayMs: this.env.DESK_DELIVERY_RETRY_BASE_MS },
      },
    );
  }

  @JobHandler(SweepOutboxJob)
  async sweepJob(): Promise<void> {
    const found = await this.sweep();
    if (found > 0) this.logger.log(`outbox sweep: ${found} outbound message(s) (re)enqueued`);
  }

  /**
   * One attempt at one queued message; throws (so that the queue retries) when it is to be tried
   * again. The attempt is recorded as "sending" (committed) before the adapter is called, so a job
   * delivered twice (the queue's stalled-job recovery, a sweep) never sends a message another worker
   * is sending, and a worker that dies mid-attempt leaves a trace that the next one reads.
   */
  @JobHandler(DeliverMessageJob)
  async deliver(payload: { libraryId: string; messageId: string }, context: JobContext): Promise<void> {
    const scope = libraryScope(payload.libraryId);
    const found = await this.messages.findById(scope, payload.messageId);
    // Sent or failed already (a sweep re-enqueued it meanwhile), or gone: nothing to do.
    if (!found || found.kind !== 'outbound' || !found.inboxId) return;
    if (found.deliveryStatus !== 'queued' && found.deliveryStatus !== 'sending') return;
    const inbox = await this.inboxes.findById(scope, found.inboxId);
    const adapter = inbox && this.deliveringAdapter(inbox.channel);
    if (!inbox || !adapter) return;
    const conversation = await this.conversations.getById(scope, found.conversationId);
    const max = this.env.DESK_DELIVERY_ATTEMPTS;
    const started = await this.startAttempt(scope, found.id, conversation, max);
    if (!started) return;
    const { message, attempt } = started;

    let outcome: DeliveryOutcome;
    try {
      outcome = await adapter.deliver({ scope, inbox, conversation, message, attempt, maxAttempts: max });
    } catch (error) {
      outcome = delivered.retry(error instanceof Error ? error.message : String(error));
    }
    if (outcome.outcome === 'sent') {
      const data = outcome.detail ? { ...message.data, [inbox.channel]: outcome.detail } : message.data;
      await this.record(
        scope,
        { ...message, data },
        conversation,
        { status: 'sent', attempts: attempt, error: null },
        outcome.externalId,
      );
      return;
    }
    if (outcome.outcome === 'failed' || attempt >= max) {
      const why =
        outcome.outcome === 'failed' ? outcome.reason : `gave up after ${attempt} attempts: ${outcome.reason}`;
      this.logger.warn(`message ${message.id} failed (attempt ${attempt}, job try ${context.attempt}): ${why}`);
      await this.record(scope, message, conversation, { status: 'failed', attempts: attempt, error: why });
      return;
    }
    await this.record(scope, message, conversation, {
      status: 'queued',
      attempts: attempt,
      error: `attempt ${attempt} of ${max} failed, will try again: ${outcome.reason}`,
    });
    // Thrown so that the queue tries again after its backoff.
    throw new Error(outcome.reason);
  }

  /**
   * Takes the next attempt at a message under a lock of its own, reading its state again: a queued
   * message becomes "sending" with the attempt's number, committed before anything leaves. One
   * already sending is another worker's, unless that attempt began more than SENDING_LEASE_MS ago:
   * its worker died (killed, lost its host) without recording what the channel answered, so the
   * message is sent again with the same external id (at least once: the receiver may get it twice
   * and can tell, by the Message-ID), as the next attempt, or failed when that was the last one.
   * Null when there is nothing to send now.
   */
  private async startAttempt(
    scope: LibraryScope,
    messageId: string,
    conversation: Conversation,
    max: number,
  ): Promise<{ message: Message; attempt: number } | null> {
    const now = this.clock.now();
    return this.db.transaction(async () => {
      await this.outbox.lockUntilCommit(`readerdesk-outbox-attempt:${scope.libraryId}:${messageId}`);
      const message = await this.messages.findById(scope, messageId);
      if (!message) return null;
      const last = message.data.delivery as MessageDelivery | undefined;
      const done = last?.attempts ?? 0;
      if (message.deliveryStatus === 'sending') {
        const since = last ? Date.parse(last.at) : Number.NaN;
        if (now.getTime() - since < SENDING_LEASE_MS) return null;
        const lost = `attempt ${done} of ${max} stopped without an answer (its worker died); the channel may have taken it`;
        this.logger.warn(`message ${message.id}: ${lost}`);
        if (done >= max) {
          await this.record(scope, message, conversation, { status: 'failed', attempts: done, error: lost });
          return null;
        }
      } else if (message.deliveryStatus !== 'queued') {
        return null;
      }
      const attempt = done + 1;
      const sending: MessageDelivery = {
        status: 'sending',
        attempts: attempt,
        error: last?.error ?? null,
        at: now.toISOString(),
      };
      return { message: await this.messages.setDelivery(scope, message, sending), attempt };
    });
  }

  /**
   * A failure the channel learns of after sending (an email bounce): the message is marked failed
   * with the reason, keeping its count of attempts.
   */
  async reportFailure(scope: LibraryScope, message: Message, reason: string): Promise<void> {
    if (message.kind !== 'outbound') return;
    const conversation = await this.conversations.getById(scope, message.conversationId);
    const attempts = (message.data.delivery as MessageDelivery | undefined)?.attempts ?? 1;
    await this.record(scope, message, conversation, { status: 'failed', attempts, error: reason });
  }

  /**
   * Claims a message its caller has just recorded, inside the caller's transaction, so that it is
   * never seen without its external id and state; MessageAppended then only enqueues it.
   */
  async claimRecorded(scope: LibraryScope, message: Message): Promise<void> {
    if (message.kind !== 'outbound' || !message.inboxId || message.deliveryStatus !== null) return;
    const inbox = await this.inboxes.findById(scope, message.inboxId);
    const adapter = inbox && this.deliveringAdapter(inbox.channel);
    if (inbox && adapter) await this.claim(scope, message, inbox, adapter);
  }

  private deliveringAdapter(channel: Channel): DeliveringAdapter | null {
    const adapter = this.channels.adapterOf(channel);
    return adapter.deliver ? (adapter as DeliveringAdapter) : null;
  }

  /** Gives the message its external id and the state "queued", unless another process already did. */
  private async claim(scope: LibraryScope, message: Message, inbox: Inbox, adapter: ChannelAdapter): Promise<void> {
    const delivery: MessageDelivery = {
      status: 'queued',
      attempts: 0,
      error: null,
      at: this.clock.now().toISOString(),
    };
    await this.db.transaction(async () => {
      const claimed = await this.outbox.claim(scope, message.id, {
        externalId: adapter.outboundExternalId?.(inbox, message) ?? message.externalId,
        deliveryStatus: 'queued',
        data: { ...message.data, delivery },
      });
      if (!claimed) return;
      const conversation = await this.conversations.findById(scope, message.conversationId);
      this.publish(scope, message, conversation?.departmentId ?? null, delivery);
    });
  }

  /** Stores a new delivery state (with the message's data as given) and publishes it after commit. */
  private async record(
    scope: LibraryScope,
    message: Message,
    conversation: Conversation,
    state: Omit<MessageDelivery, 'at'>,
    externalId?: string,
  ): Promise<void> {
    const delivery: MessageDelivery = { ...state, at: this.clock.now().toISOString() };
    await this.db.transaction(async () => {
      await this.messages.setDelivery(scope, message, delivery);
      if (externalId && externalId !== message.externalId)
        await this.outbox.setExternalId(scope, message.id, externalId);
      this.publish(scope, message, conversation.departmentId, delivery);
    });
  }

  private publish(scope: LibraryScope, message: Message, departmentId: string | null, delivery: MessageDelivery): void {
    this.events.publish(MessageDeliveryChanged, {
      libraryId: scope.libraryId,
      conversationId: message.conversationId,
      messageId: message.id,
      departmentId,
      delivery,
    });
  }
}
