import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Inbox, InboxService } from '@readerdesk/conversations';
import { Clock, DatabaseService, Environment, EventBus, libraryScope, LibraryScope } from '@readerdesk/platform';
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { EmailInboxService } from './email-inbox.service';
import { EmailIngestService } from './email-ingest.service';
import { MailboxCursorRepository } from './mailbox-cursor.repository';
import { createMailboxFetcher, type RunningMailbox } from './mailbox-fetcher.factory';
import type { MailboxSignal } from './mailbox-fetcher';
import { MailboxHealth, type MailboxHealthChanges } from './mailbox-health';
import { MailboxHealthChanged, MailboxSettingsChanged } from './mailbox.events';

/** How often the supervisor looks at the inboxes (new, changed, removed) and renews its leases. */
export const SUPERVISE_EVERY_MS = 15_000;
/** A lease outlives a few missed renewals, and no more: a dead worker's mailboxes move on within a minute. */
const LEASE_MS = 60_000;
/** Health columns are written when the state changes, otherwise at most this often per mailbox. */
export const HEALTH_WRITE_EVERY_MS = 5_000;
/** The longest pause between a failing mailbox's attempts. */
const RETRY_MAX_MS = 5 * 60_000;

/**
 * Coalesces one mailbox's health changes: a change of state is written at once, anything else
 * (the waiting count while a backlog drains, the time of each listing, each retry's error) at most
 * every HEALTH_WRITE_EVERY_MS, the last of them by a trailing write. Writes go one after another.
 */
class HealthWriter {
  private pending: MailboxHealthChanges = {};
  private lastWrite = 0;
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (changes: MailboxHealthChanges) => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  push(changes: MailboxHealthChanges, urgent: boolean): void {
    Object.assign(this.pending, changes);
    const wait = this.lastWrite + HEALTH_WRITE_EVERY_MS - Date.now();
    if (urgent || wait <= 0) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), wait).unref();
  }

  async close(): Promise<void> {
    this.flush();
    await this.chain;
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const changes = this.pending;
    this.pending = {};
    if (Object.keys(changes).length === 0) return;
    this.lastWrite = Date.now();
    this.chain = this.chain.then(() => this.write(changes)).catch(this.onError);
  }
}

interface Served {
  /** The inbox's library: its lease is released in that scope, also after the inbox was deleted. */
  libraryId: string;
  fingerprint: string;
  mailbox: RunningMailbox;
  health: HealthWriter;
}

/**
 * Runs one IMAP fetcher per email inbox that has IMAP settings, in the worker. It reconciles with
 * the inboxes table on a timer, so connecting, changing or removing a mailbox through the API takes
 * effect without a restart, and at once when the api says so (MailboxSettingsChanged, delivered in
 * every process); and it holds a lease per mailbox, so that with several worker processes each
 * mailbox is read by exactly one of them (another takes over when a lease runs out). The fetcher's
 * health goes to the mailbox's cursor row, where the api reads it; entering and leaving `failing`
 * is logged once and announced to the library's supervisors (MailboxHealthChanged).
 */
@Injectable()
export class MailboxSupervisor implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Mailboxes');
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly served = new Map<string, Served>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** A reconcile asked for while one runs: that one may have read the inboxes before the change. */
  private again: Promise<void> | null = null;
  private stopping = false;

  constructor(
    private readonly db: DatabaseService,
    private readonly clock: Clock,
    private readonly inboxes: InboxService,
    private readonly email: EmailInboxService,
    private readonly ingest: EmailIngestService,
    private readonly cursors: MailboxCursorRepository,
    private readonly events: EventBus,
    private readonly env: Environment,
  ) {}

  onModuleInit(): void {
    this.events.subscribe(MailboxSettingsChanged, () => {
      if (this.stopping) return;
      this.reconcile().catch((error: unknown) =>
        this.logger.warn(`could not reconcile mailboxes: ${(error as Error).message}`),
      );
    });
  }

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
    if (this.running) {
      this.again ??= this.running
        .catch(() => undefined)
        .then(() => {
          this.again = null;
          return this.reconcile();
        });
      return this.again;
    }
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
      const before = await this.cursors.status(scope, id);
      this.serve(inbox, fingerprint, before?.connectionState === 'failing');
    }
  }

  private serve(inbox: Inbox, fingerprint: string, wasFailing: boolean): void {
    const config = this.email.config(inbox);
    const imap = config.settings.imap;
    if (!imap) return;
    const scope = libraryScope(inbox.libraryId);
    const password = config.secrets.imapPassword ?? '';
    const health = new MailboxHealth(wasFailing);
    const writer = new HealthWriter(
      (changes) => this.cursors.reportHealth(scope, inbox.id, this.owner, changes),
      (error) => this.logger.warn(`could not record the health of ${config.settings.address}: ${String(error)}`),
    );
    writer.push(health.start(this.clock.now()), true);
    const report = (signal: MailboxSignal): void => {
      // A server may echo what it was sent; a password never leaves the worker.
      const safe =
        signal.kind === 'failed' && password ? { ...signal, error: signal.error.split(password).join('***') } : signal;
      const step = health.apply(safe, this.clock.now());
      writer.push(step.changes, step.stateChanged);
      if (step.announce) this.announce(scope, inbox, config.settings.address, step.announce, health, safe);
    };
    const mailbox = createMailboxFetcher({
      label: `${config.settings.address} (${inbox.id})`,
      imap,
      password,
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
      report,
      backoff: { initialMs: this.env.DESK_MAILBOX_RETRY_BASE_MS, maxMs: RETRY_MAX_MS },
    });
    this.served.set(inbox.id, { libraryId: inbox.libraryId, fingerprint, mailbox, health: writer });
    mailbox.start();
    this.logger.log(
      `serving mailbox ${config.settings.address} (${imap.user}@${imap.host}:${imap.port}/${imap.folder})`,
    );
  }

  private announce(
    scope: LibraryScope,
    inbox: Inbox,
    address: string,
    what: 'failing' | 'recovered',
    health: MailboxHealth,
    signal: MailboxSignal,
  ): void {
    const { failures, failingSince } = health.current;
    const now = this.clock.now();
    const error = signal.kind === 'failed' ? signal.error : null;
    if (what === 'failing') {
      this.logger.warn(
        `mailbox ${address} (${inbox.id}) is failing: ${failures} failures in a row since ${failingSince?.toISOString()}; last: ${error}`,
      );
    } else {
      this.logger.log(`mailbox ${address} (${inbox.id}) reads mail again`);
    }
    this.events.publish(MailboxHealthChanged, {
      libraryId: scope.libraryId,
      inboxId: inbox.id,
      address,
      state: what === 'failing' ? 'failing' : 'connected',
      error,
      consecutiveFailures: failures,
      since: (what === 'failing' ? (failingSince ?? now) : now).toISOString(),
    });
  }

  private async retire(inboxId: string, release = true): Promise<void> {
    const current = this.served.get(inboxId);
    if (!current) return;
    this.served.delete(inboxId);
    await current.mailbox.stop();
    await current.health.close();
    if (release) {
      await this.cursors.release(libraryScope(current.libraryId), inboxId, this.owner).catch(() => undefined);
    }
  }
}
