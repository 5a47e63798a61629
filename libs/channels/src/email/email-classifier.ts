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
  /** The signals that decided, for logs and support ("auto-submitted: auto-replied", "list-id header"). */
  reason: string;
  /**
   * Personal mail with some automatic signals, too few to be sure (a score between
   * `SUSPECT_SCORE` and `AUTOMATIC_SCORE`): it opens no conversation by itself but is kept for staff
   * as suspected automatic mail. Always false for the other categories.
   */
  suspected: boolean;
  /** The strongest category's score: the weights of its signals added up (decisive signals count `AUTOMATIC_SCORE`). */
  score: number;
}

export interface ClassificationInput {
  /** Top-level header fields, lower-case keys, values unfolded (encoded words may be left encoded). */
  headers: ReadonlyArray<{ key: string; value: string }>;
  /** Lower-case content types of the parts of the message (attachments included). */
  partTypes?: readonly string[];
  /** The decoded subject; decoded from the headers when not given. */
  subject?: string | null;
  /** The message's plain text; only its start is read (explanations of bounces come first). */
  text?: string | null;
}

/** A score at or above this is automatic mail. */
export const AUTOMATIC_SCORE = 6;
/** A score at or above this (and below `AUTOMATIC_SCORE`) is suspected automatic mail. */
export const SUSPECT_SCORE = 4;

// How much of the text is read: bounces, notifications and complaints explain themselves first.
const TEXT_SCAN_CHARS = 4000;

// MTAs that send bounces identify themselves by these local parts and display names…
const DAEMON =
  /^(?:mailer[-_]?daemon|mail[-_]?daemon|postmaster|mail[-_]?delivery(?:[-_]?system)?|bounces?|mdaemon|nobody)$/i;
const DAEMON_NAME =
  /\b(?:mail delivery (?:sub)?system|mail administrator|mail delivery service|post office|mailer daemon)\b/i;
