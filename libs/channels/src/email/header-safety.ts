/**
 * Outbound header hygiene. Reply subjects and names come from readers, so anything that could end a
 * header line (CR, LF, NUL, NEL, the Unicode line and paragraph separators, other controls) must be
 * gone before a value reaches a header, whatever the mailer library below does.
 */

const LINE_BREAKING = /[\p{Cc}\u2028\u2029]+/gu;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// What a mailbox address may contain here: no whitespace, controls, brackets, quotes or separators.
// Deliberately narrower than RFC 5321 (no quoted local parts), since the desk only writes to
// addresses it received mail from or staff typed in.
const ADDRESS = /^[^\s@<>()[\]\\,;:"\p{Cc}]+@[^\s@<>()[\]\\,;:"\p{Cc}]+$/u;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
// Leaves room for "=?UTF-8?B?" + "?=" within the 75 characters RFC 2047 allows for an encoded word.
const MAX_ENCODED_BYTES = 45;

export class UnsafeAddressError extends Error {
  readonly code = 'unsafe_address';

  constructor(address: string) {
    super(`Not a mailbox address the desk will write into a header: ${JSON.stringify(address.slice(0, 100))}`);
    this.name = 'UnsafeAddressError';
  }
}

/**
 * A single-line header value: controls and line separators become spaces, runs of spaces collapse,
 * broken UTF-16 is replaced, and the result is trimmed and optionally cut to `maxLength` characters.
 */
export function sanitiseHeaderValue(value: string, maxLength?: number): string {
  const clean = value.replace(LINE_BREAKING, ' ').replace(LONE_SURROGATE, '\uFFFD').replace(/ {2,}/g, ' ').trim();
  if (maxLength === undefined) return clean;
  const characters = [...clean];
  return characters.length <= maxLength ? clean : characters.slice(0, maxLength).join('').trimEnd();
}

function encodeWords(text: string): string {
  const words: string[] = [];
  let chunk: Buffer[] = [];
  let size = 0;
  const flush = (): void => {
    if (size === 0) return;
    words.push(`=?UTF-8?B?${Buffer.concat(chunk).toString('base64')}?=`);
    chunk = [];
    size = 0;
  };
  // Split between code points, never inside one, so that each encoded word decodes on its own.
  for (const character of text) {
    const bytes = Buffer.from(character, 'utf8');
    if (size + bytes.length > MAX_ENCODED_BYTES) flush();
    chunk.push(bytes);
    size += bytes.length;
  }
  flush();
  return words.join(' ');
}

/** A display name as it may stand in an address header: quoted ASCII, or RFC 2047 encoded words. */
export function encodeDisplayName(name: string): string {
  const clean = sanitiseHeaderValue(name);
  if (clean === '') return '';
  if (PRINTABLE_ASCII.test(clean)) return `"${clean.replace(/(["\\])/g, '\\$1')}"`;
  return encodeWords(clean);
}

/**
 * `"Name" <address>` (or just the address when there is no name), safe to put in From, To, Cc or
 * Reply-To. Throws UnsafeAddressError for an address that would need quoting or could break the header.
 */
export function formatMailbox(mailbox: { name?: string | null; address: string }): string {
  // Only spaces and tabs are trimmed: String.trim would also remove U+2028 and friends, and an
  // address that carries them is refused rather than quietly repaired.
  const address = mailbox.address.replace(/^[ \t]+|[ \t]+$/g, '');
  if (!ADDRESS.test(address)) throw new UnsafeAddressError(mailbox.address);
  const name = encodeDisplayName(mailbox.name ?? '');
  return name === '' ? address : `${name} <${address}>`;
}
