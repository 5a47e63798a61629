// Boot checks of the queue port inside Nest: every job has exactly one @JobHandler, and the workers
// start once the database is ready.
import { Injectable, OnModuleInit, Provider } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { DeskDataSourceOptions } from '@readerdesk/persistence';
import { createTestDatabase, describeWithDatabase, TestDatabase, testEnvironment } from '@readerdesk/testing';
import { DatabaseService } from '../database/database.service';
import { PlatformModule } from '../platform.module';
import { defineJob, JobDefinition } from './job';
import type { JobContext } from './job';
import { QueueDriver } from './queue-driver';
import { JobHandler, JobHandlerRegistryError, QueueService } from './queue.service';

const Ping = defineJob<{ n: number; at: Date }>('svc', 'ping', { attempts: 1 });
const Write = defineJob<{ id: string }>('svc', 'write', { attempts: 1 });
const Stray = defineJob<{ n: number }>('svc', 'stray', { attempts: 1 });

interface Seen {
  payload: unknown;
  context: JobContext;
  databaseReady: boolean;
}

@Injectable()
class PingHandler {
  readonly seen: Seen[] = [];
  readonly errors: string[] = [];

  constructor(private readonly database: DatabaseService) {}

  @JobHandler(Ping)
  async ping(payload: { n: number }, context: JobContext): Promise<void> {
    this.seen.push({ payload, context, databaseReady: this.database.isReady() });
  }

  @JobHandler(Write)
  async write(payload: { id: string }): Promise<void> {
    try {
      const mark = this.database.dialect === 'postgres' ? '$1' : '?';
      await this.database.transaction((manager) =>
        manager.query(`INSERT INTO probe_jobs (id) VALUES (${mark})`, [payload.id]),
      );
    } catch (error) {
      this.errors.push(error instanceof Error ? error.message : String(error));
      throw error;
    }
  }
}

@Injectable()
class SecondPingHandler {
  @JobHandler(Ping)
  async alsoPing(): Promise<void> {}
}

@Injectable()
class StrayHandler {
  @JobHandler(Stray)
  async stray(): Promise<void> {}
}

/** Holds the database "not ready" (a bootstrap task that waits) until the test opens it. */
let gate: { opened: Promise<void>; open: () => void };
const newGate = (): typeof gate => {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
};

@Injectable()
class DatabaseGate implements OnModuleInit {
  constructor(private readonly database: DatabaseService) {}

