/**
 * bench/ingest-http: contacts posted to `POST /api/v1/inboxes/:id/messages` over real HTTP, the desk started
 * as a user starts it (`node scripts/run.js desk`, or `api` + `worker` apart) on PostgreSQL and Redis with
 * production settings, next to the ceiling: a bare node:http server inserting one message-sized row per request
 * through pg. A forked load generator keeps 8 (then 64) requests in flight on keep-alive sockets. Prints
 * messages/s, p50/p99, the desk's CPU per request (from /proc) and the ratio to the ceiling measured right after.
 */
import { createScratchPostgres } from '@readerdesk/persistence';
import { ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { freePort } from '../libs/testing/src/local';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { Pool } from 'pg';
import type { FromCeiling } from './http-ceiling';
import type { FromLoad, LoadRun, ToLoad } from './http-load';
import { createBenchTable } from './insert-ceiling';
import { BENCH_BASE_URL } from './postgres-dialect';
import { percentile } from './stats';

const CONTACTS = Number(process.env.BENCH_HTTP_CONTACTS ?? 20_000);
const WARMUP = Number(process.env.BENCH_HTTP_WARMUP ?? 1000);
/** Addresses the returning half of the contacts come from (each is a known reader after the first warm-up). */
const RETURNING = Number(process.env.BENCH_HTTP_RETURNING ?? 500);
const LEVELS = (process.env.BENCH_HTTP_LANES ?? process.env.BENCH_INGEST_LANES ?? '8,64')
  .split(',')
  .map((n) => Number(n.trim()))
  .filter((n) => n > 0);
const VARIANTS = (process.env.BENCH_HTTP_VARIANTS ?? 'embedded,split')
  .split(',')
  .map((v) => v.trim())
  .filter((v): v is Variant => v === 'embedded' || v === 'split');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** As the desk's own pool (libs/persistence data-source-options: max 10). */
const DESK_POOL = 10;
const READY_DEADLINE_MS = 120_000;
const TARGETS = { 8: 1000, 64: 2000 } as Record<number, number>;
const TARGET_P99_MS = 100;
const TARGET_RATIO = 0.5;
/** Node flags for the desk's processes, e.g. BENCH_HTTP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it. */
const NODE_ARGS = (process.env.BENCH_HTTP_NODE_ARGS ?? '').split(' ').filter(Boolean);

type Variant = 'embedded' | 'split';
/** The repository root: this file runs as dist/bench/ingest-http.js. */
const ROOT = join(__dirname, '..', '..');
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface HttpFigures {
  name: string;
  requests: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
  statuses: Record<string, number>;
  /** Keep-alive sockets the generator opened (= in flight when connections were reused). */
  sockets: number;
  /** The generator's CPU over the run, as a share of one core. */
  generatorCpuPercent: number;
  /** CPU time per request of each measured process (desk, api, worker, ceiling), from /proc. */
  cpuMsPerRequest: Record<string, number>;
  /** Share of the machine's CPU time left idle during the run (all cores). */
  machineIdlePercent: number;
}

interface Level {
  variant: Variant;
  inflight: number;
  desk: HttpFigures;
  ceiling: HttpFigures;
  ratio: number;
}

// --- processes -------------------------------------------------------------------------------------------

/** CPU time (user + system, every thread) a process has used so far, in milliseconds. */
function cpuMs(pid: number): number {
  return cpuOf(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

function cpuOf(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of proc(5), utime and stime; the slice starts at field 3.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/**
 * CPU used so far by the PostgreSQL backends connected to this database (the desk's or the ceiling's pool),
 * when the server runs on this machine; undefined when their processes are not visible here. Backends that end
 * during a run are missed; the pools keep theirs open under load.
 */
async function backendsCpu(database: Pool): Promise<Map<number, number> | undefined> {
  const { rows } = await database.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  );
  const used = new Map<number, number>();
  for (const { pid } of rows) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // ended since the query, or not on this machine
    }
    if (!stat.includes('(postgres)')) return undefined;
    used.set(pid, cpuOf(stat));
  }
  return rows.length > 0 && used.size === 0 ? undefined : used;
}

function machineTimes(): { idle: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  return { idle: cpu[3] + (cpu[4] ?? 0), total: cpu.slice(0, 8).reduce((a, b) => a + b, 0) };
}

/** One desk process (`node scripts/run.js <entry>`), its output in a log file as a service manager keeps it. */
class DeskProcess {
  readonly exited: Promise<string>;
  private exit?: string;

  private constructor(
    readonly role: string,
    readonly child: ChildProcess,
    readonly logPath: string,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exit = `exit ${code ?? signal}`;
        resolve(this.exit);
      }),
    );
  }

  static start(entry: 'desk' | 'api' | 'worker', env: Record<string, string>, dir: string): DeskProcess {
    const logPath = join(dir, `${entry}.log`);
    const log = openSync(logPath, 'a');
    const child = spawn(process.execPath, [...NODE_ARGS, join(ROOT, 'scripts', 'run.js'), entry], {
      cwd: ROOT,
      env,
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    return new DeskProcess(entry, child, logPath);
  }

  get pid(): number {
    return this.child.pid as number;
  }

  log(): string {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  tail(lines = 30): string {
    return this.log().trimEnd().split('\n').slice(-lines).join('\n');
  }

  /** Throws (with the end of the log) if the process has exited. */
  assertRunning(): void {
    if (this.exit)
      throw new Error(`the desk's ${this.role} process stopped (${this.exit}); its log ends:\n${this.tail()}`);
  }

  async waitFor(ready: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + READY_DEADLINE_MS;
    while (Date.now() < deadline) {
      this.assertRunning();
      if (await ready().catch(() => false)) return;
      await sleep(200);
    }
    throw new Error(
      `the desk's ${this.role} process was not ${what} within ${READY_DEADLINE_MS / 1000} s:\n${this.tail()}`,
    );
  }

  async stop(): Promise<void> {
    if (this.exit) return;
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(killer);
  }
}

/** The forked load generator; one run at a time. */
class LoadGenerator {
  private constructor(private readonly child: ChildProcess) {}

  static fork(): LoadGenerator {
    return new LoadGenerator(fork(join(__dirname, 'http-load.js'), [], { serialization: 'advanced' }));
  }

  run(spec: Omit<LoadRun, 'type'>): Promise<Extract<FromLoad, { type: 'done' }>> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the load generator exited (${code})`));
      this.child.once('exit', onExit);
      this.child.once('message', (message: FromLoad) => {
        this.child.off('exit', onExit);
        if (message.type === 'error') reject(new Error(`load generator: ${message.message}`));
        else resolve(message);
      });
      this.child.send({ type: 'run', ...spec } satisfies ToLoad);
    });
  }

  close(): void {
    if (this.child.connected) this.child.send({ type: 'close' } satisfies ToLoad);
  }
}

/**
 * Runs the generator once against a target and measures what it cost: the processes' CPU from /proc, the
 * machine's idle share. Fails loudly on any answer that is not 2xx (a 429 from a rate limiter included).
 */
async function drive(
  load: LoadGenerator,
  name: string,
  target: Omit<LoadRun, 'type' | 'count' | 'inflight' | 'tag'>,
  count: number,
  inflight: number,
  watched: Record<string, number>,
  database?: Pool,
): Promise<HttpFigures> {
  const before = Object.fromEntries(Object.entries(watched).map(([role, pid]) => [role, cpuMs(pid)]));
  const backendsBefore = database ? await backendsCpu(database) : undefined;
  const machineBefore = machineTimes();
  const result = await load.run({ ...target, count, inflight, tag: randomUUID().slice(0, 8) });
  const machineAfter = machineTimes();
  const cpuMsPerRequest = Object.fromEntries(
    Object.entries(watched).map(([role, pid]) => [role, round((cpuMs(pid) - before[role]) / count, 3)]),
  );
  const backendsAfter = database && backendsBefore ? await backendsCpu(database) : undefined;
  if (backendsBefore && backendsAfter) {
    let used = 0;
    for (const [pid, ms] of backendsAfter) used += ms - (backendsBefore.get(pid) ?? 0);
    cpuMsPerRequest.postgres = round(used / count, 3);
  }
  const failed = Object.entries(result.statuses).filter(([status]) => !/^2\d\d$/.test(status));
  if (failed.length > 0) {
    throw new Error(
      `${name}: ${failed.map(([s, n]) => `${n} × ${s}`).join(', ')} of ${count} requests failed:\n  ` +
        result.failures.join('\n  '),
    );
  }
  const sorted = Array.from(result.latencies).sort((a, b) => a - b);
  return {
    name,
    requests: count,
    seconds: round(result.seconds, 2),
    perSecond: round(count / result.seconds, 0),
    p50ms: round(percentile(sorted, 50)),
    p99ms: round(percentile(sorted, 99)),
    statuses: result.statuses,
    sockets: result.sockets,
    generatorCpuPercent: round(result.cpuMs / 10 / result.seconds, 0),
    cpuMsPerRequest,
    machineIdlePercent: round(
      (100 * (machineAfter.idle - machineBefore.idle)) / Math.max(1, machineAfter.total - machineBefore.total),
      0,
    ),
  };
}

// --- the desk, set up as a user would ---------------------------------------------------------------------

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

/** The README's walkthrough: sign in, a department, an API-channel inbox routed to it, an ingest key for it. */
async function setUpLibrary(base: string, admin: { email: string; password: string }) {
  const { accessToken } = await api<{ accessToken: string }>(base, '/auth/login', { body: admin });
  const department = await api<{ id: string }>(base, '/departments', {
    token: accessToken,
    body: { code: 'reference', name: 'Reference' },
  });
  const inbox = await api<{ id: string }>(base, '/inboxes', {
    token: accessToken,
    body: { channel: 'api', name: 'Website form', defaultDepartmentId: department.id },
  });
  const { key } = await api<{ key: string }>(base, '/api-keys', {
    token: accessToken,
    body: { name: 'Website form', scopes: [`ingest:${inbox.id}`] },
  });
  return { inboxId: inbox.id, key };
}

async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new IORedis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function startCeiling(url: string): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(join(__dirname, 'http-ceiling.js'), [], {
    env: { ...process.env, DATABASE_URL: url, CEILING_POOL: String(DESK_POOL) },
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the ceiling server exited (${code})`)));
    child.once('message', (message: FromCeiling) =>
      message.type === 'listening' ? resolve(message.port) : reject(new Error(message.message)),
    );
  });
  return { child, port };
}

