import { normaliseAddress, parseAddressList } from './email-address';
import { headerValue, parseHeaderBlocks, parseHeaderText, type HeaderField } from './header-block';
import { decodeUtf8Leniently } from './lenient-decoder';
import { normaliseMessageId } from './thread-references';

/** One recipient a delivery-status report is about. */
export interface BounceRecipient {
  /** The recipient address (Final-Recipient, else Original-Recipient), domain lower-cased. */
  address: string;
  /** DSN action, lower-case: `failed`, `delayed`, `delivered`, `relayed`, `expanded`; null when not reported. */
  action: string | null;
  /** Enhanced status code such as `5.1.1` (5 = permanent, 4 = transient), or null. */
  status: string | null;
  /** The remote server's diagnostic (Diagnostic-Code without its type prefix), or null. */
  diagnosticCode: string | null;
}

/** What a bounce says about the message it returns. */
export interface BounceReport {
  /**
   * Message-ID of the message that bounced, `<…>`, so the bounce can be attached to its
   * conversation; null when the report does not carry it.
   */
  originalMessageId: string | null;
  /** The recipients reported on; from the DSN, else from X-Failed-Recipients (action `failed`). */
  recipients: BounceRecipient[];
  /** The first status code: the first recipient's, else the first one written in the text. */
  status: string | null;
  /**
   * The sending provider's own verdict (Amazon SES `bounceType`): true for a permanent bounce,
   * false for a transient one; null when only the recipients' action and status tell (DSNs).
   */
  permanent: boolean | null;
}

/** A feedback report (ARF): someone reported a message as abuse, fraud, … */
export interface AbuseReport {
  /** Feedback-Type, lower-case: `abuse`, `fraud`, `virus`, `not-spam`, `other`, …; null when missing. */
  feedbackType: string | null;
  /** Message-ID of the reported message, `<…>`, or null. */
  originalMessageId: string | null;
  /** Original-Rcpt-To and Removal-Recipient addresses: who received the reported message. */
  originalRecipients: string[];
  /** Source-IP of the reported message, or null. */
  sourceIp: string | null;
}

/** A non-text part of a report, decoded from its transfer encoding. */
export interface ReportPart {
  contentType: string;
  content: Uint8Array;
}

export interface ReportInput {
  /** Top-level header fields of the report. */
  headers: readonly HeaderField[];
  /** The parts that are not body text (delivery-status, feedback-report, returned message or headers). */
  parts: readonly ReportPart[];
  /** The report's plain text. */
  text: string;
  /** The report's own In-Reply-To, which some providers (Gmail) point at the returned message. */
  inReplyTo: string | null;
}

const RETURNED_MESSAGE = new Set([
  'message/rfc822',
  'message/global',
  'text/rfc822-headers',
  'message/rfc822-headers',
  'message/global-headers',
]);
const DELIVERY_STATUS = new Set(['message/delivery-status', 'message/global-delivery-status']);
// Headers of a returned message are at its start; reading further would only decode the body.
const HEADER_SCAN_BYTES = 64 * 1024;
// Bounce text worth reading for pasted reports and quoted headers; the rest is the returned body.
const TEXT_SCAN_CHARS = 256 * 1024;
const ENHANCED_STATUS = /(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.])/;
const SMTP_REPLY_STATUS = /\b[45]\d\d[ -]([245]\.\d{1,3}\.\d{1,3})(?![\d.])/;
const QUOTED_MESSAGE_ID = /^[ \t>]*(?:X-Original-)?Message-I[Dd][ \t]*:[ \t]*(.*)$/gim;
const MAX_DIAGNOSTIC = 1000;

const partText = (part: ReportPart, limit?: number): string =>
  decodeUtf8Leniently(limit === undefined ? part.content : part.content.subarray(0, limit));

const typeless = (value: string): string => {
  const semicolon = value.indexOf(';');
  return (semicolon < 0 ? value : value.slice(semicolon + 1)).trim();
};

