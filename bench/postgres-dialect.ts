// Imported first by run.ts: entity column types follow DATABASE_URL when the decorators run, and the
// benchmarks run on PostgreSQL, so the dialect must be set before any entity module loads.
export const BENCH_BASE_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
process.env.DATABASE_URL = BENCH_BASE_URL;
