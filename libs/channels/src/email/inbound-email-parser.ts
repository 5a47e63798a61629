import PostalMime from 'postal-mime';
import { extractAbuseReport, extractBounceReport, type ReportPart } from './bounce-report';
import { repairMisdecodedText } from './charset-repair';
import { normaliseAddress, parseAddressList, parseReturnPath, type EmailAddress } from './email-address';
import { AUTOMATIC_SCORE, classifyEmail, type Classification } from './email-classifier';
import { EmailParseError } from './email-parse-error';
import {
  decodeHeaderFieldWords,
  decodeHeaderFields,
  headerValue,
  scanHeaderBlock,
  type HeaderField,
} from './header-block';
import { rebuildMessage, trimHeaderFields } from './header-trimmer';
import { htmlToText } from './html-to-text';
import { normaliseMimePartHeaders } from './mail-charset';
import { decodeUtf8Leniently, restoreWindows1252 } from './lenient-decoder';
import type {
  DroppedEmailAttachment,
  EmailAttachment,
  EmailParseWarning,
  EmailTextSource,
  ParsedEmail,
} from './parsed-email';
import { splitQuotedText } from './quoted-text';
import { readSesNotification } from './ses-notification';
import {
  findPlusAddressNumber,
  findReferenceToken,
  normaliseMessageId,
  parseMessageIdList,
  syntheticMessageId,
} from './thread-references';

export interface ParseInboundEmailOptions {
  /** The fallback for a missing, unreadable or future Date header; defaults to the current time. */
  now?: Date;
  /** Larger messages are refused (EmailParseError `message_too_large`). Default 50 MiB. */
  maxMessageBytes?: number;
  /** A larger top-level header block is trimmed to this size (warning `headers_trimmed`). Default 256 KiB. */
  maxHeaderBytes?: number;
  /** Attachments larger than this keep their metadata but lose their bytes. Default 25 MiB. */
  maxAttachmentBytes?: number;
  /** Attachments after this many keep their metadata but lose their bytes. Default 100. */
  maxAttachments?: number;
  /** The prefix of the subject reference token: `#` matches `[#1234]`. Default `#`. */
  referencePrefix?: string;
  /**
   * The desk's own addresses (`desk@library.org`); when given, only plus-addressed recipients
   * based on one of them (`desk+1234@library.org`) yield `plusAddressNumber`.
   */
  deskAddresses?: readonly string[];
}

const MIB = 1024 * 1024;
export const EMAIL_PARSE_DEFAULTS = {
  maxMessageBytes: 50 * MIB,
  maxHeaderBytes: 256 * 1024,
  maxAttachmentBytes: 25 * MIB,
  maxAttachments: 100,
} as const;
// A single top-level field larger than this is junk (a real References header of 100 ids is ~6 KiB).
const MAX_FIELD_BYTES = 64 * 1024;
// postal-mime's own limits, which apply to the MIME parts inside the message: far above anything a
// mail client produces, low enough that a crafted message is refused instead of parsed for minutes.
const MAX_NESTING_DEPTH = 64;
const MIME_HEADER_BUDGET = 4 * MIB;
// Clocks differ; a Date a little ahead of ours is not a forgery.
const FUTURE_TOLERANCE_MS = 24 * 60 * 60 * 1000;
const UNSAFE_IN_SUBJECT = /[\p{Cc}\u2028\u2029]+/gu;

function limit(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`${name} must be a non-negative integer`);
  return value;
}

const megabytes = (bytes: number): string => `${(bytes / MIB).toFixed(1)} MB`;

function readDate(value: string | null, now: Date): Date | null {
  if (value === null) return null;
  const date = new Date(value.replace(/\s*\([^)]*\)\s*$/, ''));
  const time = date.getTime();
  if (Number.isNaN(time) || time < 0 || time > now.getTime() + FUTURE_TOLERANCE_MS) return null;
  return date;
}

function contentBytes(content: ArrayBuffer | Uint8Array | string): Buffer {
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  return ArrayBuffer.isView(content)
    ? Buffer.from(content.buffer, content.byteOffset, content.byteLength)
    : Buffer.from(content);
}

function isBlank(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === 0x0a);
}

/**
 * Reads one raw inbound email (RFC 5322 / MIME) into a ParsedEmail: every charset decoded to UTF-8,
 * the message classified for loop prevention, bounce and abuse reports read, quoted history folded,
 * attachments limited, threading ids normalised.
 *
 * Throws EmailParseError only when the input cannot be read at all (empty, over `maxMessageBytes`,
 * no header field, MIME past the parser's limits); everything else yields a result with warnings.
 * Pure: no network, no database, no clock unless `now` is omitted.
 */
