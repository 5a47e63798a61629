/**
 * bench/email: mail placed in a real Dovecot mailbox, read by the desk's IMAP fetcher through the
 * whole inbound path (parse, classify, thread, ingest on PostgreSQL) until every message is a
 * conversation message (or, for auto-replies, knowingly dropped). Prints messages per second and
 * the resident memory while it runs, split by halves to show it does not grow with the mailbox.
 */
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EmailInboxService, MailboxCursor, MailboxSupervisor } from '@readerdesk/channels';
import { Conversation, Message } from '@readerdesk/conversations';
import { DatabaseService, libraryScope } from '@readerdesk/platform';
import { LibraryDirectory } from '@readerdesk/tenancy';
// The harness, not the testing library's index (that one needs Jest's globals).
import { dovecotSkipReason, startDovecot } from '../libs/testing/src/dovecot';
import { benchEnvironment } from './environment';
import { DeskModule } from '../apps/desk/src/desk.module';

const TOTAL = Number(process.env.BENCH_EMAIL_MESSAGES ?? 10_000);
const READERS = Math.max(1, Math.floor(TOTAL / 5));

/** The i-th message: mostly new questions, some replies in an earlier thread, a few out-of-office answers. */
function message(i: number): string {
  const reader = i % READERS;
  const kind = i % 20 === 19 ? 'auto' : i >= READERS && i % 10 === 3 ? 'reply' : 'new';
  const headers = [
    `From: Reader ${reader} <reader${reader}@example.org>`,
    'To: ask@bench.example.org',
    `Message-ID: <bench-${i}@example.org>`,
    `Date: ${new Date(Date.UTC(2026, 10, 22, 8, 0, i % 3600)).toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
  ];
  if (kind === 'auto') headers.push('Auto-Submitted: auto-replied', 'Subject: Out of office');
  else if (kind === 'reply') {
    headers.push(`Subject: Re: Question ${i - READERS}`, `In-Reply-To: <bench-${i - READERS}@example.org>`);
  } else headers.push(`Subject: Question ${i}`);
  const body =
    `Hello, this is question ${i} about the local history collection and interlibrary loans. ` +
    'Could you tell me whether the 1925 volumes of the Riverside Herald are on microfilm, and whether I can ' +
    'reserve a reader for Saturday morning? Thank you — Größe, café, 图书馆.\r\n';
  return `${headers.join('\r\n')}\r\n\r\n${body.repeat(3)}`;
}

export async function emailBench(url: string): Promise<unknown> {
  const skip = dovecotSkipReason();
  if (skip) {
    console.log(`skipped: ${skip}`);
    return { skipped: skip };
  }
  const dovecot = await startDovecot([{ user: 'desk', password: 'desk-secret' }]);
  let app: INestApplicationContext | undefined;
  try {
    const filling = Date.now();
    const generated = function* (): Generator<string> {
      for (let i = 0; i < TOTAL; i += 1) yield message(i);
    };
    await dovecot.appendMany('desk', 'INBOX', generated());
    console.log(`placed ${TOTAL} messages in Dovecot in ${((Date.now() - filling) / 1000).toFixed(1)} s`);

    const env = benchEnvironment(url);
    app = await NestFactory.createApplicationContext(DeskModule.forRoot(env), { logger: ['error', 'warn'] });
    await app.init();
    const db = app.get(DatabaseService);
    await db.connect();
    const library = await app.get(LibraryDirectory).getBySlug('demo');
    const scope = libraryScope(library.id);
    const rssBefore = process.memoryUsage().rss;
    const inbox = await app.get(EmailInboxService).create(scope, {
      name: 'Bench mailbox',
      address: 'ask@bench.example.org',
      imap: {
        host: dovecot.host,
        port: dovecot.port,
        secure: false,
        user: 'desk',
        password: 'desk-secret',
        processed: 'flag',
        pollSeconds: 5,
      },
    });
    const started = Date.now();
    let lastUid = 0;
    const peaks = [0, 0];
    const sampler = setInterval(() => {
      const rss = process.memoryUsage().rss;
      const half = lastUid >= TOTAL / 2 ? 1 : 0;
      peaks[half] = Math.max(peaks[half], rss);
    }, 100);
    await app.get(MailboxSupervisor).reconcile();
    const cursors = db.manager.getRepository(MailboxCursor);
    while (lastUid < TOTAL) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      lastUid = (await cursors.findOneBy({ id: inbox.id }))?.lastUid ?? 0;
      if (Date.now() - started > 20 * 60_000) throw new Error(`stalled at UID ${lastUid}`);
    }
    const seconds = (Date.now() - started) / 1000;
    clearInterval(sampler);
    const stored = await db.manager.getRepository(Message).countBy({ inboxId: inbox.id });
    const conversations = await db.manager.getRepository(Conversation).countBy({ inboxId: inbox.id });
    const automatic = Array.from({ length: TOTAL }, (_, i) => i).filter((i) => i % 20 === 19).length;
    const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
    const figures = {
      messages: TOTAL,
      seconds: Number(seconds.toFixed(1)),
      perSecond: Number((TOTAL / seconds).toFixed(0)),
      stored,
      conversations,
      autoRepliesDropped: TOTAL - stored,
      expectedAutoReplies: automatic,
      rssBeforeMb: Number(mb(rssBefore)),
      rssPeakFirstHalfMb: Number(mb(peaks[0])),
      rssPeakSecondHalfMb: Number(mb(peaks[1])),
    };
    console.log(
      [
        `messages                ${TOTAL}`,
        `time until all stored   ${figures.seconds} s`,
        `messages per second     ${figures.perSecond}   (target >= 200)`,
        `stored / conversations  ${stored} / ${conversations}   (auto-replies dropped: ${TOTAL - stored}, sent: ${automatic})`,
        `RSS before / peak 1st half / peak 2nd half   ${figures.rssBeforeMb} / ${figures.rssPeakFirstHalfMb} / ${figures.rssPeakSecondHalfMb} MB`,
      ].join('\n'),
    );
    if (stored !== TOTAL - automatic) throw new Error(`expected ${TOTAL - automatic} stored messages, found ${stored}`);
    return figures;
  } finally {
    await app?.close();
    await dovecot.stop();
  }
}
