import PostalMime from 'postal-mime';
import { parseAddressList, parseReturnPath } from './email-address';

/**
 * What kind of message this is, for loop prevention (RFC 3834). Only `personal` mail may open a
 * conversation or be acknowledged; everything else was sent by a machine or to many people.
 * - `personal`: written by a person to the desk
 * - `auto-reply`: out-of-office and other automatic responses, read receipts, bulk/junk precedence
 * - `list`: mailing-list and newsletter traffic
 * - `bounce`: a delivery-status report (RFC 3464) or an MTA's non-standard bounce
 * - `abuse-report`: a feedback report (ARF, RFC 5965), e.g. a reader marked desk mail as spam
 */
export type EmailCategory = 'personal' | 'auto-reply' | 'list' | 'bounce' | 'abuse-report';

export interface Classification {
  category: EmailCategory;
  /** The signal that decided, for logs and support ("auto-submitted: auto-replied", "list-id header"). */
  reason: string;
}

export interface ClassificationInput {
  /** Top-level header fields, lower-case keys, values unfolded (encoded words may be left encoded). */
  headers: ReadonlyArray<{ key: string; value: string }>;
  /** Lower-case content types of the parts of the message (attachments included). */
  partTypes?: readonly string[];
  /** The decoded subject; decoded from the headers when not given. */
  subject?: string | null;
}

// MTAs that send bounces without a delivery-status part identify themselves by these local parts…
const DAEMON = /^(?:mailer[-_]?daemon|mail[-_]daemon|postmaster)$/i;
// …and by subjects like these (English, German, French, Spanish, Dutch, Italian).
const BOUNCE_SUBJECT =
  /\b(?:undeliver(?:ed|able)|delivery status notification|delivery (?:has )?fail(?:ed|ure)|delivery problem|returned mail|mail delivery (?:failed|failure)|failure notice|returning (?:message )?to sender|mail failed|non[- ]?delivery|delayed mail|could not be delivered|unzustellbar|nicht zustellbar|non remis|non distribuable|no se puede entregar|onbestelbaar|mancato recapito)/i;
const AUTO_REPLY_SUBJECT =
  /^\s*(?:auto(?:matic)?[- ]?(?:reply|response|respons|answer)|autoreply|out of (?:the )?office|abwesenheit(?:snotiz)?|automatische antwort|r[ée]ponse automatique|absence|respuesta autom[aá]tica|fuera de la oficina|automatisch antwoord|afwezig|risposta automatica|resposta autom[aá]tica)\b/i;
const LIST_HEADERS = [
  'list-id',
  'list-unsubscribe',
  'list-post',
  'list-help',
  'list-subscribe',
  'list-owner',
  'list-archive',
  'mailing-list',
  'x-mailman-version',
];
const NEGATIVE = /^(?:no|false|0)$/i;

const token = (value: string): string =>
  value
    .split(/[;(\s]/)[0]
    .trim()
    .toLowerCase();

/**
 * Decides whether a message is personal mail or machine/bulk traffic. Structural reports come
 * first (a delivery-status or feedback report says exactly what it is), then MTA bounces without a
 * report part, then RFC 3834 auto-reply signals, then mailing-list headers, then bulk precedence.
 *
 * Out-of-office subjects ("Automatic reply:", "Abwesenheitsnotiz", …) and weak headers
 * (X-Auto-Response-Suppress, X-MS-Exchange-Inbox-Rules-Loop, X-Apple-Action, a null Return-Path)
 * only count in pairs: a reader who writes "Auto reply broken?" still reaches the desk.
 */
export function classifyEmail(input: ClassificationInput): Classification {
  const values = (key: string): string[] => input.headers.filter((h) => h.key === key).map((h) => h.value);
  const first = (key: string): string | null => values(key)[0] ?? null;
  const has = (key: string): boolean => input.headers.some((h) => h.key === key);

  const contentType = first('content-type') ?? '';
  const reportType = /report-type\s*=\s*"?([a-z0-9-]+)/i.exec(contentType)?.[1]?.toLowerCase() ?? null;
  const types = new Set([token(contentType), ...(input.partTypes ?? []).map((type) => type.toLowerCase())]);
  const subject = input.subject ?? PostalMime.decodeWords(first('subject') ?? '');
  const fromAddress = parseAddressList(first('from'))[0]?.address ?? '';
  const fromLocal = fromAddress.slice(0, Math.max(0, fromAddress.lastIndexOf('@'))) || fromAddress;

  if (
    reportType === 'delivery-status' ||
    types.has('message/delivery-status') ||
    types.has('message/global-delivery-status')
  ) {
    return { category: 'bounce', reason: 'delivery-status report' };
  }
  if (reportType === 'feedback-report' || types.has('message/feedback-report')) {
    return { category: 'abuse-report', reason: 'feedback report (ARF)' };
  }
  if (has('x-failed-recipients')) return { category: 'bounce', reason: 'x-failed-recipients header' };
  if (DAEMON.test(fromLocal) && BOUNCE_SUBJECT.test(subject)) {
    return { category: 'bounce', reason: `bounce subject from ${fromLocal.toLowerCase()}` };
  }

  const autoSubmitted = first('auto-submitted');
  if (autoSubmitted !== null && token(autoSubmitted) !== 'no') {
    return { category: 'auto-reply', reason: `auto-submitted: ${token(autoSubmitted)}` };
  }
  for (const key of ['x-autoreply', 'x-autorespond', 'x-autoresponder']) {
    const value = first(key);
    if (value !== null && !NEGATIVE.test(value.trim())) return { category: 'auto-reply', reason: `${key} header` };
  }
  const precedence = token(first('precedence') ?? '');
  if (precedence === 'auto_reply') return { category: 'auto-reply', reason: 'precedence: auto_reply' };
  if (reportType === 'disposition-notification' || types.has('message/disposition-notification')) {
    return { category: 'auto-reply', reason: 'read receipt (disposition notification)' };
  }
  const weakHeaders = [
    has('x-auto-response-suppress') && 'x-auto-response-suppress',
    has('x-ms-exchange-inbox-rules-loop') && 'x-ms-exchange-inbox-rules-loop',
    has('x-apple-action') && 'x-apple-action',
    parseReturnPath(first('return-path')) === '' && 'null return-path',
  ].filter((signal): signal is string => typeof signal === 'string');
  if (AUTO_REPLY_SUBJECT.test(subject) && weakHeaders.length > 0) {
    return { category: 'auto-reply', reason: `auto-reply subject with ${weakHeaders[0]}` };
  }
  if (weakHeaders.length >= 2) return { category: 'auto-reply', reason: weakHeaders.join(' + ') };

  const listHeader = LIST_HEADERS.find(has);
  if (listHeader) return { category: 'list', reason: `${listHeader} header` };
  if (precedence === 'list') return { category: 'list', reason: 'precedence: list' };
  if (precedence === 'bulk' || precedence === 'junk') {
    return { category: 'auto-reply', reason: `precedence: ${precedence}` };
  }
  return { category: 'personal', reason: 'no automatic or bulk signal' };
}
