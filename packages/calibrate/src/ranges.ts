// Activation range algorithms over streamed statistics. Each returns the symmetric threshold
// (amax): the dynamic range is [-amax, amax] and the INT8 scale is amax / 127.

import { checkInteger, checkNumber, checkOneOf } from '@edge/core';

/** The histogram an algorithm reads: counts of |x| per bin of a fixed width, bin 0 starting at 0. */
export interface HistogramLike {
  readonly counts: ArrayLike<number>;
  readonly binWidth: number;
}

/** Running extremes an algorithm reads. */
export interface ExtremesLike {
  readonly min: number;
  readonly max: number;
}

/** Options of {@link entropyThreshold}. */
export interface EntropyOptions {
  /** First candidate threshold, in bins; default 128 (TensorRT's). */
  readonly startBin?: number;
  /** Quantisation levels of the candidate distribution; default 128 (the positive half of INT8). */
  readonly levels?: number;
  /**
   * Step between candidates, in bins; default 1 up to 8192 bins, more beyond so that a histogram
   * grown by wide later batches still costs about as much as an 8192-bin one.
   */
  readonly stride?: number;
}

/** Options of {@link mseRange}. */
export interface MseOptions {
  /** First candidate threshold, in bins; default 1. */
  readonly startBin?: number;
  /** Step between candidates, in bins; default as for {@link EntropyOptions.stride}. */
  readonly stride?: number;
}

/** Range methods of {@link computeRange}. */
export type RangeMethod = 'entropy' | 'minmax' | 'percentile' | 'mse';

/** Every range method, in the order documented. */
export const RANGE_METHODS: readonly RangeMethod[] = Object.freeze([
  'entropy',
  'minmax',
  'percentile',
  'mse',
]);

/** Parameters of {@link computeRange}; each method reads only its own. */
export interface RangeParams extends EntropyOptions {
  /** Percentile of |x| for the `percentile` method; default 99.99. */
  readonly percentile?: number;
}

const STRIDE_BINS = 8192;
// Candidates whose divergences are equal in exact arithmetic (trailing empty bins) differ by
// summation rounding; a later candidate must win by more than that for the first one to be kept.
const TIE = 1e-12;

function defaultStride(bins: number): number {
  return bins <= STRIDE_BINS ? 1 : Math.ceil(bins / STRIDE_BINS);
}

function binsOf(hist: HistogramLike): { counts: ArrayLike<number>; n: number; total: number } {
  const counts = hist.counts;
  let total = 0;
  for (let k = 0; k < counts.length; k++) total += counts[k]!;
  return { counts, n: counts.length, total };
}

/**
 * Threshold by least KL divergence, as TensorRT's EntropyCalibrator2 computes it: for each
 * candidate i from `startBin` to the bin count, the reference P is the first i bins with the
 * count of every later bin (the outliers) added to bin i - 1; the candidate Q is the first i bins
 * without the outliers (as TensorRT's calibration does; quantising P itself would make i = 128
 * lossless and always win) merged into `levels` groups, each group's sum spread evenly over the
 * group's non-zero bins of P; a Q of 0 where P is not gives an infinite divergence; the
 * threshold is (i + 0.5) x binWidth for the i of least KL(P || Q) (the first on a tie, within 1e-12 relative).
 *
 * @returns The threshold; 0 when every value was 0; the histogram's whole range when it has
 * fewer bins than `startBin`.
 * @throws ArgumentError on bad options (`levels` above `startBin`, non-positive integers).
 */
