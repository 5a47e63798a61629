/**
 * The raw PostgreSQL insert ceiling for a message-sized row, next to the rate through the project's
 * own repository layer (TenantRepository + DatabaseService.transaction) on the same table.
 * Later benchmarks (ingestion) compare themselves to the ceiling printed here.
 */
import {
  DatabaseService,
  DataSourceOptionsFactory,
  Environment,
  IdColumn,
  libraryScope,
  loadEnvironment,
  TenantRepository,
  TimestampColumn,
  UuidColumn,
} from '@readerdesk/platform';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { Column, DataSourceOptions, Entity } from 'typeorm';
import { Figures, lanes, measure, messageBody as body, since, table } from './stats';

@Entity('bench_messages')
class BenchMessage {
  @IdColumn() id!: string;
  @UuidColumn({ name: 'library_id' }) libraryId!: string;
  @UuidColumn({ name: 'conversation_id' }) conversationId!: string;
  @Column({ type: 'varchar', length: 16 }) direction!: string;
  @Column({ name: 'external_id', type: 'varchar', length: 255 }) externalId!: string;
  @Column({ type: 'text' }) body!: string;
  @TimestampColumn({ name: 'created_at' }) createdAt!: Date;
}

class BenchRepository extends TenantRepository<BenchMessage> {
  constructor(db: DatabaseService) {
    super(db, BenchMessage, 'Bench message');
  }
}

class BenchOptions extends DataSourceOptionsFactory {
  create(env: Environment): DataSourceOptions {
    return {
      type: 'postgres',
      url: env.DATABASE_URL,
      entities: [BenchMessage],
      migrations: [],
      synchronize: false,
      extra: { max: 10 },
    };
  }
}

const DDL = `
  CREATE TABLE IF NOT EXISTS bench_messages (
    id uuid PRIMARY KEY, library_id uuid NOT NULL, conversation_id uuid NOT NULL, direction varchar(16) NOT NULL,
    external_id varchar(255) NOT NULL, body text NOT NULL, created_at timestamptz NOT NULL);
  CREATE UNIQUE INDEX IF NOT EXISTS uq_bench_messages_external ON bench_messages (library_id, external_id);`;

const COLUMNS = 7;
function row(libraryId: string, i: number): unknown[] {
  return [randomUUID(), libraryId, randomUUID(), 'inbound', `ext-${i}-${randomUUID()}`, body(i), new Date()];
}

/** Creates the bench table (several benchmarks of one run share the scratch database). */
export async function createBenchTable(pool: Pool): Promise<void> {
  await pool.query(DDL);
}

/**
 * The ceiling later benchmarks compare to: one message-sized row per autocommit INSERT on
 * `concurrency` connections, raw pg, no ORM.
 */
export function rawSingleRow(pool: Pool, libraryId: string, rows: number, concurrency: number): Promise<Figures> {
  return measure(`raw pg, 1 row per transaction x${concurrency}`, rows, async (record) => {
    await lanes(rows, concurrency, async (i) => {
      const t = process.hrtime.bigint();
      await pool.query(
        'INSERT INTO bench_messages (id, library_id, conversation_id, direction, external_id, body, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)',
        row(libraryId, i),
      );
      record(since(t));
    });
  });
}

export async function insertCeiling(url: string): Promise<{ figures: Figures[]; ratios: Record<string, number> }> {
  const batchedRows = Number(process.env.BENCH_ROWS ?? 50_000);
  const singleRows = Number(process.env.BENCH_SINGLE_ROWS ?? 10_000);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
  const batch = 500;
  const pool = new Pool({ connectionString: url, max: concurrency });
  await createBenchTable(pool);
  const libraryId = randomUUID();
  const figures: Figures[] = [];
  const truncate = () => pool.query('TRUNCATE bench_messages');

  const rawBatched = async (rows: number) =>
    measure('raw pg, 500-row INSERTs', rows, async (record) => {
      for (let start = 0; start < rows; start += batch) {
        const n = Math.min(batch, rows - start);
        const values: unknown[] = [];
        const tuples: string[] = [];
        for (let k = 0; k < n; k += 1) {
          tuples.push(`(${Array.from({ length: COLUMNS }, (_, c) => `$${k * COLUMNS + c + 1}`).join(',')})`);
          values.push(...row(libraryId, start + k));
        }
        const t = process.hrtime.bigint();
        await pool.query(
          `INSERT INTO bench_messages (id, library_id, conversation_id, direction, external_id, body, created_at) VALUES ${tuples.join(',')}`,
          values,
        );
        record(since(t));
      }
    });
  const rawSingle = (rows: number) => rawSingleRow(pool, libraryId, rows, concurrency);

  const env = loadEnvironment({ DATABASE_URL: url, NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const db = new DatabaseService(env, new BenchOptions());
  await db.connect();
  const repo = new BenchRepository(db);
  const scope = libraryScope(libraryId);
  const entity = (i: number): BenchMessage => {
    const [id, , conversationId, direction, externalId, text, createdAt] = row(libraryId, i) as [
      string,
      string,
      string,
      string,
      string,
      string,
      Date,
    ];
    return { id, libraryId, conversationId, direction, externalId, body: text, createdAt };
  };
  const repoBatched = async (rows: number) =>
    measure('repository, 500-row insert in a transaction', rows, async (record) => {
      for (let start = 0; start < rows; start += batch) {
        const items = Array.from({ length: Math.min(batch, rows - start) }, (_, k) => entity(start + k));
        const t = process.hrtime.bigint();
        await db.transaction(() => repo.insert(scope, ...items));
        record(since(t));
      }
    });
  const repoSingle = async (rows: number) =>
    measure(`repository, 1 row per transaction x${concurrency}`, rows, async (record) => {
      await lanes(rows, concurrency, async (i) => {
        const t = process.hrtime.bigint();
        await db.transaction(() => repo.insert(scope, entity(i)));
        record(since(t));
      });
    });

  try {
    // Warm up every path once, then measure on an empty table each time.
    for (const warm of [rawBatched, rawSingle, repoBatched, repoSingle]) await warm(1000);
    for (const run of [rawBatched, repoBatched, rawSingle, repoSingle]) {
      await truncate();
      figures.push(await run(run === rawBatched || run === repoBatched ? batchedRows : singleRows));
    }
  } finally {
    await db.onApplicationShutdown();
    await pool.end();
  }
  const [rb, pb, rs, ps] = figures;
  const ratios = { batched: pb.perSecond / rb.perSecond, singleRow: ps.perSecond / rs.perSecond };
  console.log(table(figures));
  console.log(
    `\nrepository / raw: batched ${ratios.batched.toFixed(2)}, single-row transactions ${ratios.singleRow.toFixed(2)}`,
  );
  return { figures, ratios };
}
