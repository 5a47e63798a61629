import { AsyncResource } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { backoffDelay, JobDefinition, JobOptions, RepeatOptions, validateJobId } from './job';
import { Dispatch, JobOutcomeListener, QueueDriver } from './queue-driver';

interface PendingJob {
  id: string;
  queue: string;
  name: string;
  payload: unknown;
  options: JobOptions;
  attempt: number;
  state: 'waiting' | 'delayed' | 'active';
  timer?: NodeJS.Timeout;
}

/**
 * Queue driver for the single-process embedded default. It keeps BullMQ's semantics that the
 * rest of the code relies on: delays are honoured (a delayed job waits on a timer, it is never
 * run early), job ids deduplicate while the job is pending, failed jobs are retried with
 * backoff, payloads go through JSON as they would through Redis. Jobs do not survive a restart;
 * the database-backed sweeps cover that, exactly as they cover a lost Redis. Handlers run in the
 * async context the driver was created in, never in that of the code that added the job (its
 * transaction, its request), as they would in a separate worker.
 */
export class InProcessQueueDriver extends QueueDriver {
  readonly kind = 'in-process' as const;
  private readonly jobs = new Map<string, PendingJob>();
  private readonly waiting = new Map<string, PendingJob[]>();
  private readonly running = new Map<string, number>();
  private readonly schedulers = new Map<string, NodeJS.Timeout>();
  private readonly listeners: JobOutcomeListener[] = [];
  private readonly activeRuns = new Set<Promise<void>>();
  private consumers = new Map<string, { dispatch: Dispatch; concurrency: number }>();
  private closed = false;
  /** Where jobs run: timers and runs started under it do not inherit the caller's AsyncLocalStorage stores. */
  private readonly scope = new AsyncResource('InProcessQueueDriver');

  private static key(queue: string, id: string): string {
    return `${queue}\u0000${id}`;
  }

  async enqueue<P>(definition: JobDefinition<P>, payload: P, options: JobOptions): Promise<string> {
    if (this.closed) throw new Error('the queue is closed');
    if (options.jobId !== undefined) validateJobId(options.jobId);
    const id = options.jobId ?? randomUUID();
    const key = InProcessQueueDriver.key(definition.queue, id);
    if (this.jobs.has(key)) return id;
    const job: PendingJob = {
      id,
      queue: definition.queue,
      name: definition.name,
      payload: JSON.parse(JSON.stringify(payload ?? null)) as unknown,
      options,
      attempt: 1,
      state: 'waiting',
    };
    this.jobs.set(key, job);
    this.scope.runInAsyncScope(() => this.place(job, options.delayMs ?? 0));
    return id;
  }

  private place(job: PendingJob, delayMs: number): void {
    if (delayMs > 0) {
      job.state = 'delayed';
      job.timer = setTimeout(() => {
        job.timer = undefined;
        this.place(job, 0);
      }, delayMs);
      job.timer.unref();
      return;
    }
    job.state = 'waiting';
    const list = this.waiting.get(job.queue) ?? [];
    list.push(job);
    this.waiting.set(job.queue, list);
    this.pump(job.queue);
  }

  private pump(queue: string): void {
    const consumer = this.consumers.get(queue);
    if (!consumer || this.closed) return;
    const list = this.waiting.get(queue) ?? [];
    while (list.length > 0 && (this.running.get(queue) ?? 0) < consumer.concurrency) {
      const job = list.shift() as PendingJob;
      this.running.set(queue, (this.running.get(queue) ?? 0) + 1);
      const run = this.run(job, consumer.dispatch).finally(() => {
        this.activeRuns.delete(run);
        this.running.set(queue, (this.running.get(queue) ?? 1) - 1);
        setImmediate(() => this.pump(queue));
      });
      this.activeRuns.add(run);
    }
  }

  private async run(job: PendingJob, dispatch: Dispatch): Promise<void> {
    job.state = 'active';
    const key = InProcessQueueDriver.key(job.queue, job.id);
    try {
      await dispatch(job.name, job.payload, { id: job.id, queue: job.queue, name: job.name, attempt: job.attempt });
      this.jobs.delete(key);
      this.emit({ queue: job.queue, name: job.name, outcome: 'completed' });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const attempts = job.options.attempts ?? 1;
      if (job.attempt < attempts && !this.closed) {
        const delay = backoffDelay(job.options, job.attempt);
        job.attempt += 1;
        this.emit({ queue: job.queue, name: job.name, outcome: 'retried', error: message });
        this.place(job, delay);
      } else {
        this.jobs.delete(key);
        this.emit({ queue: job.queue, name: job.name, outcome: 'failed', error: message });
      }
    }
  }

  private emit(event: Parameters<JobOutcomeListener>[0]): void {
    for (const listener of this.listeners) listener(event);
  }

  async remove(definition: JobDefinition<unknown>, jobId: string): Promise<boolean> {
    const key = InProcessQueueDriver.key(definition.queue, jobId);
    const job = this.jobs.get(key);
    if (!job || job.state === 'active') return false;
    if (job.timer) clearTimeout(job.timer);
    const list = this.waiting.get(job.queue) ?? [];
    const index = list.indexOf(job);
    if (index >= 0) list.splice(index, 1);
    this.jobs.delete(key);
    return true;
  }

  async schedule<P>(
    definition: JobDefinition<P>,
    schedulerId: string,
    payload: P,
    repeat: RepeatOptions,
  ): Promise<void> {
    validateJobId(schedulerId);
    await this.unschedule(definition, schedulerId);
    const timer = setInterval(
      this.scope.bind(() => {
        // The scheduler id doubles as the job id, so a run that outlasts the interval is not doubled.
        void this.enqueue(definition, payload, { ...definition.defaults, jobId: `repeat-${schedulerId}` }).catch(
          () => undefined,
        );
      }),
      repeat.everyMs,
    );
    timer.unref();
    this.schedulers.set(InProcessQueueDriver.key(definition.queue, schedulerId), timer);
  }

  async unschedule(definition: JobDefinition<unknown>, schedulerId: string): Promise<void> {
    const key = InProcessQueueDriver.key(definition.queue, schedulerId);
    const timer = this.schedulers.get(key);
    if (timer) clearInterval(timer);
    this.schedulers.delete(key);
  }

  async startWorkers(queues: string[], dispatch: Dispatch, concurrency: number): Promise<void> {
    for (const queue of queues) {
      this.consumers.set(queue, { dispatch, concurrency });
      this.scope.runInAsyncScope(() => this.pump(queue));
    }
  }

  onOutcome(listener: JobOutcomeListener): void {
    this.listeners.push(listener);
  }

  async pending(queue: string): Promise<{ waiting: number; delayed: number; active: number }> {
    const counts = { waiting: 0, delayed: 0, active: 0 };
    for (const job of this.jobs.values()) if (job.queue === queue) counts[job.state] += 1;
    return counts;
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('the queue is closed');
  }

  async close(graceMs: number): Promise<void> {
    this.closed = true;
    for (const timer of this.schedulers.values()) clearInterval(timer);
    this.schedulers.clear();
    for (const job of this.jobs.values()) if (job.timer) clearTimeout(job.timer);
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.activeRuns]),
      new Promise<void>((resolve) => {
        timeout = setTimeout(resolve, graceMs);
      }),
    ]);
    if (timeout) clearTimeout(timeout);
  }
}
