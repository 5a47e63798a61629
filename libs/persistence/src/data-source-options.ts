import { Injectable } from '@nestjs/common';
import { dialectOf, Environment, DataSourceOptionsFactory } from '@readerdesk/platform';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { POSTGRES_MIGRATIONS } from './migrations/postgres';
import { SQLITE_MIGRATIONS } from './migrations/sqlite';

export interface DatabaseTarget {
  databaseUrl?: string;
  sqlitePath: string;
}

/** DataSource options for PostgreSQL (DATABASE_URL) or the embedded SQLite file. Schema changes only through migrations. */
export function dataSourceOptions(target: DatabaseTarget): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: 'schema_migrations',
    logging: false,
  } as const;
  if (dialectOf(target.databaseUrl) === 'postgres') {
    return {
      ...common,
      type: 'postgres',
      url: target.databaseUrl,
      migrations: POSTGRES_MIGRATIONS,
      extra: { max: 10, connectionTimeoutMillis: 5000, application_name: 'readerdesk' },
    };
  }
  if (target.sqlitePath !== ':memory:') mkdirSync(dirname(target.sqlitePath), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: target.sqlitePath,
    migrations: SQLITE_MIGRATIONS,
    enableWAL: true,
    // Wait for a competing writer (the worker, a script) instead of failing at once; enforce the foreign keys SQLite leaves off.
    prepareDatabase: (db: { pragma(statement: string): unknown }) => {
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
      db.pragma('synchronous = NORMAL');
    },
  };
}

@Injectable()
export class DeskDataSourceOptions extends DataSourceOptionsFactory {
  create(env: Environment): DataSourceOptions {
    return dataSourceOptions({ databaseUrl: env.DATABASE_URL, sqlitePath: env.SQLITE_PATH });
  }
}
