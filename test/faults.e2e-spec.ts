import { DEMO_ADMIN } from '@readerdesk/persistence';
import { createTestDatabase, testDialect, TestDatabase } from '@readerdesk/testing';
import { Client } from 'pg';
import { DeskProcess, freePort, startDesk, stop, waitForHttp } from './support/process';
import { ownRedis, OwnRedis, redisServerAvailable } from './support/redis-server';
import { startTcpProxy, TcpProxy } from './support/tcp-proxy';

/**
 * Faults under traffic, with real processes: Redis (an instance of this test's own) and PostgreSQL (behind a TCP
 * proxy the test cuts) go away and come back while an api and a worker serve inbound posts and reads.
 */
const skipReason =
  testDialect() !== 'postgres'
    ? 'runs in the e2e:postgres project only (api and worker processes need PostgreSQL and Redis)'
    : !process.env.DATABASE_URL
      ? 'DATABASE_URL is not set'
      : !redisServerAvailable()
        ? 'redis-server is not installed'
        : undefined;
const describeFaults = skipReason ? describe.skip : describe;

interface Answer {
  externalId: string;
  status: number;
  code?: string;
  retryAfter?: string | null;
  duplicate?: boolean;
  error?: string;
}

const alive = (p: DeskProcess) => p.child.exitCode === null && p.child.signalCode === null;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** GET /ready once: its status, body and how long it took. */
async function ready(port: number): Promise<{ status: number; ms: number; body: Record<string, unknown> }> {
  const started = Date.now();
  const res = await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, ms: Date.now() - started, body: (await res.json()) as Record<string, unknown> };
}

/** Polls /ready until it answers `status`; every answer must come within ~1 s. */
async function readyBecomes(port: number, status: number, deadlineMs: number) {
  const started = Date.now();
  let last: Awaited<ReturnType<typeof ready>> | undefined;
  while (Date.now() - started < deadlineMs) {
    last = await ready(port);
    expect(last.ms).toBeLessThan(1_500);
    if (last.status === status) return { ...last, after: Date.now() - started };
    await sleep(100);
  }
  throw new Error(`/ready did not answer ${status} within ${deadlineMs} ms (last: ${JSON.stringify(last)})`);
}

const output = (...processes: DeskProcess[]) => processes.map((p) => p.output().slice(-3_000)).join('\n---\n');