async function deskVariant(
  variant: Variant,
  load: LoadGenerator,
  ceiling: { port: number; pid: number; pool: Pool },
): Promise<Level[]> {
  const scratch = await createScratchPostgres(BENCH_BASE_URL, `readerdesk_bench_http_${variant}`);
  const dir = mkdtempSync(join(tmpdir(), `readerdesk-bench-http-${variant}-`));
  const prefix = `bench-http-${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  const admin = { email: 'bench-admin@bench.example.org', password: randomBytes(18).toString('base64url') };
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    NODE_ENV: 'production',
    LOG_LEVEL: process.env.BENCH_HTTP_LOG_LEVEL ?? 'info',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: scratch.url,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    DESK_SECRET_KEY: randomBytes(48).toString('base64'),
    DESK_ENCRYPTION_KEY: randomBytes(48).toString('base64'),
    DESK_ADMIN_EMAIL: admin.email,
    DESK_ADMIN_PASSWORD: admin.password,
    DESK_STORAGE_DIR: join(dir, 'attachments'),
  };
  const processes: DeskProcess[] = [];
  // The bench's own look at the desk's database: its backends' CPU, and what was stored.
  const database = new Pool({ connectionString: scratch.url, max: 1 });
  let failed = true;
  try {
    const started = Date.now();
    if (variant === 'embedded') {
      processes.push(DeskProcess.start('desk', env, dir));
    } else {
      // The api first: it applies the migrations; the worker then finds them applied (either may, under a lock).
      processes.push(DeskProcess.start('api', env, dir), DeskProcess.start('worker', env, dir));
    }
    const base = `http://127.0.0.1:${port}`;
    await processes[0].waitFor(async () => (await fetch(`${base}/ready`)).status === 200, 'ready');
    if (variant === 'split') {
      await processes[1].waitFor(async () => Promise.resolve(processes[1].log().includes('worker started')), 'started');
    }
    console.log(`  ${variant}: ${processes.map((p) => p.role).join(' + ')} ready in ${Date.now() - started} ms`);
    const { inboxId, key } = await setUpLibrary(base, admin);
    const watched = Object.fromEntries(processes.map((p) => [p.role, p.pid]));
    const deskTarget = {
      host: '127.0.0.1',
      port,
      path: `/api/v1/inboxes/${inboxId}/messages`,
      headers: { 'x-api-key': key },
      returning: RETURNING,
    };
    const ceilingTarget = { ...deskTarget, port: ceiling.port, headers: {} };
    const levels: Level[] = [];
    let posted = 0;
    let newReaders = 0;
    for (const inflight of LEVELS) {
      // The first warm-up also makes every returning address a known reader.
      const warmup = Math.max(WARMUP, levels.length === 0 ? 2 * RETURNING : 0);
      await drive(load, 'warm-up', deskTarget, warmup, inflight, {});
      const desk = await drive(load, `${variant} x${inflight}`, deskTarget, CONTACTS, inflight, watched, database);
      posted += warmup + CONTACTS;
      newReaders += Math.floor(warmup / 2) + Math.floor(CONTACTS / 2);
      for (const p of processes) p.assertRunning();
      await drive(load, 'warm-up', ceilingTarget, WARMUP, inflight, {});
      await ceiling.pool.query('TRUNCATE bench_messages');
      const bare = await drive(
        load,
        `bare node:http + pg x${inflight}`,
        ceilingTarget,
        CONTACTS,
        inflight,
        { ceiling: ceiling.pid },
        ceiling.pool,
      );
      levels.push({ variant, inflight, desk, ceiling: bare, ratio: round(desk.perSecond / bare.perSecond) });
      console.log(
        `  ${desk.name}: ${desk.perSecond} msg/s, p99 ${desk.p99ms} ms; ceiling ${bare.perSecond} msg/s (ratio ${levels[levels.length - 1].ratio})`,
      );
    }
    // Every contact had its own external id: each must be one stored message, none a duplicate.
    {
      const { rows } = await database.query<{ messages: string; readers: string }>(
        "SELECT (SELECT count(*) FROM messages WHERE kind = 'inbound') AS messages, (SELECT count(*) FROM readers) AS readers",
      );
      if (Number(rows[0].messages) !== posted) {
        throw new Error(
          `${variant}: ${posted} contacts answered 2xx but ${rows[0].messages} inbound messages are stored`,
        );
      }
      // The returning half must have been recognised, not stored as new readers.
      if (Number(rows[0].readers) !== RETURNING + newReaders) {
        throw new Error(`${variant}: expected ${RETURNING + newReaders} readers, found ${rows[0].readers}`);
      }
    }
    failed = false;
    return levels;
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await database.end();
    if (failed) for (const p of processes) console.error(`--- ${variant} ${p.role} log: ${p.logPath}`);
    else rmSync(dir, { recursive: true, force: true });
    await deleteRedisKeys(prefix).catch((error: unknown) => console.error(`Redis clean-up: ${String(error)}`));
    await scratch.drop();
  }
}

