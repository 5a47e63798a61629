import * as iconv from 'iconv-lite';
import { TextDecoder } from 'node:util';
import { decodeUtf8Leniently, restoreWindows1252 } from './lenient-decoder';

/*
 * Decoding mail text by its declared charset. TextDecoder (what postal-mime uses) knows the labels of
 * the Encoding Standard; iconv-lite adds what mail has and browsers dropped (UTF-7, the DOS code
 * pages). Three kinds of label get more than a lookup:
 * - UTF-7 (`utf-7`, `unicode-1-1-utf-7`): decoded as UTF-7. IMAP's modified UTF-7 is for folder
 *   names, never a message charset, so `utf-7-imap` is treated as an unknown label.
 * - `us-ascii` and labels nobody knows: the bytes are what they are; valid UTF-8 with non-ASCII in
 *   it is read as UTF-8 (real Windows-1252 text is almost never valid UTF-8), anything else as
 *   Windows-1252.
 * - UTF-8 and no label: UTF-8, with stray 8-bit bytes read as Windows-1252 (decodeUtf8Leniently).
 */

const UTF7_LABELS = new Set(['utf7', 'unicode11utf7', 'csunicode11utf7']);
const UTF8_LABELS = new Set(['utf8', 'unicode11utf8', 'unicode20utf8']);
const ASCII_LABELS = new Set(['usascii', 'ascii', 'ansix341968', 'ansix341986', 'iso646us', 'us', 'ibm367', 'cp367']);
// Bounded: a message controls how many labels it names; only this many distinct ones are remembered.
const MAX_CACHED_LABELS = 256;
const textDecoders = new Map<string, TextDecoder | null>();

/** The label without RFC 2231's language suffix, the `x-`/`cs` decorations, case and separators. */
function normaliseLabel(label: string): string {
  return label
    .trim()
    .toLowerCase()
    .replace(/^(?:x-ms-|x-|cs)/, '')
    .replace(/[\s._:-]+/g, '');
}

function textDecoderFor(label: string): TextDecoder | null {
  const cached = textDecoders.get(label);
  if (cached !== undefined) return cached;
  let decoder: TextDecoder | null = null;
  try {
    decoder = new TextDecoder(label);
  } catch {
    // not a label of the Encoding Standard
  }
  if (textDecoders.size < MAX_CACHED_LABELS) textDecoders.set(label, decoder);
  return decoder;
}

/** True when TextDecoder (and so postal-mime) decodes this label as it is written. */
export function isDecoderLabel(label: string): boolean {
  return textDecoderFor(label.split('*')[0].trim().toLowerCase()) !== null;
}

export type CharsetKind = 'utf-8' | 'utf-7' | 'ascii' | 'known' | 'unknown';

/** How a declared charset (or its absence) is decoded, see the module comment. */
export function charsetKind(label: string | null | undefined): CharsetKind {
  if (label === null || label === undefined || label.trim() === '') return 'utf-8';
  const bare = label.split('*')[0].trim().toLowerCase();
  const normalised = normaliseLabel(bare);
  if (UTF7_LABELS.has(normalised)) return 'utf-7';
  if (UTF8_LABELS.has(normalised)) return 'utf-8';
  if (ASCII_LABELS.has(normalised)) return 'ascii';
  if (normalised === 'utf7imap' || normalised === 'imaputf7') return 'unknown';
  if (textDecoderFor(bare) || iconv.encodingExists(bare) || textDecoderFor(normalised)) return 'known';
  return iconv.encodingExists(normalised) ? 'known' : 'unknown';
}

const hasNonAscii = (bytes: Uint8Array): boolean => bytes.some((byte) => byte >= 0x80);

/** Bytes that name no usable charset: UTF-8 when they are valid UTF-8, else Windows-1252. */
function decodeUnlabelled(bytes: Uint8Array): string {
  if (!hasNonAscii(bytes)) return Buffer.from(bytes).toString('latin1');
  return decodeUtf8Leniently(bytes);
}

/**
 * Decodes mail text (a body part, an encoded word, a parameter value) in its declared charset.
 * Never throws; C1 controls left by ISO-8859-1 decoders come back as the Windows-1252 characters.
 */
export function decodeMailText(bytes: Uint8Array, label: string | null | undefined): string {
  const kind = charsetKind(label);
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (kind === 'utf-8' || kind === 'ascii' || kind === 'unknown') return decodeUnlabelled(buffer);
  if (kind === 'utf-7') return iconv.decode(buffer, 'utf7');
  const bare = (label ?? '').split('*')[0].trim().toLowerCase();
  const normalised = normaliseLabel(bare);
  const decoder = textDecoderFor(bare);
  if (decoder) return restoreWindows1252(decoder.decode(buffer));
  if (iconv.encodingExists(bare)) return restoreWindows1252(iconv.decode(buffer, bare));
  const normalisedDecoder = textDecoderFor(normalised);
  if (normalisedDecoder) return restoreWindows1252(normalisedDecoder.decode(buffer));
  return restoreWindows1252(iconv.decode(buffer, normalised));
}

