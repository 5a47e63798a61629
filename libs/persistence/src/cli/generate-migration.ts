/**
 * npm run migration:generate -- <Name>
 *
 * Writes one migration per driver (PostgreSQL and SQLite) from the same entities: each driver runs in
 * its own child process (the column types are fixed per process), on a scratch database migrated to
 * the current state, and TypeORM's schema builder says what is missing.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../data-source-options';
import { createScratchPostgres } from '../scratch-database';
import { pendingSchemaChanges } from '../schema-diff';

const ROOT = process.cwd();
const DEFAULT_PG = 'postgres://postgres@127.0.0.1:5432/postgres';

function toSource(
  className: string,
  up: Array<{ query: string; parameters?: unknown[] }>,
  down: Array<{ query: string; parameters?: unknown[] }>,
): string {
  const line = (s: { query: string; parameters?: unknown[] }): string => {
    const sql = s.query.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
    const params = s.parameters && s.parameters.length > 0 ? `, ${JSON.stringify(s.parameters)}` : '';
    return `    await queryRunner.query(\`${sql}\`${params});`;
  };
  return `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${up.map(line).join('\n')}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${[...down].reverse().map(line).join('\n')}
  }
}
`;
}

async function child(dialect: 'postgres' | 'sqlite', className: string, timestamp: string): Promise<void> {
  const dataSource = new DataSource(
    dataSourceOptions({ databaseUrl: process.env.DATABASE_URL, sqlitePath: process.env.SQLITE_PATH ?? ':memory:' }),
  );
  await dataSource.initialize();
  await dataSource.runMigrations();
  const { up, down } = await pendingSchemaChanges(dataSource);
  await dataSource.destroy();
  if (up.length === 0) {
    console.log(`${dialect}: the schema already matches the entities; nothing written`);
    return;
  }
  const dir = join(ROOT, 'libs/persistence/src/migrations', dialect);
  const file = `${timestamp}-${className.replace(/\d+$/, '')}`;
  writeFileSync(join(dir, `${file}.ts`), toSource(className, up, down));
  const indexPath = join(dir, 'index.ts');
  const constName = dialect === 'postgres' ? 'POSTGRES_MIGRATIONS' : 'SQLITE_MIGRATIONS';
  const imports = readFileSync(indexPath, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('import '));
  imports.push(`import { ${className} } from './${file}';`);
  const names = imports.map((l) => /import \{ (\w+) \}/.exec(l)?.[1]).filter(Boolean);
  writeFileSync(indexPath, `${imports.join('\n')}\n\nexport const ${constName}: Function[] = [${names.join(', ')}];\n`);
  console.log(`${dialect}: wrote ${up.length} statement(s) to migrations/${dialect}/${file}.ts`);
}

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === '--child') {
    await child(rest[0] as 'postgres' | 'sqlite', rest[1], rest[2]);
    return;
  }
  const name = mode;
  if (!name || !/^[A-Z][A-Za-z0-9]*$/.test(name)) {
    console.error('usage: npm run migration:generate -- <PascalCaseName>');
    process.exit(2);
  }
  const timestamp = String(Date.now());
  const className = `${name}${timestamp}`;
  const scratch = await createScratchPostgres(
    process.env.MIGRATION_DATABASE_URL ?? process.env.DATABASE_URL ?? DEFAULT_PG,
    'readerdesk_migrate',
  );
  const sqliteDir = mkdtempSync(join(tmpdir(), 'readerdesk-migrate-'));
  try {
    for (const [dialect, env] of [
      ['postgres', { DATABASE_URL: scratch.url }],
      ['sqlite', { DATABASE_URL: '', SQLITE_PATH: join(sqliteDir, 'schema.sqlite') }],
    ] as const) {
      const result = spawnSync(process.execPath, [__filename, '--child', dialect, className, timestamp], {
        stdio: 'inherit',
        env: { ...process.env, ...env },
      });
      if (result.status !== 0) throw new Error(`${dialect} generation failed`);
    }
  } finally {
    await scratch.drop();
    rmSync(sqliteDir, { recursive: true, force: true });
  }
  console.log('Now run `npm run build` so the new migrations are compiled.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
