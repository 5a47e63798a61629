import { randomFillSync } from 'node:crypto';

/**
 * Ids of new rows: UUID version 7 (RFC 9562) — 48 bits of Unix milliseconds, a 12-bit counter,
 * then 62 random bits. Rows created close together get ids that sort together, so a table's
 * primary key and the indexes that lead with a foreign id (a conversation's messages) take new
 * rows on a few recent pages instead of one random page each; on a library with millions of
 * messages, random (version 4) ids made every insert read a different page of every index.
 * Ids stay unguessable (62 random bits, and every read is scoped by library anyway), and they
 * reveal only when the row was created, which its own `created_at` shows staff already.
 * Within one process ids only ever increase, also within one millisecond and when the clock steps back.
 */
export function newRowId(): string {
  let ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    // Half the counter's range left for ids within the same millisecond.
    counter = random16() & 0x7ff;
  } else {
    ms = lastMs;
    counter += 1;
    if (counter > 0xfff) {
      // 4,096 ids in one millisecond: borrow the next one.
      lastMs = ms = lastMs + 1;
      counter = 0;
    }
  }
  const random = take(8);
  const high = Math.floor(ms / 2 ** 16);
  const low = ms % 2 ** 16;
  return (
    hex8(high) +
    '-' +
    hex4(low) +
    '-' +
    hex4(0x7000 | counter) +
    '-' +
    hex4(0x8000 | (((random[0] << 8) | random[1]) & 0x3fff)) +
    '-' +
    hexBytes(random, 2, 8)
  );
}

let lastMs = 0;
let counter = 0;

const pool = Buffer.alloc(8 * 512);
let offset = pool.length;

function take(n: number): Buffer {
  if (offset + n > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const slice = pool.subarray(offset, offset + n);
  offset += n;
  return slice;
}

function random16(): number {
  const [a, b] = take(2);
  return (a << 8) | b;
}

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');
const hex4 = (n: number): string => n.toString(16).padStart(4, '0');
const hexBytes = (bytes: Buffer, from: number, to: number): string => bytes.subarray(from, to).toString('hex');
