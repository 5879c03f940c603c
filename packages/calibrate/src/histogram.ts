// Streamed statistics of one tensor: a histogram of |x| and the running extremes. Like TensorRT's
// EntropyCalibrator2, the first batch with a non-zero value fixes the bin width (its max|x| over
// the bin count); a later batch that goes past the range adds bins at the same width, so earlier
// counts never need re-binning and no activation is kept.

import { checkInteger, checkPositiveInteger } from '@edge/core';
import { PARAMS, RESULTS, type StatisticsKernel, statisticsKernel } from './statistics-kernel.js';

/** Options of {@link Histogram}. */
export interface HistogramOptions {
  /** Bins spanning the first batch's max|x|; default 2048 (TensorRT's). */
  readonly bins?: number;
  /**
   * Most bins the histogram may grow to; values past that range are counted in the last bin (and
   * in {@link Histogram.clamped}). Default 2048 x 512, which bounds memory at 8 MiB per tensor.
   */
  readonly maxBins?: number;
}

/** Histogram of |x| with a fixed bin width and a range that grows with later batches. */
export class Histogram {
  /** Bin count the first batch spans. */
  readonly initialBins: number;
  /** Most bins the histogram may grow to. */
  readonly maxBins: number;
  private countsStore: Float64Array;
  private width = 0;
  private zeros = 0;
  private clampedCount = 0;

  /** @throws ArgumentError when `bins` or `maxBins` is not a positive integer, or `maxBins < bins`. */
  constructor(options: HistogramOptions = {}) {
    this.initialBins = options.bins ?? 2048;
    checkPositiveInteger('options.bins', this.initialBins);
    this.maxBins = options.maxBins ?? this.initialBins * 512;
    checkInteger('options.maxBins', this.maxBins, { min: this.initialBins });
    this.countsStore = new Float64Array(0);
  }

  /** Width of one bin; 0 until a batch with a non-zero value arrived. */
  get binWidth(): number {
    return this.width;
  }

  /** Counts per bin: bin k holds |x| in [k, k + 1) x binWidth (the last bin also holds its upper edge). */
  get counts(): Float64Array {
    if (this.countsStore.length === 0) return Float64Array.of(this.zeros);
    return this.countsStore;
  }

  /** Number of bins now (grows with later batches). */
  get length(): number {
    return this.counts.length;
  }

  /** Upper edge of the last bin. */
  get range(): number {
    return this.width * this.countsStore.length;
  }

  /** Values counted so far. */
  get total(): number {
    let s = 0;
    for (const c of this.counts) s += c;
    return s;
  }

  /** Values past the largest range {@link HistogramOptions.maxBins} allows, counted in the last bin. */
  get clamped(): number {
    return this.clampedCount;
  }

  /** Counts the finite values of a batch; NaN and infinities are skipped. */
  add(values: ArrayLike<number>): void {
    runNow(accumulate([this], [values]), statisticsKernel());
  }

  /**
   * Fixes the bin width (the first batch with a non-zero value: its largest finite |x|, over the
   * initial bin count) or grows the range for a batch whose largest finite |x| is `batchMax`;
   * while every value so far was 0, counts the batch's `finite` values as zeros instead.
   *
   * @internal
   */
  fit(batchMax: number, finite: number): void {
    if (this.width === 0) {
      if (batchMax === 0) {
        this.zeros += finite;
        return;
      }
      this.width = batchMax / this.initialBins;
      this.countsStore = new Float64Array(this.initialBins);
      this.countsStore[0] = this.zeros;
    } else if (batchMax > this.range) {
      const wanted = Math.min(this.maxBins, Math.ceil(batchMax / this.width));
      if (wanted > this.countsStore.length) {
        const grown = new Float64Array(wanted);
        grown.set(this.countsStore);
        this.countsStore = grown;
      }
    }
  }

  /** @internal The counts a kernel adds to: empty before the bin width is known. */
  get store(): Float64Array {
    return this.countsStore;
  }

  /** @internal Values a kernel counted past the range. */
  addClamped(count: number): void {
    this.clampedCount += count;
  }
}

/** One call of a kernel's `accumulate`. */
interface Pass {
  readonly arrays: readonly ArrayLike<number>[];
  readonly counts: readonly Float64Array[];
  readonly params: Float64Array;
}

function pass(
  arrays: readonly ArrayLike<number>[],
  list: readonly Histogram[],
  from: (k: number) => number,
): Pass {
  const params = new Float64Array(PARAMS * list.length);
  list.forEach((h, k) => {
    params.set([h.binWidth ? 1 / h.binWidth : 0, h.range, from(k)], PARAMS * k);
  });
  return { arrays, counts: list.map((h) => h.store), params };
}

