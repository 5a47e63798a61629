import { decodeUtf8Leniently } from './lenient-decoder';
import { normaliseEncodedWords } from './mail-charset';

/** One top-level header field as it sits in the raw bytes. */
export interface HeaderFieldSpan {
  /** Lower-cased field name; '' for a line that is not a header field (no colon, bad name). */
  key: string;
  /** Byte offsets in the raw message, folded lines and line terminators included. */
  start: number;
  end: number;
}

export interface HeaderBlock {
  /** Where the header block starts: after a leading mbox "From " line or a byte-order mark. */
  start: number;
  /** Where the last header line ends (the blank separator line starts here). */
  end: number;
  /** Where the body starts; the raw length when the message has no body. */
  bodyStart: number;
  fields: HeaderFieldSpan[];
}

/** A decoded, unfolded top-level header field. */
export interface HeaderField {
  /** Lower-cased field name. */
  key: string;
  /** Field name as written. */
  name: string;
  /** Unfolded value: line breaks removed, surrounding spaces and tabs trimmed, encoded words not decoded. */
  value: string;
}

const LF = 0x0a;
const CR = 0x0d;
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;
// A field name longer than this is not one; reading further would only cost time on junk lines.
const MAX_FIELD_NAME = 256;

const isWsp = (byte: number | undefined): boolean => byte === 0x20 || byte === 0x09;

function trimWsp(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value[start] === ' ' || value[start] === '\t')) start += 1;
  while (end > start && (value[end - 1] === ' ' || value[end - 1] === '\t')) end -= 1;
  return value.slice(start, end);
}

function fieldKey(raw: Uint8Array, start: number, lineEnd: number): string {
  const limit = Math.min(lineEnd, start + MAX_FIELD_NAME);
  for (let i = start; i < limit; i += 1) {
    if (raw[i] === 0x3a) {
      const name = trimWsp(Buffer.from(raw.buffer, raw.byteOffset + start, i - start).toString('latin1'));
      return FIELD_NAME.test(name) ? name.toLowerCase() : '';
    }
  }
  return '';
}

/**
 * Finds the top-level header block and the byte span of each field in it, without decoding values.
 * A leading mbox "From " separator line, a UTF-8 byte-order mark and leading blank lines are skipped:
 * they occur in mail exported from mailboxes and none of them is a header.
 */
export function scanHeaderBlock(raw: Uint8Array): HeaderBlock {
  let pos = 0;
  if (raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) pos = 3;
  if (
    raw[pos] === 0x46 &&
    raw[pos + 1] === 0x72 &&
    raw[pos + 2] === 0x6f &&
    raw[pos + 3] === 0x6d &&
    raw[pos + 4] === 0x20
  ) {
    const lf = raw.indexOf(LF, pos);
    pos = lf < 0 ? raw.length : lf + 1;
  }
  // Blank lines before the first field (left by some exporters and gateways) would otherwise end
  // the header block before it starts and turn the whole message into body text.
  while (raw[pos] === CR || raw[pos] === LF) pos += 1;
  const start = pos;
  const fields: HeaderFieldSpan[] = [];
  while (pos < raw.length) {
    const lf = raw.indexOf(LF, pos);
    const next = lf < 0 ? raw.length : lf + 1;
    let contentEnd = lf < 0 ? raw.length : lf;
    if (contentEnd > pos && raw[contentEnd - 1] === CR) contentEnd -= 1;
    if (contentEnd === pos) return { start, end: pos, bodyStart: next, fields };
    const last = fields[fields.length - 1];
    if (last && isWsp(raw[pos])) last.end = next;
    else fields.push({ key: fieldKey(raw, pos, contentEnd), start: pos, end: next });
    pos = next;
  }
  return { start, end: raw.length, bodyStart: raw.length, fields };
}

/** Decodes and unfolds the fields of a scanned block (raw 8-bit values decode as UTF-8, else Windows-1252). */
export function decodeHeaderFields(raw: Uint8Array, fields: readonly HeaderFieldSpan[]): HeaderField[] {
  const decoded: HeaderField[] = [];
  for (const field of fields) {
    if (!field.key) continue;
    const line = decodeUtf8Leniently(raw.subarray(field.start, field.end)).replace(/\r?\n/g, '');
    const colon = line.indexOf(':');
    decoded.push({
      key: field.key,
      name: trimWsp(line.slice(0, colon)),
      value: trimWsp(line.slice(colon + 1)).replace(/[\r\n]/g, ' '),
    });
  }
  return decoded;
}

/**
 * Like decodeHeaderFields, but each value has its RFC 2047 encoded words read from the raw bytes in
 * their declared charsets (raw 8-bit bytes inside a word included) and re-encoded as UTF-8 words
 * (normaliseEncodedWords): what the subject and the address parsers read.
 */
export function decodeHeaderFieldWords(raw: Uint8Array, fields: readonly HeaderFieldSpan[]): HeaderField[] {
  const decoded: HeaderField[] = [];
  for (const field of fields) {
    if (!field.key) continue;
    const line = Buffer.from(raw.buffer, raw.byteOffset + field.start, field.end - field.start)
      .toString('latin1')
      .replace(/\r?\n/g, '');
    const colon = line.indexOf(':');
    decoded.push({
      key: field.key,
      name: trimWsp(line.slice(0, colon)),
      value: normaliseEncodedWords(trimWsp(line.slice(colon + 1)).replace(/[\r\n]/g, ' ')),
    });
  }
  return decoded;
}

/**
 * Parses a header block that is already text, as in a text/rfc822-headers part, a message/rfc822
 * part or the fields of a delivery-status report. Reading stops at the first blank line.
 */
export function parseHeaderText(text: string): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      if (fields.length > 0) break;
      continue;
    }
    const last = fields[fields.length - 1];
    if (last && (line[0] === ' ' || line[0] === '\t')) {
      last.value = trimWsp(last.value + line);
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? trimWsp(line.slice(0, colon)) : '';
    if (!FIELD_NAME.test(name)) continue;
    fields.push({ key: name.toLowerCase(), name, value: trimWsp(line.slice(colon + 1)) });
  }
  return fields;
}

/**
 * Splits text into blank-line separated blocks of header fields: the shape of a delivery-status
 * report (one block per message, one per recipient), also when it was pasted into a plain-text body.
 */
export function parseHeaderBlocks(text: string): HeaderField[][] {
  const blocks: HeaderField[][] = [];
  let current: HeaderField[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      if (current.length > 0) blocks.push(current);
      current = [];
      continue;
    }
    const last = current[current.length - 1];
    if (last && (line[0] === ' ' || line[0] === '\t')) {
      last.value = trimWsp(`${last.value} ${trimWsp(line)}`);
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? trimWsp(line.slice(0, colon)) : '';
    if (!FIELD_NAME.test(name)) {
      if (current.length > 0) blocks.push(current);
      current = [];
      continue;
    }
    current.push({ key: name.toLowerCase(), name, value: trimWsp(line.slice(colon + 1)) });
  }
  if (current.length > 0) blocks.push(current);
  return blocks;
}

/** The value of the first field with this (lower-case) key, or null. */
export function headerValue(fields: readonly HeaderField[], key: string): string | null {
  return fields.find((field) => field.key === key)?.value ?? null;
}
