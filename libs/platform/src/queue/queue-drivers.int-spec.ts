// The contract of the queue port, run against both drivers: the in-process driver always, BullMQ when
// REDIS_URL is set. The queue does not use the database, so the suites run in the int:sqlite project only.
import IORedis from 'ioredis';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { BullMqQueueDriver } from './bullmq.driver';
import { RedisClients } from '../redis/redis-clients';
import { InProcessQueueDriver } from './in-process.driver';
import { defineJob, JobContext, JobOptions } from './job';
import { JobOutcomeListener, QueueDriver } from './queue-driver';

const QUEUE = 'contract';
const Echo = defineJob<{ text: string; at: Date; nested: { list: number[] } }>(QUEUE, 'echo');
const Delayed = defineJob<{ n: number }>(QUEUE, 'delayed');
const Sentinel = defineJob<{ n: number }>(QUEUE, 'sentinel');
const Dedupe = defineJob<{ n: number }>(QUEUE, 'dedupe');
const Flaky = defineJob<{ failUntil: number }>(QUEUE, 'flaky');
const Fails = defineJob<{ n: number }>(QUEUE, 'fails');
const Ticker = defineJob<{ tick: string }>(QUEUE, 'ticker');
const Slow = defineJob<{ ms: number }>(QUEUE, 'slow');

const once: JobOptions = { attempts: 1 };
/** Stands for any per-request or per-transaction context of the code that adds jobs. */
const callerContext = new AsyncLocalStorage<string>();

