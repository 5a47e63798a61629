/**
 * How a note names a colleague: `@` and the local part of their sign-in address (`@maria` for
 * maria@library.org), or the whole address (`@maria@library.org`) where a local part is not unique
 * in the library. Display names are not used: they hold spaces and repeat ("@Maria" could be two
 * people), while a sign-in address is unique across the desk. Case does not matter. A mention starts
 * the text or follows something other than a letter, digit or address character, so an email address
 * written in a note (reader@example.org) names nobody; trailing punctuation ("@maria.") is not part
 * of it.
 */
const MENTION =
  /(?<![\p{L}\p{N}._%+@-])@([a-z0-9](?:[a-z0-9._%+-]*[a-z0-9_%+])?)(?:@([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+))?/giu;

/** At most this many different handles of one note are looked up; the rest are reported as `too_many`. */
export const MAX_MENTIONS = 20;

export interface MentionHandle {
  /** As written after the @, in lower case: `maria` or `maria@library.org`. */
  handle: string;
  localPart: string;
  /** The whole address, when the handle is one. */
  address: string | null;
}

/** The handles a text mentions, each once, in order of appearance. */
export function mentionHandles(text: string): MentionHandle[] {
  const seen = new Map<string, MentionHandle>();
  for (const match of text.matchAll(MENTION)) {
    const localPart = match[1].toLowerCase();
    const domain = match[2]?.toLowerCase();
    const address = domain ? `${localPart}@${domain}` : null;
    const handle = address ?? localPart;
    if (!seen.has(handle)) seen.set(handle, { handle, localPart, address });
  }
  return [...seen.values()];
}