function recipientFrom(block: readonly HeaderField[]): BounceRecipient | null {
  const raw = headerValue(block, 'final-recipient') ?? headerValue(block, 'original-recipient');
  if (raw === null) return null;
  const address = normaliseAddress(typeless(raw).replace(/^<|>$/g, ''));
  if (!address) return null;
  const action = headerValue(block, 'action');
  const status = headerValue(block, 'status');
  const diagnostic = headerValue(block, 'diagnostic-code');
  return {
    address,
    action: action === null ? null : (action.trim().split(/\s/)[0]?.toLowerCase() ?? null),
    status: status === null ? null : (ENHANCED_STATUS.exec(status)?.[1] ?? null),
    diagnosticCode: diagnostic === null ? null : typeless(diagnostic).slice(0, MAX_DIAGNOSTIC) || null,
  };
}

/**
 * Reads the fields of a delivery-status report (RFC 3464): one block per message, then one per
 * recipient. Also works on a report pasted into a plain-text body, as older MTAs send them.
 */
export function parseDeliveryStatus(text: string): { recipients: BounceRecipient[]; originalMessageId: string | null } {
  const recipients: BounceRecipient[] = [];
  let originalMessageId: string | null = null;
  for (const block of parseHeaderBlocks(text)) {
    originalMessageId ??= normaliseMessageId(headerValue(block, 'x-original-message-id'));
    const recipient = recipientFrom(block);
    if (recipient) recipients.push(recipient);
  }
  return { recipients, originalMessageId };
}

/**
 * The first Message-ID in header lines quoted in a text body (the returned message that
 * non-standard bounces paste after their explanation), `<…>`, or null.
 */
export function findQuotedMessageId(text: string): string | null {
  const lines = text.length > TEXT_SCAN_CHARS ? text.slice(0, TEXT_SCAN_CHARS) : text;
  for (const match of lines.matchAll(QUOTED_MESSAGE_ID)) {
    let value = match[1].trim();
    if (value === '') {
      // The id folded onto the next line.
      const rest = lines.slice((match.index ?? 0) + match[0].length + 1);
      value = /^[ \t]+(\S.*)$/m.exec(rest.slice(0, 1000))?.[1] ?? '';
    }
    const id = normaliseMessageId(value);
    if (id) return id;
  }
  return null;
}

function returnedMessageId(input: ReportInput, reportFieldIds: readonly (string | null)[]): string | null {
  for (const part of input.parts) {
    if (!RETURNED_MESSAGE.has(part.contentType)) continue;
    const text = partText(part, HEADER_SCAN_BYTES);
    // A stray blank line inside the returned headers (seen in real reports) ends the header block
    // early, so the id is also looked for as a header line further down.
    const id = normaliseMessageId(headerValue(parseHeaderText(text), 'message-id')) ?? findQuotedMessageId(text);
    if (id) return id;
  }
  for (const id of reportFieldIds) if (id) return id;
  const header = normaliseMessageId(headerValue(input.headers, 'x-original-message-id'));
  if (header) return header;
  return findQuotedMessageId(input.text) ?? input.inReplyTo;
}

// Header lines that start a copy of the returned message in a text bounce; a person's explanation
// of the failure does not contain them.
const RETURNED_HEADERS_START =
  /^(?:Received|Return-Path|DKIM-Signature|ARC-Seal|X-Received|Message-I[Dd]|MIME-Version)[ \t]*:/im;
const LOCAL_CHAR = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]/;
const DOMAIN_CHAR = /[A-Za-z0-9.-]/;
const MAX_NAMED_RECIPIENTS = 20;
const DAEMON_LOCAL = /^(?:mailer[-_]?daemon|mail[-_]daemon|postmaster)$/i;

/** Addresses written in text, found by scanning outwards from each `@` (linear, unlike a regex here). */
export function addressesInText(text: string): string[] {
  const found: string[] = [];
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > 0 && at - start < 64 && LOCAL_CHAR.test(text[start - 1])) start -= 1;
    let end = at + 1;
    while (end < text.length && end - at < 255 && DOMAIN_CHAR.test(text[end])) end += 1;
    const local = text.slice(start, at).replace(/^\.+/, '');
    const domain = text.slice(at + 1, end).replace(/\.+$/, '');
    if (local && /^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/.test(domain)) {
      found.push(normaliseAddress(`${local}@${domain}`));
    }
  }
  return [...new Set(found)];
}

/**
 * For a bounce without a delivery-status report: the addresses its explanation names, other than
 * the report's own sender and recipients and the mail daemons; when the returned message's To/Cc
 * are known, only those (a bounce names help-desk addresses too).
 */
