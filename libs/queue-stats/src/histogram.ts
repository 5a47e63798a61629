/**
 * Durations (first response, resolution) kept as counts in fixed log-scale buckets, so that a day's
 * percentiles come from a few dozen numbers per queue instead of a scan of its conversations, and a
 * new duration is one increment of one bucket. Bucket 0 holds everything under a second; bucket
 * k ≥ 1 holds [2^((k−1)/4) s, 2^(k/4) s): four buckets per doubling, so a bucket is 19 % wide and a
 * percentile read from it (interpolated geometrically inside the bucket) is within about 10 % of the
 * exact one. The last bucket also takes anything longer (2^(LAST/4) s is about 190 days).
 */
export const BUCKETS_PER_DOUBLING = 4;
export const LAST_BUCKET = 96;

/** A histogram as stored: bucket index (as text, a JSON object key) → count. Missing buckets are 0. */
export type Histogram = Record<string, number>;

/** The bucket a duration in milliseconds falls in. */
export function bucketOf(ms: number): number {
  if (!Number.isFinite(ms) || ms < 1000) return 0;
  const k = Math.floor(BUCKETS_PER_DOUBLING * Math.log2(ms / 1000)) + 1;
  return Math.min(Math.max(k, 1), LAST_BUCKET);
}

/** The lower and upper bound of a bucket in milliseconds. */
export function boundsOf(bucket: number): [number, number] {
  if (bucket <= 0) return [0, 1000];
  return [1000 * 2 ** ((bucket - 1) / BUCKETS_PER_DOUBLING), 1000 * 2 ** (bucket / BUCKETS_PER_DOUBLING)];
}

/** The sum of several histograms (a department's channels, several days). */
export function mergeHistograms(histograms: Iterable<Histogram | null | undefined>): Histogram {
  const merged: Histogram = {};
  for (const h of histograms) {
    if (!h) continue;
    for (const [bucket, n] of Object.entries(h)) merged[bucket] = (merged[bucket] ?? 0) + Number(n);
  }
  return merged;
}

export function countOf(histogram: Histogram): number {
  let total = 0;
  for (const n of Object.values(histogram)) total += Number(n);
  return total;
}

/**
 * The p-quantile (0 < p ≤ 1) in milliseconds, or null for an empty histogram. The rank p × n is found
 * in its bucket and placed inside it by its position among the bucket's counts: linearly in bucket 0
 * (which starts at 0), geometrically elsewhere (the buckets are geometric), rounded to a millisecond.
 */
export function percentile(histogram: Histogram, p: number): number | null {
  const buckets = Object.entries(histogram)
    .map(([bucket, n]) => [Number(bucket), Number(n)] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return null;
  const rank = Math.min(Math.max(p, 0), 1) * total;
  let below = 0;
  for (const [bucket, n] of buckets) {
    if (below + n >= rank) {
      const share = n === 0 ? 0 : Math.min(Math.max((rank - below) / n, 0), 1);
      const [low, high] = boundsOf(bucket);
      const value = bucket === 0 ? low + share * (high - low) : low * (high / low) ** share;
      return Math.round(value);
    }
    below += n;
  }
  return Math.round(boundsOf(buckets[buckets.length - 1][0])[1]);
}
