import { decode } from 'html-entities';

// Browsers also accept these without the semicolon; for any other name it is required, so that a
// URL such as `?a=1&copy=2` is not rewritten.
const WITHOUT_SEMICOLON = new Set(['amp', 'lt', 'gt', 'quot', 'nbsp']);

const ENTITY = /&(?:#(\d{1,8})|#[xX]([0-9a-fA-F]{1,7})|([a-zA-Z][a-zA-Z0-9]{1,31}))(;?)/g;

function fromCodePoint(code: number): string {
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\uFFFD';
  return String.fromCodePoint(code);
}

/** One named reference (`&name;`) by HTML5's table (html-entities), or undefined when HTML has no such name. */
function named(name: string): string | undefined {
  const reference = `&${name};`;
  const value = decode(reference, { level: 'html5' });
  return value === reference ? undefined : value;
}

/**
 * Decodes character references: numeric ones always (here, because html-entities gives a lone
 * surrogate for `&#xD800;` where HTML says U+FFFD), named ones by HTML5's whole table.
 */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (whole, decimal?: string, hex?: string, name?: string, semicolon?: string) => {
    if (decimal !== undefined) return fromCodePoint(Number(decimal));
    if (hex !== undefined) return fromCodePoint(parseInt(hex, 16));
    const value = name === undefined ? undefined : named(name);
    if (value === undefined || name === undefined) return whole;
    return semicolon || WITHOUT_SEMICOLON.has(name) ? value : whole;
  });
}

// Elements whose content is not text a reader wrote.
const SKIP_CONTENT = new Set(['script', 'style', 'head', 'title', 'template', 'noscript', 'xml']);
const PARAGRAPH = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'ul', 'ol', 'table', 'pre', 'dl']);
const LINE = new Set([
  'div',
  'tr',
  'dt',
  'dd',
  'hr',
  'section',
  'article',
  'header',
  'footer',
  'address',
  'form',
  'fieldset',
  'figure',
  'center',
  'body',
  'html',
  'caption',
  'tbody',
  'thead',
  'tfoot',
]);
const CELL = new Set(['td', 'th']);
const TAG_NAME = /<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)/y;

/**
 * Plain text from an HTML body, for search and previews: tags removed, entities decoded, block
 * elements and `<br>` turned into line breaks, scripts, styles and the head dropped.
 *
 * The scanner runs in linear time on hostile input: a tag ends at the first `>` (a `>` inside a
 * quoted attribute value ends it early, which only leaves attribute text behind), and nothing is
 * searched for twice.
 */
export function htmlToText(html: string): string {
  const out: string[] = [];
  let preDepth = 0;
  let afterSpace = true;
  let newlines = 0;
  let i = 0;
  const push = (piece: string): void => {
    if (piece === '') return;
    out.push(piece);
    afterSpace = piece.endsWith('\n') || piece.endsWith(' ');
    let trailing = 0;
    while (trailing < piece.length && piece[piece.length - 1 - trailing] === '\n') trailing += 1;
    newlines = trailing === piece.length ? newlines + trailing : trailing;
  };
  // Block boundaries need a line (or paragraph) break, not one per closing and opening tag.
  const breakTo = (count: number): void => push('\n'.repeat(Math.max(0, count - newlines)));
  const text = (segment: string): void => {
    let spaced = preDepth > 0 ? segment.replace(/\r\n?/g, '\n') : segment.replace(/[ \t\r\n\f]+/g, ' ');
    // Source indentation after a line break or a space is not text; preformatted indentation is.
    if (afterSpace && preDepth === 0) spaced = spaced.replace(/^ /, '');
    push(decodeEntities(spaced).replace(/\u00a0/g, ' '));
  };
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      text(html.slice(i));
      break;
    }
    text(html.slice(i, lt));
    if (html.startsWith('<!--', lt)) {
      const close = html.indexOf('-->', lt + 4);
      i = close < 0 ? html.length : close + 3;
      continue;
    }
    if (html[lt + 1] === '!' || html[lt + 1] === '?') {
      const close = html.indexOf('>', lt + 2);
      i = close < 0 ? html.length : close + 1;
      continue;
    }
    TAG_NAME.lastIndex = lt;
    const tag = TAG_NAME.exec(html);
    if (!tag) {
      text('<');
      i = lt + 1;
      continue;
    }
    const close = html.indexOf('>', TAG_NAME.lastIndex);
    i = close < 0 ? html.length : close + 1;
    const closing = tag[1] === '/';
    const name = tag[2].toLowerCase();
    if (!closing && SKIP_CONTENT.has(name) && html[i - 2] !== '/') {
      const end = new RegExp(`</${name}[\\s/>]`, 'gi');
      end.lastIndex = i;
      const found = end.exec(html);
      const after = found ? html.indexOf('>', found.index) : -1;
      i = after < 0 ? html.length : after + 1;
      continue;
    }
    if (name === 'br') push('\n');
    else if (name === 'pre') {
      preDepth = Math.max(0, preDepth + (closing ? -1 : 1));
      breakTo(2);
    } else if (PARAGRAPH.has(name)) breakTo(2);
    else if (name === 'li') {
      if (!closing) {
        breakTo(1);
        push('- ');
      }
    } else if (LINE.has(name)) breakTo(1);
    else if (CELL.has(name) && !closing && !afterSpace) push(' ');
  }
  return out
    .join('')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
