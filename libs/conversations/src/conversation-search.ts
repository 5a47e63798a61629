import type { ConversationStatus } from './conversation-status';

export interface ConversationFilter {
  status?: ConversationStatus;
  departmentId?: string;
  readerId?: string;
  assigneeId?: string;
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
