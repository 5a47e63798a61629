import { dovecotSkipReason, startDovecot, testDialect, type TestDovecot } from '@readerdesk/testing';
import { ImapFlow } from 'imapflow';
import type { ImapSettings } from './email-inbox.settings';
import { MailboxCursorState, MailboxFetcher, MailboxFetcherOptions } from './mailbox-fetcher';

// No database involved: run once, in the SQLite pass, and only where Dovecot is installed.
const skip = testDialect() !== 'sqlite' ? 'runs in the SQLite pass only (no database involved)' : dovecotSkipReason();
if (skip) console.warn(`IMAP fetcher tests skipped: ${skip}`);

const mail = (n: number, size = 0): string =>
  [
    `From: Reader ${n} <reader${n}@example.org>`,
    'To: ask@riverside.example.org',
    `Subject: Question ${n}`,
    `Message-ID: <m${n}@example.org>`,
    '',
    `Body ${n} ${'x'.repeat(size)}`,
    '',
  ].join('\r\n');

async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

(skip ? describe.skip : describe)('MailboxFetcher against a real Dovecot', () => {
  let dovecot: TestDovecot;
  let folderCount = 0;
  const fetchers: MailboxFetcher[] = [];

  beforeAll(async () => {
    dovecot = await startDovecot([{ user: 'desk', password: 'desk-secret' }]);
  });
  afterAll(async () => {
    await Promise.all(fetchers.map((f) => f.stop()));
    await dovecot?.stop();
  });

  function setup(over: Partial<ImapSettings> = {}, options: Partial<MailboxFetcherOptions> = {}) {
    folderCount += 1;
    const folder = over.folder ?? `Test${folderCount}`;
    let cursor: MailboxCursorState = { uidValidity: null, lastUid: 0 };
    const seen: string[] = [];
    const fetcher = new MailboxFetcher({
      label: folder,
      imap: {
        host: dovecot.host,
        port: dovecot.port,
        secure: false,
        user: 'desk',
        folder,
        processed: 'none',
        moveTo: null,
        pollSeconds: 60,
        ...over,
      },
      password: 'desk-secret',
      cursor: {
        load: () => Promise.resolve(cursor),
        save: (next) => {
          cursor = next;
          return Promise.resolve();
        },
      },
      handle: (raw) => {
        seen.push(/^Subject: (.*)$/m.exec(raw.toString())?.[1]?.trim() ?? '?');
        return Promise.resolve(true);
      },
      backoff: { initialMs: 50, maxMs: 400 },
      ...options,
    });
    fetchers.push(fetcher);
    return { folder, fetcher, seen, cursor: () => cursor };
  }

  it('reads what is there in UID order, then new mail while idling without waiting for the poll', async () => {
    const { folder, fetcher, seen } = setup({ processed: 'flag' });
    for (const n of [1, 2, 3]) await dovecot.append('desk', folder, mail(n));
    fetcher.start();
    await until(() => seen.length === 3, 'three messages');
    expect([...seen].sort()).toEqual(['Question 1', 'Question 2', 'Question 3']);
    await until(() => fetcher.status().state === 'idle', 'idle');
    await new Promise((resolve) => setTimeout(resolve, 1500)); // let auto-IDLE start
    const before = Date.now();
    await dovecot.append('desk', folder, mail(4));
    await until(() => seen.length === 4, 'the fourth message', 10_000);
    expect(Date.now() - before).toBeLessThan(10_000); // the poll interval is 60 s
    // 'flag': processed mail is \Seen on the server.
    const client = new ImapFlow({
      host: dovecot.host,
      port: dovecot.port,
      secure: false,
      auth: { user: 'desk', pass: 'desk-secret' },
      logger: false,
    });
    await client.connect();
    await client.mailboxOpen(folder);
    const unseen = await client.search({ seen: false }, { uid: true });
    await client.logout();
    expect(unseen).toEqual([]);
    await fetcher.stop();
  });

  it('reads mail that arrives in the middle of a round at once, not a poll interval later', async () => {
    // The server announces the new message with the response to the round's own STORE (\Seen), while no
    // pause is waiting for it; that announcement must still end the pause that follows.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = false;
    const seen: string[] = [];
    const { folder, fetcher } = setup(
      { processed: 'flag' },
      {
        handle: async (raw) => {
          const subject = /^Subject: (.*)$/m.exec(raw.toString())?.[1]?.trim() ?? '?';
          if (subject === 'Question 30') {
            entered = true;
            await gate;
          }
          seen.push(subject);
          return true;
        },
      },
    );
    await dovecot.append('desk', folder, mail(30));
    fetcher.start();
    await until(() => entered, 'the first message in hand');
    await dovecot.append('desk', folder, mail(31));
    const before = Date.now();
    release();
    await until(() => seen.length === 2, 'the message that came mid-round', 10_000);
    expect(Date.now() - before).toBeLessThan(10_000); // the poll interval is 60 s
    expect(seen).toEqual(['Question 30', 'Question 31']);
    await fetcher.stop();
  });

  it('resumes after a stop without losing or repeating a message', async () => {
    const { folder, fetcher, seen } = setup();
    for (const n of [10, 11]) await dovecot.append('desk', folder, mail(n));
    fetcher.start();
    await until(() => seen.length === 2, 'two messages');
    await fetcher.stop();
    for (const n of [12, 13]) await dovecot.append('desk', folder, mail(n));
    fetcher.start();
    await until(() => seen.length === 4, 'four messages');
    await fetcher.stop();
    expect([...seen].sort()).toEqual(['Question 10', 'Question 11', 'Question 12', 'Question 13']);
  });

  it('keeps one sender’s messages in order while others run alongside', async () => {
    const order: string[] = [];
    const { folder, fetcher } = setup(
      {},
      {
        concurrency: 4,
        handle: async (raw) => {
          const text = raw.toString();
          const subject = /^Subject: (.*)$/m.exec(text)?.[1]?.trim() ?? '?';
          // The first message of each sender is slow: a follow-up must still wait for it.
          if (/Subject: First/.test(text)) await new Promise((resolve) => setTimeout(resolve, 150));
          order.push(subject);
          return true;
        },
      },
    );
    const from = (who: string, subject: string) =>
      `From: ${who} <${who}@example.org>\r\nSubject: ${subject}\r\nMessage-ID: <${who}-${subject.replace(/ /g, '')}@x>\r\n\r\nbody\r\n`;
    for (const who of ['ann', 'bob', 'cat']) await dovecot.append('desk', folder, from(who, `First ${who}`));
    for (const who of ['ann', 'bob', 'cat']) await dovecot.append('desk', folder, from(who, `Second ${who}`));
    fetcher.start();
    await until(() => order.length === 6, 'six messages');
    await fetcher.stop();
    for (const who of ['ann', 'bob', 'cat']) {
      expect(order.indexOf(`First ${who}`)).toBeLessThan(order.indexOf(`Second ${who}`));
    }
  });

  it('retries a message whose handler failed, and never skips it', async () => {
    let failuresLeft = 2;
    const handled: string[] = [];
    const { folder, fetcher } = setup(
      {},
      {
        handle: (raw) => {
          const subject = /^Subject: (.*)$/m.exec(raw.toString())?.[1]?.trim() ?? '?';
          if (subject === 'Question 21' && failuresLeft > 0) {
            failuresLeft -= 1;
            return Promise.reject(new Error('database unavailable'));
          }
          handled.push(subject);
          return Promise.resolve(true);
        },
      },
    );
    for (const n of [20, 21, 22]) await dovecot.append('desk', folder, mail(n));
    fetcher.start();
    await until(() => handled.includes('Question 21'), 'the failing message, handled at last');
    // At least once, never skipped: a retried group may bring a message again (ingestion drops repeats).
    expect(new Set(handled)).toEqual(new Set(['Question 20', 'Question 21', 'Question 22']));
    expect(failuresLeft).toBe(0);
    await fetcher.stop();
  });

  it('delivers every message when the server restarts in the middle of a large fetch', async () => {
    const { folder, fetcher, seen } = setup({}, { batchSize: 20 });
    for (let n = 100; n < 300; n += 1) await dovecot.append('desk', folder, mail(n));
    fetcher.start();
    await until(() => seen.length >= 40, 'a first part');
    await dovecot.restart();
    await until(() => new Set(seen).size === 200, 'all 200 messages', 60_000);
    await fetcher.stop();
    expect(new Set(seen).size).toBe(200);
  }, 90_000);

  it('reads the folder again when its UIDVALIDITY changes, and moves processed mail', async () => {
    const { folder, fetcher, seen, cursor } = setup({ processed: 'move', moveTo: 'Done' });
    await dovecot.append('desk', folder, mail(30));
    fetcher.start();
    await until(() => seen.length === 1, 'the first message');
    const client = new ImapFlow({
      host: dovecot.host,
      port: dovecot.port,
      secure: false,
      auth: { user: 'desk', pass: 'desk-secret' },
      logger: false,
    });
    await client.connect();
    // Moved once its group is done (handing it on comes first): wait for that before stopping.
    const deadline = Date.now() + 15_000;
    let moved = 0;
    while (moved < 1 && Date.now() < deadline) {
      const status = await client.status('Done', { messages: true }).catch(() => false as const);
      moved = (status && status.messages) || 0;
      if (moved < 1) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(moved).toBeGreaterThanOrEqual(1);
    await fetcher.stop();
    const validity = cursor().uidValidity;
    await client.mailboxDelete(folder);
    await client.logout();
    await new Promise((resolve) => setTimeout(resolve, 1100)); // UIDVALIDITY is a timestamp in Dovecot
    await dovecot.append('desk', folder, mail(31));
    fetcher.start();
    await until(() => seen.length === 2, 'the message of the new folder');
    await fetcher.stop();
    expect(seen).toEqual(['Question 30', 'Question 31']);
    expect(cursor().uidValidity).not.toBe(validity);
  });

  it('backs off with a clear error on a wrong password, and hands over headers only for a huge message', async () => {
    const wrong = new MailboxFetcher({
      label: 'wrong',
      imap: {
        host: dovecot.host,
        port: dovecot.port,
        secure: false,
        user: 'desk',
        folder: 'INBOX',
        processed: 'none',
        moveTo: null,
        pollSeconds: 60,
      },
      password: 'not-the-password',
      cursor: { load: () => Promise.resolve({ uidValidity: null, lastUid: 0 }), save: () => Promise.resolve() },
      handle: () => Promise.resolve(true),
      backoff: { initialMs: 200, maxMs: 1000 },
    });
    fetchers.push(wrong);
    wrong.start();
    await until(() => wrong.status().state === 'backoff', 'backoff');
    expect(wrong.status()).toMatchObject({ state: 'backoff', error: expect.stringMatching(/sign-in refused|auth/i) });
    await wrong.stop();

    const raws: string[] = [];
    const { folder, fetcher } = setup(
      {},
      { maxMessageBytes: 5000, handle: (raw) => (raws.push(raw.toString()), Promise.resolve(true)) },
    );
    await dovecot.append('desk', folder, mail(40, 20_000));
    fetcher.start();
    await until(() => raws.length === 1, 'the huge message');
    await fetcher.stop();
    expect(raws[0]).toContain('Subject: Question 40');
    expect(raws[0]).toContain('over the limit of 5000');
    expect(raws[0]).not.toContain('x'.repeat(100));
  });
});
