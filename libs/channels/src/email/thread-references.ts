import { createHash } from 'node:crypto';

// RFC 5322 caps a line at 998 characters; an id longer than that is junk, not an id.
const MAX_ID_LENGTH = 998;
const MAX_REFERENCES = 100;
const BRACKETED = /<([^<>\s]+)>/g;

function bracket(id: string): string | null {
  const bare = id.replace(/^["']+|["']+$/g, '');
  if (bare === '' || bare.length > MAX_ID_LENGTH || /[<>\s\p{Cc}]/u.test(bare)) return null;
  return `<${bare}>`;
}

/**
 * The Message-ID in a header value, as `<left@right>`. The first bracketed id wins; a bare id (which
 * some mailers and many bounce generators write) is bracketed, so that stored ids compare equal.
 * Returns null when the value holds nothing usable.
 */
export function normaliseMessageId(value: string | null | undefined): string | null {
  if (!value) return null;
  for (const match of value.matchAll(BRACKETED)) {
    const id = bracket(match[1]);
    if (id) return id;
  }
  const token = value.trim().split(/[\s,]+/)[0] ?? '';
  return bracket(token);
}

/**
 * The ids of a References (or In-Reply-To) header, in order, without duplicates. A very long list is
 * cut to its first id (the thread root) and the most recent ones, which are all that threading uses.
 */
export function parseMessageIdList(value: string | null | undefined): string[] {
  if (!value) return [];
  let ids = [...value.matchAll(BRACKETED)].map((match) => bracket(match[1]));
  if (ids.length === 0) ids = value.split(/[\s,]+/).map(bracket);
  const unique = [...new Set(ids.filter((id): id is string => id !== null))];
  if (unique.length <= MAX_REFERENCES) return unique;
  return [unique[0], ...unique.slice(unique.length - (MAX_REFERENCES - 1))];
}

// Headers that each hop adds or rewrites: the same message fetched over IMAP and relayed over SMTP
// differs in these, and in line endings, but in nothing else.
const TRACE_HEADER =
  /^(received|return-path|delivered-to|x-original-to|x-received|arc-[a-z-]+|authentication-results|received-spf|x-spam-[a-z-]+):/i;

/**
 * A stable id for a message that has none: the same message always gives the same id — whatever
 * line endings a server stored it with, and whichever trace headers the hops added — so a retried
 * or second delivery is recognised as the message already stored.
 */
export function syntheticMessageId(raw: Uint8Array): string {
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1').replace(/\r\n?/g, '\n');
  const split = text.indexOf('\n\n');
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? '' : text.slice(split + 2);
  const kept = head
    .split(/\n(?![ \t])/)
    .filter((field) => !TRACE_HEADER.test(field))
    .join('\n');
  const canonical = `${kept}\n\n${body.replace(/\s+$/, '')}`;
  return `<${createHash('sha256').update(canonical, 'latin1').digest('hex')}@readerdesk.invalid>`;
}

const escapeRegExp = (value: string): string => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The conversation number in a subject token such as `[#1234]` (the prefix is configurable, e.g.
 * `RD-` for `[RD-1234]`, and matched without regard to case). The first token wins, since replies
 * keep the desk's token where the desk put it and later tokens come from forwarded subjects.
 */
export function findReferenceToken(subject: string | null | undefined, prefix = '#'): number | null {
  if (!subject) return null;
  const pattern = new RegExp(`\\[\\s*${escapeRegExp(prefix)}\\s*(\\d{1,15})\\s*\\]`, 'i');
  const match = pattern.exec(subject);
  if (!match) return null;
  const number = Number(match[1]);
  return Number.isSafeInteger(number) && number > 0 ? number : null;
}

function splitAddress(address: string): { local: string; domain: string } | null {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return null;
  return { local: address.slice(0, at), domain: address.slice(at + 1).toLowerCase() };
}

/**
 * The conversation number carried by plus-addressing, `desk+1234@library.org` → 1234, from the first
 * recipient that has one. With `deskAddresses`, only recipients whose address without the tag is one
 * of them count, so a reader who copies in `friend+42@example.com` does not pick a conversation.
 */
export function findPlusAddressNumber(
  recipients: readonly string[],
  deskAddresses: readonly string[] = [],
): number | null {
  const desks = new Set(
    deskAddresses
      .map((address) => splitAddress(address.trim()))
      .filter((parts) => parts !== null)
      .map((parts) => `${parts.local.toLowerCase()}@${parts.domain}`),
  );
  for (const recipient of recipients) {
    const parts = splitAddress(recipient.trim());
    if (!parts) continue;
    const match = /^([^+]+)\+(\d{1,15})$/.exec(parts.local);
    if (!match) continue;
    if (desks.size > 0 && !desks.has(`${match[1].toLowerCase()}@${parts.domain}`)) continue;
    const number = Number(match[2]);
    if (Number.isSafeInteger(number) && number > 0) return number;
  }
  return null;
}
