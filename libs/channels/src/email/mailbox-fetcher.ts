import { backoff } from '@readerdesk/platform';
import { ImapFlow } from 'imapflow';
import type { ImapSettings } from './email-inbox.settings';

export interface MailboxCursorState {
  uidValidity: string | null;
  lastUid: number;
}

export interface MailboxFetcherOptions {
  /** For logs: which mailbox this is. */
  label: string;
  imap: ImapSettings;
  password: string;
  cursor: { load(): Promise<MailboxCursorState>; save(cursor: MailboxCursorState): Promise<void> };
  /**
   * Hands one message on; resolves true when it is done with (the processed-mail action then applies),
   * false to leave it untouched on the server. Throwing stops the batch: the same message comes again
   * after a back-off, never skipped.
   */
  handle(raw: Buffer, receivedAt: Date | undefined): Promise<boolean>;
  onError?(message: string): void;
  /** What happened to the connection, for the mailbox's health (MailboxHealth); called synchronously. */
  report?(signal: MailboxSignal): void;
  logger?: { log(message: string): void; warn(message: string): void; debug?(message: string): void };
  /** Messages larger than this are not downloaded whole: the headers and a note are handed on. */
  maxMessageBytes?: number;
  /** Messages handled at once (one sender’s always in order). Default 16. */
  concurrency?: number;
  /** Messages downloaded per round; memory stays bounded whatever the mailbox holds. */
  batchSize?: number;
  /** First and longest pause between reconnection attempts. */
  backoff?: { initialMs: number; maxMs: number };
}

/**
 * The fetcher's news: a connection is being made; the folder was listed (`waiting` messages above
 * the cursor); a group was handed on (`waiting` left); a round finished; or a failure (the next try
 * comes after a back-off).
 */
export type MailboxSignal =
  | { kind: 'connecting' }
  | { kind: 'listed'; waiting: number }
  | { kind: 'progress'; waiting: number }
  | { kind: 'done' }
  | { kind: 'failed'; error: string };

export type MailboxState =
  | { state: 'connecting' }
  | { state: 'fetching'; lastUid: number }
  | { state: 'idle'; lastUid: number; since: string }
  | { state: 'backoff'; error: string; retryAt: string; failures: number }
  | { state: 'stopped' };

export interface RunningMailbox {
  start(): void;
  stop(): Promise<void>;
  status(): MailboxState;
}

const DEFAULT_MAX_BYTES = 40 * 1024 * 1024;
/** Bytes downloaded in one FETCH at most (one message larger than this comes alone). */
const GROUP_BYTES = 8 * 1024 * 1024;
/**
 * Messages of a group handled at once (one sender's always in order). Enough for the ingestion's
 * group commit to store several in one transaction; few enough to keep memory flat.
 */
const DEFAULT_CONCURRENCY = 16;

interface Listed {
  uid: number;
  size?: number;
  internalDate?: Date | string;
}

/** The From header's text, enough to keep one sender's messages in order without parsing the message. */
function senderOf(raw: Buffer): string {
  const head = raw.subarray(0, Math.min(raw.length, 16 * 1024)).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const match = /^from:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(end < 0 ? head : head.slice(0, end));
  const field = match?.[1] ?? '';
  const address = /<([^>]+)>/.exec(field)?.[1] ?? field;
  return address.trim().toLowerCase();
}

