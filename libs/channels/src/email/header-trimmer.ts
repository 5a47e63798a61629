import type { HeaderBlock, HeaderFieldSpan } from './header-block';

/**
 * Fields that decide how the message is read, threaded and classified. When a header block has to be
 * cut down, these are kept first, so that trimming a flood of Received or DKIM lines never costs the
 * body structure, the sender or loop prevention.
 */
const ESSENTIAL = new Set([
  'auto-submitted',
  'cc',
  'content-disposition',
  'content-id',
  'content-transfer-encoding',
  'content-type',
  'date',
  'delivered-to',
  'from',
  'in-reply-to',
  'list-id',
  'list-unsubscribe',
  'message-id',
  'mime-version',
  'precedence',
  'references',
  'reply-to',
  'return-path',
  'sender',
  'subject',
  'to',
  'x-autoreply',
  'x-autorespond',
  'x-failed-recipients',
  'x-original-message-id',
  'x-original-to',
]);

export interface TrimmedHeaders {
  /** The fields that were kept, in their original order. */
  kept: HeaderFieldSpan[];
  /** Lower-cased names of the fields that were left out, one entry per field. */
  dropped: string[];
}

/**
 * Chooses which top-level fields to keep so that the block fits in `maxBytes`: no single field over
 * `maxFieldBytes`, the essential fields first, then the others in order while they fit.
 */
export function trimHeaderFields(block: HeaderBlock, maxBytes: number, maxFieldBytes: number): TrimmedHeaders {
  const size = (field: HeaderFieldSpan): number => field.end - field.start;
  const keep = new Set<HeaderFieldSpan>();
  let used = 0;
  const consider = (field: HeaderFieldSpan): void => {
    if (!field.key || size(field) > maxFieldBytes || used + size(field) > maxBytes) return;
    keep.add(field);
    used += size(field);
  };
  for (const field of block.fields) if (ESSENTIAL.has(field.key)) consider(field);
  for (const field of block.fields) if (!ESSENTIAL.has(field.key)) consider(field);
  return {
    kept: block.fields.filter((field) => keep.has(field)),
    dropped: block.fields.filter((field) => !keep.has(field)).map((field) => field.key || '(not a header field)'),
  };
}

/** The raw message again, with only the kept header fields. */
export function rebuildMessage(raw: Buffer, block: HeaderBlock, kept: readonly HeaderFieldSpan[]): Buffer {
  const parts = kept.map((field) => raw.subarray(field.start, field.end));
  // Keep the blank separator line and the body exactly as they were.
  parts.push(raw.subarray(block.end));
  return Buffer.concat(parts);
}
