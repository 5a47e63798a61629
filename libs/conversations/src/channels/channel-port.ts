import { SetMetadata } from '@nestjs/common';
import type { LibraryScope } from '@readerdesk/platform';
import type { Channel } from '../conversation-status';
import type { Conversation } from '../conversation.entity';
import type { Inbox } from '../inbox.entity';
import type { Message } from '../message.entity';

/**
 * The channel port. A channel is an inbound translator (it turns the outside world into
 * `IngestionService.ingest` calls) plus one adapter: the threading rules the core applies to its
 * contacts and, where the channel sends replies, one `deliver()`. Conversations own everything
 * else about a message: storing it, its delivery state, retries, the events.
 */

/** How a channel's contacts find their conversation. */
export interface ThreadingRules {
  /**
   * A contact that names no conversation continues the reader's ongoing one in the inbox (chat,
   * SMS, calls); false when the channel threads only through what it names (email's headers).
   */
  continuesOngoing: boolean;
  /**
   * Any sender may continue a conversation the channel named (email: ids in headers are
   * unguessable, so a colleague in Cc may reply to the thread); false: only the conversation's reader.
   */
  anySenderMayName: boolean;
}

/** One outbound message handed to its channel. */
export interface OutboundDelivery {
  scope: LibraryScope;
  inbox: Inbox;
  conversation: Conversation;
  message: Message;
  /** 1 on the first attempt; counted in the database, so a restart does not reset it. */
  attempt: number;
  maxAttempts: number;
}

/** What became of one attempt. */
export type DeliveryOutcome =
  /** Handed over. `externalId` replaces the message's (the channel's own id); `detail` is kept under `data[channel]`. */
  | { outcome: 'sent'; externalId?: string; detail?: Record<string, unknown> }
  /** May pass later (a 4xx answer, a network failure): tried again after the queue's backoff, up to the last attempt. */
  | { outcome: 'retry'; reason: string }
  /** Can never leave as it is (a 5xx answer, no address, a configuration the message cannot leave with). */
  | { outcome: 'failed'; reason: string };

export const delivered = {
  sent: (externalId?: string, detail?: Record<string, unknown>): DeliveryOutcome => ({
    outcome: 'sent',
    ...(externalId ? { externalId } : {}),
    ...(detail ? { detail } : {}),
  }),
  retry: (reason: string): DeliveryOutcome => ({ outcome: 'retry', reason }),
  failed: (reason: string): DeliveryOutcome => ({ outcome: 'failed', reason }),
};

/** A channel's side of the port; a provider marked with `@ChannelAdapterFor(channel)`. */
export interface ChannelAdapter {
  readonly threading: ThreadingRules;
  /**
   * The channel's id of an outbound message, given when the outbox takes it in and stable across
   * retries (email: the Message-ID, which replies quote). Null or absent: none until it is sent.
   */
  outboundExternalId?(inbox: Inbox, message: Message): string | null;
  /**
   * Sends one outbound message; the outbox records the outcome, retries and publishes every change.
   * Whatever it throws counts as `retry` with the error's message. Absent when the channel's replies stay on the desk (the API
   * channel: the integration reads them back); such messages get no delivery state.
   */
  deliver?(outbound: OutboundDelivery): Promise<DeliveryOutcome>;
}

export const CHANNEL_ADAPTER = 'readerdesk:channel-adapter';

/** Registers a provider as the adapter of `channel`. Boot fails unless every channel has exactly one. */
export function ChannelAdapterFor(channel: Channel): ClassDecorator {
  return SetMetadata(CHANNEL_ADAPTER, channel);
}
