import type { Channel } from '@readerdesk/contracts';
import type { ConversationStatus } from './conversation-status';
import type { Priority } from './conversation-status';

export interface ConversationFilter {
  /** Any of these statuses. */
  status?: ConversationStatus[];
  channel?: Channel;
  priority?: Priority;
  departmentId?: string;
  readerId?: string;
  /** Held by this agent, or by nobody (`null`). */
  assigneeId?: string | null;
  /** Conversations carrying this tag (as stored: lower case). */
  tag?: string;
  /** Created at or after. */
  createdFrom?: Date;
  /** Created before. */
  createdBefore?: Date;
  /**
   * Words that must all appear in one message's subject or text (any order, case-insensitive).
   * Call `searchWords` first: a text without a word is the caller's error.
   */
  text?: string;
}

/** The words of a search text (letters and digits), at most 32 of them; empty when there is none. */
export function searchWords(text: string): string[] {
  return (text.normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 32);
}

/**
 * An FTS5 query that means "all these words": each word quoted, so nothing the user types is read
 * as FTS5 syntax (NEAR, OR, column filters, a stray quote).
 */
export function ftsMatch(text: string): string {
  return searchWords(text)
    .map((word) => `"${word}"`)
    .join(' ');
}

/**
 * The orders a list comes in. Each is a keyset on (key, id), so pages stay stable while the queue
 * moves: `activity` the last message, newest first; `due` the SLA due time (the response due, else
 * the resolution due), soonest first; `waiting` since when the reader waits, longest first;
 * `newest` the opening, newest first. A conversation without the key (no SLA, not waiting) sorts last.
 */
export type ConversationOrder = 'activity' | 'due' | 'waiting' | 'newest';

/** Where the previous page ended: its last row's sort key (null: a row without one) and id. */
export interface ConversationPageAfter {
  key: Date | null;
  id: string;
}

/** The key a conversation has in an order (what a cursor carries). */
export function orderKeyOf(
  order: ConversationOrder,
  c: {
    lastMessageAt: Date;
    createdAt: Date;
    waitingSince: Date | null;
    firstResponseDueAt: Date | null;
    nextResponseDueAt: Date | null;
    resolutionDueAt: Date | null;
  },
): Date | null {
  switch (order) {
    case 'activity':
      return c.lastMessageAt;
    case 'newest':
      return c.createdAt;
    case 'waiting':
      return c.waitingSince;
    case 'due':
      return c.firstResponseDueAt ?? c.nextResponseDueAt ?? c.resolutionDueAt;
  }
}