  onModuleInit(): void {
    this.database.registerBootstrap('test-gate', () => gate.opened);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

describeWithDatabase('queue service', () => {
  let db: TestDatabase;
  let app: TestingModule | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  beforeEach(() => {
    gate = newGate();
    gate.open();
  });
  afterEach(async () => {
    gate.open();
    await app?.close();
    app = undefined;
  });
  afterAll(async () => db?.drop());

  async function compile(
    jobs: Array<JobDefinition<unknown>>,
    providers: Provider[],
    env: Record<string, string | undefined> = {},
  ): Promise<TestingModule> {
    app = await Test.createTestingModule({
      imports: [
        PlatformModule.forRoot({
          env: testEnvironment({ ...db.env, ...env }),
          dataSource: DeskDataSourceOptions,
          queue: { jobs },
        }),
      ],
      providers: [DatabaseGate, ...providers],
    }).compile();
    return app;
  }

  /** Init must fail with a JobHandlerRegistryError whose message matches every pattern. */
  async function expectRegistryError(
    jobs: Array<JobDefinition<unknown>>,
    providers: Provider[],
    ...patterns: RegExp[]
  ): Promise<void> {
    const module = await compile(jobs, providers);
    const error: unknown = await module.init().then(
      () => undefined,
      (e: unknown) => e,
    );
    // A failed init leaves nothing open (the database connects after init), and close() would only rethrow.
    app = undefined;
    expect(error).toBeInstanceOf(JobHandlerRegistryError);
    for (const pattern of patterns) expect((error as Error).message).toMatch(pattern);
  }

  it('refuses to start when a job has no handler', async () => {
    await expectRegistryError([Ping, Write, Stray], [PingHandler], /job svc\.stray has no handler/);
  });

  it('refuses to start when a job has two handlers, and names both', async () => {
    await expectRegistryError(
      [Ping, Write],
      [PingHandler, SecondPingHandler],
      /job svc\.ping has 2 handlers/,
      /PingHandler\.ping/,
      /SecondPingHandler\.alsoPing/,
    );
  });

  // The api role needs Redis (jobs must leave the process), so this one runs where REDIS_URL is set.
  (process.env.REDIS_URL ? it : it.skip)(
    'lets an api process, which consumes nothing, boot without the handlers its workers hold',
    async () => {
      const api = { DESK_ROLE: 'api', REDIS_URL: process.env.REDIS_URL };
      const module = await compile([Ping, Write, Stray], [PingHandler], api);
      await expect(module.init()).resolves.toBe(module);
      await module.close();
      app = undefined;
      // Two handlers for one job stay a mistake in any role.
      const doubled = await compile([Ping, Write], [PingHandler, SecondPingHandler], api);
      const error: unknown = await doubled.init().then(
        () => undefined,
        (e: unknown) => e,
      );
      app = undefined;
      expect(error).toBeInstanceOf(JobHandlerRegistryError);
      expect((error as Error).message).toMatch(/job svc\.ping has 2 handlers/);
    },
  );

  it('refuses to start when a handler serves a job that is not in the list', async () => {
    await expectRegistryError(
      [Ping, Write],
      [PingHandler, StrayHandler],
      /handler for svc\.stray, a job that is not defined/,
    );
  });

  it('boots with one handler per job and runs added jobs once the database is ready', async () => {
    gate = newGate();
    const module = await compile([Ping, Write], [PingHandler]);
    await module.init();
    const database = module.get(DatabaseService);
    const queue = module.get(QueueService);
    const handler = module.get(PingHandler);
    expect(queue.driver.kind).toBe('in-process');

    const id = await queue.add(Ping, { n: 1, at: new Date('2024-01-02T03:04:05.000Z') });
    await sleep(150);
    expect(database.isReady()).toBe(false);
    expect(handler.seen).toHaveLength(0);

    gate.open();
    await waitFor('the ping job', () => handler.seen.length === 1);
    expect(handler.seen).toEqual([
      {
        payload: { n: 1, at: '2024-01-02T03:04:05.000Z' },
        context: { id, queue: 'svc', name: 'ping', attempt: 1 },
        databaseReady: true,
      },
    ]);
  });

  it('runs a job added inside a transaction outside of it: the handler neither joins nor loses it', async () => {
    const module = await compile([Ping, Write], [PingHandler]);
    await module.init();
    const database = module.get(DatabaseService);
    const queue = module.get(QueueService);
    const handler = module.get(PingHandler);
    const dataSource = await database.connect();
    await dataSource.query('CREATE TABLE IF NOT EXISTS probe_jobs (id varchar(40) primary key)');

    await database.transaction(async () => {
      await queue.add(Write, { id: 'now' });
      await queue.add(Write, { id: 'later' }, { delayMs: 50 });
    });
    // Adding a job is not part of the transaction (as with Redis): its handler's write survives a rollback.
    await expect(
      database.transaction(async () => {
        await queue.add(Write, { id: 'despite-rollback' });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');

    const ids = async (): Promise<string[]> =>
      (await dataSource.query<Array<{ id: string }>>('SELECT id FROM probe_jobs ORDER BY id')).map((r) => r.id);
    await waitFor('three rows', async () => (await ids()).length === 3 || handler.errors.length > 0);
    expect(handler.errors).toEqual([]);
    expect(await ids()).toEqual(['despite-rollback', 'later', 'now']);
  });

  it('starts no workers when the app closes before the database is ready', async () => {
    gate = newGate();
    const module = await compile([Ping, Write], [PingHandler]);
    await module.init();
    const database = module.get(DatabaseService);
    const startWorkers = jest.spyOn(module.get(QueueDriver), 'startWorkers');
    await module.close();
    app = undefined;
    gate.open();
    await sleep(300);
    expect(startWorkers).not.toHaveBeenCalled();
    expect(database.isReady()).toBe(false);
  });
});