function recipientsNamedInText(input: ReportInput, text: string): string[] {
  const cut = text.search(RETURNED_HEADERS_START);
  const explanation = cut < 0 ? text : text.slice(0, cut);
  const own = new Set(
    ['from', 'to', 'cc', 'reply-to', 'return-path', 'sender']
      .flatMap((key) => input.headers.filter((h) => h.key === key))
      .flatMap((field) => parseAddressList(field.value))
      .map((mailbox) => mailbox.address.toLowerCase()),
  );
  const returnedFields = [
    ...input.parts
      .filter((part) => RETURNED_MESSAGE.has(part.contentType))
      .flatMap((part) => parseHeaderText(partText(part, HEADER_SCAN_BYTES))),
    ...(cut < 0 ? [] : parseHeaderBlocks(text.slice(cut)).flat()),
  ];
  const returned = new Set(
    returnedFields
      .filter((field) => field.key === 'to' || field.key === 'cc')
      .flatMap((field) => parseAddressList(field.value))
      .map((mailbox) => mailbox.address.toLowerCase()),
  );
  return addressesInText(explanation)
    .filter((address) => !own.has(address.toLowerCase()))
    .filter((address) => !DAEMON_LOCAL.test(address.slice(0, address.lastIndexOf('@'))))
    .filter((address) => returned.size === 0 || returned.has(address.toLowerCase()))
    .slice(0, MAX_NAMED_RECIPIENTS);
}

/**
 * What a bounce says: the returned message's Message-ID (from the returned message or its headers,
 * X-Original-Message-ID, header lines quoted in the text, and finally the bounce's own In-Reply-To)
 * and the recipients with their status codes.
 */
export function extractBounceReport(input: ReportInput): BounceReport {
  const text = input.text.length > TEXT_SCAN_CHARS ? input.text.slice(0, TEXT_SCAN_CHARS) : input.text;
  const reports = input.parts
    .filter((part) => DELIVERY_STATUS.has(part.contentType))
    .map((part) => parseDeliveryStatus(partText(part)));
  if (!reports.some((report) => report.recipients.length > 0)) reports.push(parseDeliveryStatus(text));
  const recipients = reports.flatMap((report) => report.recipients);
  for (const value of input.headers.filter((h) => h.key === 'x-failed-recipients').map((h) => h.value)) {
    for (const { address } of parseAddressList(value)) {
      if (!recipients.some((r) => r.address.toLowerCase() === address.toLowerCase())) {
        recipients.push({ address, action: 'failed', status: null, diagnosticCode: null });
      }
    }
  }
  if (recipients.length === 0) {
    for (const address of recipientsNamedInText(input, text)) {
      recipients.push({ address, action: 'failed', status: null, diagnosticCode: null });
    }
  }
  const status =
    recipients.find((r) => r.status !== null)?.status ??
    SMTP_REPLY_STATUS.exec(text)?.[1] ??
    ENHANCED_STATUS.exec(text)?.[1] ??
    null;
  return {
    originalMessageId: returnedMessageId(
      input,
      reports.map((report) => report.originalMessageId),
    ),
    recipients,
    status,
    permanent: null,
  };
}

/** What a feedback report says: the feedback type, the reported message and who received it. */
export function extractAbuseReport(input: ReportInput): AbuseReport {
  const reportPart = input.parts.find((part) => part.contentType === 'message/feedback-report');
  const fields = reportPart
    ? parseHeaderText(partText(reportPart))
    : parseHeaderBlocks(input.text.slice(0, TEXT_SCAN_CHARS)).flat();
  const recipients = fields
    .filter((field) => field.key === 'original-rcpt-to' || field.key === 'removal-recipient')
    .flatMap((field) => parseAddressList(field.value).map((mailbox) => mailbox.address));
  return {
    feedbackType: headerValue(fields, 'feedback-type')?.trim().toLowerCase() || null,
    originalMessageId: returnedMessageId({ ...input, inReplyTo: null }, [
      normaliseMessageId(headerValue(fields, 'original-message-id')),
    ]),
    originalRecipients: [...new Set(recipients)],
    sourceIp: headerValue(fields, 'source-ip')?.trim() || null,
  };
}
