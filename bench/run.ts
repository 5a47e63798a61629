/**
 * npm run bench [-- name …]
 * Benchmarks against a scratch PostgreSQL database (BENCH_DATABASE_URL, else DATABASE_URL, else the local server),
 * dropped afterwards. Prints tables and one `BENCH_JSON {...}` line per benchmark.
 */
import { BENCH_BASE_URL } from './postgres-dialect';
import { createScratchPostgres } from '@readerdesk/persistence';
import { insertCeiling } from './insert-ceiling';
import { emailBench } from './email';
import { ingestBench } from './ingest';
import { ingestHttpBench } from './ingest-http';
import { fanoutBench } from './fanout';
import { routingDecisionBench } from './routing-decision';
import { offersBench } from './offers';
import { queueStatsBench } from './queue-stats';
import { slaSweepBench } from './sla-sweep';
import { consoleBench } from './console';

const BENCHMARKS: Record<string, (url: string) => Promise<unknown>> = {
  'insert-ceiling': insertCeiling,
  ingest: ingestBench,
  'ingest-http': ingestHttpBench,
  fanout: fanoutBench,
  email: emailBench,
  'routing-decision': routingDecisionBench,
  offers: offersBench,
  'queue-stats': queueStatsBench,
  'sla-sweep': slaSweepBench,
  console: consoleBench,
};
/** Benchmarks that start their own embedded (SQLite) desk and leave the scratch PostgreSQL database alone. */
const EMBEDDED = new Set(['console']);

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !BENCHMARKS[name]);
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
    process.exit(2);
  }
  const base = BENCH_BASE_URL;
  let scratch: Awaited<ReturnType<typeof createScratchPostgres>>;
  try {
    scratch = await createScratchPostgres(base, 'readerdesk_bench');
  } catch (error) {
    console.error(`The benchmarks need PostgreSQL; ${base} answered: ${(error as Error).message}`);
    process.exit(1);
  }
  try {
    for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHMARKS)) {
      console.log(`\n=== ${name} (${EMBEDDED.has(name) ? 'SQLite' : 'PostgreSQL'}, ${new Date().toISOString()}) ===`);
      const result = await BENCHMARKS[name](scratch.url);
      console.log(`BENCH_JSON ${JSON.stringify({ benchmark: name, ...(result as object) })}`);
    }
  } finally {
    await scratch.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