export function entropyThreshold(hist: HistogramLike, options: EntropyOptions = {}): number {
  const levels = checkInteger('options.levels', options.levels ?? 128, { min: 1 });
  const start = checkInteger('options.startBin', options.startBin ?? 128, { min: levels });
  const { counts, n, total } = binsOf(hist);
  const stride = checkInteger('options.stride', options.stride ?? defaultStride(n), { min: 1 });
  if (total === 0 || hist.binWidth === 0) return 0;
  if (n < start) return n * hist.binWidth;
  // Prefix sums over the counts make each candidate cost O(levels) instead of O(i): for bins
  // [lo, hi), the count (C), the number of non-zero bins (NZ) and the sum of c log c (CL). Only
  // bin i - 1 of P differs from the counts (it takes the outliers), and is corrected for.
  const C = new Float64Array(n + 1);
  const CL = new Float64Array(n + 1);
  const NZ = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) {
    const c = counts[k]!;
    C[k + 1] = C[k]! + c;
    CL[k + 1] = CL[k]! + (c > 0 ? c * Math.log(c) : 0);
    NZ[k + 1] = NZ[k]! + (c > 0 ? 1 : 0);
  }
  let best = Number.POSITIVE_INFINITY;
  let bestI = start;
  for (let i = start; i <= n; i += stride) {
    const outliers = total - C[i]!;
    const last = counts[i - 1]! + outliers; // P's bin i - 1
    const sp = total;
    // sum of p log p over P.
    let plogp = CL[i - 1]! + (last > 0 ? last * Math.log(last) : 0);
    const merged = Math.floor(i / levels);
    let sq = 0;
    let plogq = 0;
    let infinite = false;
    for (let j = 0; j < levels; j++) {
      const lo = j * merged;
      const hi = j === levels - 1 ? i : lo + merged;
      const sum = C[hi]! - C[lo]!;
      let nonZero = NZ[hi]! - NZ[lo]!;
      let mass = sum; // sum of P over the group
      if (hi === i) {
        if (counts[i - 1]! === 0 && outliers > 0) nonZero++;
        mass += outliers;
      }
      if (mass === 0) continue;
      if (sum === 0) {
        infinite = true; // Q is 0 where P is not
        break;
      }
      const share = sum / nonZero;
      sq += sum;
      plogq += mass * Math.log(share);
    }
    if (infinite) continue;
    // KL(P||Q) with P and Q normalised: (1/sp) sum p (log p - log q) + log(sq / sp).
    plogp -= plogq;
    const kl = plogp / sp + Math.log(sq / sp);
    if (kl < best * (1 - TIE)) {
      best = kl;
      bestI = i;
    }
  }
  return (bestI + 0.5) * hist.binWidth;
}

/** Symmetric min-max threshold: max(|min|, |max|); 0 before any value. */
export function minMaxRange(extremes: ExtremesLike): number {
  const a = Math.max(Math.abs(extremes.min), Math.abs(extremes.max));
  return Number.isFinite(a) ? a : 0;
}

/**
 * Threshold below which `percentile` % of |x| falls: the upper edge of the first bin where the
 * cumulative count reaches that share, so it is at most one bin width above the exact percentile.
 *
 * @param percentile - In (0, 100]; default 99.99.
 * @returns The threshold; 0 when the histogram is empty or all zeros.
 * @throws ArgumentError when `percentile` is outside (0, 100].
 */
export function percentileRange(hist: HistogramLike, percentile = 99.99): number {
  checkNumber('percentile', percentile, { min: Number.MIN_VALUE, max: 100 });
  const { counts, n, total } = binsOf(hist);
  if (total === 0 || hist.binWidth === 0) return 0;
  const target = (total * percentile) / 100;
  let cum = 0;
  for (let k = 0; k < n; k++) {
    cum += counts[k]!;
    if (cum >= target) return (k + 1) * hist.binWidth;
  }
  return n * hist.binWidth;
}

/**
 * Threshold t (a bin edge, i x binWidth for i from `startBin` to the bin count) minimising the
 * expected squared error of symmetric INT8 quantisation with scale t / 127 over the histogram,
 * each bin standing for its centre: clipping error above t, rounding error below.
 *
 * @returns The threshold; 0 when every value was 0.
 * @throws ArgumentError on bad options.
 */
export function mseRange(hist: HistogramLike, options: MseOptions = {}): number {
  const start = checkInteger('options.startBin', options.startBin ?? 1, { min: 1 });
  const { counts, n, total } = binsOf(hist);
  const stride = checkInteger('options.stride', options.stride ?? defaultStride(n), { min: 1 });
  const w = hist.binWidth;
  if (total === 0 || w === 0) return 0;
  if (n < start) return n * w;
  let best = Number.POSITIVE_INFINITY;
  let bestI = n;
  for (let i = start; i <= n; i += stride) {
    const t = i * w;
    const s = t / 127;
    let err = 0;
    for (let k = 0; k < n; k++) {
      const c = counts[k]!;
      if (c === 0) continue;
      const x = (k + 0.5) * w;
      const level = Math.min(Math.floor(x / s + 0.5), 127);
      const d = x - level * s;
      err += c * d * d;
    }
    if (err < best * (1 - TIE)) {
      best = err;
      bestI = i;
    }
  }
  return bestI * w;
}

/** The statistics {@link computeRange} reads. */
export interface RangeStatistics extends ExtremesLike {
  readonly histogram: HistogramLike;
}

/**
 * The threshold of one tensor by the named method.
 *
 * @throws ArgumentError on an unknown method or bad parameters.
 */
export function computeRange(stats: RangeStatistics, method: RangeMethod, params: RangeParams = {}): number {
  checkOneOf('method', method, RANGE_METHODS);
  switch (method) {
    case 'entropy':
      return entropyThreshold(stats.histogram, params);
    case 'minmax':
      return minMaxRange(stats);
    case 'percentile':
      return percentileRange(stats.histogram, params.percentile);
    case 'mse':
      return mseRange(stats.histogram, { stride: params.stride });
  }
}
