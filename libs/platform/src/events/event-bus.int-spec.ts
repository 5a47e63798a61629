// The event bus on a real database, inside the platform application: events published in a
// transaction wait for its commit and vanish with its rollback.
import { Test, TestingModule } from '@nestjs/testing';
import { DeskDataSourceOptions } from '@readerdesk/persistence';
import { createTestDatabase, describeWithDatabase, TestDatabase, testEnvironment } from '@readerdesk/testing';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { DatabaseService } from '../database/database.service';
import { PlatformModule } from '../platform.module';
import { defineEvent, EventBus } from './event-bus';

const ProbeCreated = defineEvent<{ id: string }>('test.probe-created');
const Other = defineEvent<{ n: number }>('test.other');

interface Delivery {
  id: string;
  /** Whether a separate query, outside any transaction, found the row when the handler ran. */
  found: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

describeWithDatabase('event bus', () => {
  let db: TestDatabase;
  let app: TestingModule;
  let database: DatabaseService;
  let dataSource: DataSource;
  let events: EventBus;
  let deliveries: Delivery[];
  let unsubscribe: () => void;
  let mark: string;

  const insertProbe = async (manager: EntityManager, id: string): Promise<void> => {
    await manager.query(`INSERT INTO probe (id) VALUES (${mark})`, [id]);
  };
  const probeExists = async (id: string): Promise<boolean> =>
    (await dataSource.query<unknown[]>(`SELECT id FROM probe WHERE id = ${mark}`, [id])).length === 1;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await Test.createTestingModule({
      imports: [
        PlatformModule.forRoot({
          env: testEnvironment({ ...db.env }),
          dataSource: DeskDataSourceOptions,
          queue: { jobs: [] },
        }),
      ],
    }).compile();
    await app.init();
    database = app.get(DatabaseService);
    events = app.get(EventBus);
    dataSource = await database.connect();
    mark = database.dialect === 'postgres' ? '$1' : '?';
    await dataSource.query('CREATE TABLE probe (id varchar(40) primary key)');
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  beforeEach(() => {
    deliveries = [];
    unsubscribe = events.subscribe(ProbeCreated, async ({ id }) => {
      deliveries.push({ id, found: await probeExists(id) });
    });
  });
  afterEach(() => unsubscribe());

  it('delivers an event published in a transaction after the commit, when its row can be read', async () => {
    const id = randomUUID();
    await database.transaction(async (manager) => {
      await insertProbe(manager, id);
      events.publish(ProbeCreated, { id });
      await sleep(50);
      expect(deliveries).toEqual([]);
    });
    await waitFor('the delivery', () => deliveries.length === 1);
    expect(deliveries).toEqual([{ id, found: true }]);
  });

  it('never delivers an event of a transaction that rolls back', async () => {
    const id = randomUUID();
    await expect(
      database.transaction(async (manager) => {
        await insertProbe(manager, id);
        events.publish(ProbeCreated, { id });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    // Delivery follows the commit at once, so by the time a later event arrives the first would have too.
    const later = randomUUID();
    events.publish(ProbeCreated, { id: later });
    await waitFor('the later delivery', () => deliveries.length > 0);
    expect(deliveries).toEqual([{ id: later, found: false }]);
    expect(await probeExists(id)).toBe(false);
  });

  it('delivers at once outside a transaction', () => {
    const seen: number[] = [];
    const stop = events.subscribe(Other, ({ n }) => {
      seen.push(n);
    });
    try {
      events.publish(Other, { n: 1 });
      expect(seen).toEqual([1]);
    } finally {
      stop();
    }
  });

  it('keeps delivering to the next handlers when one throws or rejects', async () => {
    const seen: string[] = [];
    const stops = [
      events.subscribe(Other, () => {
        throw new Error('sync failure');
      }),
      events.subscribe(Other, async () => {
        await sleep(5);
        throw new Error('async failure');
      }),
      events.subscribe(Other, ({ n }) => {
        seen.push(`last ${n}`);
      }),
    ];
    try {
      events.publish(Other, { n: 7 });
      await waitFor('the last handler', () => seen.length === 1);
      expect(seen).toEqual(['last 7']);
    } finally {
      for (const stop of stops) stop();
    }
  });

  it('starts every handler in subscription order without waiting for a slow one before it', () => {
    const started: string[] = [];
    let release = (): void => undefined;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const stops = [
      events.subscribe(Other, () => {
        started.push('slow');
        return slow;
      }),
      events.subscribe(Other, () => {
        started.push('next');
      }),
    ];
    try {
      events.publish(Other, { n: 1 });
      // Outside a transaction delivery is immediate: both have started before publish returns.
      expect(started).toEqual(['slow', 'next']);
    } finally {
      release();
      for (const stop of stops) stop();
    }
  });
  it('stops delivering to a handler once it unsubscribes', () => {
    const seen: number[] = [];
    const stop = events.subscribe(Other, ({ n }) => {
      seen.push(n);
    });
    events.publish(Other, { n: 1 });
    stop();
    events.publish(Other, { n: 2 });
    expect(seen).toEqual([1]);
  });

  it('holds the events of a nested transaction until the outer one commits', async () => {
    const outerId = randomUUID();
    const innerId = randomUUID();
    await database.transaction(async (outer) => {
      await insertProbe(outer, outerId);
      await database.transaction(async (inner) => {
        expect(inner).toBe(outer);
        await insertProbe(inner, innerId);
        events.publish(ProbeCreated, { id: innerId });
      });
      events.publish(ProbeCreated, { id: outerId });
      await sleep(50);
      expect(deliveries).toEqual([]);
    });
    await waitFor('both deliveries', () => deliveries.length === 2);
    const byId = (a: Delivery, b: Delivery): number => a.id.localeCompare(b.id);
    expect([...deliveries].sort(byId)).toEqual(
      [
        { id: innerId, found: true },
        { id: outerId, found: true },
      ].sort(byId),
    );
  });

  it('drops the events of a nested transaction when the outer one rolls back', async () => {
    const innerId = randomUUID();
    await expect(
      database.transaction(async () => {
        await database.transaction(async (inner) => {
          await insertProbe(inner, innerId);
          events.publish(ProbeCreated, { id: innerId });
        });
        throw new Error('abort outer');
      }),
    ).rejects.toThrow('abort outer');
    const later = randomUUID();
    events.publish(ProbeCreated, { id: later });
    await waitFor('the later delivery', () => deliveries.length > 0);
    expect(deliveries).toEqual([{ id: later, found: false }]);
    expect(await probeExists(innerId)).toBe(false);
  });
});
