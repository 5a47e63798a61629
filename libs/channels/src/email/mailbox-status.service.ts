import { Injectable } from '@nestjs/common';
import { Inbox } from '@readerdesk/conversations';
import { Clock, libraryScope } from '@readerdesk/platform';
import { EmailInboxService } from './email-inbox.service';
import type { MailboxConnectionState } from './mailbox-cursor.entity';
import { MailboxCursorRepository } from './mailbox-cursor.repository';

/**
 * What the desk knows about reading a mailbox. `not_configured`: no IMAP; `unclaimed`: IMAP, but no
 * worker serves it (none has yet, or the last one let go when it stopped); `stale`: the worker that
 * served it stopped renewing its lease (it died, or lost the database), so its last report may be
 * out of date; otherwise what that worker reports.
 */
export type MailboxStatusState = 'not_configured' | 'unclaimed' | 'stale' | MailboxConnectionState;

export interface MailboxStatusView {
  state: MailboxStatusState;
  /** When the worker's reported state began. */
  since: string | null;
  /** The last time a worker was connected and listed the folder. */
  lastFetchAt: string | null;
  /** The last failure, whether or not it is over (the state says). */
  lastError: string | null;
  lastErrorAt: string | null;
  consecutiveFailures: number;
  failingSince: string | null;
  /** Messages in the folder above the desk's cursor, not yet handed to the desk, at the last listing or batch. */
  waiting: number | null;
  /** The worker process serving it (host:pid:tag), and until when its lease runs. */
  worker: string | null;
  leaseUntil: string | null;
}

const iso = (at: Date | null | undefined): string | null => (at ? at.toISOString() : null);

/** Reads a mailbox's state from its cursor row, so any process (the api) can answer without the worker. */
@Injectable()
export class MailboxStatusService {
  constructor(
    private readonly email: EmailInboxService,
    private readonly cursors: MailboxCursorRepository,
    private readonly clock: Clock,
  ) {}

  async of(inbox: Inbox): Promise<MailboxStatusView> {
    const configured = !!this.email.settingsOf(inbox).imap;
    const row = configured ? await this.cursors.status(libraryScope(inbox.libraryId), inbox.id) : null;
    const view: MailboxStatusView = {
      state: 'not_configured',
      since: iso(row?.stateSince),
      lastFetchAt: iso(row?.lastFetchAt),
      lastError: row?.lastError ?? null,
      lastErrorAt: iso(row?.lastErrorAt),
      consecutiveFailures: row?.consecutiveFailures ?? 0,
      failingSince: iso(row?.failingSince),
      waiting: row?.waiting ?? null,
      worker: row?.leaseOwner ?? null,
      leaseUntil: iso(row?.leaseUntil),
    };
    if (!configured) return view;
    if (!row?.leaseOwner || !row.connectionState) return { ...view, state: 'unclaimed' };
    if (!row.leaseUntil || row.leaseUntil.getTime() < this.clock.now().getTime()) return { ...view, state: 'stale' };
    return { ...view, state: row.connectionState };
  }
}
