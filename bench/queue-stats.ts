/**
 * bench/queue-stats: GET /api/v1/queue-stats through the real HTTP stack, as the demo administrator
 * (every department and triage), on PostgreSQL holding a large history: conversations and messages
 * seeded with set-based SQL, plus a year of rollup rows per department × channel. Next to it, the
 * natural ceilings measured in the same run: a bare `SELECT 1` round trip through the desk's own pool,
 * and an HTTP round trip through the same server (`GET /health`, no database).
 */
import type { INestApplication } from '@nestjs/common';
import { CHANNELS } from '@readerdesk/conversations';
import { DEMO_ADMIN } from '@readerdesk/persistence';
import { createHttpApp, DatabaseService } from '@readerdesk/platform';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { DeskModule } from '../apps/desk/src/desk.module';
import { benchEnvironment } from './environment';
import { percentile } from './stats';

/**
 * The issue's size is 5,000,000 conversations and 20,000,000 messages (BENCH_QS_CONVERSATIONS=5000000
 * BENCH_QS_MESSAGES=20000000): seeding that took 33 minutes on this 2-core machine (2026-12-02), so the default is
 * a fifth of it. The report never reads messages, and reads conversations only through the index.
 */
const CONVERSATIONS = Number(process.env.BENCH_QS_CONVERSATIONS ?? 1_000_000);
const MESSAGES = Number(process.env.BENCH_QS_MESSAGES ?? 4_000_000);
/** Unassigned conversations waiting now, and conversations agents hold now (the rows the report reads live). */
const WAITING = Number(process.env.BENCH_QS_WAITING ?? 2_000);
const HELD = Number(process.env.BENCH_QS_HELD ?? 400);
const REQUESTS = Number(process.env.BENCH_QS_REQUESTS ?? 500);
const TARGET_MS = 100;
/** Rows per INSERT … SELECT, so that one statement never holds minutes of WAL and progress shows. */
const CHUNK = 1_000_000;

interface Timing {
  name: string;
  samples: number[];
}

