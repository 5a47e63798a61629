import { backoff } from '../backoff';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  BeforeApplicationShutdown,
  OnModuleInit,
  SetMetadata,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { Environment } from '../config/environment';
import { DatabaseService } from '../database/database.service';
import { definedJobs, JobContext, JobDefinition, JobHandlerFn, JobOptions, RepeatOptions } from './job';
import { QueueDriver } from './queue-driver';

const JOB_HANDLER = 'readerdesk:job-handler';

/** Marks a provider method as the handler of a job. Each defined job has exactly one. */
export function JobHandler(definition: JobDefinition<unknown>): MethodDecorator {
  return SetMetadata(JOB_HANDLER, definition.key);
}

export const QUEUE_OPTIONS = Symbol('QUEUE_OPTIONS');
export interface QueueModuleOptions {
  /** The jobs that must each have one handler; by default every job defined in the process. */
  jobs?: JobDefinition<unknown>[];
  concurrency?: number;
}

export class JobHandlerRegistryError extends Error {}

/**
 * The face of the queue port for the rest of the code: add, delay, dedupe, schedule and remove
 * jobs. At boot it finds every @JobHandler and refuses to start unless each job has exactly one
 * (an api process, which consumes nothing, only refuses a job with two);
 * processes with the worker role then consume the queues once the database is ready.
 */
/** Retrying to start the consumers: 1 s doubling, at most 30 s. */
const CONSUME_RETRY = backoff({ base: 1_000, cap: 30_000 });

@Injectable()
export class QueueService implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Queue');
  private readonly handlers = new Map<string, JobHandlerFn<unknown>>();
  private stopped = false;

  constructor(
    readonly driver: QueueDriver,
    private readonly env: Environment,
    private readonly database: DatabaseService,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    @Inject(QUEUE_OPTIONS) private readonly options: QueueModuleOptions,
  ) {}

  onModuleInit(): void {
    const found = new Map<string, string[]>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = instance[method];
        if (typeof fn !== 'function') continue;
        const key = this.reflector.get<string | undefined>(JOB_HANDLER, fn as () => unknown);
        if (!key) continue;
        found.set(key, [...(found.get(key) ?? []), `${wrapper.name}.${method}`]);
        this.handlers.set(key, (fn as JobHandlerFn<unknown>).bind(instance));
      }
    }
    const expected = this.options.jobs ?? definedJobs();
    // An api process only adds jobs (libraries it shares with the worker define them); the worker
    // processes that consume them must hold the handlers, and are checked when they boot.
    const consumes = this.env.DESK_ROLE !== 'api';
    const problems: string[] = [];
    for (const job of expected) {
      const where = found.get(job.key) ?? [];
      if (where.length === 0 && consumes) problems.push(`job ${job.key} has no handler`);
      if (where.length > 1) problems.push(`job ${job.key} has ${where.length} handlers: ${where.join(', ')}`);
    }
    for (const key of found.keys()) {
      if (!expected.some((job) => job.key === key)) problems.push(`handler for ${key}, a job that is not defined`);
    }
    if (problems.length > 0)
      throw new JobHandlerRegistryError(`Job handlers do not match the jobs: ${problems.join('; ')}`);
  }

  onApplicationBootstrap(): void {
    if (this.env.DESK_ROLE === 'api') return;
    const queues = [...new Set((this.options.jobs ?? definedJobs()).map((job) => job.queue))];
    if (queues.length === 0) return;
    void this.database.connect().then(() => this.startWorkers(queues));
  }

  /** Starts consuming; a failure (Redis unreachable at that moment, say) is logged and tried again. */
  private async startWorkers(queues: string[], attempt = 1): Promise<void> {
    // The database may become ready while the app shuts down: a closed driver must not start consuming.
    if (this.stopped) return;
    try {
      await this.driver.startWorkers(
        queues,
        (name, payload, context) => this.dispatch(name, payload, context),
        this.options.concurrency ?? 4,
      );
      this.logger.log(`consuming ${queues.join(', ')} with the ${this.driver.kind} driver`);
    } catch (error) {
      const delay = CONSUME_RETRY(attempt);
      this.logger.error(
        `could not start consuming (attempt ${attempt}): ${(error as Error).message}; next attempt in ${delay} ms`,
      );
      setTimeout(() => void this.startWorkers(queues, attempt + 1), delay).unref();
    }
  }

  private async dispatch(name: string, payload: unknown, context: JobContext): Promise<void> {
    const handler = this.handlers.get(`${context.queue}.${name}`);
    if (!handler) throw new Error(`no handler for job ${context.queue}.${name}`);
    await handler(payload, context);
  }

  add<P>(definition: JobDefinition<P>, payload: P, options: JobOptions = {}): Promise<string> {
    return this.driver.enqueue(definition, payload, { ...definition.defaults, ...options });
  }

  remove(definition: JobDefinition<unknown>, jobId: string): Promise<boolean> {
    return this.driver.remove(definition, jobId);
  }

  schedule<P>(definition: JobDefinition<P>, schedulerId: string, payload: P, repeat: RepeatOptions): Promise<void> {
    return this.driver.schedule(definition, schedulerId, payload, repeat);
  }

  unschedule(definition: JobDefinition<unknown>, schedulerId: string): Promise<void> {
    return this.driver.unschedule(definition, schedulerId);
  }

  /** Before the database closes (onApplicationShutdown), so that running jobs can finish their work. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.driver.close(this.env.SHUTDOWN_GRACE_MS);
  }
}
