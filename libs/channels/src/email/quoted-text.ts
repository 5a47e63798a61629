/** A plain-text body split into what the sender wrote now and what they quoted. */
export interface QuotedTextSplit {
  /**
   * The new part: the text before the quoted history and before the signature, trimmed. '' when the
   * message holds nothing but quoted history; show the full text then.
   */
  newText: string;
  /** The quoted history, from its first line (attribution, separator or `>` block) to the end; '' if none. */
  quotedText: string;
  /** The signature of the new part (after a `-- ` line), without the delimiter; '' if none. */
  signature: string;
}

// Attribution lines ("On … wrote:") per language, each anchored at both ends so one test per line
// is linear. Gmail and others wrap long attributions, so a line that starts like one is also tried
// joined with the next one or two lines.
const ATTRIBUTIONS: readonly RegExp[] = [
  /^On\s.+\swrote:$/i, // English
  /^Am\s.+\sschrieb.*:$/i, // German
  /^Le\s.+\sa\s+écrit\s*:$/i, // French
  /^El\s.+\sescribió\s*:$/i, // Spanish
  /^Op\s.+\sschreef.*:$/i, // Dutch
  /^Il\s.+\sha\s+scritto\s*:$/i, // Italian
  /^Em\s.+\sescreveu\s*:$/i, // Portuguese
  /^Den\s.+\sskrev.*:$/i, // Swedish, Danish, Norwegian
  /^W\s+dniu\s.+\snapisał(?:a|\(a\))?\s*:$/i, // Polish
];
const ATTRIBUTION_START = /^(?:On|Am|Le|El|Op|Il|Em|Den|W\s+dniu)\s/i;

// Outlook's separator line, in the languages of the attributions above.
const ORIGINAL_MESSAGE =
  /^-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|Oorspronkelijk bericht|Messaggio originale|Mensagem original|Ursprungligt meddelande|Oprindelig meddelelse|Opprinnelig melding|Wiadomość oryginalna)\s*-{2,}$/i;
// Outlook's header block: "From: …" followed closely by "Sent: …" (or Date), optionally bolded
// with asterisks in the plain-text version.
const FROM_LINE = /^\*?(?:From|Von|De|Van|Da|Från|Fra|Od)\s*:\*?\s*\S/i;
const SENT_LINE =
  /^\*?(?:Sent|Date|Gesendet|Datum|Envoyé|Enviado(?:\s+el)?|Fecha|Verzonden|Inviato|Data|Skickat|Sendt|Wysłano)\s*:/i;
const UNDERSCORES = /^_{20,}$/;
const SIGNATURE_DELIMITER = /^-- ?$/;
// Markers are short; testing longer lines would only spend time on pasted data.
const MAX_MARKER_LINE = 400;

const isQuoted = (line: string): boolean => /^\s*>/.test(line);
const isBlank = (line: string): boolean => line.trim() === '';

function isAttribution(lines: readonly string[], i: number): boolean {
  const first = lines[i].trim();
  if (!ATTRIBUTION_START.test(first)) return false;
  let joined = first;
  for (let extra = 0; extra <= 2; extra += 1) {
    if (extra > 0) {
      const next = lines[i + extra];
      if (next === undefined || isBlank(next) || next.length > MAX_MARKER_LINE) return false;
      joined = `${joined} ${next.trim()}`;
    }
    if (ATTRIBUTIONS.some((pattern) => pattern.test(joined))) return true;
  }
  return false;
}

function isOutlookHeader(lines: readonly string[], i: number): boolean {
  if (!FROM_LINE.test(lines[i].trim())) return false;
  for (let j = i + 1; j <= i + 4 && j < lines.length; j += 1) {
    if (SENT_LINE.test(lines[j].trim())) return true;
  }
  return false;
}

function previousNonBlank(lines: readonly string[], i: number): number {
  let j = i - 1;
  while (j >= 0 && isBlank(lines[j])) j -= 1;
  return j;
}

function historyStart(lines: readonly string[]): number {
  let lastUnquoted = -1;
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    if (!isBlank(lines[i]) && !isQuoted(lines[i])) {
      lastUnquoted = i;
      break;
    }
  }
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    if (line.length <= MAX_MARKER_LINE) {
      if (ORIGINAL_MESSAGE.test(line.trim()) || isAttribution(lines, i)) return i;
      if (isOutlookHeader(lines, i)) {
        const before = previousNonBlank(lines, i);
        return before >= 0 && UNDERSCORES.test(lines[before].trim()) ? before : i;
      }
    }
    // A `>` block counts as history only when nothing unquoted follows it: interleaved answers
    // ("> question / answer / > question / answer") are the sender's new text.
    if (i > lastUnquoted && isQuoted(line)) {
      const before = previousNonBlank(lines, i);
      // An attribution in a language not listed above still ends with a colon right before the quote.
      const attribution = before >= 0 && lines[before].trimEnd().endsWith(':') && lines[before].length <= 300;
      return attribution ? before : i;
    }
  }
  return lines.length;
}

/**
 * Splits a plain-text body into the new part, the signature and the quoted history: `>` blocks at
 * the end, "On … wrote:" attributions in English, German, French, Spanish, Dutch, Italian,
 * Portuguese, the Scandinavian languages and Polish, Outlook's "-----Original Message-----"
 * separator and "From: … Sent: …" header blocks. The caller keeps the full text; this only says
 * where to fold it.
 */
export function splitQuotedText(text: string): QuotedTextSplit {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const start = historyStart(lines);
  const fresh = lines.slice(0, start);
  const delimiter = fresh.findIndex((line) => SIGNATURE_DELIMITER.test(line));
  return {
    newText: (delimiter < 0 ? fresh : fresh.slice(0, delimiter)).join('\n').trim(),
    quotedText: lines.slice(start).join('\n').trim(),
    signature:
      delimiter < 0
        ? ''
        : fresh
            .slice(delimiter + 1)
            .join('\n')
            .trim(),
  };
}