function groups(items: Listed[], maxBytes: number): Listed[][] {
  const out: Listed[][] = [];
  let current: Listed[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = Math.min(item.size ?? 0, maxBytes);
    if (current.length > 0 && bytes + size > GROUP_BYTES) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Reads one IMAP folder, resumable: messages with a UID above the stored cursor are downloaded one
 * at a time in UID order, handed on, and the cursor saved after each, so a restart or a dropped
 * connection resumes without losing a message (the handler is idempotent, so one seen twice is
 * harmless). A changed UIDVALIDITY starts the folder over. Between rounds the connection idles
 * (IMAP IDLE through imapflow's auto-idle) and wakes on new mail, and polls every `pollSeconds`
 * anyway, which also notices a connection that died silently. Failures back off exponentially
 * with jitter.
 */
export class MailboxFetcher implements RunningMailbox {
  private stopped = true;
  private client: ImapFlow | null = null;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** New mail was announced while no pause was waiting for it: the next pause ends at once. */
  private woken = false;
  private current: MailboxState = { state: 'stopped' };
  private failures = 0;

  constructor(private readonly options: MailboxFetcherOptions) {}

  status(): MailboxState {
    return this.current;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.nudge();
    this.client?.close();
    await this.loop;
    this.current = { state: 'stopped' };
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.session();
      } catch (error) {
        if (this.stopped) break;
        this.failures += 1;
        const message = describe(error);
        const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 1000, maxMs: 5 * 60_000 };
        const delay = backoff({ base: initialMs, cap: maxMs, jitter: 0.5 })(this.failures);
        this.current = {
          state: 'backoff',
          error: message,
          retryAt: new Date(Date.now() + delay).toISOString(),
          failures: this.failures,
        };
        // Each retry at debug only: the supervisor logs once when the mailbox is failing and once when it recovers.
        this.options.logger?.debug?.(`${this.options.label}: ${message}; retrying in ${Math.round(delay)} ms`);
        this.options.onError?.(message);
        this.options.report?.({ kind: 'failed', error: message });
        await this.pause(delay, { early: false });
      } finally {
        this.client?.close();
        this.client = null;
      }
    }
  }

  /** One connection's life: connect, open the folder, then fetch, idle, fetch… until it fails or we stop. */
  private async session(): Promise<void> {
    const { imap } = this.options;
    this.current = { state: 'connecting' };
    this.options.report?.({ kind: 'connecting' });
    const client = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: imap.secure,
      auth: { user: imap.user, pass: this.options.password },
      logger: false,
      autoIdleDelay: 1000,
      connectionTimeout: 30_000,
      greetingTimeout: 15_000,
      socketTimeout: 5 * 60_000,
    });
    this.client = client;
    let closed: (error: Error) => void = () => undefined;
    const lost = new Promise<never>((_, reject) => (closed = reject));
    lost.catch(() => undefined);
    client.on('error', (error: Error) => closed(error));
    client.on('close', () => closed(new Error('the IMAP connection closed')));
    client.on('exists', () => this.nudge());
    await client.connect();
    await client.mailboxOpen(imap.folder);
    while (!this.stopped) {
      await Promise.race([this.fetchNew(client), lost]);
      if (this.stopped) break;
      this.failures = 0;
      this.options.report?.({ kind: 'done' });
      const cursor = await this.options.cursor.load();
      this.current = { state: 'idle', lastUid: cursor.lastUid, since: new Date().toISOString() };
      await Promise.race([this.pause(imap.pollSeconds * 1000), lost]);
    }
    await client.logout().catch(() => undefined);
  }

  private async fetchNew(client: ImapFlow): Promise<void> {
    const mailbox = client.mailbox;
    if (!mailbox) throw new Error('no mailbox open');
    const uidValidity = String(mailbox.uidValidity);
    let cursor = await this.options.cursor.load();
    if (cursor.uidValidity !== uidValidity) {
      if (cursor.uidValidity !== null) {
        this.options.logger?.warn(
          `${this.options.label}: UIDVALIDITY changed (${cursor.uidValidity} → ${uidValidity}); reading the folder again`,
        );
      }
      cursor = { uidValidity, lastUid: 0 };
      await this.options.cursor.save(cursor);
    }
    const batchSize = this.options.batchSize ?? 50;
    const maxBytes = this.options.maxMessageBytes ?? DEFAULT_MAX_BYTES;
    // What was announced until now this SEARCH sees; only what comes after it must end the next pause.
    this.woken = false;
    // Every UID still to read, once per round: plain numbers, small even for a large mailbox.
    const found = await client.search({ uid: `${cursor.lastUid + 1}:*` }, { uid: true });
    const uids = (found || []).filter((uid) => uid > cursor.lastUid).sort((a, b) => a - b);
    this.options.report?.({ kind: 'listed', waiting: uids.length });
    let handed = 0;
    for (let start = 0; start < uids.length; start += batchSize) {
      if (this.stopped) return;
      this.current = { state: 'fetching', lastUid: cursor.lastUid };
      const listed: Listed[] = (
        await client.fetchAll(
          uids.slice(start, start + batchSize).join(','),
          { uid: true, size: true, internalDate: true },
          { uid: true },
        )
      ).sort((a, b) => a.uid - b.uid);
      // Bodies come in groups, one FETCH per group, bounded by count and bytes: few round trips, bounded memory.
      for (const group of groups(listed, maxBytes)) {
        if (this.stopped) return;
        const sources = await this.downloadGroup(client, group, maxBytes);
        const done = await this.handleGroup(group, sources);
        if (this.stopped) return;
        cursor = { uidValidity, lastUid: group[group.length - 1].uid };
        await this.options.cursor.save(cursor);
        handed += group.length;
        this.options.report?.({ kind: 'progress', waiting: uids.length - handed });
        await this.markProcessed(client, done);
      }
    }
  }

  /**
   * Hands a group on with a few messages in flight, but one sender's messages strictly in order (a
   * reader's follow-up must find the conversation their first message opened). The cursor moves past
   * the group only when all of it is handled; a failure fails the group, and it comes again whole
   * (what was already stored is recognised then).
   */
  private async handleGroup(group: Listed[], sources: Map<number, Buffer>): Promise<number[]> {
    const done: number[] = [];
    const chains = new Map<string, Promise<void>>();
    const running = new Set<Promise<void>>();
    const limit = Math.max(1, this.options.concurrency ?? DEFAULT_CONCURRENCY);
    for (const item of group) {
      if (this.stopped) break;
      const raw = sources.get(item.uid) ?? null;
      if (!raw) continue;
      const receivedAt =
        item.internalDate instanceof Date
          ? item.internalDate
          : item.internalDate
            ? new Date(item.internalDate)
            : undefined;
      const key = senderOf(raw);
      const previous = chains.get(key) ?? Promise.resolve();
      const task = previous.then(async () => {
        if (await this.options.handle(raw, receivedAt)) done.push(item.uid);
      });
      chains.set(key, task);
      const tracked: Promise<void> = task.then(
        () => undefined,
        () => undefined,
      );
      void tracked.then(() => running.delete(tracked));
      running.add(tracked);
      if (running.size >= limit) await Promise.race(running);
    }
    // Wait for everything in flight before reporting a failure, so nothing runs on behind our back.
    const outcomes = await Promise.allSettled([...chains.values()]);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
    return done.sort((a, b) => a - b);
  }

  private async downloadGroup(client: ImapFlow, group: Listed[], maxBytes: number): Promise<Map<number, Buffer>> {
    const sources = new Map<number, Buffer>();
    const whole = group.filter((m) => (m.size ?? 0) <= maxBytes).map((m) => m.uid);
    if (whole.length > 0) {
      for (const m of await client.fetchAll(whole.join(','), { uid: true, source: true }, { uid: true })) {
        if (m.source) sources.set(m.uid, m.source);
      }
    }
    for (const m of group.filter((item) => (item.size ?? 0) > maxBytes)) {
      const raw = await this.download(client, m.uid, m.size ?? 0, maxBytes);
      if (raw) sources.set(m.uid, raw);
    }
    return sources;
  }

  private async download(client: ImapFlow, uid: number, size: number, maxBytes: number): Promise<Buffer | null> {
    if (size > maxBytes) {
      const head = await client.fetchOne(String(uid), { headers: true }, { uid: true });
      if (!head || !head.headers) return null;
      const note =
        `\r\n[ReaderDesk: this message is ${size} bytes, over the limit of ${maxBytes}; ` +
        `only its headers were read. The whole message is still in the mailbox.]\r\n`;
      // The original body's MIME headers would describe bytes that are not there: keep only plain text.
      const headers = head.headers
        .toString('utf8')
        .split(/\r?\n(?![ \t])/)
        .filter((line) => line.trim() !== '' && !/^(content-type|content-transfer-encoding|mime-version):/i.test(line))
        .join('\r\n');
      return Buffer.from(`${headers}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n${note}`);
    }
    const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
    return message && message.source ? message.source : null;
  }

  /** The processed-mail action, for a group at once. Skipped after a crash, it is only cosmetic: the cursor decides. */
  private async markProcessed(client: ImapFlow, uids: number[]): Promise<void> {
    if (uids.length === 0) return;
    const { processed, moveTo } = this.options.imap;
    const range = uids.join(',');
    if (processed === 'flag') await client.messageFlagsAdd(range, ['\\Seen'], { uid: true });
    if (processed === 'move' && moveTo) {
      await client.mailboxCreate(moveTo).catch(() => undefined);
      await client.messageMove(range, moveTo, { uid: true });
    }
  }

  /**
   * Ends the current pause, or, when none is waiting (an EXISTS that arrives with a FETCH's or a
   * SEARCH's response, mid-round), the next one: a message appended while a round was already past
   * its SEARCH is read at once, not a poll interval later.
   */
  private nudge(): void {
    if (this.wake) this.wake();
    else this.woken = true;
  }

  /** `early: false` for a back-off: mail announced before the failure must not cut it short. */
  private pause(ms: number, { early = true } = {}): Promise<void> {
    if (this.stopped || (early && this.woken)) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }
}

function describe(error: unknown): string {
  const e = error as { message?: string; responseText?: string; authenticationFailed?: boolean; code?: string };
  if (e?.authenticationFailed)
    return `sign-in refused by the IMAP server${e.responseText ? `: ${e.responseText}` : ''}`;
  return e?.responseText ?? e?.message ?? String(error);
}
