import { createTestDatabase, describeWithDatabase, TestDatabase } from '@readerdesk/testing';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';
import { pendingSchemaChanges } from './schema-diff';

describeWithDatabase('schema and migrations', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = new DataSource(
      dataSourceOptions({ databaseUrl: db.env.DATABASE_URL, sqlitePath: db.env.SQLITE_PATH }),
    );
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  const tables = async (): Promise<string[]> => {
    const rows: Array<{ name: string }> =
      dataSource.options.type === 'postgres'
        ? await dataSource.query(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`)
        : await dataSource.query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`);
    return rows.map((r) => r.name).sort();
  };

  it('applies every migration to an empty database', async () => {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    expect(applied.length).toBeGreaterThan(0);
    expect(await tables()).toEqual(
      expect.arrayContaining([
        'agent_departments',
        'agents',
        'branches',
        'departments',
        'libraries',
        'readers',
        'schema_migrations',
      ]),
    );
  });

  it('leaves nothing for migration:generate to write: the migrations match the entities', async () => {
    const { up } = await pendingSchemaChanges(dataSource);
    expect(up.map((s) => s.query)).toEqual([]);
  });

  it('reverts every migration and applies them again', async () => {
    while ((await dataSource.query(`SELECT COUNT(*) AS n FROM schema_migrations`))[0].n > 0) {
      await dataSource.undoLastMigration({ transaction: 'each' });
    }
    expect(await tables()).toEqual(['schema_migrations']);
    await dataSource.runMigrations({ transaction: 'each' });
    expect((await pendingSchemaChanges(dataSource)).up).toEqual([]);
  });
});