/**
 * Adds `arrays[k]` to `histograms[k]`: yields the kernel passes to run (the caller runs them, at
 * once or off the main thread) and returns the first pass's results (the extremes of every
 * array). One pass suffices for a histogram whose range holds the batch; the few that were empty
 * (first batch) or must grow get a second pass, only over the values past the old range.
 */
function* accumulate(
  histograms: readonly Histogram[],
  arrays: readonly ArrayLike<number>[],
): Generator<Pass, Float64Array, Float64Array> {
  const first = yield pass(arrays, histograms, () => 0);
  // Arrays that need a second pass, and the first bin it counts.
  const again: { k: number; from: number }[] = [];
  histograms.forEach((h, k) => {
    const r = first.subarray(RESULTS * k, RESULTS * (k + 1));
    const before = h.store.length;
    h.fit(r[2]!, arrays[k]!.length - r[3]!);
    if (before === 0) {
      if (h.store.length > 0) again.push({ k, from: 0 });
    } else if (h.store.length > before) {
      // The first pass put the values past the old range in its last bin: they move to the new bins.
      h.store[before - 1]! -= r[5]!;
      again.push({ k, from: before });
    } else h.addClamped(r[4]!);
  });
  if (again.length === 0) return first;
  const grown = again.map(({ k }) => histograms[k]!);
  const second = yield pass(
    again.map(({ k }) => arrays[k]!),
    grown,
    (j) => again[j]!.from,
  );
  grown.forEach((h, j) => {
    h.addClamped(second[RESULTS * j + 4]!);
  });
  return first;
}

/** Runs the passes of {@link accumulate} on the calling thread. */
function runNow(steps: Generator<Pass, Float64Array, Float64Array>, kernel: StatisticsKernel): Float64Array {
  let step = steps.next();
  while (!step.done)
    step = steps.next(kernel.accumulate(step.value.arrays, step.value.counts, step.value.params));
  return step.value;
}

function addExtremes(stats: readonly TensorStatistics[], r: Float64Array): void {
  stats.forEach((s, k) => {
    const [lo, hi, bad] = [r[RESULTS * k]!, r[RESULTS * k + 1]!, r[RESULTS * k + 3]!];
    if (lo < s.min) s.min = lo;
    if (hi > s.max) s.max = hi;
    s.nonFinite += bad;
  });
}

/** Running extremes and histogram of one tensor, over every batch seen. */
export class TensorStatistics {
  /** Smallest finite value seen (Infinity before any). */
  min: number = Number.POSITIVE_INFINITY;
  /** Largest finite value seen (-Infinity before any). */
  max: number = Number.NEGATIVE_INFINITY;
  /** NaN and infinite values seen, which take no part in any range. */
  nonFinite = 0;
  /** Histogram of |x|. */
  readonly histogram: Histogram;

  /** @throws ArgumentError on bad histogram options (see {@link Histogram}). */
  constructor(options: HistogramOptions = {}) {
    this.histogram = new Histogram(options);
  }

  /** Adds one batch of values. */
  add(values: ArrayLike<number>): void {
    addRun([this], [values]);
  }
}

/**
 * Adds one run's tensors to their statistics (`arrays[k]` to `stats[k]`): one kernel pass over
 * every tensor of the run (a second over the few whose histogram is new or grows).
 *
 * @internal
 */
export function addRun(
  stats: readonly TensorStatistics[],
  arrays: readonly ArrayLike<number>[],
  kernel: StatisticsKernel = statisticsKernel(),
): void {
  addExtremes(
    stats,
    runNow(
      accumulate(
        stats.map((s) => s.histogram),
        arrays,
      ),
      kernel,
    ),
  );
}

/**
 * {@link addRun} off the main thread when the kernel can (the native one): the statistics and the
 * arrays must be left alone until the promise settles.
 *
 * @internal
 */
export async function addRunAsync(
  stats: readonly TensorStatistics[],
  arrays: readonly ArrayLike<number>[],
  kernel: StatisticsKernel = statisticsKernel(),
): Promise<void> {
  const steps = accumulate(
    stats.map((s) => s.histogram),
    arrays,
  );
  let step = steps.next();
  while (!step.done) {
    const { arrays: a, counts, params } = step.value;
    step = steps.next(
      kernel.accumulateAsync
        ? await kernel.accumulateAsync(a, counts, params)
        : kernel.accumulate(a, counts, params),
    );
  }
  addExtremes(stats, step.value);
}
