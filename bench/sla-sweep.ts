/**
 * bench/sla-sweep: one SLA sweep (`SlaService.sweep`, the minute's safety net for timers a worker lost) over
 * 100,000 open conversations with running clocks, of which a share is past its first-response due time with
 * nothing recorded (as if the worker had died with their timers). The sweep must record every breach; it is timed
 * whole, then again when nothing is due (the steady state). Ceilings in the same run: the bare range scan for
 * due rows through raw `pg`; the same number of single-row UPDATE transactions through raw `pg` at the sweep's
 * concurrency (the least one check a transaction could cost); and the sweep's batches as bare transactions that lock
 * their rows and update them with one statement (the least the batched sweep could cost).
 */
import type { INestApplication } from '@nestjs/common';
import { DEMO_ADMIN } from '@readerdesk/persistence';
import { Clock, createHttpApp, DatabaseService } from '@readerdesk/platform';
import { CHECK_BATCH, SlaService, SWEEP_CONCURRENCY } from '@readerdesk/sla';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { Pool } from 'pg';
import { DeskModule } from '../apps/desk/src/desk.module';
import { benchEnvironment } from './environment';
import { percentile } from './stats';

const OPEN = Number(process.env.BENCH_SLA_OPEN ?? 100_000);
/** Share of the open conversations past due with nothing recorded. */
const DUE_SHARE = Number(process.env.BENCH_SLA_DUE ?? 0.01);
const IDLE_SWEEPS = 20;
const TARGET_MS = 1_000;
const MIN = 60_000;