export async function parseInboundEmail(
  raw: Buffer | Uint8Array,
  options: ParseInboundEmailOptions = {},
): Promise<ParsedEmail> {
  const maxMessageBytes = limit(options.maxMessageBytes, EMAIL_PARSE_DEFAULTS.maxMessageBytes, 'maxMessageBytes');
  const maxHeaderBytes = limit(options.maxHeaderBytes, EMAIL_PARSE_DEFAULTS.maxHeaderBytes, 'maxHeaderBytes');
  const maxAttachmentBytes = limit(
    options.maxAttachmentBytes,
    EMAIL_PARSE_DEFAULTS.maxAttachmentBytes,
    'maxAttachmentBytes',
  );
  const maxAttachments = limit(options.maxAttachments, EMAIL_PARSE_DEFAULTS.maxAttachments, 'maxAttachments');
  const now = options.now ?? new Date();
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);

  if (bytes.length === 0 || isBlank(bytes)) throw new EmailParseError('empty_message', 'The message is empty');
  if (bytes.length > maxMessageBytes) {
    throw new EmailParseError(
      'message_too_large',
      `The message is ${bytes.length} bytes, over the limit of ${maxMessageBytes}`,
    );
  }
  const block = scanHeaderBlock(bytes);
  if (!block.fields.some((field) => field.key !== '')) {
    throw new EmailParseError('not_an_email', 'The message has no header fields');
  }

  const warnings: EmailParseWarning[] = [];
  let fields = block.fields;
  let input: Buffer = bytes.subarray(block.start);
  if (block.end - block.start > maxHeaderBytes) {
    const trimmed = trimHeaderFields(block, maxHeaderBytes, Math.min(MAX_FIELD_BYTES, maxHeaderBytes));
    fields = trimmed.kept;
    input = rebuildMessage(bytes, block, trimmed.kept);
    warnings.push({
      code: 'headers_trimmed',
      message: `The header block was ${block.end - block.start} bytes; ${trimmed.dropped.length} fields were left out`,
    });
  }
  const headers = decodeHeaderFields(bytes, fields);
  const wordHeaders = decodeHeaderFieldWords(bytes, fields);

  const parser = new PostalMime({
    // Returned and forwarded messages stay whole as attachments: a bounce's returned message is
    // evidence, not body text, and it is not parsed recursively (no nested-message parse bombs).
    forceRfc822Attachments: true,
    maxRfc822NestingDepth: 0,
    attachmentEncoding: 'arraybuffer',
    maxNestingDepth: MAX_NESTING_DEPTH,
    maxHeadersSize: MIME_HEADER_BUDGET + maxHeaderBytes,
  });
  let email: PostalMime.Email;
  try {
    email = await parser.parse(normaliseMimePartHeaders(input));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = /^Maximum /.test(message) ? 'mime_limit_exceeded' : 'unreadable';
    throw new EmailParseError(code, `The MIME structure could not be read: ${message}`, { cause: error });
  }

  const body: { text?: string; html?: string } = { text: email.text, html: email.html };
  const { repaired } = repairMisdecodedText(parser, body);
  if (repaired > 0) {
    warnings.push({
      code: 'charset_repaired',
      message: `${repaired} text part(s) were not valid in their declared charset and were read as Windows-1252`,
    });
  }
  body.text = body.text === undefined ? undefined : restoreWindows1252(body.text);
  body.html = body.html === undefined ? undefined : restoreWindows1252(body.html);

  const contentType = headerValue(headers, 'content-type') ?? '';
  let text = '';
  let textSource: EmailTextSource = 'none';
  if (body.text && body.text.trim() !== '') {
    text = body.text;
    textSource = 'plain';
  } else if (body.html && body.html.trim() !== '') {
    text = htmlToText(body.html);
    textSource = 'html';
  } else if (email.attachments.length === 0 && /^\s*multipart\//i.test(contentType)) {
    // A multipart whose boundaries never appear (seen in real bounces) parses to nothing; its
    // body is still the sender's text.
    const recovered = decodeUtf8Leniently(bytes.subarray(block.bodyStart)).trim();
    if (recovered !== '') {
      text = recovered;
      textSource = 'raw';
      warnings.push({ code: 'body_recovered', message: 'No MIME part could be read; the raw body is used as text' });
    }
  }
  // Leading blank lines and trailing whitespace are MIME and client artefacts, not content.
  text = text
    .replace(/\r\n?/g, '\n')
    .replace(/^(?:[ \t]*\n)+/, '')
    .trimEnd();

  const attachments: EmailAttachment[] = [];
  const droppedAttachments: DroppedEmailAttachment[] = [];
  const reportParts: ReportPart[] = [];
  for (const attachment of email.attachments) {
    const content = contentBytes(attachment.content);
    const mimeType = attachment.mimeType.toLowerCase();
    if (mimeType.startsWith('message/') || mimeType === 'text/rfc822-headers') {
      reportParts.push({ contentType: mimeType, content });
    }
    const meta = {
      contentType: mimeType,
      size: content.length,
      contentId: attachment.contentId?.trim().replace(/^<|>$/g, '') || null,
      inline: attachment.disposition === 'inline' || attachment.related === true,
    };
    const reason =
      content.length > maxAttachmentBytes ? 'too_large' : attachments.length >= maxAttachments ? 'too_many' : null;
    if (reason === null) {
      attachments.push({
        filename: attachment.filename === null ? null : restoreWindows1252(attachment.filename),
        ...meta,
        content,
      });
      continue;
    }
    const filename = restoreWindows1252(attachment.filename || 'attachment');
    droppedAttachments.push({ filename, ...meta, reason });
    warnings.push({
      code: 'attachment_dropped',
      message:
        reason === 'too_large'
          ? `Attachment "${filename}" (${megabytes(content.length)}) was dropped: it is larger than the ${megabytes(maxAttachmentBytes)} limit`
          : `Attachment "${filename}" was dropped: the message has more than ${maxAttachments} attachments`,
    });
  }

  const subject = restoreWindows1252(PostalMime.decodeWords(headerValue(wordHeaders, 'subject') ?? ''))
    .replace(UNSAFE_IN_SUBJECT, ' ')
    .trim();
  const inReplyTo = normaliseMessageId(headerValue(headers, 'in-reply-to'));
  // An Amazon SES notification says exactly what it is and what it concerns, even inside an SNS
  // envelope, whose escaped JSON the classifier's patterns cannot see.
  const ses = readSesNotification(text);
  const classification: Classification = ses
    ? {
        category: ses.kind === 'bounce' ? 'bounce' : 'abuse-report',
        reason: `Amazon SES ${ses.kind} notification (JSON)`,
        suspected: false,
        score: AUTOMATIC_SCORE,
      }
    : classifyEmail({
        headers,
        subject,
        text,
        partTypes: email.attachments.map((attachment) => attachment.mimeType),
      });
  const reportInput = { headers, parts: reportParts, text, inReplyTo };

  const to = addresses(wordHeaders, 'to');
  const cc = addresses(wordHeaders, 'cc');
  const deliveredTo = headers
    .filter((field) => field.key === 'delivered-to' || field.key === 'x-original-to')
    .flatMap((field) => parseAddressList(field.value).map((mailbox) => normaliseAddress(mailbox.address)));

  const headerMessageId = normaliseMessageId(headerValue(headers, 'message-id'));
  if (headerMessageId === null) {
    warnings.push({
      code: 'message_id_missing',
      message: 'The message has no usable Message-ID; a synthetic one is used',
    });
  }
  const headerDate = readDate(headerValue(headers, 'date'), now);
  if (headerDate === null) {
    warnings.push({ code: 'date_invalid', message: 'The Date header is missing, unreadable or in the future' });
  }

  return {
    messageId: headerMessageId ?? syntheticMessageId(bytes),
    messageIdSynthetic: headerMessageId === null,
    inReplyTo,
    references: parseMessageIdList(headerValue(headers, 'references')),
    referenceToken: findReferenceToken(subject, options.referencePrefix),
    plusAddressNumber: findPlusAddressNumber(
      [...to, ...cc].map((mailbox) => mailbox.address).concat(deliveredTo),
      options.deskAddresses,
    ),
    subject,
    from: addresses(wordHeaders, 'from')[0] ?? null,
    replyTo: addresses(wordHeaders, 'reply-to'),
    to,
    cc,
    deliveredTo: [...new Set(deliveredTo)],
    returnPath: parseReturnPath(headerValue(headers, 'return-path')),
    date: headerDate ?? now,
    dateFromHeader: headerDate !== null,
    category: classification.category,
    categoryReason: classification.reason,
    suspectedAutomatic: classification.suspected,
    bounce:
      ses?.kind === 'bounce'
        ? ses.bounce
        : classification.category === 'bounce'
          ? extractBounceReport(reportInput)
          : null,
    abuseReport:
      ses?.kind === 'complaint'
        ? ses.abuseReport
        : classification.category === 'abuse-report'
          ? extractAbuseReport(reportInput)
          : null,
    text,
    textSource,
    html: body.html && body.html.trim() !== '' ? body.html : null,
    ...splitQuotedText(text),
    attachments,
    droppedAttachments,
    warnings,
    headers,
    size: bytes.length,
  };
}

function addresses(headers: readonly HeaderField[], key: string): EmailAddress[] {
  return headers.filter((field) => field.key === key).flatMap((field) => parseAddressList(field.value));
}
