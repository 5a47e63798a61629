import { v7 } from 'uuid';

/**
 * Ids of new rows: UUID version 7 (RFC 9562, `uuid`'s v7) — 48 bits of Unix milliseconds, a 32-bit
 * counter started at random each millisecond, then 42 random bits. Rows created close together get
 * ids that sort together, so a table's primary key and the indexes that lead with a foreign id (a
 * conversation's messages) take new rows on a few recent pages instead of one random page each; on
 * a library with millions of messages, random (version 4) ids made every insert read a different
 * page of every index. Ids stay unguessable (every read is scoped by library anyway), and they
 * reveal only when the row was created, which its own `created_at` shows staff already. Within one
 * process ids only ever increase, also within one millisecond and when the clock steps back (v7
 * without options keeps that state; a full counter borrows the next millisecond).
 */
export function newRowId(): string {
  return v7();
}
