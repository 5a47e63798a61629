import { Job, Queue, Worker } from 'bullmq';
import IORedis, { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { JobDefinition, JobOptions, RepeatOptions, validateJobId } from './job';
import { Dispatch, JobOutcomeListener, QueueDriver } from './queue-driver';

/** Queue driver on Redis through BullMQ: jobs survive restarts and are shared by every worker process. */
export class BullMqQueueDriver extends QueueDriver {
  readonly kind = 'bullmq' as const;
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  private readonly listeners: JobOutcomeListener[] = [];
  private readonly connection: Redis;
  private readonly workerConnections: Redis[] = [];

  constructor(
    redisUrl: string,
    private readonly prefix: string,
  ) {
    super();
    // Connects on first use: a process whose start fails before it queues anything leaves no socket open.
    this.connection = new IORedis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
    // Errors surface through ping() and the readiness check; without a listener ioredis would log each retry.
    this.connection.on('error', () => undefined);
  }

  private queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: this.connection,
        prefix: this.prefix,
        defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
      });
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  async enqueue<P>(definition: JobDefinition<P>, payload: P, options: JobOptions): Promise<string> {
    if (options.jobId !== undefined) validateJobId(options.jobId);
    const jobId = options.jobId ?? randomUUID();
    await this.queue(definition.queue).add(definition.name, payload, {
      jobId,
      delay: options.delayMs,
      attempts: options.attempts,
      backoff: options.backoff ? { type: options.backoff.type, delay: options.backoff.delayMs } : undefined,
    });
    return jobId;
  }

  async remove(definition: JobDefinition<unknown>, jobId: string): Promise<boolean> {
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
    await this.queue(definition.queue).upsertJobScheduler(
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
  }

  async unschedule(definition: JobDefinition<unknown>, schedulerId: string): Promise<void> {
    await this.queue(definition.queue).removeJobScheduler(schedulerId);
  }

  async startWorkers(queues: string[], dispatch: Dispatch, concurrency: number): Promise<void> {
    for (const name of queues) {
      const connection = this.connection.duplicate();
      connection.on('error', () => undefined);
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
      worker.on('error', () => undefined);
      worker.on('completed', (job) => this.emit({ queue: name, name: job.name, outcome: 'completed' }));
      worker.on('failed', (job, error) => {
        if (!job) return;
        const final = job.attemptsMade >= (job.opts.attempts ?? 1);
        this.emit({ queue: name, name: job.name, outcome: final ? 'failed' : 'retried', error: error.message });
      });
      await worker.waitUntilReady();
      this.workers.push(worker);
    }
  }

  private emit(event: Parameters<JobOutcomeListener>[0]): void {
    for (const listener of this.listeners) listener(event);
  }

  onOutcome(listener: JobOutcomeListener): void {
    this.listeners.push(listener);
  }

  async pending(queue: string): Promise<{ waiting: number; delayed: number; active: number }> {
    const counts = await this.queue(queue).getJobCounts('waiting', 'delayed', 'active', 'prioritized');
    return {
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      delayed: counts.delayed ?? 0,
      active: counts.active ?? 0,
    };
  }

  async ping(): Promise<void> {
    await this.connection.ping();
  }

  async close(graceMs: number): Promise<void> {
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
    for (const connection of this.workerConnections) connection.disconnect();
    this.connection.disconnect();
  }
}
