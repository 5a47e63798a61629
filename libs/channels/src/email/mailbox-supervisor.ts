import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Inbox, InboxService } from '@readerdesk/conversations';
import { Clock, DatabaseService, libraryScope } from '@readerdesk/platform';
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { EmailInboxService } from './email-inbox.service';
import { EmailIngestService } from './email-ingest.service';
import { MailboxCursorRepository } from './mailbox-cursor.repository';
import { createMailboxFetcher, type RunningMailbox } from './mailbox-fetcher.factory';

/** How often the supervisor looks at the inboxes (new, changed, removed) and renews its leases. */
export const SUPERVISE_EVERY_MS = 15_000;
/** A lease outlives a few missed renewals, and no more: a dead worker's mailboxes move on within a minute. */
const LEASE_MS = 60_000;

interface Served {
  /** The inbox's library: its lease is released in that scope, also after the inbox was deleted. */
  libraryId: string;
  fingerprint: string;
  mailbox: RunningMailbox;
}

/**
 * Runs one IMAP fetcher per email inbox that has IMAP settings, in the worker. It reconciles with
 * the inboxes table on a timer, so connecting, changing or removing a mailbox through the API takes
 * effect without a restart; and it holds a lease per mailbox, so that with several worker processes
 * each mailbox is read by exactly one of them (another takes over when a lease runs out).
 */
@Injectable()
export class MailboxSupervisor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Mailboxes');
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly served = new Map<string, Served>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopping = false;

  constructor(
    private readonly db: DatabaseService,
    private readonly clock: Clock,
    private readonly inboxes: InboxService,
    private readonly email: EmailInboxService,
    private readonly ingest: EmailIngestService,
    private readonly cursors: MailboxCursorRepository,
  ) {}

  onApplicationBootstrap(): void {
    void this.db.connect().then(() => this.tick());
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    await Promise.all([...this.served.keys()].map((id) => this.retire(id)));
  }

  /** Reconciles now (tests and the API's "connect" can call it instead of waiting for the timer). */
  async reconcile(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.reconcileOnce().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  status(): Array<{ inboxId: string; status: unknown }> {
    return [...this.served].map(([inboxId, s]) => ({ inboxId, status: s.mailbox.status() }));
  }

  private async tick(): Promise<void> {
    if (this.stopping) return;
    try {
      await this.reconcile();
    } catch (error) {
      this.logger.warn(`could not reconcile mailboxes: ${(error as Error).message}`);
    }
    if (!this.stopping) this.timer = setTimeout(() => void this.tick(), SUPERVISE_EVERY_MS).unref();
  }

  private async reconcileOnce(): Promise<void> {
    const wanted = new Map<string, Inbox>();
    for (const inbox of await this.inboxes.allOfChannel('email')) {
      const settings = this.email.settingsOf(inbox);
      if (settings.imap) wanted.set(inbox.id, inbox);
    }
    for (const id of [...this.served.keys()]) if (!wanted.has(id)) await this.retire(id);
    const now = this.clock.now();
    for (const [id, inbox] of wanted) {
      if (this.stopping) return;
      const scope = libraryScope(inbox.libraryId);
      const mine = await this.cursors.claim(scope, id, this.owner, now, new Date(now.getTime() + LEASE_MS));
      const fingerprint = createHash('sha256')
        .update(JSON.stringify([inbox.settings, inbox.secrets]))
        .digest('hex');
      const current = this.served.get(id);
      if (!mine) {
        if (current) await this.retire(id, false);
        continue;
      }
      if (current?.fingerprint === fingerprint) continue;
      if (current) await this.retire(id, false);
      this.serve(inbox, fingerprint);
    }
  }

  private serve(inbox: Inbox, fingerprint: string): void {
    const config = this.email.config(inbox);
    const imap = config.settings.imap;
    if (!imap) return;
    const scope = libraryScope(inbox.libraryId);
    const mailbox = createMailboxFetcher({
      label: `${config.settings.address} (${inbox.id})`,
      imap,
      password: config.secrets.imapPassword ?? '',
      cursor: {
        load: () => this.cursors.load(scope, inbox.id),
        save: (cursor) => this.cursors.save(scope, inbox.id, cursor, this.clock.now()),
      },
      handle: async (raw, receivedAt) => {
        const outcome = await this.ingest.ingestRaw(inbox, raw, 'imap', receivedAt);
        // Only once stored (a conversation, or the unprocessed list) is it marked processed; an
        // unreadable message stays in the mailbox untouched, for a person to look at.
        return outcome.kind !== 'unreadable';
      },
      onError: (message) => void this.cursors.recordError(scope, inbox.id, message).catch(() => undefined),
    });
    this.served.set(inbox.id, { libraryId: inbox.libraryId, fingerprint, mailbox });
    mailbox.start();
    this.logger.log(
      `serving mailbox ${config.settings.address} (${imap.user}@${imap.host}:${imap.port}/${imap.folder})`,
    );
  }

  private async retire(inboxId: string, release = true): Promise<void> {
    const current = this.served.get(inboxId);
    if (!current) return;
    this.served.delete(inboxId);
    await current.mailbox.stop();
    if (release) {
      await this.cursors.release(libraryScope(current.libraryId), inboxId, this.owner).catch(() => undefined);
    }
  }
}