// --- the table ----------------------------------------------------------------------------------------

function printTable(levels: Level[]): void {
  const head = [
    'measurement',
    'msg/s',
    'p50 ms',
    'p99 ms',
    'node CPU ms/req',
    'pg CPU ms/req',
    'ratio',
    'gen CPU %',
    'idle %',
  ];
  const cpu = (f: HttpFigures) =>
    Object.entries(f.cpuMsPerRequest)
      .filter(([role]) => role !== 'postgres')
      .map(([role, ms]) => (role === 'desk' || role === 'ceiling' ? ms.toFixed(2) : `${role} ${ms.toFixed(2)}`))
      .join(' + ');
  const pg = (f: HttpFigures) => f.cpuMsPerRequest.postgres?.toFixed(2) ?? 'n/a';
  const body = levels
    .flatMap(
      (l) =>
        [
          [l.desk.name, l.desk, l.ratio.toFixed(2)],
          [l.ceiling.name, l.ceiling, ''],
        ] as Array<[string, HttpFigures, string]>,
    )
    .map(([name, f, ratio]) => [
      name,
      f.perSecond.toLocaleString('en-US'),
      f.p50ms.toFixed(1),
      f.p99ms.toFixed(1),
      cpu(f),
      pg(f),
      ratio,
      String(f.generatorCpuPercent),
      String(f.machineIdlePercent),
    ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log([line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n'));
}

export async function ingestHttpBench(url: string): Promise<unknown> {
  if (LEVELS.length === 0 || VARIANTS.length === 0)
    throw new Error('BENCH_HTTP_LANES / BENCH_HTTP_VARIANTS name nothing');
  const pool = new Pool({ connectionString: url, max: 2 });
  await createBenchTable(pool);
  const load = LoadGenerator.fork();
  let ceiling: { child: ChildProcess; port: number } | undefined;
  try {
    ceiling = await startCeiling(url);
    const levels: Level[] = [];
    console.log(
      `${CONTACTS} contacts per level (${WARMUP} warm-up first), ${LEVELS.join(' and ')} in flight; half from ${RETURNING} returning readers`,
    );
    for (const variant of VARIANTS) {
      levels.push(
        ...(await deskVariant(variant, load, { port: ceiling.port, pid: ceiling.child.pid as number, pool })),
      );
    }
    console.log();
    printTable(levels);
    console.log(
      '\nnode CPU ms/req: CPU time (user + system, all threads, from /proc) of each server process over the run, ' +
        'per request; pg CPU: the same for the PostgreSQL backends of its database. ' +
        'gen CPU %: the load generator, of one core. idle %: the whole machine (2 cores), idle or waiting for I/O.',
    );
    for (const l of levels) {
      const faster = l.ceiling.perSecond / l.desk.perSecond;
      console.log(
        `${l.variant} x${l.inflight}: desk / ceiling ${l.ratio.toFixed(2)}; the same generator drove the ceiling ` +
          `${faster.toFixed(1)}× faster than the desk (${l.ceiling.perSecond} vs ${l.desk.perSecond} msg/s), so it is not the limit`,
      );
    }
    console.log(
      `(targets: >= ${Object.entries(TARGETS)
        .map(([n, rate]) => `${rate} msg/s at ${n}`)
        .join(', ')}, p99 <= ${TARGET_P99_MS} ms, ratio >= ${TARGET_RATIO})`,
    );
    const meets = levels.map((l) => ({
      variant: l.variant,
      inflight: l.inflight,
      rate: l.desk.perSecond >= (TARGETS[l.inflight] ?? 0),
      p99: l.desk.p99ms <= TARGET_P99_MS,
      ratio: l.ratio >= TARGET_RATIO,
    }));
    return { contacts: CONTACTS, warmup: WARMUP, returning: RETURNING, levels, meets };
  } finally {
    load.close();
    if (ceiling?.child.connected) ceiling.child.disconnect();
    await pool.end();
  }
}
