// Summaries of timed samples: the LatencyStats of a BenchRecord and a histogram for the report.

import type { LatencyHistogram, LatencyStats } from '@edge/core';

/** Percentiles every summary carries (median is a field of its own). */
export const PERCENTILES: readonly string[] = ['90', '95', '99'];

/**
 * Min, max, mean, median (mean of the two middle values for an even count), the
 * {@link PERCENTILES} by nearest rank, the sample standard deviation and the coefficient of
 * variation. Undefined for no samples.
 */
export function latencyStats(samples: readonly number[]): LatencyStats | undefined {
  const n = samples.length;
  if (n === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  let sum = 0;
  for (const x of sorted) sum += x;
  const mean = sum / n;
  let squares = 0;
  for (const x of sorted) squares += (x - mean) ** 2;
  const stddev = n > 1 ? Math.sqrt(squares / (n - 1)) : 0;
  const mid = n >> 1;
  const percentiles: Record<string, number> = {};
  for (const p of PERCENTILES) percentiles[p] = percentile(sorted, Number(p));
  return {
    min: sorted[0]!,
    max: sorted[n - 1]!,
    mean,
    median: n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2,
    percentiles,
    stddev,
    cv: mean > 0 ? stddev / mean : 0,
  };
}

/** Nearest-rank percentile `p` (0-100] of samples sorted ascending. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * Counts of the samples in `bins` equal bins from the smallest to the largest sample (the largest
 * falls in the last bin). Undefined for no samples.
 */
export function latencyHistogram(samples: readonly number[], bins = 30): LatencyHistogram | undefined {
  if (samples.length === 0) return undefined;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const x of samples) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  const count = hi > lo ? bins : 1;
  const binMs = hi > lo ? (hi - lo) / bins : Math.max(lo * 0.01, 1e-3);
  const counts = new Array<number>(count).fill(0);
  for (const x of samples) counts[Math.min(count - 1, Math.floor((x - lo) / binMs))]!++;
  return { startMs: lo, binMs, counts };
}
