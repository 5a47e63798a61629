import type { AbuseReport, BounceRecipient, BounceReport } from './bounce-report';
import { normaliseAddress } from './email-address';
import { sanitiseHeaderValue } from './header-safety';
import { normaliseMessageId } from './thread-references';

/** An Amazon SES bounce or complaint notification, read into the shapes the desk uses for DSNs and ARF. */
export type SesNotification =
  { kind: 'bounce'; bounce: BounceReport } | { kind: 'complaint'; abuseReport: AbuseReport };

// A notification with every original header is a few kilobytes; more is not SES, and JSON.parse of
// hostile input costs time in proportion to its size.
export const SES_JSON_MAX_CHARS = 256 * 1024;
// SES nests five levels (mail.headers[].value); SNS adds none (its Message is a string).
const MAX_DEPTH = 32;
// SES sends to at most 50 recipients per message.
const MAX_RECIPIENTS = 100;
const MAX_DIAGNOSTIC = 1000;
const ENHANCED_STATUS = /(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.])/;
const SES_MESSAGE_ID = /^[A-Za-z0-9-]{1,200}$/;

type Json = Record<string, unknown>;
const object = (value: unknown): Json | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
const string = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/**
 * The JSON object a text starts with, or null: the whole text when it is one, else the object up
 * to its closing brace (SNS's plain "email" protocol appends an unsubscribe footer). Refused
 * without parsing when it is longer than `SES_JSON_MAX_CHARS` or nested deeper than 32 levels.
 */
export function leadingJsonObject(text: string): Json | null {
  const start = text.search(/\S/);
  if (start < 0 || text[start] !== '{') return null;
  let depth = 0;
  let inString = false;
  const end = Math.min(text.length, start + SES_JSON_MAX_CHARS);
  for (let i = start; i < end; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i += 1; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > MAX_DEPTH) return null;
    } else if (c === 0x7d || c === 0x5d) {
      depth -= 1;
      if (depth === 0) {
        try {
          return object(JSON.parse(text.slice(start, i + 1)));
        } catch {
          return null;
        }
      }
    }
  }
  return null;
}

/**
 * Reads an Amazon SES bounce or complaint notification from an email body: the notification itself
 * (`notificationType`, or `eventType` from a configuration set's event publishing), or an SNS
 * envelope (`"Type": "Notification"`) carrying it as a string in `Message`. Null for anything else,
 * including a notification of the right type without its `bounce`/`complaint` object; wrong types
 * and missing fields are left out, never thrown.
 */
export function readSesNotification(text: string): SesNotification | null {
  let document = leadingJsonObject(text);
  if (document && document.Type === 'Notification' && typeof document.Message === 'string') {
    document = leadingJsonObject(document.Message);
  }
  if (!document) return null;
  const type = string(document.notificationType) ?? string(document.eventType);
  const mail = object(document.mail);
  const bounce = object(document.bounce);
  if (type === 'Bounce' && bounce) return { kind: 'bounce', bounce: bounceReport(bounce, mail) };
  const complaint = object(document.complaint);
  if (type === 'Complaint' && complaint) return { kind: 'complaint', abuseReport: abuseReport(complaint, mail) };
  return null;
}

/**
 * The Message-ID the desk gave the message SES sent: its own header (in `mail.headers` when the
 * notification includes headers, else `mail.commonHeaders.messageId`); only when neither is there,
 * SES's id in the form SES writes it (`<id@email.amazonses.com>`).
 */
function originalMessageId(mail: Json | null): string | null {
  if (!mail) return null;
  for (const header of list(mail.headers).slice(0, 500)) {
    const field = object(header);
    if (typeof field?.name === 'string' && field.name.toLowerCase() === 'message-id') {
      const id = normaliseMessageId(string(field.value));
      if (id) return id;
    }
  }
  const common = normaliseMessageId(string(object(mail.commonHeaders)?.messageId));
  if (common) return common;
  const sesId = string(mail.messageId);
  return sesId && SES_MESSAGE_ID.test(sesId) ? `<${sesId}@email.amazonses.com>` : null;
}

function address(value: unknown): string | null {
  const raw = string(value);
  if (!raw || raw.length > 320) return null;
  const clean = normaliseAddress(raw.replace(/^.*<([^<>]*)>.*$/, '$1'));
  return /^[^\s@]+@[^\s@]+$/.test(clean) ? clean : null;
}

function bounceRecipient(value: unknown, permanent: boolean | null): BounceRecipient | null {
  const entry = object(value);
  const recipient = address(entry?.emailAddress);
  if (!entry || !recipient) return null;
  const diagnostic = string(entry.diagnosticCode);
  // "smtp; 550 5.1.1 …": the type prefix says nothing to staff (as in a DSN's Diagnostic-Code).
  const diagnosticCode = diagnostic
    ? sanitiseHeaderValue(diagnostic.replace(/^\s*[A-Za-z-]+\s*;\s*/, ''), MAX_DIAGNOSTIC) || null
    : null;
  const action = string(entry.action)?.trim().split(/\s/)[0]?.toLowerCase().slice(0, 20) ?? null;
  return {
    address: recipient,
    // SES leaves out action and status when the receiving server sent no DSN; its verdict stands in.
    action: action ?? (permanent === true ? 'failed' : permanent === false ? 'delayed' : null),
    status:
      ENHANCED_STATUS.exec(string(entry.status) ?? '')?.[1] ?? ENHANCED_STATUS.exec(diagnosticCode ?? '')?.[1] ?? null,
    diagnosticCode,
  };
}

function bounceReport(bounce: Json, mail: Json | null): BounceReport {
  const type = string(bounce.bounceType);
  const permanent = type === 'Permanent' ? true : type === 'Transient' ? false : null;
  const recipients = list(bounce.bouncedRecipients)
    .slice(0, MAX_RECIPIENTS)
    .map((entry) => bounceRecipient(entry, permanent))
    .filter((recipient): recipient is BounceRecipient => recipient !== null);
  return {
    originalMessageId: originalMessageId(mail),
    recipients,
    status: recipients.find((r) => r.status !== null)?.status ?? null,
    permanent,
  };
}

function abuseReport(complaint: Json, mail: Json | null): AbuseReport {
  const recipients = list(complaint.complainedRecipients)
    .slice(0, MAX_RECIPIENTS)
    .map((entry) => address(object(entry)?.emailAddress))
    .filter((recipient): recipient is string => recipient !== null);
  const feedbackType = string(complaint.complaintFeedbackType)?.trim().toLowerCase().slice(0, 40) ?? null;
  const sourceIp = string(mail?.sourceIp)?.trim() ?? null;
  return {
    feedbackType,
    originalMessageId: originalMessageId(mail),
    originalRecipients: [...new Set(recipients)],
    sourceIp: sourceIp && /^[0-9A-Fa-f:.]{2,45}$/.test(sourceIp) ? sourceIp : null,
  };
}
