import type { ThreadingRules } from './channels/channel-port';
import type { Conversation } from './conversation.entity';
import { afterReaderReply, type ConversationStatus } from './conversation-status';
import type { Message } from './message.entity';

/** What the decision needs to know about one inbound contact. */
export interface ContactFacts {
  /** The reader the contact's handles resolved to. */
  readerId: string;
  /** The conversation the channel named (email threading, a chat session), if any. */
  conversationId?: string | null;
  /** Machine mail recorded without waking its conversation. */
  silent?: boolean;
  /** When it arrived (never in the future). */
  at: Date;
}

export interface DecisionInput {
  contact: ContactFacts;
  threading: ThreadingRules;
  /** The message already stored under the contact's external id in its inbox. */
  stored: Message | null;
  /** The conversation `contact.conversationId` names, as read (null: not found in the library). */
  named: Conversation | null;
  /** The reader's latest ongoing conversation in the inbox; read only when `needsOngoing` says so. */
  ongoing: Conversation | null;
}

/** The changes a reader's new message makes to the conversation it continues. */
export interface ReaderReply {
  from: ConversationStatus;
  to: ConversationStatus;
  changes: Pick<Conversation, 'status' | 'waitingSince' | 'lastMessageAt' | 'snoozedUntil'>;
}

export type IngestionDecision =
  /** The external id was stored before: nothing is written, the stored message is the answer. */
  | { outcome: 'duplicate'; message: Message }
  /** The message joins `conversation`, which takes `reply.changes` (reopened, waiting since, last message). */
  | { outcome: 'continue'; conversation: Conversation; reply: ReaderReply }
  /** The message opens a new conversation. */
  | { outcome: 'open' }
  /** Machine mail recorded on `conversation`, which stays as it is. */
  | { outcome: 'record'; conversation: Conversation }
  /** Machine mail without a conversation to record it on: never opens one. */
  | { outcome: 'refuse' };

/** Whether the decision needs the reader's ongoing conversation (read only then). */
export function needsOngoing(contact: Pick<ContactFacts, 'conversationId'>, threading: ThreadingRules): boolean {
  return !contact.conversationId && threading.continuesOngoing;
}

/** What a reader's message written at `at` does to the conversation it continues. */
export function readerReply(conversation: Conversation, at: Date): ReaderReply {
  const from = conversation.status;
  const to = afterReaderReply(from) ?? from;
  return {
    from,
    to,
    changes: {
      status: to,
      waitingSince: conversation.waitingSince ?? at,
      lastMessageAt: at,
      snoozedUntil: to === 'open' ? null : conversation.snoozedUntil,
    },
  };
}

/**
 * Where one inbound contact goes: the one rule both ingestion paths (a batch and one by one) apply.
 * A named conversation takes the message if its reader sent it (or the channel lets any sender name
 * one) and it is not closed (silent mail is recorded even on a closed one); without a name, a channel
 * that continues ongoing conversations continues the reader's; otherwise a new conversation opens,
 * except for silent mail, which never opens one.
 */
export function decideIngestion({ contact, threading, stored, named, ongoing }: DecisionInput): IngestionDecision {
  if (stored) return { outcome: 'duplicate', message: stored };
  let conversation = contact.conversationId ? named : null;
  if (conversation && conversation.readerId !== contact.readerId && !threading.anySenderMayName) conversation = null;
  if (conversation && !contact.silent && afterReaderReply(conversation.status) === null) conversation = null;
  if (!conversation && needsOngoing(contact, threading)) conversation = ongoing;
  if (contact.silent) return conversation ? { outcome: 'record', conversation } : { outcome: 'refuse' };
  if (!conversation) return { outcome: 'open' };
  return { outcome: 'continue', conversation, reply: readerReply(conversation, contact.at) };
}
