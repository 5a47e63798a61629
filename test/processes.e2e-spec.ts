import { createTestDatabase, describeWithDatabase, testDialect, TestDatabase } from '@readerdesk/testing';
import { DeskProcess, freePort, startDesk, stop, waitForHttp } from './support/process';

const sqlite = testDialect() === 'sqlite';
const describeSqlite = sqlite ? describeWithDatabase : describe.skip;
const describePostgres =
  !sqlite && process.env.DATABASE_URL && process.env.REDIS_URL ? describeWithDatabase : describe.skip;

describeSqlite('npm start: the embedded default in one process', () => {
  let db: TestDatabase;
  let desk: DeskProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    if (desk) await stop(desk);
    await db.drop();
  });

  it('serves /health, then the seeded demo, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    desk = startDesk('desk', { PORT: String(port), SQLITE_PATH: db.env.SQLITE_PATH });
    const healthMs = await waitForHttp(`http://127.0.0.1:${port}/health`);
    await waitForHttp(`http://127.0.0.1:${port}/ready`);
    const demo = (await (await fetch(`http://127.0.0.1:${port}/api/v1/libraries/demo`)).json()) as {
      departments: unknown[];
    };
    expect(demo.departments).toHaveLength(5);
    console.log(`embedded desk answered /health ${healthMs} ms after spawn (including a build check)`);
    const exit = await stop(desk);
    expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true);
    expect(desk.output()).toContain('listening on');
  });

  it('refuses to boot on a malformed variable and names it', async () => {
    const bad = startDesk('desk', { PORT: 'eighty', SQLITE_PATH: db.env.SQLITE_PATH });
    const exit = await bad.exited;
    expect(exit.code).toBe(78);
    expect(bad.output()).toContain('PORT');
    expect(bad.output()).toContain('"eighty"');
  });

  it('refuses the api role without Redis', async () => {
    const bad = startDesk('api', { SQLITE_PATH: db.env.SQLITE_PATH });
    expect((await bad.exited).code).toBe(78);
    expect(bad.output()).toContain('needs REDIS_URL');
  });
});

describePostgres('production mode: separate api and worker processes on PostgreSQL and Redis', () => {
  let db: TestDatabase;
  const running: DeskProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(running.map((p) => stop(p)));
    await db.drop();
  });

  it('runs two api processes and a worker against one database, migrating and seeding once', async () => {
    const env = {
      DATABASE_URL: db.env.DATABASE_URL,
      REDIS_URL: process.env.REDIS_URL,
      QUEUE_PREFIX: `rdtest-${Date.now()}`,
      DESK_SECRET_KEY: 'a-production-like-secret-key-of-sufficient-length',
      DESK_SEED_DEMO: 'true',
    };
    const [portA, portB] = [await freePort(), await freePort()];
    running.push(startDesk('api', { ...env, PORT: String(portA) }));
    running.push(startDesk('api', { ...env, PORT: String(portB) }));
    running.push(startDesk('worker', env));
    for (const port of [portA, portB]) {
      await waitForHttp(`http://127.0.0.1:${port}/ready`);
      const ready = (await (await fetch(`http://127.0.0.1:${port}/ready`)).json()) as {
        details: { redis: { driver: string } };
      };
      expect(ready.details.redis.driver).toBe('bullmq');
      const demo = (await (await fetch(`http://127.0.0.1:${port}/api/v1/libraries/demo`)).json()) as {
        branches: unknown[];
      };
      expect(demo.branches).toHaveLength(2);
    }
    const output = running.map((p) => p.output()).join('\n');
    expect(output.match(/seeded the demo library/g)).toHaveLength(1);
    expect(output.match(/applied \d+ migration/g)).toHaveLength(1);
    expect(running[2].output()).toContain('worker started');
    const stopped = Date.now();
    const exits = await Promise.all(running.map((p) => stop(p)));
    for (const exit of exits) expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true);
    console.log(`api x2 + worker stopped gracefully in ${Date.now() - stopped} ms`);
  }, 120_000);
});
