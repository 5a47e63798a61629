// Events defined `everyProcess` reach the other processes of the desk through Redis; the others stay
// in the process that published them. Two platform applications stand for two processes.
import { Test, TestingModule } from '@nestjs/testing';
import { DeskDataSourceOptions } from '@readerdesk/persistence';
import {
  createTestDatabase,
  describeWithDatabase,
  TestDatabase,
  testDialect,
  testEnvironment,
} from '@readerdesk/testing';
import { PlatformModule } from '../platform.module';
import { defineEvent, EventBus } from './event-bus';

const Everywhere = defineEvent<{ n: number }>('test.everywhere', { everyProcess: true });
const HereOnly = defineEvent<{ n: number }>('test.here-only');

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const withRedis = testDialect() === 'postgres' && !!process.env.REDIS_URL;
if (!withRedis) console.warn('event relay tests skipped: they need REDIS_URL and run in the PostgreSQL pass');

(withRedis ? describeWithDatabase : describe.skip)('events delivered in every process', () => {
  let db: TestDatabase;
  const apps: TestingModule[] = [];
  let a: EventBus;
  let b: EventBus;

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = testEnvironment({ ...db.env, REDIS_URL: process.env.REDIS_URL });
    for (let i = 0; i < 2; i++) {
      const app = await Test.createTestingModule({
        imports: [PlatformModule.forRoot({ env, dataSource: DeskDataSourceOptions, queue: { jobs: [] } })],
      }).compile();
      await app.init();
      apps.push(app);
    }
    [a, b] = apps.map((app) => app.get(EventBus));
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await db?.drop();
  });

  it("delivers an everyProcess event in the other process, once in the publisher's, and keeps the rest local", async () => {
    const inA: string[] = [];
    const inB: string[] = [];
    a.subscribe(Everywhere, ({ n }) => void inA.push(`everywhere ${n}`));
    b.subscribe(Everywhere, ({ n }) => void inB.push(`everywhere ${n}`));
    a.subscribe(HereOnly, ({ n }) => void inA.push(`here ${n}`));
    b.subscribe(HereOnly, ({ n }) => void inB.push(`here ${n}`));
    // The listener subscribes in the background; publish until the other process hears.
    let n = 0;
    const deadline = Date.now() + 5000;
    while (inB.length === 0) {
      if (Date.now() > deadline) throw new Error('the other process never heard an everyProcess event');
      a.publish(Everywhere, { n: ++n });
      await sleep(50);
    }
    const heard = Number(inB[0].split(' ')[1]);
    a.publish(HereOnly, { n: 100 });
    b.publish(Everywhere, { n: 200 });
    await sleep(300);
    // The publisher heard every one of its own once (locally), none twice through Redis.
    expect(inA.filter((e) => e.startsWith('everywhere') && Number(e.split(' ')[1]) <= n)).toEqual(
      Array.from({ length: n }, (_, i) => `everywhere ${i + 1}`),
    );
    expect(inA).toContain('here 100');
    expect(inA).toContain('everywhere 200');
    expect(inB).not.toContain('here 100');
    expect(inB.filter((e) => e === 'everywhere 200')).toEqual(['everywhere 200']);
    expect(inB).toContain(`everywhere ${heard}`);
  });
});
