import { backoff as exponential } from '../backoff';
/** Options for one job. Job ids deduplicate: while a job with the id waits, is delayed or runs, adding it again is a no-op. */
export interface JobOptions {
  jobId?: string;
  delayMs?: number;
  attempts?: number;
  backoff?: { type: 'fixed' | 'exponential'; delayMs: number };
}

export interface RepeatOptions {
  everyMs: number;
}

export interface JobContext {
  id: string;
  queue: string;
  name: string;
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number;
}

export type JobHandlerFn<P> = (payload: P, context: JobContext) => Promise<void>;

/** A named job on a named queue with a typed payload (which must survive JSON). */
export interface JobDefinition<P> {
  readonly queue: string;
  readonly name: string;
  readonly key: string;
  readonly defaults: JobOptions;
  /** Type carrier only; never set. */
  readonly payloadType?: P;
}

const definitions = new Map<string, JobDefinition<unknown>>();

const NAME = /^[a-z][a-z0-9-]*$/;

export function defineJob<P>(queue: string, name: string, defaults: JobOptions = {}): JobDefinition<P> {
  if (!NAME.test(queue) || !NAME.test(name)) {
    throw new Error(`job ${queue}.${name}: queue and job names are lower-case words joined by "-"`);
  }
  const key = `${queue}.${name}`;
  if (definitions.has(key)) throw new Error(`job ${key} is defined twice`);
  const definition: JobDefinition<P> = {
    queue,
    name,
    key,
    defaults: { attempts: 3, backoff: { type: 'exponential', delayMs: 1000 }, ...defaults },
  };
  definitions.set(key, definition);
  return definition;
}

/** Every job defined so far in this process (definitions register themselves when imported). */
export function definedJobs(): JobDefinition<unknown>[] {
  return [...definitions.values()];
}

export function validateJobId(jobId: string): void {
  // BullMQ reserves ':' (it builds Redis keys from ids) and treats all-digit ids as its own counters.
  if (jobId.includes(':') || /^\d+$/.test(jobId) || jobId.length > 200) {
    throw new Error(`job id "${jobId}" is not allowed: no ":", not only digits, at most 200 characters`);
  }
}

export function backoffDelay(options: JobOptions, attempt: number): number {
  const backoff = options.backoff ?? { type: 'fixed', delayMs: 0 };
  // As BullMQ computes it: doubling, uncapped.
  return backoff.type === 'exponential'
    ? exponential({ base: backoff.delayMs, cap: Infinity })(attempt)
    : backoff.delayMs;
}
