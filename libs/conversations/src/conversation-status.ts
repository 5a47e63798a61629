import { DomainError } from '@readerdesk/platform';
import { ConversationErrors } from './conversation.errors';

export const CONVERSATION_STATUSES = ['new', 'open', 'pending', 'snoozed', 'resolved', 'closed'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];
/** Statuses of a conversation that is still going: a reader's new contact may continue it (all but closed). */
/** What still needs the desk: the queue's open views (snoozed waits for its time; resolved is done). */
export const OPEN_STATUSES: readonly ConversationStatus[] = ['new', 'open', 'pending'];
export const ONGOING_STATUSES: readonly ConversationStatus[] = ['new', 'open', 'pending', 'snoozed', 'resolved'];

/**
 * Who may move a conversation where. `pending` waits on the reader (its SLA clock pauses), `snoozed`
 * waits on a time, `resolved` can still be reopened by the reader, `closed` is final: a reader who
 * writes again starts a new conversation.
 */
const STAFF_MOVES: Record<ConversationStatus, readonly ConversationStatus[]> = {
  new: ['open', 'pending', 'snoozed', 'resolved'],
  open: ['pending', 'snoozed', 'resolved'],
  pending: ['open', 'snoozed', 'resolved'],
  snoozed: ['open', 'pending', 'resolved'],
  resolved: ['open', 'closed'],
  closed: [],
};

export function canMove(from: ConversationStatus, to: ConversationStatus): boolean {
  return STAFF_MOVES[from].includes(to);
}

export function assertMove(from: ConversationStatus, to: ConversationStatus): void {
  if (!canMove(from, to)) {
    throw new DomainError(ConversationErrors.invalidStatusChange, `A ${from} conversation cannot become ${to}`);
  }
}

/** The status after the reader writes again, or null when the conversation is closed and a new one must start. */
export function afterReaderReply(status: ConversationStatus): ConversationStatus | null {
  switch (status) {
    case 'closed':
      return null;
    case 'new':
      return 'new';
    default:
      return 'open';
  }
}

/** The status after a member of staff replies: a reply that answers the reader leaves the ball with them. */
export function afterStaffReply(status: ConversationStatus): ConversationStatus {
  return status === 'new' || status === 'open' || status === 'snoozed' ? 'pending' : status;
}

export const READ_SCALE_LEVELS = [1, 2, 3, 4, 5, 6] as const;
export const QUESTION_TYPES = [
  'directional',
  'ready_reference',
  'research',
  'technical',
  'circulation_account',
  'policy',
] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];
export { CHANNELS, type Channel } from '@readerdesk/contracts';
