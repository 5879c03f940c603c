// Streamed statistics of one tensor: a histogram of |x| and the running extremes. Like TensorRT's
// EntropyCalibrator2, the first batch with a non-zero value fixes the bin width (its max|x| over
// the bin count); a later batch that goes past the range adds bins at the same width, so earlier
// counts never need re-binning and no activation is kept.

import { checkInteger, checkPositiveInteger } from '@edge/core';

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

  /**
   * Counts the finite values of a batch; NaN and infinities are skipped (the caller's running
   * extremes see them). `absMax`, when the caller already knows it, is the batch's largest finite
   * |x| and saves a pass.
   */
  add(values: ArrayLike<number>, absMax?: number): void {
    let batchMax = absMax ?? 0;
    if (absMax === undefined) {
      for (let i = 0; i < values.length; i++) {
        const a = Math.abs(values[i]!);
        if (a > batchMax && a !== Number.POSITIVE_INFINITY) batchMax = a;
      }
    }
    if (this.width === 0) {
      if (batchMax === 0) {
        for (let i = 0; i < values.length; i++) if (values[i] === 0) this.zeros++;
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
    const bins = this.countsStore;
    const last = bins.length - 1;
    const inv = 1 / this.width;
    const limit = this.range;
    for (let i = 0; i < values.length; i++) {
      const a = Math.abs(values[i]!);
      if (!(a <= Number.MAX_VALUE)) continue;
      if (a > limit) this.clampedCount++;
      const k = Math.floor(a * inv);
      bins[Math.min(k, last)]!++;
    }
  }
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
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    let bad = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v - v !== 0) {
        bad++;
        continue;
      }
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo < this.min) this.min = lo;
    if (hi > this.max) this.max = hi;
    this.nonFinite += bad;
    this.histogram.add(values, values.length - bad > 0 ? Math.max(-lo, hi) : 0);
  }
}
