import { JobContext, JobDefinition, JobOptions, RepeatOptions } from './job';

export type Dispatch = (name: string, payload: unknown, context: JobContext) => Promise<void>;

export interface JobOutcomeListener {
  (event: { queue: string; name: string; outcome: 'completed' | 'retried' | 'failed'; error?: string }): void;
}

/**
 * The queue port. Two drivers implement it with the same behaviour: BullMQ on Redis and an
 * in-process driver for the embedded default. A queue only wakes code up; anything time-based
 * is also kept in the database, where a sweep finds what a lost job would have done.
 */
export abstract class QueueDriver {
  abstract readonly kind: 'bullmq' | 'in-process';
  /** Adds a job and returns its id; with a jobId that is already pending, nothing is added. */
  abstract enqueue<P>(definition: JobDefinition<P>, payload: P, options: JobOptions): Promise<string>;
  /** Removes a waiting or delayed job; false when there is none with that id (or it already runs). */
  abstract remove(definition: JobDefinition<unknown>, jobId: string): Promise<boolean>;
  /** Creates or replaces a repeating job identified by `schedulerId`. */
  abstract schedule<P>(
    definition: JobDefinition<P>,
    schedulerId: string,
    payload: P,
    repeat: RepeatOptions,
  ): Promise<void>;
  abstract unschedule(definition: JobDefinition<unknown>, schedulerId: string): Promise<void>;
  /** Starts consuming the given queues; `dispatch` routes a job name to its handler. */
  abstract startWorkers(queues: string[], dispatch: Dispatch, concurrency: number): Promise<void>;
  abstract onOutcome(listener: JobOutcomeListener): void;
  /** Counts of jobs not yet finished, per queue. */
  abstract pending(queue: string): Promise<{ waiting: number; delayed: number; active: number }>;
  abstract ping(): Promise<void>;
  /** Stops taking jobs and waits up to `graceMs` for the running ones to finish. */
  abstract close(graceMs: number): Promise<void>;
}