// …and by subjects like these. English, then German, French, Spanish, Portuguese, Italian, Dutch,
// Scandinavian, Polish, Czech, Hungarian, Turkish, Russian, Greek, Japanese, Chinese, Korean.
const BOUNCE_SUBJECT = new RegExp(
  [
    String.raw`\bundeliver(?:ed|able)\b`,
    String.raw`\bnon[- ]?deliver(?:y|able|ed)\b`,
    String.raw`\bdelivery (?:status )?notification\b`,
    String.raw`\b(?:failed|failure of|unsuccessful) (?:mail )?delivery\b`,
    String.raw`\bdelivery (?:has )?(?:fail(?:ed|ure)|problem|error|incomplete|delayed)\b`,
    String.raw`\b(?:mail|message) (?:delivery )?(?:fail(?:ed|ure)|error)\b`,
    String.raw`\bmail system error\b`,
    String.raw`\breturned (?:mail|message|to sender)\b`,
    String.raw`\bfailure notice\b`,
    String.raw`\breturning (?:message )?to sender\b`,
    String.raw`\bcould not (?:send|deliver) (?:your )?message\b`,
    String.raw`\b(?:could|can) ?not be delivered\b`,
    String.raw`\b(?:message|mail) not delivered\b`,
    String.raw`\bdelayed mail\b`,
    String.raw`\bwarning: (?:could not send|message delayed|delayed)\b`,
    String.raw`\bpermanent (?:error|failure)\b`,
    'unzustellbar',
    'nicht zustellbar',
    'zustellung (?:fehlgeschlagen|gescheitert|verz[öo]gert)',
    'nicht zugestellt',
    'non remis',
    'non distribuable',
    'non d[ée]livr[ée]',
    '[ée]chec de (?:la )?(?:remise|distribution|livraison)',
    'impossible de (?:remettre|distribuer)',
    'no se (?:puede|pudo|ha podido) entregar',
    'no entregad[oa]',
    'error de entrega',
    'mensaje no entregado',
    'n[ãa]o (?:foi )?entregue',
    'falha na entrega',
    'mancato recapito',
    'impossibile recapitare',
    'non recapitat[oa]',
    'onbestelbaar',
    'niet bezorgd',
    'kan niet worden bezorgd',
    'olevererbar',
    'kunde inte levereras',
    'ikke levere(?:t|s)',
    'kan ikke leveres',
    'toimittamaton',
    'niedostarczon',
    'nie mo[żz]na dostarczy[ćc]',
    'nedoru[čc]iteln',
    'k[ée]zbes[íi]thetetlen',
    'teslim edilemedi',
    'не доставлено',
    'недоставленное',
    'не может быть доставлено',
    'μη παραδόσιμο',
    '配信(?:不能|失敗|エラー|できません|されませんでした)',
    '配送(?:不能|失敗|エラー)',
    '不達',
    '未配達',
    '送信(?:できませんでした|失敗|エラー)',
    'エラーメール',
    'メール(?:配信|送信)?(?:不能|失敗|エラー)',
    '退信',
    '退回',
    '无法投递',
    '無法傳遞',
    '无法送达',
    '投递失败',
    '发送失败',
    '傳送失敗',
    '반송',
    '전달(?:되지 않음|실패)',
    '배달 실패',
  ].join('|'),
  'i',
);
// Lines MTAs write at the start of a bounce, in the same languages.
const BOUNCE_TEXT = new RegExp(
  [
    String.raw`this is the mail system at host`,
    String.raw`this (?:message|report) was created automatically by mail delivery software`,
    String.raw`(?:could|can) ?not be delivered to (?:one or more|the following|all) (?:of its )?recipients`,
    String.raw`your message (?:could not|cannot|can't|wasn't|was not|did not) (?:be )?(?:delivered|reach)`,
    String.raw`delivery (?:to the following recipients? (?:failed|has failed)|has failed to these recipients)`,
    String.raw`i'm sorry to have to inform you that your message could not`,
    String.raw`the following (?:addresses|recipients?) (?:had permanent fatal errors|failed)`,
    String.raw`(?:permanent|fatal) (?:error|failure)s? (?:occurred|reported)`,
    String.raw`message (?:was )?(?:not|undeliverable|could not be) delivered`,
    String.raw`delivery to the following recipients? (?:failed|was delayed|has been delayed)`,
    String.raw`could not send (?:your )?message for (?:the )?past`,
    String.raw`unable to deliver (?:your )?message`,
    String.raw`hi\. this is the qmail-send program`,
    String.raw`ihre nachricht (?:konnte|wurde) .{0,40}nicht zugestellt`,
    String.raw`konnte nicht zugestellt werden`,
    String.raw`votre message n'a pas pu [êe]tre (?:remis|d[ée]livr[ée])`,
    String.raw`n'a pas pu [êe]tre (?:remis|distribu[ée]|d[ée]livr[ée])`,
    String.raw`no se (?:ha )?pod(?:ido|ía) entregar`,
    String.raw`n[ãa]o p[ôo]de ser entregue`,
    String.raw`non [èe] stato possibile recapitare`,
    String.raw`kon niet worden (?:afgeleverd|bezorgd)`,
    '配信(?:できませんでした|に失敗|されませんでした)',
    '送信(?:できませんでした|に失敗)',
    '宛先(?:不明|のメールアドレスが見つかりません)',
    '届けることができませんでした',
    '无法(?:投递|送达)',
    '無法(?:傳遞|送達)',
    '退回',
    '전달되지 않았습니다',
    'не (?:может быть|было|удалось) достав',
  ].join('|'),
  'i',
);
// Report fields and SMTP replies a bounce quotes.
const BOUNCE_DIAGNOSTIC =
  /^(?:Final-Recipient|Diagnostic-Code|Action:\s*failed|Status:\s*[45]\.\d)|\b[45]\d\d[ -][45]\.\d{1,3}\.\d{1,3}\b|\b(?:user unknown|mailbox (?:unavailable|full|not found)|no such user|recipient address rejected|host unknown)\b/im;
