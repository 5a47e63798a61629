import { randomUUID } from 'node:crypto';
import { sanitiseHeaderValue } from './header-safety';
import { normaliseMessageId } from './thread-references';

/** What `data.email` holds on an outbound message once it has been handed to the mail server. */
export interface OutboundEmailRecord {
  messageId: string;
  from: { name: string; address: string };
  to: Array<{ name: string; address: string }>;
  subject: string;
  inReplyTo: string | null;
  references: string[];
  /** The mail server's final answer, e.g. `250 2.0.0 Ok: queued as 4F1A`. */
  response: string | null;
}

// Long enough for any real subject; a reader's 2 000-character subject line is not worth carrying back.
const MAX_SUBJECT_CHARACTERS = 200;
// The root of the thread and the most recent ids: all that threading needs (RFC 5322 3.6.4 allows the cut).
const MAX_REFERENCES = 20;
// Reply prefixes in the languages a library's readers write in most, possibly repeated or counted ("Re[2]:").
const REPLY_PREFIX = /^(?:(?:re|aw|sv|vs|antw)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*)+/i;

/**
 * The Message-ID of a message the desk sends from `address`: a fresh UUID on the inbox's own
 * domain, so replies that quote it find their way back to this inbox.
 */
export function outboundMessageId(address: string): string {
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase() || 'readerdesk.invalid';
  return `<${randomUUID()}@${domain}>`;
}

/**
 * `Re: <subject> [#<number>]`: one "Re:", whatever prefixes the reader's client stacked up, and the
 * conversation's token once, at the end, whether or not the subject already carried it. Safe for a
 * header whatever the stored subject contains (control characters and line breaks become spaces).
 */
export function replySubject(subject: string | null | undefined, number: number): string {
  const token = new RegExp(`\\[\\s*#\\s*0*${number}\\s*\\]`, 'gi');
  const withoutToken = sanitiseHeaderValue(sanitiseHeaderValue(subject ?? '').replace(token, ' '));
  const base = sanitiseHeaderValue(withoutToken.replace(REPLY_PREFIX, ''), MAX_SUBJECT_CHARACTERS);
  return `Re: ${base || 'your question'} [#${number}]`;
}

/**
 * The References of a reply: the thread's Message-IDs in order, without duplicates or anything
 * that is not a Message-ID, cut to the first (the thread root) and the most recent ones.
 */
export function referencesFor(ids: ReadonlyArray<string | null | undefined>): string[] {
  const unique = [...new Set(ids.map((id) => normaliseMessageId(id)).filter((id): id is string => id !== null))];
  if (unique.length <= MAX_REFERENCES) return unique;
  return [unique[0], ...unique.slice(unique.length - (MAX_REFERENCES - 1))];
}

/** The body of a reply: the agent's text, then the inbox's signature after the usual "-- " separator. */
export function withSignature(text: string, signature: string | null | undefined): string {
  const body = text.replace(/\r\n?/g, '\n').trimEnd();
  const sig = (signature ?? '').replace(/\r\n?/g, '\n').trim();
  return sig ? `${body}\n\n-- \n${sig}\n` : `${body}\n`;
}

/** What the acknowledgement of a new conversation says (its subject is the usual reply subject). */
export function acknowledgementText(number: number): string {
  return [
    `We received your question — reference #${number}.`,
    '',
    'A member of staff will answer you by email. If you write to us again about the same question,',
    `please reply to this message or keep [#${number}] in the subject.`,
  ].join('\n');
}

/** Why a send failed, and whether trying the same message again could succeed. */
export interface SmtpFailure {
  permanent: boolean;
  message: string;
}

// Without a server reply, these say the configuration or the message is at fault, not the network.
const PERMANENT_WITHOUT_REPLY = new Set(['ECONFIG', 'ENOAUTH', 'EENVELOPE', 'EAUTH', 'EMAXRECIPIENTS']);

/**
 * Sorts a nodemailer error: a 5xx answer (except 503, a sequencing hiccup) is a refusal the server
 * would repeat; a 4xx answer, a refused connection, a timeout or a dropped socket may pass later.
 */
export function describeSmtpFailure(error: unknown): SmtpFailure {
  const e = (error ?? {}) as { message?: string; code?: string; responseCode?: number; permanent?: boolean };
  const message = sanitiseHeaderValue(String(e.message ?? error), 1000) || 'unknown error';
  if (typeof e.permanent === 'boolean') return { permanent: e.permanent, message };
  if (typeof e.responseCode === 'number') {
    return { permanent: e.responseCode >= 500 && e.responseCode !== 503, message };
  }
  return { permanent: PERMANENT_WITHOUT_REPLY.has(e.code ?? ''), message };
}
