import { defineEvent } from '@readerdesk/platform';
import type { Channel } from '@readerdesk/conversations';

/** How a department hands its waiting conversations to agents (Twilio TaskRouter's reservations, LibChat's claim). */
export const OFFER_MODES = ['offer', 'broadcast', 'manual'] as const;
export type OfferMode = (typeof OFFER_MODES)[number];

/** Why an offer ended without being accepted by its agent. */
export const OFFER_END_REASONS = [
  'rejected',
  'timed_out',
  /** The agent went offline or away, lost the department, or was deactivated: the offer is handed on. */
  'agent_unavailable',
  /** Another agent took it first (broadcast), or someone assigned it by hand. */
  'taken_elsewhere',
  /** The conversation was resolved, moved to another department, or the reader left. */
  'conversation_changed',
] as const;
export type OfferEndReason = (typeof OFFER_END_REASONS)[number];

/** What every offer event carries, so that consumers (the socket fanout, queue statistics) need no read. */
export interface OfferFacts {
  libraryId: string;
  offerId: string;
  conversationId: string;
  readerId: string;
  departmentId: string;
  channel: Channel;
  agentId: string;
  mode: OfferMode;
}

/** A conversation was offered to an agent; `expiresAt` is null when the offer does not time out. */
export const OfferCreated = defineEvent<
  OfferFacts & {
    expiresAt: string | null;
    offeredAt: string;
    /** What the agent's console shows with the offer, so that it needs no read first. */
    conversation: { number: number; subject: string | null; priority: string; departmentId: string | null };
    reader: { displayName: string | null };
  }
>('offers.created');
/** The agent accepted: the conversation is assigned to them. `waitedMs`: from entering the queue to acceptance. */
export const OfferAccepted = defineEvent<OfferFacts & { acceptedAt: string; waitedMs: number }>('offers.accepted');
/** The offer ended without being accepted (rejected, timed out, handed on, withdrawn). */
export const OfferEnded = defineEvent<OfferFacts & { reason: OfferEndReason; endedAt: string }>('offers.ended');

/** A department's offer settings changed: every process drops what it keeps of them. */
export const OfferSettingsChanged = defineEvent<{ libraryId: string }>('offers.settings-changed', {
  everyProcess: true,
});