const RETURNED_PART = new Set(['message/rfc822', 'message/global', 'text/rfc822-headers', 'message/rfc822-headers']);

// Provider notifications (Amazon SES through SNS, SendGrid, Mailgun, Postmark event mail) are JSON.
const JSON_BOUNCE =
  /"(?:notificationType|eventType|Type|RecordType)"\s*:\s*"(?:Bounce|HardBounce|SoftBounce)"|"event"\s*:\s*"(?:bounce|bounced|dropped|failed)"/;
const JSON_COMPLAINT =
  /"(?:notificationType|eventType|Type|RecordType)"\s*:\s*"(?:Complaint|SpamComplaint|SpamNotification)"|"event"\s*:\s*"(?:spamreport|complained)"/;
const PROVIDER_SENDER =
  /(?:^|[.@])(?:sns\.amazonaws\.com|amazonses\.com|sendgrid\.net|mailgun\.(?:org|net)|postmarkapp\.com)$/i;

// Abuse complaints without a feedback-report part (Hotmail/Outlook.com JMRP, AOL, provider desks).
const ABUSE_SENDER = /^(?:abuse|fbl|feedback(?:[-_]?loop)?|complaints?|scomp|spamreport|jmrp|arf)$/i;
const ABUSE_SUBJECT =
  /\b(?:complaint about (?:a )?message|abuse report|spam (?:complaint|report)|feedback[- ]loop|fbl report|client tos notification|email abuse|junk mail report)\b/i;
const ABUSE_TEXT =
  /\b(?:this is an? (?:e-?mail )?abuse report|this is a (?:spam|junk mail) complaint|marked (?:it |this (?:message|email) )?as (?:spam|junk)|reported (?:this message |it )?as (?:spam|junk)|feedback loop)\b/i;

const AUTO_REPLY_SUBJECT =
  /^\s*(?:auto(?:matic)?[- ]?(?:reply|response|respons|answer)|autoreply|out of (?:the )?office|abwesenheit(?:snotiz)?|automatische antwort|r[ée]ponse automatique|absence|respuesta autom[aá]tica|fuera de la oficina|automatisch antwoord|afwezig|risposta automatica|resposta autom[aá]tica|automatiskt svar|autosvar|automaattinen vastaus|odpowied[źz] automatyczna|автоответ|автоматический ответ)\b|^\s*(?:自動(?:返信|応答)|不在(?:通知|のお知らせ)|自动回复|自動回覆|자동 ?응답)/i;
// A person replying to or forwarding an automatic message: its subject is not the machine's.
const PERSONAL_PREFIX = /^\s*(?:re|fwd?|aw|wg|tr|rv|sv|vs|antw|doorst|r|i)\s*(?:\[\d+\])?\s*:/i;
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

type Scored = 'bounce' | 'abuse-report' | 'auto-reply';

class Tally {
  private readonly signals = new Map<Scored, { score: number; names: string[] }>();

  add(category: Scored, weight: number, name: string): void {
    const entry = this.signals.get(category) ?? { score: 0, names: [] };
    entry.score += weight;
    entry.names.push(name);
    this.signals.set(category, entry);
  }

  /** The strongest category, its score and the signals that made it. */
  best(only?: readonly Scored[]): { category: Scored; score: number; reason: string } | null {
    let best: { category: Scored; score: number; reason: string } | null = null;
    for (const [category, entry] of this.signals) {
      if (only && !only.includes(category)) continue;
      if (!best || entry.score > best.score) best = { category, score: entry.score, reason: entry.names.join(' + ') };
    }
    return best;
  }
}

const decided = (category: EmailCategory, reason: string): Classification => ({
  category,
  reason,
  suspected: false,
  score: AUTOMATIC_SCORE,
});

