import type { AbuseReport, BounceReport } from './bounce-report';
import type { EmailAddress } from './email-address';
import type { EmailCategory } from './email-classifier';
import type { HeaderField } from './header-block';

/** A file or inline image that was kept, bytes included. */
export interface EmailAttachment {
  /** File name as the sender declared it (decoded, not sanitised: clean it before use), or null. */
  filename: string | null;
  /** Lower-case MIME type, e.g. `application/pdf`. */
  contentType: string;
  /** Size of the decoded bytes. */
  size: number;
  /** Content-ID without angle brackets, as HTML refers to it (`cid:…`), or null. */
  contentId: string | null;
  /** True for parts shown inside the HTML (inline disposition, or referenced in multipart/related). */
  inline: boolean;
  /** The decoded bytes. */
  content: Buffer;
}

/** Why an attachment's bytes were not kept: over the per-attachment size limit, or over the count limit. */
export type DroppedAttachmentReason = 'too_large' | 'too_many';

/**
 * An attachment whose bytes were left out. The message itself is kept; a warning says what was
 * dropped. Field names match what the conversations library records for dropped files.
 */
export interface DroppedEmailAttachment {
  /** The declared file name, or `attachment` when there was none. */
  filename: string;
  contentType: string;
  size: number;
  contentId: string | null;
  inline: boolean;
  reason: DroppedAttachmentReason;
}

/**
 * Something the parser had to work around; the message is still usable.
 * - `headers_trimmed`: the header block was over `maxHeaderBytes`; some fields were left out
 * - `attachment_dropped`: an attachment's bytes were not kept (see `droppedAttachments`)
 * - `charset_repaired`: text declared (or defaulting to) UTF-8 was not; decoded as Windows-1252 instead
 * - `body_recovered`: the MIME structure yielded no text, so the raw body was used as text
 * - `date_invalid`: the Date header was missing, unreadable or in the future; `date` is the fallback
 * - `message_id_missing`: there was no usable Message-ID; `messageId` is synthetic
 */
export type EmailParseWarningCode =
  | 'headers_trimmed'
  | 'attachment_dropped'
  | 'charset_repaired'
  | 'body_recovered'
  | 'date_invalid'
  | 'message_id_missing';

export interface EmailParseWarning {
  code: EmailParseWarningCode;
  /** A sentence for staff and logs, e.g. why an attachment is missing. */
  message: string;
}

/** Where `text` came from. */
export type EmailTextSource = 'plain' | 'html' | 'raw' | 'none';

/**
 * One inbound email, read and classified, ready for ingestion. Produced by `parseInboundEmail`;
 * nothing in it has been sanitised for display except where a field says so (HTML is raw).
 */
export interface ParsedEmail {
  // Threading
  /**
   * The Message-ID, `<left@right>`: the external id for idempotent ingestion. When the message has
   * none, a synthetic `<sha256-of-raw-bytes@readerdesk.invalid>`, so a retried delivery maps to the
   * same id (see `messageIdSynthetic`).
   */
  messageId: string;
  messageIdSynthetic: boolean;
  /** The first id of In-Reply-To, `<…>`, or null. */
  inReplyTo: string | null;
  /** The ids of References in order (oldest first), `<…>` each; [] when absent. */
  references: string[];
  /** The conversation number from a subject token such as `[#1234]` (prefix configurable), or null. */
  referenceToken: number | null;
  /** The conversation number from a plus-addressed recipient (`desk+1234@…`), or null. */
  plusAddressNumber: number | null;

  // Envelope and addresses
  /** Decoded subject; '' when there is none. Control characters are replaced by spaces. */
  subject: string;
  /** The first From mailbox, or null when the header is missing or empty. */
  from: EmailAddress | null;
  replyTo: EmailAddress[];
  to: EmailAddress[];
  cc: EmailAddress[];
  /** Addresses from Delivered-To and X-Original-To, which name the desk address even for Bcc. */
  deliveredTo: string[];
  /** The envelope sender: an address, '' for the null sender `<>`, or null when there is no Return-Path. */
  returnPath: string | null;
  /** The Date header, or the `now` passed in when it is missing, unreadable or in the future. */
  date: Date;
  /** False when `date` is the fallback. */
  dateFromHeader: boolean;

  // Loop prevention
  /**
   * Only `personal` mail may open a conversation or receive an acknowledgement. Bounces carry
   * `bounce` (attach them to the conversation of `bounce.originalMessageId`); abuse reports carry
   * `abuseReport`; auto-replies and list mail never trigger a reply.
   */
  category: EmailCategory;
  /** The signal that decided the category, for logs. */
  categoryReason: string;
  /**
   * Personal by category, but with automatic signals too weak to be sure: it opens no conversation
   * by itself and is kept as unprocessed mail for staff instead.
   */
  suspectedAutomatic: boolean;
  /** Set when `category` is `bounce`, else null. */
  bounce: BounceReport | null;
  /** Set when `category` is `abuse-report`, else null. */
  abuseReport: AbuseReport | null;

  // Content
  /**
   * The full plain text with `\n` line breaks: the text parts as sent, else derived from the HTML
   * (tags stripped, entities decoded, line breaks kept), else the raw body; '' when there is none.
   */
  text: string;
  textSource: EmailTextSource;
  /** The HTML body exactly as sent (not sanitised), or null. */
  html: string | null;
  /** `text` without quoted history and signature; '' when the mail is only quoted history. */
  newText: string;
  /** The quoted history folded away from `newText` ("On … wrote:", `>` lines, Outlook blocks); '' if none. */
  quotedText: string;
  /** The signature after a `-- ` line in the new part; '' if none. */
  signature: string;
  attachments: EmailAttachment[];
  droppedAttachments: DroppedEmailAttachment[];

  // Diagnostics
  warnings: EmailParseWarning[];
  /** The top-level header fields that were read (after trimming), unfolded, encoded words not decoded. */
  headers: HeaderField[];
  /** Size of the raw message in bytes. */
  size: number;
}
