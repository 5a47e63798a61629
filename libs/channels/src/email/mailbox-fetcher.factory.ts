import { Logger } from '@nestjs/common';
import { MailboxFetcher, type MailboxFetcherOptions, type RunningMailbox } from './mailbox-fetcher';

export type { RunningMailbox };

/** The seam the supervisor builds fetchers through. */
export function createMailboxFetcher(options: Omit<MailboxFetcherOptions, 'logger'>): RunningMailbox {
  return new MailboxFetcher({ ...options, logger: new Logger('Mailbox') });
}
