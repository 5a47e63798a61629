/**
 * bench/ingest: the sustained rate of the one ingestion entry point (IngestionService.ingest: resolve
 * the reader, find or open the conversation, append the message, publish events, all in one
 * transaction) on PostgreSQL holding 100,000 readers and 1,000,000 messages already, next to the raw
 * insert ceiling (one message-sized row per autocommit INSERT, same concurrency) measured in the
 * same run on the same server.
 */
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Inbox, IngestionService } from '@readerdesk/conversations';
import { InboxRepository } from '../libs/conversations/src/inbox.repository';
import { DatabaseService, libraryScope } from '@readerdesk/platform';
import { LibraryDirectory } from '@readerdesk/tenancy';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { DeskModule } from '../apps/desk/src/desk.module';
import { createBenchTable, rawSingleRow } from './insert-ceiling';
import { benchEnvironment } from './environment';
import { Figures, lanes, measure, since, table } from './stats';

const READERS = Number(process.env.BENCH_INGEST_READERS ?? 100_000);
const EXISTING_MESSAGES = Number(process.env.BENCH_INGEST_EXISTING ?? 1_000_000);
const CONVERSATIONS = Math.max(1, Math.floor(EXISTING_MESSAGES / 5));
const MEASURED = Number(process.env.BENCH_INGEST_MESSAGES ?? 20_000);
/**
 * Contacts in flight at once. 8 matches insert-ceiling; 64 is a busy desk's burst of webhooks and
 * mail, where the group commit has more to group. Each level is measured against the raw ceiling
 * at the same concurrency.
 */
const LANES = (process.env.BENCH_INGEST_LANES ?? process.env.BENCH_CONCURRENCY ?? '8,64')
  .split(',')
  .map((n) => Number(n.trim()))
  .filter((n) => n > 0);
const TARGET_RATE = 1000;
const TARGET_RATIO = 0.5;

const TEXT =
  'Hello, could you tell me whether the 1925 volumes of the Riverside Herald are on microfilm, and whether ' +
  'I can book a reader for Saturday morning? My card number is on file. Thank you!';

/**
 * The existing library, written with set-based SQL (minutes through the service would measure the
 * seeding, not the desk): readers with an email handle each, conversations (one in five still open,
 * so some new messages continue one), and messages spread over them. The full-text index is dropped
 * for the bulk load and built again before measuring, as an operator loading a dump would.
 */
