import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { backoff } from '../backoff';
import IORedis, { Redis, RedisOptions } from 'ioredis';
import { withTimeout } from '../timeout';

/**
 * How a client behaves while Redis is away. Both reconnect for ever, with capped backoff.
 * - `wait`: commands wait for the reconnection (no retry limit, offline queue on). For BullMQ's workers, which
 *   require it, and the socket.io subscriber, whose subscriptions must outlive an outage.
 * - `fail-fast`: commands fail at once while disconnected (no offline queue) and after a bounded time otherwise,
 *   so that nothing a request waits on hangs: the producer side of the queue, publishers, the readiness probe.
 */
export type RedisClientMode = 'wait' | 'fail-fast';

/** What a fail-fast command may take before it is given up; well under what a client waits for an answer. */
export const REDIS_COMMAND_TIMEOUT_MS = 2_000;
/** Reconnection backoff: 100 ms doubling, at most this; never given up. */
export const REDIS_RECONNECT_MAX_DELAY_MS = 2_000;
const ERROR_LOG_EVERY_MS = 30_000;

export const redisReconnectDelay = backoff({ base: 100, cap: REDIS_RECONNECT_MAX_DELAY_MS });

/** The errors ioredis and BullMQ give a command when the connection is down, rather than a command's own error. */
export function isRedisConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError' || error.name === 'ConnectionClosedError') return true;
  return /Connection is closed|Stream isn't writeable|enableOfflineQueue|Command timed out|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE/.test(
    error.message,
  );
}

/** What has been logged about one client's errors, so that an outage gives a line every 30 s, not one per retry. */
interface LogState {
  lastLoggedAt: number;
  suppressed: number;
  failing: boolean;
}

/**
 * Every Redis connection of a process is made here, so that they share one policy (reconnect for ever, log
 * instead of crash, fail fast or wait by mode) and /ready sees them all. Owners release what they create.
 */
export class RedisClients implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  /** Client → its name. */
  private readonly clients = new Map<Redis, string>();
  private readonly logs = new Map<string, LogState>();

  constructor(
    readonly url: string,
    private readonly processName = 'readerdesk',
  ) {}

  create(name: string, mode: RedisClientMode, extra: RedisOptions = {}): Redis {
    const options: RedisOptions = {
      connectionName: `${this.processName}:${name}`,
      retryStrategy: redisReconnectDelay,
      connectTimeout: 5_000,
      ...(mode === 'wait'
        ? { maxRetriesPerRequest: null, enableOfflineQueue: true }
        : // A command sent as the connection drops is resent once after reconnecting, within the timeout.
          { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: REDIS_COMMAND_TIMEOUT_MS }),
      ...extra,
    };
    const client = new IORedis(this.url, options);
    this.clients.set(client, name);
    client.on('error', (error: unknown) => this.report(name, error));
    client.on('ready', () => this.recovered(name));
    return client;
  }

  /**
   * A fail-fast client for fire-and-forget publishing (the socket.io adapter and emitter do not await
   * `publish`): a publish that fails while Redis is away is counted in the log, never an unhandled rejection.
   * Live events sent during an outage are lost; consoles read the state again when they reconnect.
   */
  publisher(name: string): Redis {
    const client = this.create(name, 'fail-fast');
    const publish = client.publish.bind(client) as (...args: unknown[]) => Promise<number>;
    (client as unknown as { publish: (...args: unknown[]) => Promise<number> }).publish = (...args: unknown[]) => {
      const sent = publish(...args);
      sent.catch((error: unknown) => this.report(name, error));
      return sent;
    };
    return client;
  }

  /** Logs an error of a client (or of what BullMQ built on it), at most one line per name every 30 s. */
  report(name: string, error: unknown, context?: string): void {
    const log = this.logState(name);
    log.failing = true;
    const now = Date.now();
    if (now - log.lastLoggedAt < ERROR_LOG_EVERY_MS) {
      log.suppressed += 1;
      return;
    }
    const more = log.suppressed ? ` (${log.suppressed} more since the last report)` : '';
    log.lastLoggedAt = now;
    log.suppressed = 0;
    const message = error instanceof Error ? error.message : String(error);
    this.logger.warn(`${name}: ${context ? `${context}: ` : ''}${message}${more}`);
  }

  private recovered(name: string): void {
    const log = this.logState(name);
    if (!log.failing) return;
    this.logger.log(`${name}: connected again${log.suppressed ? ` (${log.suppressed} more errors)` : ''}`);
    Object.assign(log, { failing: false, lastLoggedAt: 0, suppressed: 0 });
  }

  private logState(name: string): LogState {
    let log = this.logs.get(name);
    if (!log) this.logs.set(name, (log = { lastLoggedAt: 0, suppressed: 0, failing: false }));
    return log;
  }

  /** Disconnects a client made here and forgets it. */
  release(client: Redis): void {
    this.clients.delete(client);
    client.disconnect();
  }

  /**
   * Whether Redis answers, within `timeoutMs`: every client made here must be connected (a subscriber that
   * lost its connection is as bad as a dead server), and a PING on a client of its own must come back.
   */
  async probe(timeoutMs: number): Promise<{ up: true } | { up: false; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    const probe = (this.probeClient ??= this.create('probe', 'fail-fast', { commandTimeout: timeoutMs }));
    // A client known to be cut off fails the check at once; one that is (re)connecting gets the time box.
    const lost = [...this.clients].filter(([client]) => LOST.has(client.status));
    if (lost.length > 0) return { up: false, reason: lost.map(([c, name]) => `${name} ${c.status}`).join(', ') };
    const waits = await Promise.all([...this.clients].map(([client]) => untilReady(client, deadline - Date.now())));
    const slow = [...this.clients].filter((_, i) => !waits[i]);
    if (slow.length > 0) return { up: false, reason: slow.map(([c, name]) => `${name} ${c.status}`).join(', ') };
    try {
      await withTimeout(probe.ping(), deadline - Date.now());
      return { up: true };
    } catch (error) {
      return { up: false, reason: `ping: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  private probeClient?: Redis;

  onApplicationShutdown(): void {
    this.close();
  }

  /** Disconnects whatever is left (the probe; anything an owner did not release). */
  close(): void {
    for (const client of this.clients.keys()) client.disconnect();
    this.clients.clear();
    this.probeClient = undefined;
  }
}

/** Statuses of a client that lost its connection (between reconnection attempts, or given up). */
const LOST = new Set(['reconnecting', 'close', 'end']);

/** Whether `client` is ready within `ms`. */
export async function untilReady(client: Redis, ms: number): Promise<boolean> {
  if (client.status === 'ready') return true;
  if (ms <= 0) return false;
  let onReady: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const ready = await Promise.race([
    new Promise<boolean>((resolve) => client.once('ready', (onReady = () => resolve(true)))),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  if (onReady) client.off('ready', onReady);
  if (timer) clearTimeout(timer);
  return ready;
}

/**
 * Keeps a process up when a Redis command without a handler fails because the connection is down (a library's
 * fire-and-forget call): logged, not fatal. Any other unhandled rejection still ends the process, as Node would.
 */
export function guardRedisRejections(logger = new Logger('Redis')): void {
  let last = 0;
  process.on('unhandledRejection', (reason) => {
    if (!isRedisConnectionError(reason)) throw reason;
    const now = Date.now();
    if (now - last < ERROR_LOG_EVERY_MS) return;
    last = now;
    logger.warn(`a Redis command failed while Redis was unreachable: ${(reason as Error).message}`);
  });
}
