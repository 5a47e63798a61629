import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { backoff } from '../backoff';
import { DataSource, DataSourceOptions, EntityManager } from 'typeorm';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Client } from 'pg';
import { Environment } from '../config/environment';
import { ServiceUnavailableError } from '../errors/domain-error';
import { PlatformErrors } from '../errors/platform.errors';
import { Dialect, dialectOf, ENTITY_DIALECT } from './dialect';
import { isConnectionFailure } from './connection-failure';
import { withTimeout } from '../timeout';

/** Builds the DataSource options for the configured database (given by the persistence library). */
export abstract class DataSourceOptionsFactory {
  abstract create(env: Environment): DataSourceOptions;
}

export type BootstrapTask = (dataSource: DataSource) => Promise<void>;

interface TransactionContext {
  manager: EntityManager;
  afterCommit: Array<() => void>;
}

const MIGRATION_LOCK_KEY = 424_242_001;

/** The name of the newest migration a DataSource knows (TypeORM reads the timestamp from the name's last 13 digits). */
function newestMigration(dataSource: DataSource): string | undefined {
  const names = dataSource.migrations.map((m) => m.name ?? m.constructor.name);
  const stamp = (name: string) => Number(/(\d{13})$/.exec(name)?.[1] ?? 0);
  return names.sort((a, b) => stamp(a) - stamp(b)).at(-1);
}

/** Side connections that failed or ended: replaced at the next use. */
const sideBroken = new WeakSet<Client>();

/**
 * Owns the one DataSource of the process. Connecting happens in the background with backoff so
 * that the process stays up (and /ready says 503) while the database is unreachable; migrations
 * and bootstrap tasks (such as the demo seed) run once it is reached, under an advisory lock on
 * PostgreSQL so that several instances starting together do not race.
 */
