import { types } from 'node:util';
import { isWellFormedUtf8 } from './lenient-decoder';
import { charsetKind, decodeMailText, isDecoderLabel } from './mail-charset';

/*
 * postal-mime decodes each text part with the charset it declares; an unknown label falls back to
 * Windows-1252, but a wrong one ("utf-8" on Latin-1 bytes, or no label on 8-bit text) turns every
 * non-ASCII letter into U+FFFD. The bytes are then only reachable through the parser's MIME tree,
 * which its type declarations leave out, so this reads the tree through the narrow shape below and
 * does nothing when a future version looks different.
 */

interface MimeNodeShape {
  childNodes?: unknown;
  content?: unknown;
  contentType?: { parsed?: { value?: unknown; params?: Record<string, unknown> } };
  contentDisposition?: { parsed?: { value?: unknown } };
  getTextContent?: unknown;
  decodeFlowedText?: unknown;
}

// Deeper trees are refused by the parser itself (maxNestingDepth); this only bounds the walk.
const MAX_NODES = 10_000;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

function textLeaves(root: unknown): MimeNodeShape[] {
  const leaves: MimeNodeShape[] = [];
  const stack: unknown[] = [root];
  let visited = 0;
  while (stack.length > 0 && visited < MAX_NODES) {
    const node = stack.pop();
    visited += 1;
    if (!isObject(node)) continue;
    const shape = node as MimeNodeShape;
    if (Array.isArray(shape.childNodes) && shape.childNodes.length > 0) {
      for (let i = shape.childNodes.length - 1; i >= 0; i -= 1) stack.push(shape.childNodes[i]);
      continue;
    }
    const type = shape.contentType?.parsed?.value;
    if ((type === 'text/plain' || type === 'text/html') && shape.contentDisposition?.parsed?.value !== 'attachment') {
      leaves.push(shape);
    }
  }
  return leaves;
}

function replaceOnce(haystack: string | undefined, needle: string, replacement: string): string | undefined {
  if (haystack === undefined) return undefined;
  const at = haystack.indexOf(needle);
  return at < 0 ? haystack : haystack.slice(0, at) + replacement + haystack.slice(at + needle.length);
}

/** How many text parts were re-decoded: `repaired` of them declared (or defaulted to) UTF-8 and were not. */
export interface CharsetRepairResult {
  repaired: number;
  redecoded: number;
}

/**
 * Re-decodes the text parts that postal-mime decoded wrongly, with decodeMailText, and puts the
 * result into `body` in place of the damaged text:
 * - parts declared (or defaulting to) UTF-8 whose bytes are not UTF-8 (valid UTF-8 stays, other
 *   bytes read as Windows-1252), counted as `repaired`;
 * - UTF-7 parts, which postal-mime leaves encoded (`+APw-ber`);
 * - `us-ascii` and unknown labels whose bytes are valid UTF-8, which it reads as Windows-1252;
 * - labels TextDecoder does not know but iconv-lite does (the DOS code pages).
 */
export function repairMisdecodedText(parser: unknown, body: { text?: string; html?: string }): CharsetRepairResult {
  const result: CharsetRepairResult = { repaired: 0, redecoded: 0 };
  if (!isObject(parser)) return result;
  for (const node of textLeaves(parser.root)) {
    const charset = node.contentType?.parsed?.params?.charset;
    const label = typeof charset === 'string' ? charset : undefined;
    // Not `instanceof`: the parser may hand out buffers of another realm (as under Jest).
    if (!types.isArrayBuffer(node.content) || typeof node.getTextContent !== 'function') continue;
    const bytes = new Uint8Array(node.content);
    const kind = charsetKind(label);
    if (kind === 'known' && typeof charset === 'string' && isDecoderLabel(charset)) continue;
    if ((kind === 'ascii' || kind === 'unknown' || kind === 'known') && !bytes.some((byte) => byte >= 0x80)) continue;
    const damaged: unknown = node.getTextContent.call(node);
    if (typeof damaged !== 'string') continue;
    const invalidUtf8 = kind === 'utf-8';
    if (invalidUtf8 && (!damaged.includes('\uFFFD') || isWellFormedUtf8(bytes))) continue;
    let text = decodeMailText(bytes, label);
    const params = node.contentType?.parsed?.params ?? {};
    if (typeof params.format === 'string' && /^flowed$/i.test(params.format)) {
      if (typeof node.decodeFlowedText !== 'function') continue;
      const delSp = typeof params.delsp === 'string' && /^yes$/i.test(params.delsp);
      const flowed: unknown = node.decodeFlowedText.call(node, text, delSp);
      if (typeof flowed !== 'string') continue;
      text = flowed;
    }
    if (text === damaged) continue;
    const before = `${body.text ?? ''}\u0000${body.html ?? ''}`;
    body.text = replaceOnce(body.text, damaged, text);
    body.html = replaceOnce(body.html, damaged, text);
    if (`${body.text ?? ''}\u0000${body.html ?? ''}` !== before) {
      if (invalidUtf8) result.repaired += 1;
      else result.redecoded += 1;
    }
  }
  return result;
}
