/** Small helpers shared by the benchmarks. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export interface Figures {
  name: string;
  rows: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
}

export async function measure(
  name: string,
  rows: number,
  run: (record: (ms: number) => void) => Promise<void>,
): Promise<Figures> {
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  await run((ms) => latencies.push(ms));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return {
    name,
    rows,
    seconds,
    perSecond: rows / seconds,
    p50ms: percentile(latencies, 50),
    p99ms: percentile(latencies, 99),
  };
}

export function since(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Runs `worker` on `concurrency` lanes until `total` items are done. */
export async function lanes(total: number, concurrency: number, worker: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        await worker(i);
      }
    }),
  );
}

export function table(rows: Figures[]): string {
  const head = ['measurement', 'rows', 'seconds', 'rows/s', 'p50 ms', 'p99 ms'];
  const body = rows.map((r) => [
    r.name,
    String(r.rows),
    r.seconds.toFixed(2),
    r.perSecond.toFixed(0),
    r.p50ms.toFixed(2),
    r.p99ms.toFixed(2),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

const WORDS =
  'reader asks whether the branch holds the local newspaper archive for the nineteen twenties and if microfilm readers can be booked on saturday mornings'.split(
    ' ',
  );

/** A message-sized text (600 characters), different for each i. */
export function messageBody(i: number): string {
  let text = `Question ${i}: `;
  while (text.length < 600) text += `${WORDS[(i * 7 + text.length) % WORDS.length]} `;
  return text.slice(0, 600);
}
