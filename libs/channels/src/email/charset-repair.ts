import { types } from 'node:util';
import { decodeUtf8Leniently, isWellFormedUtf8 } from './lenient-decoder';

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

const UTF8_LABELS = new Set([
  'utf-8',
  'utf8',
  'unicode-1-1-utf-8',
  'unicode11utf8',
  'unicode20utf8',
  'x-unicode20utf8',
]);
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

/**
 * Re-decodes the text parts that postal-mime decoded as UTF-8 although their bytes are not UTF-8,
 * with the lenient decoder (valid UTF-8 stays, other bytes read as Windows-1252), and puts the result
 * into `body` in place of the damaged text. Returns how many parts were repaired.
 */
export function repairMisdecodedText(parser: unknown, body: { text?: string; html?: string }): number {
  if (!isObject(parser)) return 0;
  let repaired = 0;
  for (const node of textLeaves(parser.root)) {
    const charset = node.contentType?.parsed?.params?.charset;
    if (charset !== undefined && !(typeof charset === 'string' && UTF8_LABELS.has(charset.trim().toLowerCase()))) {
      continue;
    }
    // Not `instanceof`: the parser may hand out buffers of another realm (as under Jest).
    if (!types.isArrayBuffer(node.content) || typeof node.getTextContent !== 'function') continue;
    const damaged: unknown = node.getTextContent.call(node);
    if (typeof damaged !== 'string' || !damaged.includes('\uFFFD')) continue;
    const bytes = new Uint8Array(node.content);
    if (isWellFormedUtf8(bytes)) continue;
    let text = decodeUtf8Leniently(bytes);
    const params = node.contentType?.parsed?.params ?? {};
    if (typeof params.format === 'string' && /^flowed$/i.test(params.format)) {
      if (typeof node.decodeFlowedText !== 'function') continue;
      const delSp = typeof params.delsp === 'string' && /^yes$/i.test(params.delsp);
      const flowed: unknown = node.decodeFlowedText.call(node, text, delSp);
      if (typeof flowed !== 'string') continue;
      text = flowed;
    }
    const before = `${body.text ?? ''}\u0000${body.html ?? ''}`;
    body.text = replaceOnce(body.text, damaged, text);
    body.html = replaceOnce(body.html, damaged, text);
    if (`${body.text ?? ''}\u0000${body.html ?? ''}` !== before) repaired += 1;
  }
  return repaired;
}
