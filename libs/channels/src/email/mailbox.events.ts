import { defineEvent } from '@readerdesk/platform';

/**
 * An email inbox was created, its settings changed, or it was removed. Published by whichever
 * process took the change (the api), delivered in every process, so that the worker serving the
 * mailboxes reconciles at once instead of at its next round.
 */
export const MailboxSettingsChanged = defineEvent<{ libraryId: string; inboxId: string }>(
  'channels.mailbox-settings-changed',
  { everyProcess: true },
);

/**
 * A mailbox began failing (`failing`), or reads mail again after failing (`connected`): for the
 * library's supervisors and administrators, once per change, not per retry.
 */
export const MailboxHealthChanged = defineEvent<{
  libraryId: string;
  inboxId: string;
  address: string;
  state: 'failing' | 'connected';
  /** The last failure's message (the IMAP server's or the network's words; never a password). */
  error: string | null;
  consecutiveFailures: number;
  /** ISO time: when the failures began (`failing`) or when it recovered (`connected`). */
  since: string;
}>('channels.mailbox-health-changed');
