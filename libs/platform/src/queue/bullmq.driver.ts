import { Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { ServiceUnavailableError } from '../errors/domain-error';
import { PlatformErrors } from '../errors/platform.errors';
import { isRedisConnectionError, REDIS_COMMAND_TIMEOUT_MS, RedisClients, untilReady } from '../redis/redis-clients';
import { JobDefinition, JobOptions, RepeatOptions, validateJobId } from './job';
import { Dispatch, JobOutcomeListener, QueueDriver } from './queue-driver';

/**
 * Queue driver on Redis through BullMQ: jobs survive restarts and are shared by every worker process.
 * While Redis is away, adding a job fails within a bounded wait (503 `redis_unavailable`), workers wait for it to
 * come back, and schedules are kept here and applied again each time it does (a Redis that lost its data gets them
 * back).
 */
export class BullMqQueueDriver extends QueueDriver {
  readonly kind = 'bullmq' as const;
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  private readonly listeners: JobOutcomeListener[] = [];
  private readonly connection: Redis;
  private readonly workerConnections: Redis[] = [];
  private readonly schedules = new Map<string, () => Promise<unknown>>();
  private closed = false;

  constructor(
    private readonly clients: RedisClients,
    private readonly prefix: string,
  ) {
    super();
    // The producer side fails fast: a request that adds a job must not wait for Redis without bound.
    this.connection = clients.create('queue', 'fail-fast');
    this.connection.on('ready', () => this.reapplySchedules());
  }

  /** Waits a bounded time for the producer connection (it may be connecting at boot), then gives up with a 503. */
  private async connected(): Promise<void> {
    if (this.closed) throw new ServiceUnavailableError(PlatformErrors.redisUnavailable, 'The queue is closed');
    if (await untilReady(this.connection, REDIS_COMMAND_TIMEOUT_MS)) return;
    throw new ServiceUnavailableError(
      PlatformErrors.redisUnavailable,
      `Redis is not reachable (${this.connection.status}); try again shortly`,
    );
  }

  private reapplySchedules(): void {
    for (const [id, apply] of this.schedules) {
      apply().catch((error: unknown) => this.clients.report('queue', error, `schedule ${id}`));
    }
  }

  private queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: this.connection,
        prefix: this.prefix,
        defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
      });
      queue.on('error', (error) => this.clients.report('queue', error, `queue ${name}`));
      this.queues.set(name, queue);
    }
    return queue;
  }

  async enqueue<P>(definition: JobDefinition<P>, payload: P, options: JobOptions): Promise<string> {
    if (options.jobId !== undefined) validateJobId(options.jobId);
    const jobId = options.jobId ?? randomUUID();
    await this.connected();
    await this.queue(definition.queue).add(definition.name, payload, {
      jobId,
      delay: options.delayMs,
      attempts: options.attempts,
      backoff: options.backoff ? { type: options.backoff.type, delay: options.backoff.delayMs } : undefined,
    });
    return jobId;
  }

  async remove(definition: JobDefinition<unknown>, jobId: string): Promise<boolean> {
    await this.connected();
    const job = await this.queue(definition.queue).getJob(jobId);
    if (!job) return false;
    const state = await job.getState();
    if (state !== 'waiting' && state !== 'delayed' && state !== 'prioritized') return false;
    return (await this.queue(definition.queue).remove(jobId)) === 1;
  }

  async schedule<P>(
    definition: JobDefinition<P>,
    schedulerId: string,
    payload: P,
    repeat: RepeatOptions,
  ): Promise<void> {
    validateJobId(schedulerId);
    const apply = () =>
      this.queue(definition.queue).upsertJobScheduler(
        schedulerId,
        { every: repeat.everyMs },
        {
          name: definition.name,
          data: payload,
          opts: {
            attempts: definition.defaults.attempts,
            backoff: definition.defaults.backoff
              ? { type: definition.defaults.backoff.type, delay: definition.defaults.backoff.delayMs }
              : undefined,
          },
        },
      );
    const key = `${definition.queue}:${schedulerId}`;
    this.schedules.set(key, apply);
    try {
      await this.connected();
      await apply();
    } catch (error) {
      // Kept: applied when Redis answers again (see reapplySchedules).
      if (!isRedisConnectionError(error) && !(error instanceof ServiceUnavailableError)) throw error;
      this.clients.report('queue', error, `schedule ${key} waits for Redis`);
    }
  }

  async unschedule(definition: JobDefinition<unknown>, schedulerId: string): Promise<void> {
    this.schedules.delete(`${definition.queue}:${schedulerId}`);
    await this.connected();
    await this.queue(definition.queue).removeJobScheduler(schedulerId);
  }

  async startWorkers(queues: string[], dispatch: Dispatch, concurrency: number): Promise<void> {
    for (const name of queues) {
      // Workers wait for Redis through an outage (BullMQ requires no retry limit on their connections).
      const connection = this.clients.create(`worker:${name}`, 'wait');
      this.workerConnections.push(connection);
      const worker = new Worker(
        name,
        async (job: Job) => {
          await dispatch(job.name, job.data, {
            id: job.id ?? '',
            queue: name,
            name: job.name,
            attempt: job.attemptsMade + 1,
          });
        },
        { connection, prefix: this.prefix, concurrency, autorun: true },
      );
      worker.on('error', (error) => this.clients.report(`worker:${name}`, error));
      worker.on('completed', (job) => this.emit({ queue: name, name: job.name, outcome: 'completed' }));
      worker.on('failed', (job, error) => {
        if (!job) return;
        const final = job.attemptsMade >= (job.opts.attempts ?? 1);
        this.emit({ queue: name, name: job.name, outcome: final ? 'failed' : 'retried', error: error.message });
      });
      // Kept before waiting, so that a shutdown while Redis is away still closes it.
      this.workers.push(worker);
      await worker.waitUntilReady();
    }
  }

  private emit(event: Parameters<JobOutcomeListener>[0]): void {
    for (const listener of this.listeners) listener(event);
  }

  onOutcome(listener: JobOutcomeListener): void {
    this.listeners.push(listener);
  }

  async pending(queue: string): Promise<{ waiting: number; delayed: number; active: number }> {
    await this.connected();
    const counts = await this.queue(queue).getJobCounts('waiting', 'delayed', 'active', 'prioritized');
    return {
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      delayed: counts.delayed ?? 0,
      active: counts.active ?? 0,
    };
  }

  async ping(): Promise<void> {
    await this.connected();
    await this.connection.ping();
  }

  async close(graceMs: number): Promise<void> {
    this.closed = true;
    this.schedules.clear();
    let timeout: NodeJS.Timeout | undefined;
    const forced = new Promise<'timeout'>((resolve) => {
      timeout = setTimeout(() => resolve('timeout'), graceMs);
    });
    // Pausing stops taking jobs and waits for the running ones; past the grace period they are left to BullMQ's
    // stalled-job recovery. (Not close() then close(true): once close() waits, close(true) only returns that wait.)
    await Promise.race([Promise.all(this.workers.map((w) => w.pause().catch(() => undefined))), forced]);
    if (timeout) clearTimeout(timeout);
    await Promise.all(this.workers.map((w) => w.close(true)));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    for (const connection of this.workerConnections) this.clients.release(connection);
    this.clients.release(this.connection);
  }
}
