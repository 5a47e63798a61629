import PostalMime from 'postal-mime';
import { restoreWindows1252 } from './lenient-decoder';

/** A mailbox from an address header. */
export interface EmailAddress {
  /** Decoded display name, '' when there is none; control characters and line breaks become spaces. */
  name: string;
  /** The address with its domain lower-cased (the local part is kept as written: it may be case-sensitive). */
  address: string;
}

// Besides C0/C1 controls, the Unicode line and paragraph separators: a name that carries them into
// a reply header or a log line would break it just like a CR or LF.
const UNSAFE_IN_NAME = /[\p{Cc}\u2028\u2029]+/gu;

/** Lower-cases the domain of an address and trims it; the local part is left alone. */
export function normaliseAddress(address: string): string {
  const trimmed = address.trim();
  const at = trimmed.lastIndexOf('@');
  return at < 0 ? trimmed : `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`;
}

function cleanName(name: string): string {
  return restoreWindows1252(name).replace(UNSAFE_IN_NAME, ' ').replace(/\s+/g, ' ').trim();
}

/** Every mailbox in an address header (groups flattened), with decoded names. */
export function parseAddressList(value: string | null | undefined): EmailAddress[] {
  if (!value) return [];
  const parsed = PostalMime.addressParser(value, { flatten: true });
  const addresses: EmailAddress[] = [];
  for (const entry of parsed) {
    const address = normaliseAddress((entry.address ?? '').replace(UNSAFE_IN_NAME, ''));
    if (address) addresses.push({ name: cleanName(entry.name ?? ''), address });
  }
  return addresses;
}

/**
 * The Return-Path (envelope sender): the address, '' for the null sender `<>` that bounces and
 * auto-replies use, or null when the header is missing.
 */
export function parseReturnPath(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const inner = /<([^>]*)>/.exec(value)?.[1] ?? value;
  return normaliseAddress(inner.replace(/\s+/g, ''));
}