/**
 * Decides whether a message is personal mail or machine/bulk traffic. Decisive structure comes
 * first (a delivery-status or feedback report says exactly what it is; so do X-Failed-Recipients
 * and a provider's JSON bounce or complaint). Otherwise the signals are weighed together into a
 * score per category: the sender (a mail daemon, an abuse desk, a mail provider), an empty
 * Return-Path, the subject and the first lines of the text in many languages, a returned message
 * and quoted SMTP diagnostics, provider headers. `AUTOMATIC_SCORE` or more is automatic; RFC 3834
 * auto-reply headers decide on their own; then mailing-list headers and bulk precedence.
 *
 * No single weak signal is enough: a reader who writes "Auto reply broken?" or "Undeliverable:
 * my earlier mail" still reaches the desk. A score between `SUSPECT_SCORE` and `AUTOMATIC_SCORE`
 * stays personal but `suspected`, for staff to look at.
 */
export function classifyEmail(input: ClassificationInput): Classification {
  const values = (key: string): string[] => input.headers.filter((h) => h.key === key).map((h) => h.value);
  const first = (key: string): string | null => values(key)[0] ?? null;
  const has = (key: string): boolean => input.headers.some((h) => h.key === key);

  const contentType = first('content-type') ?? '';
  const reportType = /report-type\s*=\s*"?([a-z0-9-]+)/i.exec(contentType)?.[1]?.toLowerCase() ?? null;
  const types = new Set([token(contentType), ...(input.partTypes ?? []).map((type) => type.toLowerCase())]);
  const subject = input.subject ?? PostalMime.decodeWords(first('subject') ?? '');
  const text = (input.text ?? '').slice(0, TEXT_SCAN_CHARS);
  const from = parseAddressList(first('from'))[0];
  const fromAddress = from?.address ?? '';
  const fromLocal = fromAddress.slice(0, Math.max(0, fromAddress.lastIndexOf('@'))) || fromAddress;
  const fromDomain = fromAddress.slice(fromAddress.lastIndexOf('@') + 1);

  if (
    reportType === 'delivery-status' ||
    types.has('message/delivery-status') ||
    types.has('message/global-delivery-status')
  ) {
    return decided('bounce', 'delivery-status report');
  }
  if (reportType === 'feedback-report' || types.has('message/feedback-report')) {
    return decided('abuse-report', 'feedback report (ARF)');
  }
  if (has('x-failed-recipients')) return decided('bounce', 'x-failed-recipients header');
  // A notification whose body is the JSON document decides; JSON quoted inside prose only counts.
  const jsonBody = /^\s*\{/.test(text);
  if (jsonBody && JSON_BOUNCE.test(text)) return decided('bounce', 'provider bounce notification (JSON)');
  if (jsonBody && JSON_COMPLAINT.test(text)) {
    return decided('abuse-report', 'provider complaint notification (JSON)');
  }

  const tally = new Tally();
  if (JSON_BOUNCE.test(text)) tally.add('bounce', 2, 'bounce notification (JSON)');
  if (JSON_COMPLAINT.test(text)) tally.add('abuse-report', 2, 'complaint notification (JSON)');
  const machineSubject = !PERSONAL_PREFIX.test(subject);
  const nullReturnPath = parseReturnPath(first('return-path')) === '';
  if (DAEMON.test(fromLocal)) tally.add('bounce', 4, `sender ${fromLocal.toLowerCase()}`);
  else if (DAEMON_NAME.test(from?.name ?? '')) tally.add('bounce', 2, 'mail-system sender name');
  if (nullReturnPath) {
    tally.add('bounce', 3, 'null return-path');
    tally.add('auto-reply', 3, 'null return-path');
  }
  if (machineSubject && BOUNCE_SUBJECT.test(subject)) tally.add('bounce', 3, 'bounce subject');
  // A reply or forward quotes the machine's text; only the machine's own text counts.
  if (machineSubject && BOUNCE_TEXT.test(text)) tally.add('bounce', 4, 'bounce text');
  if (machineSubject && BOUNCE_DIAGNOSTIC.test(text)) tally.add('bounce', 2, 'delivery diagnostics in text');
  const returnedPart = [...types].some((type) => RETURNED_PART.has(type));
  if (returnedPart) {
    tally.add('bounce', 1, 'returned message');
    tally.add('abuse-report', 1, 'returned message');
  }
  if (PROVIDER_SENDER.test(fromDomain)) {
    tally.add('bounce', 2, `provider sender ${fromDomain.toLowerCase()}`);
    tally.add('abuse-report', 2, `provider sender ${fromDomain.toLowerCase()}`);
  }
  if (has('x-amz-sns-message-id') || has('x-amz-sns-topic-arn')) {
    tally.add('bounce', 2, 'x-amz-sns header');
    tally.add('abuse-report', 2, 'x-amz-sns header');
  }
  if (has('x-hmxmroriginalrecipient')) tally.add('abuse-report', 4, 'x-hmxmroriginalrecipient header');
  if (ABUSE_SENDER.test(fromLocal) || /^staff@hotmail\.com$/i.test(fromAddress)) {
    tally.add('abuse-report', 3, `sender ${fromLocal.toLowerCase()}`);
  }
  if (machineSubject && ABUSE_SUBJECT.test(subject)) tally.add('abuse-report', 3, 'complaint subject');
  if (machineSubject && ABUSE_TEXT.test(text)) tally.add('abuse-report', 3, 'complaint text');

  // A sender's own RFC 3834 declaration outweighs a bounce guessed from words (a report's structure, above, does not).
  const autoSubmitted = first('auto-submitted');
  if (autoSubmitted !== null && token(autoSubmitted) !== 'no') {
    return decided('auto-reply', `auto-submitted: ${token(autoSubmitted)}`);
  }

  const report = tally.best(['bounce', 'abuse-report']);
  if (report && report.score >= AUTOMATIC_SCORE) {
    return { category: report.category, reason: report.reason, suspected: false, score: report.score };
  }
  for (const key of ['x-autoreply', 'x-autorespond', 'x-autoresponder']) {
    const value = first(key);
    if (value !== null && !NEGATIVE.test(value.trim())) return decided('auto-reply', `${key} header`);
  }
  const precedence = token(first('precedence') ?? '');
  if (precedence === 'auto_reply') return decided('auto-reply', 'precedence: auto_reply');
  if (reportType === 'disposition-notification' || types.has('message/disposition-notification')) {
    return decided('auto-reply', 'read receipt (disposition notification)');
  }
  for (const key of ['x-auto-response-suppress', 'x-ms-exchange-inbox-rules-loop', 'x-apple-action']) {
    if (has(key)) tally.add('auto-reply', 3, key);
  }
  if (machineSubject && AUTO_REPLY_SUBJECT.test(subject)) tally.add('auto-reply', 3, 'auto-reply subject');
  const autoReply = tally.best(['auto-reply']);
  if (autoReply && autoReply.score >= AUTOMATIC_SCORE) {
    return { category: 'auto-reply', reason: autoReply.reason, suspected: false, score: autoReply.score };
  }

  const listHeader = LIST_HEADERS.find(has);
  if (listHeader) return decided('list', `${listHeader} header`);
  if (precedence === 'list') return decided('list', 'precedence: list');
  if (precedence === 'bulk' || precedence === 'junk') return decided('auto-reply', `precedence: ${precedence}`);

  const best = tally.best();
  if (best && best.score >= SUSPECT_SCORE) {
    return {
      category: 'personal',
      reason: `suspected ${best.category}: ${best.reason}`,
      suspected: true,
      score: best.score,
    };
  }
  return { category: 'personal', reason: 'no automatic or bulk signal', suspected: false, score: best?.score ?? 0 };
}
