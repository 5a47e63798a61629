import * as iconv from 'iconv-lite';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

// Windows-1252 is what mislabelled 8-bit mail nearly always is (Outlook, old webmail), and it maps
// nearly every byte to a character. iconv-lite rather than TextDecoder: Node 20's 'windows-1252'
// decoder returns C1 controls for 0x80-0x9F. The five bytes Windows-1252 leaves undefined keep their
// code point (a C1 control) instead of becoming U+FFFD, so nothing of the sender's text is lost.
const WINDOWS_1252_HIGH: readonly string[] = Array.from({ length: 128 }, (_, i) => {
  const char = iconv.decode(Buffer.from([0x80 + i]), 'windows-1252');
  return char === '\uFFFD' ? String.fromCharCode(0x80 + i) : char;
});

/**
 * Replaces C1 control characters (U+0080-U+009F) with the Windows-1252 characters of the same byte
 * values. Text never means those controls; they appear when Windows-1252 (or ISO-8859-1, which the
 * Encoding Standard reads as Windows-1252) was decoded as ISO-8859-1, as Node 20's TextDecoder does,
 * and they would otherwise hide the euro sign and Outlook's curly quotes and dashes.
 */
export function restoreWindows1252(text: string): string {
  return text.replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80]);
}

const inRange = (byte: number | undefined, low: number, high: number): boolean =>
  byte !== undefined && byte >= low && byte <= high;

/** Length of the well-formed UTF-8 sequence at `i` (Unicode table 3-7), or 0 when there is none. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i];
  if (b0 < 0x80) return 1;
  const b1 = bytes[i + 1];
  if (b0 >= 0xc2 && b0 <= 0xdf) return inRange(b1, 0x80, 0xbf) ? 2 : 0;
  let second: [number, number] | null = null;
  if (b0 === 0xe0) second = [0xa0, 0xbf];
  else if (b0 === 0xed) second = [0x80, 0x9f];
  else if (b0 >= 0xe1 && b0 <= 0xef) second = [0x80, 0xbf];
  if (second) {
    return inRange(b1, second[0], second[1]) && inRange(bytes[i + 2], 0x80, 0xbf) ? 3 : 0;
  }
  if (b0 === 0xf0) second = [0x90, 0xbf];
  else if (b0 === 0xf4) second = [0x80, 0x8f];
  else if (b0 >= 0xf1 && b0 <= 0xf3) second = [0x80, 0xbf];
  if (second) {
    return inRange(b1, second[0], second[1]) && inRange(bytes[i + 2], 0x80, 0xbf) && inRange(bytes[i + 3], 0x80, 0xbf)
      ? 4
      : 0;
  }
  return 0;
}

/**
 * Decodes bytes that claim to be UTF-8 (or claim nothing) without losing text: well-formed UTF-8
 * runs decode as UTF-8, and each byte that is not part of one decodes as Windows-1252. A message that
 * mixes a UTF-8 quote with Latin-1 typing therefore keeps both readable, where a plain decoder would
 * turn the Latin-1 letters into U+FFFD.
 */
export function decodeUtf8Leniently(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    // Not well-formed: decode run by run below.
  }
  const pieces: string[] = [];
  let runStart = 0;
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    if (i > runStart) pieces.push(utf8.decode(bytes.subarray(runStart, i)));
    pieces.push(WINDOWS_1252_HIGH[bytes[i] - 0x80]);
    i += 1;
    runStart = i;
  }
  if (i > runStart) pieces.push(utf8.decode(bytes.subarray(runStart, i)));
  return pieces.join('');
}

/** True when the bytes are well-formed UTF-8. */
export function isWellFormedUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
