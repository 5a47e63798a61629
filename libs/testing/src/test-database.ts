import { DatabaseService, Dialect } from '@readerdesk/platform';
import { createScratchPostgres, DeskDataSourceOptions } from '@readerdesk/persistence';
import { testEnvironment } from './test-environment';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The driver this test file runs on, fixed by its Jest project (see jest.config.js). */
export function testDialect(): Dialect {
  return process.env.RD_TEST_DIALECT === 'postgres' ? 'postgres' : 'sqlite';
}

/** Why this file's database tests cannot run here, or undefined when they can. */
export function databaseSkipReason(): string | undefined {
  return testDialect() === 'postgres' && !process.env.DATABASE_URL ? 'DATABASE_URL is not set' : undefined;
}

/**
 * `describe` for tests that need this project's database: on PostgreSQL without DATABASE_URL the
 * block is skipped, and its title says why.
 */
export function describeWithDatabase(title: string, body: () => void): void {
  const reason = databaseSkipReason();
  if (reason) describe.skip(`${title} [${testDialect()}: skipped, ${reason}]`, body);
  else describe(`${title} [${testDialect()}]`, body);
}

export interface TestDatabase {
  /** Environment entries that point the desk at this database. */
  env: { DATABASE_URL?: string; SQLITE_PATH: string };
  drop(): Promise<void>;
}

/** A new, empty database for one test file: a temporary SQLite file, or a scratch PostgreSQL database. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'readerdesk-test-'));
  const sqlitePath = join(dir, 'desk.sqlite');
  if (testDialect() === 'sqlite') {
    return { env: { SQLITE_PATH: sqlitePath }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const scratch = await createScratchPostgres(process.env.DATABASE_URL as string, 'rd_test');
  return {
    env: { DATABASE_URL: scratch.url, SQLITE_PATH: sqlitePath },
    drop: async () => {
      await scratch.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A migrated database behind a real DatabaseService, without a Nest application around it. */
export async function connectTestDatabase(): Promise<{ database: DatabaseService; drop: () => Promise<void> }> {
  const db = await createTestDatabase();
  const env = testEnvironment({ ...db.env, DESK_SEED_DEMO: 'false' });
  const database = new DatabaseService(env, new DeskDataSourceOptions());
  await database.connect();
  return {
    database,
    drop: async () => {
      await database.onApplicationShutdown();
      await db.drop();
    },
  };
}