const ENCODED_WORD = /=\?([^?\s]+)\?([QqBb])\?([^?]*)\?=/g;
const BETWEEN_WORDS = /^[ \t\r\n]+$/;

interface EncodedWord {
  charset: string;
  encoding: string;
  bytes: Buffer[];
}

function wordBytes(encoding: string, text: string): Buffer {
  if (encoding.toUpperCase() === 'B') return Buffer.from(text.replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
  // Q: the text is a byte string (one char per byte), so raw 8-bit bytes stay the bytes they were.
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 0x3d && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c === 0x5f ? 0x20 : c & 0xff);
  }
  return Buffer.from(bytes);
}

/**
 * Rewrites a raw header value (a byte string: one char per byte, as `Buffer#toString('latin1')`
 * gives) into text in which every RFC 2047 encoded word is re-encoded as a UTF-8 base64 word of
 * what it says in its declared charset, and bytes outside encoded words are decoded as UTF-8 or
 * Windows-1252. The structure (quotes, commas, angle brackets) is left as it was, so the result can
 * still be handed to an address or parameter parser, which then decodes only UTF-8 words.
 *
 * Adjacent words in the same charset and encoding are decoded together: a multi-byte character is
 * often split across two of them.
 */
export function normaliseEncodedWords(byteString: string): string {
  let out = '';
  let pos = 0;
  const state: { pending: EncodedWord | null } = { pending: null };
  const flush = (): void => {
    if (state.pending === null) return;
    const text = decodeMailText(Buffer.concat(state.pending.bytes), state.pending.charset);
    out += `=?utf-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
    state.pending = null;
  };
  const literal = (piece: string): string => decodeUtf8Leniently(Buffer.from(piece, 'latin1'));
  ENCODED_WORD.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = ENCODED_WORD.exec(byteString)) !== null) {
    const between = byteString.slice(pos, match.index);
    const [, charset, encoding, encoded] = match;
    const current = state.pending;
    if (
      current !== null &&
      (between === '' || BETWEEN_WORDS.test(between)) &&
      current.charset.toLowerCase() === charset.toLowerCase() &&
      current.encoding.toUpperCase() === encoding.toUpperCase()
    ) {
      current.bytes.push(wordBytes(encoding, encoded));
    } else {
      flush();
      out += literal(between);
      state.pending = { charset, encoding, bytes: [wordBytes(encoding, encoded)] };
    }
    pos = match.index + match[0].length;
  }
  flush();
  return out + literal(byteString.slice(pos));
}

const LF = 0x0a;
const REWRITTEN_FIELDS = /^(content-type|content-disposition)[ \t]*:/i;
const BOUNDARY = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^\s;"]+))/i;
const MAX_BOUNDARIES = 1000;

/**
 * Rewrites the Content-Type and Content-Disposition fields of every MIME part header (and of the
 * top-level header) whose value has encoded words or raw 8-bit bytes, with normaliseEncodedWords,
 * so that the parser, which reads part headers as UTF-8 and encoded words through TextDecoder, sees
 * UTF-8 words it decodes correctly: attachment names in UTF-7, with raw Latin-1 bytes inside a word,
 * or UTF-8 under a `us-ascii` label. Part headers are found the way a MIME parser finds them: after a
 * delimiter line of a boundary declared earlier. Everything else is copied byte for byte.
 */
export function normaliseMimePartHeaders(input: Buffer): Buffer {
  const boundaries = new Set<string>();
  const out: Buffer[] = [];
  let copiedTo = 0;
  let inHeader = true;
  let fieldStart = -1;
  let pos = 0;
  const finishField = (end: number): void => {
    if (fieldStart < 0) return;
    const field = input.subarray(fieldStart, end);
    const text = field.toString('latin1');
    const start = fieldStart;
    fieldStart = -1;
    const name = REWRITTEN_FIELDS.exec(text);
    if (!name) return;
    const boundary = BOUNDARY.exec(text.replace(/\r?\n/g, ''));
    if (boundary && boundaries.size < MAX_BOUNDARIES) boundaries.add(boundary[1] ?? boundary[2]);
    if (!text.includes('=?') && !field.some((byte) => byte >= 0x80)) return;
    out.push(input.subarray(copiedTo, start), Buffer.from(normaliseEncodedWords(text), 'utf8'));
    copiedTo = end;
  };
  while (pos < input.length) {
    const lf = input.indexOf(LF, pos);
    const next = lf < 0 ? input.length : lf + 1;
    if (inHeader) {
      const first = input[pos];
      const blank = first === LF || (first === 0x0d && input[pos + 1] === LF);
      if (blank) {
        finishField(pos);
        inHeader = false;
      } else if (first !== 0x20 && first !== 0x09) {
        finishField(pos);
        fieldStart = pos;
      }
    } else if (input[pos] === 0x2d && input[pos + 1] === 0x2d && boundaries.size > 0) {
      const line = input
        .subarray(pos + 2, next)
        .toString('latin1')
        .replace(/[ \t\r\n]+$/, '');
      if (boundaries.has(line)) inHeader = true;
    }
    pos = next;
  }
  finishField(input.length);
  if (out.length === 0) return input;
  out.push(input.subarray(copiedTo));
  return Buffer.concat(out);
}
