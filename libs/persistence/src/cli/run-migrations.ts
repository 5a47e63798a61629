/** npm run migration:run — applies pending migrations to the configured database and exits. */
import { DataSource } from 'typeorm';
import { loadEnvironment } from '@readerdesk/platform';
import { dataSourceOptions } from '../data-source-options';

async function main(): Promise<void> {
  const env = loadEnvironment();
  const dataSource = new DataSource(dataSourceOptions({ databaseUrl: env.DATABASE_URL, sqlitePath: env.SQLITE_PATH }));
  await dataSource.initialize();
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  console.log(applied.length === 0 ? 'no pending migrations' : `applied: ${applied.map((m) => m.name).join(', ')}`);
  await dataSource.destroy();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