async function api<T>(base: string, path: string, token: string | null, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function until(what: string, test: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Copies of the template row with fresh ids and numbers; `overrides` are SQL expressions per column. */
async function copies(pool: Pool, templateId: string, count: number, overrides: Record<string, string>) {
  const columns = (
    await pool.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'conversations' AND table_schema = current_schema()`,
    )
  ).rows.map((r) => r.column_name);
  const base = (await pool.query<{ n: string }>('SELECT COALESCE(MAX(number), 0) AS n FROM conversations')).rows[0].n;
  const select = columns.map((c) => {
    if (c === 'id') return 'gen_random_uuid()';
    if (c === 'number') return `${Number(base)} + g`;
    return overrides[c] ?? `t."${c}"`;
  });
  await pool.query(
    `INSERT INTO conversations (${columns.map((c) => `"${c}"`).join(', ')})
     SELECT ${select.join(', ')} FROM conversations t, generate_series(1, ${count}) g WHERE t.id = $1`,
    [templateId],
  );
}

export async function slaSweepBench(url: string): Promise<unknown> {
  // The api role: no worker in this process, so no scheduled sweep or timer takes part in what is measured.
  const env = { ...benchEnvironment(url), DESK_ROLE: 'api' as const };
  let app: INestApplication | undefined;
  const pool = new Pool({ connectionString: url, max: SWEEP_CONCURRENCY + 1 });
  try {
    app = await createHttpApp(DeskModule.forRoot(env));
    await app.listen(0, '127.0.0.1');
    await app.get(DatabaseService).connect();
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    const { accessToken } = await api<{ accessToken: string }>(base, '/auth/login', null, {
      email: DEMO_ADMIN.email,
      password: DEMO_ADMIN.password,
    });
    const [department] = await api<Array<{ id: string }>>(base, '/departments', accessToken);
    const inbox = await api<{ id: string }>(base, '/inboxes', accessToken, {
      channel: 'api',
      name: 'SLA bench form',
      defaultDepartmentId: department.id,
    });
    await api(base, '/sla-policies', accessToken, {
      name: 'Bench: an hour to answer',
      firstResponseMinutes: 60,
      resolutionMinutes: 24 * 60,
      businessHours: false,
    });
    const clock = app.get(Clock);
    const real = clock.now.bind(clock);
    const contact = async (externalId: string) =>
      (
        await api<{ conversation: { id: string } }>(base, `/inboxes/${inbox.id}/messages`, accessToken, {
          externalId,
          handles: [{ kind: 'email', value: `${externalId}@example.org` }],
          subject: 'A question',
          text: 'When does the library open on Sunday?',
        })
      ).conversation.id;
    // Two templates: one opened two hours ago (its first response an hour overdue), one opened now.
    const started = Date.now();
    clock.now = () => new Date(started - 2 * 60 * MIN);
    const overdue = await contact('sla-bench-overdue');
    clock.now = real;
    const fresh = await contact('sla-bench-fresh');
    const clockSet = async (id: string) =>
      (
        await pool.query<{ due: Date | null }>('SELECT first_response_due_at AS due FROM conversations WHERE id = $1', [
          id,
        ])
      ).rows[0]?.due != null;
    await until('the templates’ clocks', async () => (await clockSet(overdue)) && (await clockSet(fresh)));

    const due = Math.round(OPEN * DUE_SHARE);
    const seedStart = Date.now();
    const unrecorded = {
      first_response_warned_at: 'NULL',
      first_response_breached_at: 'NULL',
      resolution_warned_at: 'NULL',
      resolution_breached_at: 'NULL',
    };
    await copies(pool, overdue, due, {
      ...unrecorded, // Milliseconds, as the desk writes every instant (a JavaScript Date): the sweep's cursor is one.
      sla_next_check_at: `date_trunc('milliseconds', now() - interval '1 minute')`,
    });
    await copies(pool, fresh, OPEN - due - 2, unrecorded);
    await pool.query('DELETE FROM conversations WHERE id = ANY($1::uuid[])', [[overdue, fresh]]).catch(() => {
      // Messages reference them; the two templates then stay (one due, one not) and are counted below.
    });
    await pool.query('ANALYZE conversations');
    const seedSeconds = (Date.now() - seedStart) / 1000;
    const count = async (sql: string) => Number((await pool.query<{ n: string }>(sql)).rows[0].n);
    const open = await count(`SELECT COUNT(*) AS n FROM conversations WHERE sla_next_check_at IS NOT NULL`);
    const dueNow = await count(`SELECT COUNT(*) AS n FROM conversations WHERE sla_next_check_at <= now()`);
    console.log(
      `${open} open conversations with running clocks, ${dueNow} due (seeded in ${seedSeconds.toFixed(1)} s)`,
    );

    // Ceiling 1: the bare range scan, every due row, through raw pg.
    const scans: number[] = [];
    let dueIds: string[] = [];
    for (let i = 0; i < 10; i++) {
      const at = process.hrtime.bigint();
      dueIds = (
        await pool.query<{ id: string }>(
          'SELECT id, library_id FROM conversations WHERE sla_next_check_at <= now() ORDER BY sla_next_check_at, id',
        )
      ).rows.map((r) => r.id);
      scans.push(Number(process.hrtime.bigint() - at) / 1e6);
    }
    scans.sort((a, b) => a - b);

    const sla = app.get(SlaService);
    const sweepStart = process.hrtime.bigint();
    const checked = await sla.sweep();
    const sweepMs = Number(process.hrtime.bigint() - sweepStart) / 1e6;
    const breached = await count(
      `SELECT COUNT(*) AS n FROM conversations WHERE id = ANY('{${dueIds.join(',')}}'::uuid[]) AND first_response_breached_at IS NOT NULL`,
    );
    if (breached !== dueIds.length)
      throw new Error(`the sweep recorded ${breached} breaches of ${dueIds.length} due conversations`);

    const idle: number[] = [];
    for (let i = 0; i < IDLE_SWEEPS; i++) {
      const at = process.hrtime.bigint();
      await sla.sweep();
      idle.push(Number(process.hrtime.bigint() - at) / 1e6);
    }
    idle.sort((a, b) => a - b);

    // Ceiling 2: one single-row UPDATE transaction per due row through raw pg, at the sweep's concurrency.
    const updateStart = process.hrtime.bigint();
    let next = 0;
    await Promise.all(
      Array.from({ length: SWEEP_CONCURRENCY }, async () => {
        const client = await pool.connect();
        try {
          while (next < dueIds.length) {
            const id = dueIds[next++];
            await client.query('BEGIN');
            await client.query('UPDATE conversations SET updated_at = updated_at WHERE id = $1', [id]);
            await client.query('COMMIT');
          }
        } finally {
          client.release();
        }
      }),
    );
    const updatesMs = Number(process.hrtime.bigint() - updateStart) / 1e6;

    // Ceiling 3: what the sweep's batches cost at the least: per batch of CHECK_BATCH due rows one transaction that
    // locks the whole rows and updates them with one statement, through raw pg at the sweep's concurrency.
    const batchStart = process.hrtime.bigint();
    const batches: string[][] = [];
    for (let i = 0; i < dueIds.length; i += CHECK_BATCH) batches.push(dueIds.slice(i, i + CHECK_BATCH));
    let nextBatch = 0;
    await Promise.all(
      Array.from({ length: SWEEP_CONCURRENCY }, async () => {
        const client = await pool.connect();
        try {
          while (nextBatch < batches.length) {
            const ids = batches[nextBatch++];
            await client.query('BEGIN');
            await client.query('SELECT * FROM conversations WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [ids]);
            await client.query('UPDATE conversations SET updated_at = updated_at WHERE id = ANY($1::uuid[])', [ids]);
            await client.query('COMMIT');
          }
        } finally {
          client.release();
        }
      }),
    );
    const batchedMs = Number(process.hrtime.bigint() - batchStart) / 1e6;

    const figures = {
      open,
      due: dueIds.length,
      checked,
      breached,
      seedSeconds,
      sweepMs,
      perCheckMs: sweepMs / Math.max(1, dueIds.length),
      idleP50ms: percentile(idle, 50),
      idleP99ms: percentile(idle, 99),
      scanP50ms: percentile(scans, 50),
      updatesMs,
      ratioToUpdates: sweepMs / updatesMs,
      batchedMs,
      ratioToBatched: sweepMs / batchedMs,
      loadAverage: loadavg()[0],
    };
    console.log('measurement                                        ms');
    console.log(`sweep, ${dueIds.length} due (every breach recorded)     ${sweepMs.toFixed(1).padStart(9)}`);
    console.log(
      `sweep, nothing due, p50 / p99             ${figures.idleP50ms.toFixed(2)} / ${figures.idleP99ms.toFixed(2)}`,
    );
    console.log(`ceiling: range scan of the due rows, p50  ${figures.scanP50ms.toFixed(2).padStart(9)}`);
    console.log(
      `ceiling: ${dueIds.length} one-row UPDATE transactions ×${SWEEP_CONCURRENCY} ${updatesMs.toFixed(1).padStart(9)}`,
    );
    console.log(
      `ceiling: ${batches.length} batches of ${CHECK_BATCH} locked + UPDATE ×${SWEEP_CONCURRENCY} ${batchedMs.toFixed(1).padStart(6)}`,
    );
    console.log(
      `sweep / batched ceiling: ${figures.ratioToBatched.toFixed(2)}; sweep / one-row ceiling: ` +
        `${figures.ratioToUpdates.toFixed(2)}; ${figures.perCheckMs.toFixed(2)} ms per check; ` +
        `target ≤ ${TARGET_MS} ms; load average ${figures.loadAverage.toFixed(2)}`,
    );
    return figures;
  } finally {
    await app?.close();
    await pool.end();
  }
}
