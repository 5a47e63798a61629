import { domainToASCII, domainToUnicode } from 'node:url';

/**
 * The inbox addresses an SMTP recipient may stand for, most specific first: the address itself,
 * then without its plus tag (`ask+1234@lib.org` is delivered to `ask@lib.org`), each with the
 * domain as written, in ASCII (punycode) and in Unicode, since an administrator may have typed
 * either form of an internationalised domain. Inbox addresses are stored lower-cased, so are these.
 * Empty when the text is not an address at all.
 */
export function recipientCandidates(address: string): string[] {
  const lower = address.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at <= 0 || at === lower.length - 1) return [];
  const local = lower.slice(0, at);
  const domain = lower.slice(at + 1);
  // The exact address first: an inbox may itself have a plus in its address.
  const plus = local.indexOf('+');
  const locals = plus > 0 ? [local, local.slice(0, plus)] : [local];
  const domains = [domain, domainToASCII(domain), domainToUnicode(domain)].filter((d) => d !== '');
  return [...new Set(locals.flatMap((l) => domains.map((d) => `${l}@${d}`)))];
}