describeFaults(
  `faults under traffic: Redis and the database go away and come back${skipReason ? ` [skipped: ${skipReason}]` : ''}`,
  () => {
    let db: TestDatabase;
    let proxy: TcpProxy;
    let redis: OwnRedis;
    let api: DeskProcess;
    let worker: DeskProcess;
    let port: number;
    let auth: { Authorization: string };
    let inboxId: string;
    const answers: Answer[] = [];
    let traffic: Promise<void> | undefined;
    let trafficOn = false;
    const spare: DeskProcess[] = [];
    const spareRedis: OwnRedis[] = [];

    const env = () => ({
      QUEUE_PREFIX: `rdfault-${process.pid}`,
      DESK_SECRET_KEY: 'a-production-like-secret-key-of-sufficient-length',
      DESK_SEED_DEMO: 'true',
      DB_RETRY_MAX_DELAY_MS: '1000',
    });

    const post = async (externalId: string): Promise<Answer> => {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/inboxes/${inboxId}/messages`, {
          method: 'POST',
          headers: { ...auth, 'Content-Type': 'application/json' },
          body: JSON.stringify({
            externalId,
            handles: [{ kind: 'email', value: `${externalId}@example.org` }],
            text: 'x',
          }),
          signal: AbortSignal.timeout(10_000),
        });
        const body = (await res.json()) as { code?: string; duplicate?: boolean };
        return {
          externalId,
          status: res.status,
          code: body.code,
          duplicate: body.duplicate,
          retryAfter: res.headers.get('retry-after'),
        };
      } catch (error) {
        return { externalId, status: 0, error: (error as Error).message };
      }
    };

    /** Inbound posts and conversation reads, one after the other, until stopped. */
    const startTraffic = () => {
      trafficOn = true;
      let n = 0;
      traffic = (async () => {
        while (trafficOn) {
          answers.push(await post(`fault-${(n += 1)}`));
          try {
            const res = await fetch(`http://127.0.0.1:${port}/api/v1/conversations?limit=5`, {
              headers: auth,
              signal: AbortSignal.timeout(10_000),
            });
            const body = (await res.json()) as { code?: string };
            answers.push({
              externalId: '(read)',
              status: res.status,
              code: res.status === 200 ? undefined : body.code,
              retryAfter: res.headers.get('retry-after'),
            });
          } catch (error) {
            answers.push({ externalId: '(read)', status: 0, error: (error as Error).message });
          }
          await sleep(25);
        }
      })();
    };
    const since = (mark: number) => answers.slice(mark);

    beforeAll(async () => {
      db = await createTestDatabase();
      const target = new URL(db.env.DATABASE_URL as string);
      proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
      const proxied = new URL(target);
      proxied.port = String(proxy.port);
      redis = await ownRedis();
      await redis.start();
      port = await freePort();
      const common = { ...env(), DATABASE_URL: proxied.toString(), REDIS_URL: redis.url };
      api = startDesk('api', { ...common, PORT: String(port) });
      worker = startDesk('worker', common);
      await waitForHttp(`http://127.0.0.1:${port}/ready`, 200, 60_000);
      const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: DEMO_ADMIN.email, password: DEMO_ADMIN.password }),
      });
      auth = { Authorization: `Bearer ${((await login.json()) as { accessToken: string }).accessToken}` };
      const inbox = await fetch(`http://127.0.0.1:${port}/api/v1/inboxes`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ channel: 'api', name: 'Fault test form' }),
      });
      inboxId = ((await inbox.json()) as { id: string }).id;
      startTraffic();
    }, 90_000);

    afterAll(async () => {
      trafficOn = false;
      await traffic;
      await Promise.all([api, worker, ...spare].filter(Boolean).map((p) => stop(p)));
      await Promise.all([redis, ...spareRedis].filter(Boolean).map((r) => r.kill()));
      await proxy?.close();
      await db?.drop();
    });

    it('Redis dies: both processes stay up, /ready says 503 naming redis within a second, and all recovers', async () => {
      await sleep(500);
      const mark = answers.length;
      await redis.kill();
      const down = await readyBecomes(port, 503, 3_000);
      expect(down.body).toMatchObject({ code: 'not_ready', checks: { redis: { status: 'down' } } });
      expect(down.body.detail).toMatch(/redis/);
      expect(down.after).toBeLessThan(1_500);
      // Longer than the 11–12 s after which the processes used to exit.
      await sleep(14_000);
      expect([alive(api), alive(worker)]).toEqual([true, true]);
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      // The desk's own work does not need Redis: contacts are still stored while it is away.
      expect(since(mark).filter((a) => a.status === 201).length).toBeGreaterThan(5);

      await redis.start();
      await readyBecomes(port, 200, 10_000);
      const afterMark = answers.length;
      await sleep(1_000);
      expect(since(afterMark).filter((a) => a.status === 201).length).toBeGreaterThan(0);
      // Every connection came back: the worker's BullMQ connection and the api's socket.io subscriber (subscribed).
      let clients = '';
      for (let i = 0; i < 50 && !/readerdesk-worker:worker:/.test(clients); i += 1) {
        await sleep(200);
        clients = await redis.command('CLIENT', 'LIST');
      }
      expect(clients).toMatch(/name=readerdesk-worker:worker:\S+/);
      expect(clients).toMatch(/name=readerdesk-worker:socket\.io-emitter/);
      expect(clients).toMatch(/name=readerdesk-api:socket\.io-sub .*psub=1/);
      // The schedule the worker set at boot was lost with Redis's data and is set again.
      const keys = await redis.command('KEYS', `${env().QUEUE_PREFIX}:*`);
      expect(keys).toMatch(/outbox/);
      expect(since(mark).filter((a) => a.status >= 500 && a.status !== 503)).toEqual([]);
    }, 60_000);

    it('the database goes away: 503 database_unavailable with Retry-After (never 500), /ready names it, then recovery', async () => {
      const mark = answers.length;
      await proxy.cut();
      const down = await readyBecomes(port, 503, 3_000);
      expect(down.body).toMatchObject({ code: 'not_ready', checks: { database: { status: 'down' } } });
      expect(down.body.detail).toMatch(/database/);
      await sleep(6_000);
      expect([alive(api), alive(worker)]).toEqual([true, true]);
      const during = since(mark).filter((a) => a.status !== 201 && a.status !== 200);
      expect(during.length).toBeGreaterThan(3);
      for (const answer of during) {
        expect(answer).toMatchObject({ status: 503, code: 'database_unavailable', retryAfter: '5' });
      }

      await proxy.restore();
      await readyBecomes(port, 200, 15_000);
      const afterMark = answers.length;
      await sleep(1_500);
      expect(since(afterMark).filter((a) => a.status === 201).length).toBeGreaterThan(0);
      expect([alive(api), alive(worker)]).toEqual([true, true]);
    }, 60_000);

    it('every inbound post that got a 2xx is stored exactly once, and a retry of one that got 503 is safe', async () => {
      trafficOn = false;
      await traffic;
      const posts = answers.filter((a) => a.externalId !== '(read)');
      expect(posts.filter((a) => a.status === 500)).toEqual([]);
      // An answer that was not a success may or may not have been stored: the same externalId again settles it.
      for (const unsure of posts.filter((a) => a.status !== 201)) {
        const again = await post(unsure.externalId);
        expect([200, 201]).toContain(again.status);
        expect(again.duplicate).toBe(again.status === 200);
      }
      const stored = new Client({ connectionString: db.env.DATABASE_URL });
      await stored.connect();
      try {
        const rows = (
          await stored.query<{ external_id: string; n: string }>(
            'SELECT external_id, count(*) AS n FROM messages WHERE inbox_id = $1 GROUP BY external_id',
            [inboxId],
          )
        ).rows;
        const counts = new Map(rows.map((r) => [r.external_id, Number(r.n)]));
        for (const post of posts) expect([post.externalId, counts.get(post.externalId)]).toEqual([post.externalId, 1]);
        expect(counts.size).toBe(posts.length);
      } finally {
        await stored.end();
      }
      // And a contact posted twice after the fault: the second answer is the stored one, marked duplicate.
      const first = posts.find((a) => a.status === 201)!;
      await expect(post(first.externalId)).resolves.toMatchObject({ status: 200, duplicate: true });
    }, 60_000);

    it('an api and a worker started while Redis is down stay up, serve /health, and connect when it comes', async () => {
      const late = await ownRedis();
      spareRedis.push(late);
      const apiPort = await freePort();
      const common = { ...env(), DATABASE_URL: db.env.DATABASE_URL, REDIS_URL: late.url };
      const lateApi = startDesk('api', { ...common, PORT: String(apiPort) });
      const lateWorker = startDesk('worker', common);
      spare.push(lateApi, lateWorker);
      await waitForHttp(`http://127.0.0.1:${apiPort}/health`, 200, 30_000);
      const started = Date.now();
      const notReady = await readyBecomes(apiPort, 503, 2_000);
      expect(notReady.body).toMatchObject({ checks: { redis: { status: 'down' } } });
      // The api used to exit after ~12 s, the worker after ~1 s.
      await sleep(Math.max(0, 14_000 - (Date.now() - started)));
      if (!alive(lateApi) || !alive(lateWorker)) console.error(output(lateApi, lateWorker));
      expect([alive(lateApi), alive(lateWorker)]).toEqual([true, true]);
      expect((await fetch(`http://127.0.0.1:${apiPort}/health`)).status).toBe(200);

      await late.start();
      await readyBecomes(apiPort, 200, 10_000);
      let clients = '';
      for (let i = 0; i < 50 && !/readerdesk-worker:worker:/.test(clients); i += 1) {
        await sleep(200);
        clients = await late.command('CLIENT', 'LIST');
      }
      expect(clients).toMatch(/name=readerdesk-worker:worker:\S+/);
      expect(lateWorker.output()).toContain('consuming');
    }, 60_000);
  },
);
