import { boundsOf, bucketOf, countOf, type Histogram, LAST_BUCKET, mergeHistograms, percentile } from './histogram';
import { serviceLevel, zeroCounters } from './queue-stats.figures';
import { figuresOf, localDay, localHour } from './queue-stats.service';

function histogramOf(values: number[]): Histogram {
  const h: Histogram = {};
  for (const v of values) h[String(bucketOf(v))] = (h[String(bucketOf(v))] ?? 0) + 1;
  return h;
}

function exact(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

describe('duration histogram', () => {
  it('puts a duration in the bucket whose bounds hold it, four buckets per doubling', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(999)).toBe(0);
    expect(bucketOf(1000)).toBe(1);
    expect(bucketOf(2000)).toBe(5);
    expect(bucketOf(4000)).toBe(9);
    for (const ms of [1000, 1500, 20_000, 59_999, 60_000, 86_400_000, 3 * 86_400_000]) {
      const [low, high] = boundsOf(bucketOf(ms));
      expect(ms).toBeGreaterThanOrEqual(low - 1e-6);
      expect(ms).toBeLessThan(high);
    }
    expect(bucketOf(10 * 365 * 86_400_000)).toBe(LAST_BUCKET);
    expect(bucketOf(Number.NaN)).toBe(0);
  });

  it('reads p50 and p90 within 10 % of the exact figures', () => {
    // A day of chat answers: mostly quick, a long tail.
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const values = Array.from({ length: 5000 }, () => Math.round(2000 + 120_000 * random() ** 3));
    const h = histogramOf(values);
    expect(countOf(h)).toBe(5000);
    for (const p of [0.5, 0.9]) {
      const estimate = percentile(h, p)!;
      expect(Math.abs(estimate - exact(values, p)) / exact(values, p)).toBeLessThan(0.1);
    }
  });

  it('answers null for nothing, the value’s bucket for one value, and never leaves the data’s range', () => {
    expect(percentile({}, 0.5)).toBeNull();
    expect(percentile({ '3': 0 }, 0.5)).toBeNull();
    const one = histogramOf([30_000]);
    const [low, high] = boundsOf(bucketOf(30_000));
    expect(percentile(one, 0.5)).toBeGreaterThanOrEqual(Math.floor(low));
    expect(percentile(one, 0.9)).toBeLessThanOrEqual(Math.ceil(high));
    expect(percentile(histogramOf([100, 200, 300]), 0.5)).toBeLessThan(1000);
  });

  it('merges histograms by bucket (channels of a department, or several days)', () => {
    const merged = mergeHistograms([{ '1': 2, '5': 1 }, { '5': 3 }, null, { '9': 1 }]);
    expect(merged).toEqual({ '1': 2, '5': 4, '9': 1 });
    expect(percentile(merged, 0.5)).toBe(percentile({ '1': 2, '5': 4, '9': 1 }, 0.5));
  });
});

describe('service level', () => {
  it('is within ÷ (answered + abandoned − short abandoned), in percent with one decimal', () => {
    expect(serviceLevel({ answered: 8, answeredWithin: 6, abandoned: 3, shortAbandoned: 1 })).toBe(60);
    expect(serviceLevel({ answered: 3, answeredWithin: 2, abandoned: 0, shortAbandoned: 0 })).toBe(66.7);
    // Short abandons alone: nothing counts yet.
    expect(serviceLevel({ answered: 0, answeredWithin: 0, abandoned: 2, shortAbandoned: 2 })).toBeNull();
    expect(serviceLevel({ answered: 0, answeredWithin: 0, abandoned: 1, shortAbandoned: 0 })).toBe(0);
  });

  it('figures of a queue: the longest wait from the oldest waiting conversation, percentiles from the histograms', () => {
    const now = new Date('2026-12-02T15:00:00Z');
    const counters = { ...zeroCounters(), answered: 2, answeredWithin: 1 };
    const figures = figuresOf(counters, histogramOf([5000, 90_000]), {}, 3, new Date('2026-12-02T14:59:00Z'), 2, now);
    expect(figures).toMatchObject({
      waiting: 3,
      breached: 2,
      longestWaitMs: 60_000,
      serviceLevel: 50,
      resolutionMs: { p50: null },
    });
    expect(figures.firstResponseMs.p50).toBeGreaterThan(4000);
    expect(figuresOf(zeroCounters(), {}, {}, 0, null, 0, now).longestWaitMs).toBeNull();
  });
});

describe('the library’s day', () => {
  it('is the local date in the library’s zone, UTC for an unknown zone', () => {
    const late = new Date('2026-12-02T23:30:00Z');
    expect(localDay(late, 'Europe/London')).toBe('2026-12-02');
    expect(localDay(late, 'Asia/Shanghai')).toBe('2026-12-03');
    expect(localDay(new Date('2026-12-02T03:00:00Z'), 'America/New_York')).toBe('2026-12-01');
    expect(localDay(late, 'Not/AZone')).toBe('2026-12-02');
  });

  it('gives the local hour too, across a change of the clocks', () => {
    expect(localHour(new Date('2026-12-02T23:30:00Z'), 'Asia/Shanghai')).toEqual({ day: '2026-12-03', hour: 7 });
    expect(localHour(new Date('2026-12-02T23:30:00Z'), 'Asia/Tehran')).toEqual({ day: '2026-12-03', hour: 3 });
    // New York falls back on 2026-11-01: 05:30 and 06:30 UTC are both 1:30 local, once EDT and once EST.
    expect(localHour(new Date('2026-11-01T05:30:00Z'), 'America/New_York')).toEqual({ day: '2026-11-01', hour: 1 });
    expect(localHour(new Date('2026-11-01T06:30:00Z'), 'America/New_York')).toEqual({ day: '2026-11-01', hour: 1 });
    expect(localHour(new Date('2026-11-01T07:30:00Z'), 'America/New_York')).toEqual({ day: '2026-11-01', hour: 2 });
  });
});