async function api<T>(base: string, path: string, init: { token?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: {
      'content-type': 'application/json',
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function time(name: string, count: number, once: () => Promise<unknown>): Promise<Timing> {
  for (let i = 0; i < Math.min(20, count); i++) await once(); // warm-up: plans, pool, JIT
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = process.hrtime.bigint();
    await once();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { name, samples };
}

async function seed(
  pool: Pool,
  libraryId: string,
  departments: string[],
  inboxes: Record<string, string>,
  agents: string[],
): Promise<number> {
  const started = Date.now();
  const step = async (what: string, sql: string, params: unknown[] = []) => {
    const t = Date.now();
    await pool.query(sql, params);
    console.log(`  ${what}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  };
  const channels = `(ARRAY[${CHANNELS.map((c) => `'${c}'`).join(',')}])`;
  const departmentOf = (g: string) =>
    `CASE WHEN ${g} % 50 = 0 THEN NULL ELSE ($2::uuid[])[(${g} % ${departments.length}) + 1] END`;
  const channelOf = (g: string) => `${channels}[(${g} % ${CHANNELS.length}) + 1]`;
  const inboxOf = (g: string) => `($3::jsonb ->> ${channelOf(g)})::uuid`;
  const conversation = (g: string) => `md5('qs-conversation-' || ${g})::uuid`;
  // Spread over the past year; the most recent ones are those waiting or held now.
  const ageSeconds = Math.max(1, Math.floor((365 * 86_400) / Math.max(1, CONVERSATIONS)));
  for (let from = 1; from <= CONVERSATIONS; from += CHUNK) {
    const to = Math.min(CONVERSATIONS, from + CHUNK - 1);
    await step(
      `conversations ${from}–${to}`,
      `INSERT INTO conversations (id, library_id, number, reader_id, inbox_id, channel, department_id, assignee_id,
                                  status, subject, first_response_at, waiting_since, resolved_at, last_message_at,
                                  first_response_ms, resolution_ms, created_at, updated_at)
       SELECT ${conversation('g')}, $1, g, md5('qs-reader-' || (g % 400000))::uuid, ${inboxOf('g')},
              ${channelOf('g')}::conversation_channel, ${departmentOf('g')},
              CASE WHEN g > ${WAITING} AND g <= ${WAITING + HELD} THEN ($4::uuid[])[(g % ${agents.length}) + 1] END,
              (CASE WHEN g <= ${WAITING} THEN 'new' WHEN g <= ${WAITING + HELD} THEN 'open'
                    WHEN g % 7 = 0 THEN 'resolved' ELSE 'closed' END)::conversation_status,
              'Question ' || g,
              CASE WHEN g > ${WAITING} THEN t + ((g % 3600) || ' seconds')::interval END,
              CASE WHEN g <= ${WAITING} THEN t END,
              CASE WHEN g > ${WAITING + HELD} THEN t + ((g % 86400) || ' seconds')::interval END,
              t, CASE WHEN g > ${WAITING} THEN (g % 3600) * 1000 END,
              CASE WHEN g > ${WAITING + HELD} THEN (g % 86400) * 1000 END, t, t
       FROM (SELECT g, now() - ((g * ${ageSeconds}) || ' seconds')::interval AS t
             FROM generate_series(${from}, ${to}) g) s`,
      [libraryId, departments, JSON.stringify(inboxes), agents],
    );
  }
  await pool.query('DROP INDEX IF EXISTS ix_messages_search');
  for (let from = 1; from <= MESSAGES; from += CHUNK) {
    const to = Math.min(MESSAGES, from + CHUNK - 1);
    await step(
      `messages ${from}–${to}`,
      `INSERT INTO messages (id, library_id, conversation_id, kind, text, data, created_at)
       SELECT gen_random_uuid(), $1, ${conversation(`((g - 1) % ${CONVERSATIONS} + 1)`)},
              (CASE WHEN g % 2 = 0 THEN 'outbound' ELSE 'inbound' END)::message_kind,
              'Seeded message ' || g, '{}', now() - ((g % 31536000) || ' seconds')::interval
       FROM generate_series(${from}, ${to}) g`,
      [libraryId],
    );
  }
  // A year of days × departments (and triage) × channels, each with a first-response and a resolution histogram.
  await step(
    'a year of rollup rows',
    `INSERT INTO queue_stats_daily (id, library_id, department_id, channel, day, offered, accepted, rejected, timed_out,
                                    answered, answered_within, abandoned, short_abandoned, resolved,
                                    first_response_histogram, resolution_histogram, updated_at)
     SELECT gen_random_uuid(), $1, d, c::conversation_channel, to_char(day, 'YYYY-MM-DD'),
            60, 50, 5, 5, 48, 40, 6, 2, 45,
            (SELECT jsonb_object_agg(b::text, 1 + (b % 5)) FROM generate_series(10, 30) b),
            (SELECT jsonb_object_agg(b::text, 1 + (b % 3)) FROM generate_series(40, 60) b), now()
     FROM generate_series(current_date - 400, current_date + 1, interval '1 day') day,
          unnest($2::uuid[] || '00000000-0000-0000-0000-000000000000'::uuid) d,
          unnest(${channels}) c`,
    [libraryId, departments],
  );
  await step('VACUUM ANALYZE conversations', 'VACUUM ANALYZE conversations');
  await step('ANALYZE', 'ANALYZE');
  return (Date.now() - started) / 1000;
}

export async function queueStatsBench(url: string): Promise<unknown> {
  const env = benchEnvironment(url);
  let app: INestApplication | undefined;
  const pool = new Pool({ connectionString: url, max: 4 });
  try {
    app = await createHttpApp(DeskModule.forRoot(env));
    await app.listen(0, '127.0.0.1');
    const database = app.get(DatabaseService);
    await database.connect();
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    let { accessToken } = await api<{ accessToken: string }>(base, '/auth/login', {
      body: { email: DEMO_ADMIN.email, password: DEMO_ADMIN.password },
    });
    const library = await api<{ id: string }>(base, '/library', { token: accessToken });
    const departments = (await api<Array<{ id: string }>>(base, '/departments', { token: accessToken })).map(
      (d) => d.id,
    );
    const agents = (await api<Array<{ id: string }>>(base, '/agents', { token: accessToken })).map((a) => a.id);
    const inboxes: Record<string, string> = {};
    for (const channel of CHANNELS)
      inboxes[channel] = (
        await api<{ id: string }>(base, '/inboxes', {
          token: accessToken,
          body: { channel, name: `Bench ${channel}`, defaultDepartmentId: departments[0] },
        })
      ).id;

    console.log(
      `seeding ${CONVERSATIONS} conversations, ${MESSAGES} messages, a year of rollups ` +
        `(${departments.length} departments + triage × ${CHANNELS.length} channels)…`,
    );
    const seedSeconds = await seed(pool, library.id, departments, inboxes, agents);
    // Access tokens last 15 minutes; a full-size seed takes longer.
    ({ accessToken } = await api<{ accessToken: string }>(base, '/auth/login', {
      body: { email: DEMO_ADMIN.email, password: DEMO_ADMIN.password },
    }));

    const report = await api<{ totals: { waiting: number; answered: number }; queues: unknown[]; agents: unknown[] }>(
      base,
      '/queue-stats',
      { token: accessToken },
    );
    if (report.totals.waiting !== WAITING)
      throw new Error(`expected ${WAITING} waiting, the report says ${report.totals.waiting}`);
    const plan = (
      await pool.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT department_id, channel, COUNT(*), MIN(waiting_since) FROM conversations
       WHERE library_id = $1 AND (department_id = ANY($2::uuid[]) OR department_id IS NULL)
         AND status IN ('new', 'open') AND assignee_id IS NULL AND waiting_since IS NOT NULL
       GROUP BY department_id, channel`,
        [library.id, departments],
      )
    ).rows.map((r) => r['QUERY PLAN']);
    console.log(`  the waiting read plans as:\n    ${plan.join('\n    ')}`);

    const headers = { authorization: `Bearer ${accessToken}` };
    const stats = await time('GET /api/v1/queue-stats (administrator)', REQUESTS, async () => {
      const res = await fetch(`${base}/api/v1/queue-stats`, { headers });
      if (res.status !== 200) throw new Error(`queue-stats answered ${res.status}`);
      await res.arrayBuffer();
    });
    const filtered = await time('GET /api/v1/queue-stats?departmentId=…', REQUESTS, async () => {
      const res = await fetch(`${base}/api/v1/queue-stats?departmentId=${departments[0]}`, { headers });
      if (res.status !== 200) throw new Error(`queue-stats answered ${res.status}`);
      await res.arrayBuffer();
    });
    const select1 = await time('SELECT 1 through the desk’s pool', REQUESTS, () => database.manager.query('SELECT 1'));
    const health = await time('GET /health (same HTTP server, no database)', REQUESTS, async () => {
      const res = await fetch(`${base}/health`);
      await res.arrayBuffer();
    });

    const rows = [stats, filtered, select1, health].map((t) => ({
      measurement: t.name,
      requests: t.samples.length,
      p50ms: percentile(t.samples, 50),
      p99ms: percentile(t.samples, 99),
    }));
    console.log(
      `  ${'measurement'.padEnd(48)} ${'requests'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`,
    );
    for (const r of rows)
      console.log(
        `  ${r.measurement.padEnd(48)} ${String(r.requests).padStart(8)} ${r.p50ms.toFixed(2).padStart(8)} ${r.p99ms.toFixed(2).padStart(8)}`,
      );
    const p50 = percentile(stats.samples, 50);
    const p99 = percentile(stats.samples, 99);
    const ratioToSelect1 = p50 / percentile(select1.samples, 50);
    const ratioToHealth = p50 / percentile(health.samples, 50);
    console.log(
      `queue-stats p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (target ≤ ${TARGET_MS} ms: ` +
        `${p99 <= TARGET_MS ? 'met' : 'NOT met'}); ${ratioToSelect1.toFixed(1)}× a SELECT 1 round trip, ` +
        `${ratioToHealth.toFixed(1)}× an HTTP round trip; seeded in ${seedSeconds.toFixed(0)} s`,
    );
    return {
      conversations: CONVERSATIONS,
      messages: MESSAGES,
      waiting: WAITING,
      held: HELD,
      seedSeconds: Math.round(seedSeconds),
      queues: report.queues.length,
      p50ms: p50,
      p99ms: p99,
      filteredP50ms: percentile(filtered.samples, 50),
      filteredP99ms: percentile(filtered.samples, 99),
      select1P50ms: percentile(select1.samples, 50),
      healthP50ms: percentile(health.samples, 50),
      ratioToSelect1,
      ratioToHealth,
      targetMs: TARGET_MS,
    };
  } finally {
    await pool.end();
    await app?.close();
  }
}
