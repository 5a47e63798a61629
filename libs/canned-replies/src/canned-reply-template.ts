import { PLACEHOLDERS, type Placeholder } from '@readerdesk/contracts';

/**
 * Placeholders of a canned reply, filled for one conversation. The text is plain text, and so is
 * every value: nothing is escaped or interpreted as markup (the console shows it as text, email
 * sends it as text/plain). One pass over the text with a fixed allow-list, rather than a template
 * engine: Mustache and Handlebars escape for HTML (wrong for plain text), carry logic, partials and
 * helpers a library's saved answers have no use for, and cannot say which tags they did not know.
 * A value is never read again, so a reader named "{{agent.name}}" stays just that.
 */
export { PLACEHOLDERS, type Placeholder };

/** `{{name}}`, spaces inside the braces allowed; a tag spans one line and at most 64 characters. */
const TAG = /\{\{\s*([^{}\r\n]{1,64}?)\s*\}\}/g;
const KNOWN = new Set<string>(PLACEHOLDERS);

export interface RenderFacts {
  reader: { displayName: string | null };
  agent: { displayName: string | null };
  conversation: { number: number };
  library: { name: string };
}

export interface RenderedReply {
  text: string;
  /** Tags that are not placeholders, left as written (a typo such as `{{reader.firstname}}`). */
  unknown: string[];
  /** Placeholders this conversation has no value for (a reader without a name), left as written. */
  missing: Placeholder[];
}

/** One line, spaces collapsed: a name as a sentence can take it. */
function clean(value: string | null | undefined): string | null {
  const text = (value ?? '')
    .replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text || null;
}

/** The first word of a name: "Maria Gonzalez" → "Maria". */
export function firstName(name: string | null | undefined): string | null {
  return clean(name)?.split(' ')[0] ?? null;
}

export function placeholderValues(facts: RenderFacts): Record<Placeholder, string | null> {
  return {
    'reader.first_name': firstName(facts.reader.displayName),
    'reader.name': clean(facts.reader.displayName),
    'agent.name': clean(facts.agent.displayName),
    'agent.first_name': firstName(facts.agent.displayName),
    // As readers see it in email subjects ([#1234]) and acknowledgements ("reference #1234").
    'conversation.reference': `#${facts.conversation.number}`,
    'library.name': clean(facts.library.name),
  };
}

/** The tags in `text` that are not placeholders, each once, in order of appearance. */
export function unknownPlaceholders(text: string): string[] {
  const unknown = new Set<string>();
  for (const match of text.matchAll(TAG)) {
    const name = match[1].trim();
    if (name && !KNOWN.has(name.toLowerCase())) unknown.add(name);
  }
  return [...unknown];
}

export function renderCannedReply(text: string, facts: RenderFacts): RenderedReply {
  const values = placeholderValues(facts);
  const unknown = new Set<string>();
  const missing = new Set<Placeholder>();
  const rendered = text.replace(TAG, (tag, raw: string) => {
    const name = raw.trim().toLowerCase();
    if (!name) return tag;
    if (!KNOWN.has(name)) {
      unknown.add(raw.trim());
      return tag;
    }
    const value = values[name as Placeholder];
    if (value === null) {
      missing.add(name as Placeholder);
      return tag;
    }
    return value;
  });
  return { text: rendered, unknown: [...unknown], missing: [...missing] };
}
