import { connectTestDatabase, describeWithDatabase, testDialect } from '@readerdesk/testing';
import { Client } from 'pg';
import { POSTGRES_MIGRATIONS } from './migrations/postgres';
import { SQLITE_MIGRATIONS } from './migrations/sqlite';

/** Readiness looks at the schema, not only at a connection: a database that answers without this build's tables is not ready. */
describeWithDatabase('database readiness checks the schema version', () => {
  const newest = () => {
    // Migration classes are named as TypeORM names them (Name + 13-digit timestamp).
    const names = (testDialect() === 'postgres' ? POSTGRES_MIGRATIONS : SQLITE_MIGRATIONS).map((m) => m.name);
    return names.sort((a, b) => Number(a.slice(-13)) - Number(b.slice(-13))).at(-1) as string;
  };

  it('is up on a migrated database and down, "schema not migrated", without its newest migration', async () => {
    const { database, drop } = await connectTestDatabase();
    try {
      await expect(database.probe(800)).resolves.toEqual({ up: true });
      await database.dataSource.query(
        `DELETE FROM schema_migrations WHERE name = ${testDialect() === 'postgres' ? '$1' : '?'}`,
        [newest()],
      );
      const probe = await database.probe(800);
      expect(probe).toEqual({ up: false, reason: `schema not migrated: ${newest()} is not applied` });
    } finally {
      await drop();
    }
  });

  const postgresOnly = testDialect() === 'postgres' ? it : it.skip;
  postgresOnly('is down, "schema not migrated", when the database is dropped and created again empty', async () => {
    const { database, drop } = await connectTestDatabase();
    const url = new URL(process.env.DATABASE_URL as string);
    const name = (database.dataSource.options as { url: string }).url.split('/').pop() as string;
    const admin = new Client({ connectionString: url.toString() });
    await admin.connect();
    try {
      await expect(database.probe(800)).resolves.toEqual({ up: true });
      await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`);
      await admin.query(`CREATE DATABASE "${name}"`);
      // The pool's connections were ended by the drop: the first probes may see that; then the empty schema.
      let probe = await database.probe(800);
      for (let i = 0; i < 20 && !(!probe.up && /schema not migrated/.test(probe.reason)); i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        probe = await database.probe(800);
      }
      expect(probe).toMatchObject({ up: false, reason: expect.stringMatching(/^schema not migrated/) });
    } finally {
      await admin.end();
      await drop();
    }
  });
});