@Injectable()
export class DatabaseService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private readonly transactions = new AsyncLocalStorage<TransactionContext>();
  private readonly bootstrapTasks: Array<{ name: string; run: BootstrapTask }> = [];
  private readonly readyWaiters: Array<(ds: DataSource) => void> = [];
  private readonly bootstrapEvents: Array<() => void> = [];
  private current?: DataSource;
  private ready = false;
  private stopping = false;
  private lastError?: string;
  private retryTimer?: NodeJS.Timeout;
  readonly dialect: Dialect;

  constructor(
    private readonly env: Environment,
    private readonly optionsFactory: DataSourceOptionsFactory,
  ) {
    this.dialect = dialectOf(env.DATABASE_URL);
    if (this.dialect !== ENTITY_DIALECT) {
      throw new Error(
        `Entities were declared for ${ENTITY_DIALECT} but DATABASE_URL selects ${this.dialect}: ` +
          'set DATABASE_URL before the process starts, not after',
      );
    }
  }

  /** Runs after migrations each time the process reaches the database for the first time. */
  registerBootstrap(name: string, run: BootstrapTask): void {
    this.bootstrapTasks.push({ name, run });
  }

  onApplicationBootstrap(): void {
    void this.connectLoop();
  }

  /** Connects and prepares the database now; used by tests and scripts that want to wait. */
  async connect(): Promise<DataSource> {
    if (this.ready && this.current) return this.current;
    return new Promise((resolve) => {
      this.readyWaiters.push(resolve);
      if (!this.retryTimer && !this.connecting) void this.connectLoop();
    });
  }

  private connecting = false;

  private attemptCount = 0;

  /** How many times this process has tried to reach the database. */
  attempts(): number {
    return this.attemptCount;
  }

  private async connectLoop(attempt = 1): Promise<void> {
    if (this.ready || this.stopping || this.connecting) return;
    this.connecting = true;
    this.attemptCount += 1;
    try {
      const dataSource = new DataSource(this.optionsFactory.create(this.env));
      await dataSource.initialize();
      try {
        await this.prepare(dataSource);
      } catch (error) {
        await dataSource.destroy().catch(() => undefined);
        throw error;
      }
      if (this.stopping) {
        // Shut down while this attempt ran: keep nothing open, and wake no waiter with a DataSource about to close.
        await dataSource.destroy().catch(() => undefined);
        return;
      }
      this.current = dataSource;
      this.ready = true;
      this.lastError = undefined;
      this.logger.log(`connected to ${this.dialect} (attempt ${attempt})`);
      for (const deliver of this.bootstrapEvents.splice(0)) deliver();
      for (const waiter of this.readyWaiters.splice(0)) waiter(dataSource);
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      const delay = backoff({ base: 250, cap: this.env.DB_RETRY_MAX_DELAY_MS })(attempt);
      this.logger.warn(`database attempt ${attempt} failed: ${this.lastError}; next attempt in ${delay} ms`);
      if (!this.stopping) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          void this.connectLoop(attempt + 1);
        }, delay);
        this.retryTimer.unref();
      }
    } finally {
      this.connecting = false;
    }
  }

  private async prepare(dataSource: DataSource): Promise<void> {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      if (this.dialect === 'postgres') await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      if (applied.length > 0)
        this.logger.log(`applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}`);
      for (const task of this.bootstrapTasks) {
        // Each task runs in its own transaction, which repositories join through `manager`.
        const afterCommit: Array<() => void> = [];
        await dataSource.transaction((manager) =>
          this.transactions.run({ manager, afterCommit }, () => task.run(dataSource)),
        );
        // Events of first-start tasks (the seed's ReaderCreated…) are delivered once the database is ready.
        this.bootstrapEvents.push(...afterCommit);
      }
    } finally {
      if (this.dialect === 'postgres')
        await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      await runner.release();
    }
  }

  isReady(): boolean {
    return this.ready;
  }

  /**
   * For /ready, within `timeoutMs`: the database answers, and its schema is this build's, i.e. the newest
   * migration the build knows is applied. A database dropped and created again empty answers queries but holds
   * no tables; it is "not migrated" here rather than ready. A newer migration than this build knows (another
   * instance of a newer release got there first) is not a fault: migrations add before they take away.
   */
  async probe(timeoutMs: number): Promise<{ up: true } | { up: false; reason: string }> {
    const current = this.current;
    if (!this.ready || !current) return { up: false, reason: this.lastError ?? 'connecting' };
    const newest = newestMigration(current);
    const table = current.options.migrationsTableName ?? 'migrations';
    const check = async (): Promise<{ up: true } | { up: false; reason: string }> => {
      if (!newest) {
        await current.query('SELECT 1');
        return { up: true };
      }
      let rows: unknown[];
      try {
        rows = await current.query<unknown[]>(
          `SELECT name FROM "${table}" WHERE name = ${this.dialect === 'postgres' ? '$1' : '?'}`,
          [newest],
        );
      } catch (error) {
        if (isConnectionFailure(error)) throw error;
        return { up: false, reason: `schema not migrated (${(error as Error).message})` };
      }
      return rows.length > 0 ? { up: true } : { up: false, reason: `schema not migrated: ${newest} is not applied` };
    };
    try {
      return await withTimeout(check(), timeoutMs);
    } catch (error) {
      return { up: false, reason: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Why the database is not ready (the last connection error), for /ready. */
  status(): { ready: boolean; dialect: Dialect; error?: string } {
    return {
      ready: this.ready,
      dialect: this.dialect,
      error: this.ready ? undefined : (this.lastError ?? 'connecting'),
    };
  }

  get dataSource(): DataSource {
    if (!this.ready || !this.current) {
      throw new ServiceUnavailableError(
        PlatformErrors.databaseUnavailable,
        'The database is not reachable yet; try again shortly',
      );
    }
    return this.current;
  }

  /** The manager of the surrounding transaction, or the plain one outside a transaction. */
  get manager(): EntityManager {
    return this.transactions.getStore()?.manager ?? this.dataSource.manager;
  }

  /** Whether the caller runs inside `transaction` (its work joins that transaction). */
  get inTransaction(): boolean {
    return this.transactions.getStore() !== undefined;
  }

  /**
   * Runs `work` in a transaction (or joins the surrounding one). Callbacks queued with
   * `afterCommit` run once the outermost transaction has committed, and never after a rollback.
   */
  async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const outer = this.transactions.getStore();
    if (outer) return work(outer.manager);
    const afterCommit: Array<() => void> = [];
    const run = (): Promise<T> =>
      this.dataSource.transaction((manager) => this.transactions.run({ manager, afterCommit }, () => work(manager)));
    const result = this.dialect === 'sqlite' ? await this.serialised(run) : await run();
    for (const callback of afterCommit) callback();
    return result;
  }

  private sqliteQueue: Promise<unknown> = Promise.resolve();

  /**
   * SQLite has one connection and one writer: two transactions interleaving on it would nest
   * ("cannot start a transaction within a transaction"), so they take turns. Writes belong in
   * transactions for this reason; a lone statement outside one runs in whatever transaction is open.
   */
  private serialised<T>(run: () => Promise<T>): Promise<T> {
    const turn = this.sqliteQueue.then(run, run);
    this.sqliteQueue = turn.catch(() => undefined);
    return turn;
  }

  private side?: Promise<Client>;

  /**
   * Runs one statement in a transaction of its own, whatever transaction the caller is in, so that
   * what it locks is let go when it ends (a counter's row). On PostgreSQL it goes over a connection
   * of its own, outside the pool, so that it never waits for a pool slot that a caller's transaction
   * holds while waiting for it. SQLite has one connection and one writer: the statement joins the
   * caller's transaction there, which holds the only write lock anyway.
   */
  async outsideTransaction<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    if (this.dialect === 'sqlite') return this.manager.query(sql, params);
    if (this.stopping)
      throw new ServiceUnavailableError(PlatformErrors.databaseUnavailable, 'The desk is shutting down');
    const side = (this.side ??= this.connectSide());
    try {
      return (await (await side).query(sql, params)).rows as T[];
    } catch (error) {
      // A broken connection is replaced at the next call; a statement's own error leaves it be.
      if (
        this.side === side &&
        (await side.then(
          (c) => sideBroken.has(c),
          () => true,
        ))
      )
        this.side = undefined;
      throw error;
    }
  }

  private async connectSide(): Promise<Client> {
    const client = new Client({ connectionString: this.env.DATABASE_URL, application_name: 'readerdesk-side' });
    client.on('error', () => sideBroken.add(client));
    client.on('end', () => sideBroken.add(client));
    await client.connect();
    // What runs here is a counter that is checked against the rows themselves before use (see
    // ConversationRepository.allocateNumbers): losing its last updates in a crash loses nothing,
    // so its commits need not wait for the disk.
    await client.query('SET synchronous_commit = off');
    return client;
  }

  /** Defers `callback` until the surrounding transaction commits; runs it at once outside one. */
  afterCommit(callback: () => void): void {
    const context = this.transactions.getStore();
    if (context) context.afterCommit.push(callback);
    else callback();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const side = this.side;
    this.side = undefined;
    if (side)
      await side
        .then(
          (c) => c.end(),
          () => undefined,
        )
        .catch(() => undefined);
    if (this.current?.isInitialized) await this.current.destroy();
    this.ready = false;
  }
}