async function seed(pool: Pool, libraryId: string, inboxId: string): Promise<number> {
  const started = Date.now();
  const step = async (what: string, sql: string, params: unknown[] = []) => {
    const t = Date.now();
    await pool.query(sql, params);
    console.log(`  ${what}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  };
  const reader = (g: string) => `md5('bench-reader-' || ${g})::uuid`;
  const conversation = (g: string) => `md5('bench-conversation-' || ${g})::uuid`;
  await step(
    `${READERS} readers`,
    `INSERT INTO readers (id, library_id, display_name, keep_history)
     SELECT ${reader('g')}, $1, 'Reader ' || g, false FROM generate_series(1, ${READERS}) g`,
    [libraryId],
  );
  await step(
    `${READERS} email handles`,
    `INSERT INTO reader_handles (id, library_id, reader_id, kind, value, raw, valid)
     SELECT gen_random_uuid(), $1, ${reader('g')}, 'email', 'reader' || g || '@bench.example.org',
            'reader' || g || '@bench.example.org', true
     FROM generate_series(1, ${READERS}) g`,
    [libraryId],
  );
  await step(
    `${CONVERSATIONS} conversations`,
    `INSERT INTO conversations (id, library_id, number, reader_id, inbox_id, channel, status, subject,
                                last_message_at, created_at, waiting_since)
     SELECT ${conversation('g')}, $1, g, ${reader(`((g - 1) % ${READERS} + 1)`)}, $2, 'api',
            (CASE WHEN g % 5 = 0 THEN 'open' ELSE 'closed' END)::conversation_status,
            'Question ' || g, now() - (g || ' minutes')::interval, now() - (g || ' minutes')::interval,
            CASE WHEN g % 5 = 0 THEN now() - (g || ' minutes')::interval END
     FROM generate_series(1, ${CONVERSATIONS}) g`,
    [libraryId, inboxId],
  );
  await pool.query('DROP INDEX IF EXISTS ix_messages_search');
  await step(
    `${EXISTING_MESSAGES} messages`,
    `INSERT INTO messages (id, library_id, conversation_id, inbox_id, kind, external_id, subject, text, data, created_at)
     SELECT gen_random_uuid(), $1, ${conversation(`((g - 1) % ${CONVERSATIONS} + 1)`)}, $2,
            (CASE WHEN g % 3 = 0 THEN 'outbound' ELSE 'inbound' END)::message_kind, 'seed-' || g,
            'Question ' || ((g - 1) % ${CONVERSATIONS} + 1),
            'Seeded message ' || g || ' about interlibrary loans, local history and opening hours of branch ' || (g % 40),
            '{}', now() - (g || ' seconds')::interval
     FROM generate_series(1, ${EXISTING_MESSAGES}) g`,
    [libraryId, inboxId],
  );
  await step(
    'full-text index rebuilt',
    `CREATE INDEX ix_messages_search ON messages USING GIN
       (to_tsvector('simple'::regconfig, coalesce(subject, '') || ' ' || coalesce(text, '')))`,
  );
  await step('ANALYZE', 'ANALYZE');
  return (Date.now() - started) / 1000;
}

export async function ingestBench(url: string): Promise<unknown> {
  const env = benchEnvironment(url);
  let app: INestApplicationContext | undefined;
  const pool = new Pool({ connectionString: url, max: Math.max(...LANES) });
  try {
    app = await NestFactory.createApplicationContext(DeskModule.forRoot(env), { logger: ['error', 'warn'] });
    await app.init();
    await app.get(DatabaseService).connect();
    const library = await app.get(LibraryDirectory).getBySlug('demo');
    const scope = libraryScope(library.id);
    const inbox = randomUUID();
    await app.get(InboxRepository).insert(scope, {
      id: inbox,
      channel: 'api',
      name: 'Bench web form',
      defaultDepartmentId: null,
      settings: {},
    } as Inbox);

    console.log(`seeding ${READERS} readers and ${EXISTING_MESSAGES} messages (${CONVERSATIONS} conversations)…`);
    const seedSeconds = await seed(pool, library.id, inbox);

    const ingestion = app.get(IngestionService);
    // Half the contacts come from readers the library knows (some continue an open conversation),
    // half from new addresses (a new reader and a new conversation each).
    const input = (i: number, run: string) => ({
      inboxId: inbox,
      channel: 'api' as const,
      externalId: `${run}-${i}`,
      handles: [
        {
          kind: 'email' as const,
          value: i % 2 === 0 ? `reader${((i * 7919) % READERS) + 1}@bench.example.org` : `new-${run}-${i}@example.org`,
        },
      ],
      subject: `Question from the web form ${i}`,
      text: `${TEXT} (${i})`,
    });
    const run = async (name: string, count: number, lanesCount: number): Promise<Figures> => {
      const tag = randomUUID().slice(0, 8);
      return measure(name, count, async (record) => {
        await lanes(count, lanesCount, async (i) => {
          const t = process.hrtime.bigint();
          await ingestion.ingest(scope, input(i, tag));
          record(since(t));
        });
      });
    };
    await createBenchTable(pool);
    const levels: Array<{ lanes: number; ingest: Figures; ceiling: Figures; ratio: number }> = [];
    for (const n of LANES) {
      await run('warm-up', 1000, n);
      const ingest = await run(`IngestionService.ingest x${n}`, MEASURED, n);
      await rawSingleRow(pool, library.id, 1000, n); // warm-up
      await pool.query('TRUNCATE bench_messages');
      const ceiling = await rawSingleRow(pool, library.id, Math.min(MEASURED, 20_000), n);
      levels.push({ lanes: n, ingest, ceiling, ratio: ingest.perSecond / ceiling.perSecond });
    }

    const counts = await pool.query<{ messages: string; readers: string }>(
      'SELECT (SELECT count(*) FROM messages) AS messages, (SELECT count(*) FROM readers) AS readers',
    );
    console.log(
      `\nseeded in ${seedSeconds.toFixed(0)} s; now ${counts.rows[0].readers} readers, ${counts.rows[0].messages} messages`,
    );
    console.log(table(levels.flatMap((l) => [l.ingest, l.ceiling])));
    for (const l of levels) {
      console.log(`ingest / raw single-row ceiling at ${l.lanes} in flight: ${l.ratio.toFixed(2)}`);
    }
    console.log(`(targets: >= ${TARGET_RATE} messages/s, ratio >= ${TARGET_RATIO})`);
    return {
      readers: READERS,
      existingMessages: EXISTING_MESSAGES,
      levels,
      meetsRate: levels.some((l) => l.ingest.perSecond >= TARGET_RATE),
      meetsRatio: levels.some((l) => l.ratio >= TARGET_RATIO),
    };
  } finally {
    await app?.close();
    await pool.end();
  }
}