type Outcome = Parameters<JobOutcomeListener>[0];
interface Run {
  name: string;
  payload: unknown;
  context: JobContext;
  at: number;
  /** The caller context the handler ran in (none, as in a separate worker process). */
  callerContext: string | undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 10 ms until it holds; fails with `what` after `timeoutMs`. */
async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

interface DriverUnderTest {
  create(prefix: string): QueueDriver;
  /** Removes what the driver left behind under `prefix` (Redis keys), after close. */
  cleanup?(prefix: string): Promise<void>;
}

function queueContract(title: string, subject: DriverUnderTest): void {
  describe(title, () => {
    let prefix: string;
    let driver: QueueDriver;
    let closed: boolean;
    let runs: Run[];
    let outcomes: Outcome[];
    let handlers: Map<string, (payload: unknown, context: JobContext) => Promise<void>>;

    const runsOf = (name: string): Run[] => runs.filter((run) => run.name === name);
    const outcomesOf = (name: string): Array<Outcome['outcome']> =>
      outcomes.filter((o) => o.name === name).map((o) => o.outcome);
    const close = async (graceMs: number): Promise<void> => {
      closed = true;
      await driver.close(graceMs);
    };

    beforeEach(async () => {
      prefix = `rdtest-${randomBytes(6).toString('hex')}`;
      runs = [];
      outcomes = [];
      handlers = new Map();
      closed = false;
      driver = subject.create(prefix);
      driver.onOutcome((event) => outcomes.push(event));
      await driver.startWorkers(
        [QUEUE],
        async (name, payload, context) => {
          runs.push({ name, payload, context, at: Date.now(), callerContext: callerContext.getStore() });
          await handlers.get(name)?.(payload, context);
        },
        4,
      );
    });

    afterEach(async () => {
      if (!closed) await close(2000);
      await subject.cleanup?.(prefix);
    });

    it('runs the handler with the payload as JSON and a context', async () => {
      const payload = { text: 'hello', at: new Date('2024-05-06T07:08:09.010Z'), nested: { list: [1, 2] } };
      const id = await driver.enqueue(Echo, payload, once);
      payload.nested.list.push(3);
      await waitFor('the echo job', () => outcomesOf('echo').length === 1);
      expect(runsOf('echo')).toHaveLength(1);
      const [run] = runsOf('echo');
      expect(run.payload).toEqual({ text: 'hello', at: '2024-05-06T07:08:09.010Z', nested: { list: [1, 2] } });
      expect(run.context).toEqual({ id, queue: QUEUE, name: 'echo', attempt: 1 });
      expect(outcomesOf('echo')).toEqual(['completed']);
    });

    it('honours the delay: never early, and not much later', async () => {
      const enqueuedAt = Date.now();
      await driver.enqueue(Delayed, { n: 1 }, { ...once, delayMs: 400 });
      await sleep(150 - (Date.now() - enqueuedAt));
      expect(runsOf('delayed')).toHaveLength(0);
      await waitFor('the delayed job', () => runsOf('delayed').length === 1, 2000);
      const waited = runsOf('delayed')[0].at - enqueuedAt;
      expect(waited).toBeGreaterThanOrEqual(395);
      expect(waited).toBeLessThan(2000);
    });

    it('deduplicates job ids while the job is delayed or running, and frees the id once it is done', async () => {
      handlers.set('dedupe', () => sleep(150));
      // Delayed: five adds, one run.
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1)
        ids.push(await driver.enqueue(Dedupe, { n: i }, { ...once, jobId: 'd-1', delayMs: 200 }));
      expect(ids).toEqual(['d-1', 'd-1', 'd-1', 'd-1', 'd-1']);
      expect((await driver.pending(QUEUE)).delayed).toBe(1);
      await waitFor('the deduplicated job to start', () => runsOf('dedupe').length === 1);
      // Running: adding the id again is still a no-op.
      for (let i = 5; i < 10; i += 1) await driver.enqueue(Dedupe, { n: i }, { ...once, jobId: 'd-1' });
      await waitFor('the deduplicated job to finish', () => outcomesOf('dedupe').length === 1);
      // A later job that is due after any duplicate would have been: once it has run, no duplicate will.
      await driver.enqueue(Sentinel, { n: 0 }, { ...once, delayMs: 50 });
      await waitFor('the sentinel', () => outcomesOf('sentinel').length === 1);
      expect(runsOf('dedupe').map((r) => r.payload)).toEqual([{ n: 0 }]);
      // Completed: the id can be used again.
      await driver.enqueue(Dedupe, { n: 99 }, { ...once, jobId: 'd-1' });
      await waitFor('the reused id to run', () => outcomesOf('dedupe').length === 2);
      expect(runsOf('dedupe').map((r) => r.payload)).toEqual([{ n: 0 }, { n: 99 }]);
    });

    it('removes a delayed job (which then never runs) and reports an unknown id', async () => {
      await driver.enqueue(Delayed, { n: 1 }, { ...once, jobId: 'cancel-me', delayMs: 150 });
      await driver.enqueue(Sentinel, { n: 1 }, { ...once, delayMs: 300 });
      expect(await driver.remove(Delayed, 'cancel-me')).toBe(true);
      expect(await driver.remove(Delayed, 'cancel-me')).toBe(false);
      expect(await driver.remove(Delayed, 'never-added')).toBe(false);
      await waitFor('the sentinel', () => outcomesOf('sentinel').length === 1);
      expect(runsOf('delayed')).toHaveLength(0);
      expect(await driver.pending(QUEUE)).toEqual({ waiting: 0, delayed: 0, active: 0 });
    });

    it('retries a failing job with backoff until it succeeds', async () => {
      handlers.set('flaky', async (payload, context) => {
        if (context.attempt < (payload as { failUntil: number }).failUntil) throw new Error(`fail ${context.attempt}`);
      });
      const id = await driver.enqueue(
        Flaky,
        { failUntil: 3 },
        { attempts: 3, backoff: { type: 'fixed', delayMs: 100 } },
      );
      await waitFor('the flaky job to complete', () => outcomesOf('flaky').includes('completed'));
      const attempts = runsOf('flaky');
      expect(attempts.map((r) => r.context.attempt)).toEqual([1, 2, 3]);
      expect(attempts.every((r) => r.context.id === id)).toBe(true);
      expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(95);
      expect(attempts[2].at - attempts[1].at).toBeGreaterThanOrEqual(95);
      expect(outcomesOf('flaky')).toEqual(['retried', 'retried', 'completed']);
    });

    it('gives up after the last attempt and reports the job failed', async () => {
      handlers.set('flaky', async (payload, context) => {
        if (context.attempt < (payload as { failUntil: number }).failUntil) throw new Error(`fail ${context.attempt}`);
      });
      await driver.enqueue(Flaky, { failUntil: 3 }, { attempts: 2, backoff: { type: 'fixed', delayMs: 100 } });
      await waitFor('the flaky job to fail', () => outcomesOf('flaky').includes('failed'));
      expect(runsOf('flaky').map((r) => r.context.attempt)).toEqual([1, 2]);
      expect(outcomes.filter((o) => o.name === 'flaky')).toEqual([
        { queue: QUEUE, name: 'flaky', outcome: 'retried', error: 'fail 1' },
        { queue: QUEUE, name: 'flaky', outcome: 'failed', error: 'fail 2' },
      ]);
      // Nothing is left to run a third time.
      expect(await driver.pending(QUEUE)).toEqual({ waiting: 0, delayed: 0, active: 0 });
    });

    it('reports each outcome to the listeners', async () => {
      const second: Outcome[] = [];
      driver.onOutcome((event) => second.push(event));
      handlers.set('fails', async () => {
        throw new Error('boom');
      });
      await driver.enqueue(Echo, { text: 'x', at: new Date(0), nested: { list: [] } }, once);
      await driver.enqueue(Fails, { n: 1 }, once);
      await waitFor('both outcomes', () => outcomes.length === 2);
      const expected = [
        { queue: QUEUE, name: 'echo', outcome: 'completed' },
        { queue: QUEUE, name: 'fails', outcome: 'failed', error: 'boom' },
      ];
      const byName = (a: Outcome, b: Outcome): number => a.name.localeCompare(b.name);
      expect([...outcomes].sort(byName)).toEqual(expected);
      expect([...second].sort(byName)).toEqual(expected);
    });

    it('runs a repeatable job on its schedule until it is unscheduled', async () => {
      const scheduledAt = Date.now();
      await driver.schedule(Ticker, 'every-200', { tick: 'tock' }, { everyMs: 200 });
      await waitFor('three runs of the ticker', () => runsOf('ticker').length >= 3, 1500);
      expect(Date.now() - scheduledAt).toBeLessThan(1500);
      expect(runsOf('ticker').every((r) => (r.payload as { tick: string }).tick === 'tock')).toBe(true);
      await driver.unschedule(Ticker, 'every-200');
      await waitFor('the queue to drain', async () => {
        const counts = await driver.pending(QUEUE);
        return counts.waiting + counts.delayed + counts.active === 0;
      });
      const count = runsOf('ticker').length;
      await sleep(500); // more than two intervals
      expect(runsOf('ticker')).toHaveLength(count);
    });

    it('runs handlers outside the async context of the code that added or scheduled the job', async () => {
      handlers.set('fails', async () => {
        throw new Error('retry me');
      });
      await callerContext.run('request-1', async () => {
        await driver.enqueue(Echo, { text: 'now', at: new Date(0), nested: { list: [] } }, once);
        await driver.enqueue(Delayed, { n: 1 }, { ...once, delayMs: 50 });
        await driver.enqueue(Fails, { n: 1 }, { attempts: 2, backoff: { type: 'fixed', delayMs: 50 } });
        await driver.schedule(Ticker, 'context', { tick: 'x' }, { everyMs: 100 });
      });
      await waitFor(
        'every job to run',
        () => ['echo', 'delayed', 'ticker'].every((name) => runsOf(name).length > 0) && runsOf('fails').length === 2,
      );
      await driver.unschedule(Ticker, 'context');
      expect(runs.map((run) => [run.name, run.callerContext])).toEqual(runs.map((run) => [run.name, undefined]));
    });

    it('counts a delayed job as delayed', async () => {
      await driver.enqueue(Delayed, { n: 1 }, { ...once, jobId: 'later', delayMs: 5000 });
      expect(await driver.pending(QUEUE)).toEqual({ waiting: 0, delayed: 1, active: 0 });
      expect(await driver.remove(Delayed, 'later')).toBe(true);
      expect(await driver.pending(QUEUE)).toEqual({ waiting: 0, delayed: 0, active: 0 });
    });

    it('waits on close for a running job to finish', async () => {
      let finished = false;
      handlers.set('slow', async (payload) => {
        await sleep((payload as { ms: number }).ms);
        finished = true;
      });
      await driver.enqueue(Slow, { ms: 300 }, once);
      await waitFor('the slow job to start', () => runsOf('slow').length === 1);
      expect((await driver.pending(QUEUE)).active).toBe(1);
      // Due while the queue closes: it is not started any more.
      await driver.enqueue(Delayed, { n: 1 }, { ...once, delayMs: 50 });
      const closing = Date.now();
      await close(2000);
      expect(finished).toBe(true);
      expect(outcomesOf('slow')).toEqual(['completed']);
      expect(Date.now() - closing).toBeLessThan(2000);
      expect(runsOf('delayed')).toHaveLength(0);
    });

    it('stops waiting for a running job once the grace period is over', async () => {
      let release = (): void => undefined;
      const released = new Promise<void>((resolve) => (release = resolve));
      handlers.set('slow', () => released);
      await driver.enqueue(Slow, { ms: 0 }, once);
      await waitFor('the slow job to start', () => runsOf('slow').length === 1);
      const closing = Date.now();
      await close(200);
      const took = Date.now() - closing;
      release();
      expect(took).toBeGreaterThanOrEqual(190);
      expect(took).toBeLessThan(1500);
    });
  });
}

// The queue does not use the database: the in-process driver runs in the SQLite project (its embedded
// pair), BullMQ in the PostgreSQL one (its production pair), where REDIS_URL is set.
const redisUrl = process.env.REDIS_URL;
if (process.env.RD_TEST_DIALECT === 'sqlite') {
  queueContract('queue driver contract: InProcessQueueDriver', { create: () => new InProcessQueueDriver() });
} else if (redisUrl) {
  queueContract('queue driver contract: BullMqQueueDriver', {
    create: (prefix) => new BullMqQueueDriver(new RedisClients(redisUrl), prefix),
    cleanup: async (prefix) => {
      const redis = new IORedis(redisUrl);
      try {
        const keys: string[] = [];
        let cursor = '0';
        do {
          const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
          cursor = next;
          keys.push(...found);
        } while (cursor !== '0');
        if (keys.length > 0) await redis.del(...keys);
      } finally {
        redis.disconnect();
      }
    },
  });
} else {
  describe.skip('queue driver contract: BullMqQueueDriver [skipped: REDIS_URL is not set; it runs in the PostgreSQL pass]', () => {
    it('needs Redis', () => undefined);
  });
}
