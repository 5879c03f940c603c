// Resampling tables that reproduce OpenCV 4.x cv::resize on 8-bit images (imgproc/src/resize.cpp)
// decision for decision, float roundings included: the promise is "the same pixels as
// cv2.resize", not "a bilinear resize". Both kernels (fused and multi-loop) read these tables, so
// they can only differ in how they walk memory, never in what they compute.

import type { Interpolation } from './job.js';

const fround = Math.fround;
/** OpenCV's INTER_RESIZE_COEF_SCALE: bilinear weights are integers scaled by 2^11. */
const COEF_SCALE = 2048;

/** cvRound: round half to even, as `lrint` does in the default rounding mode. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Two-tap fixed-point weights along one axis (INTER_LINEAR, and INTER_AREA when it enlarges).
 * `i0`/`i1` are source indices already clamped into the region, `w0`/`w1` their weights (sum 2048).
 */
export interface LinearAxis {
  i0: Int32Array;
  i1: Int32Array;
  w0: Int32Array;
  w1: Int32Array;
}

/**
 * Box-filter weights along one axis (INTER_AREA when it shrinks by a non-integer factor): for
 * output index d, the entries `start[d]` to `start[d + 1]` of `index`/`weight` (float32 values).
 */
export interface AreaAxis {
  start: Int32Array;
  index: Int32Array;
  weight: Float32Array;
}

/** How one resample of a `srcW` x `srcH` region onto `dstW` x `dstH` is computed. */
export type ResamplePlan =
  | { kind: 'copy' }
  | { kind: 'nearest'; x: Int32Array; y: Int32Array }
  | { kind: 'linear'; x: LinearAxis; y: LinearAxis }
  | { kind: 'area-fast'; sx: number; sy: number; round2x2: boolean }
  | { kind: 'area'; x: AreaAxis; y: AreaAxis };

/**
 * Linear weights for one axis. OpenCV clamps the horizontal position at both ends (weight moved
 * to the edge pixel) but not the vertical one: there the rows are clamped and the weights kept,
 * which matters because its vertical pass truncates each product separately.
 */
function linearAxis(
  srcLen: number,
  dstLen: number,
  scale: number,
  invScale: number,
  area: boolean,
  clampWeights: boolean,
): LinearAxis {
  const i0 = new Int32Array(dstLen);
  const i1 = new Int32Array(dstLen);
  const w0 = new Int32Array(dstLen);
  const w1 = new Int32Array(dstLen);
  for (let d = 0; d < dstLen; d++) {
    let s: number;
    let f: number;
    if (area) {
      s = Math.floor(d * scale);
      f = fround(d + 1 - (s + 1) * invScale);
      f = f <= 0 ? 0 : fround(f - Math.floor(f));
    } else {
      f = fround((d + 0.5) * scale - 0.5);
      s = Math.floor(f);
      f = fround(f - s);
    }
    if (clampWeights) {
      if (s < 0) {
        f = 0;
        s = 0;
      }
      if (s >= srcLen - 1) {
        f = 0;
        s = srcLen - 1;
      }
    }
    i0[d] = Math.min(Math.max(s, 0), srcLen - 1);
    i1[d] = Math.min(Math.max(s + 1, 0), srcLen - 1);
    w0[d] = roundHalfEven(fround(1 - f) * COEF_SCALE);
    w1[d] = roundHalfEven(f * COEF_SCALE);
  }
  return { i0, i1, w0, w1 };
}

/** computeResizeAreaTab of OpenCV, one axis. */
function areaAxis(srcLen: number, dstLen: number, scale: number): AreaAxis {
  const start = new Int32Array(dstLen + 1);
  const index: number[] = [];
  const weight: number[] = [];
  for (let d = 0; d < dstLen; d++) {
    start[d] = index.length;
    const f1 = d * scale;
    const f2 = f1 + scale;
    const cell = Math.min(scale, srcLen - f1);
    let s2 = Math.floor(f2);
    s2 = Math.min(s2, srcLen - 1);
    const s1 = Math.min(Math.ceil(f1), s2);
    if (s1 - f1 > 1e-3) {
      index.push(s1 - 1);
      weight.push((s1 - f1) / cell);
    }
    for (let s = s1; s < s2; s++) {
      index.push(s);
      weight.push(1 / cell);
    }
    if (f2 - s2 > 1e-3) {
      index.push(s2);
      weight.push(Math.min(Math.min(f2 - s2, 1), cell) / cell);
    }
  }
  start[dstLen] = index.length;
  return { start, index: Int32Array.from(index), weight: Float32Array.from(weight) };
}

/**
 * The resample plan of `cv2.resize(region, (dstW, dstH), interpolation)` for a region of
 * `srcW` x `srcH` pixels with `channels` interleaved channels.
 */
export function resamplePlan(
  srcW: number,
  srcH: number,
  dstW: number,
  dstH: number,
  interpolation: Interpolation,
  channels: number,
): ResamplePlan {
  if (srcW === dstW && srcH === dstH) return { kind: 'copy' };
  // cv::resize derives the scale from the inverse ratio, in doubles, exactly like this.
  const invX = dstW / srcW;
  const invY = dstH / srcH;
  const scaleX = 1 / invX;
  const scaleY = 1 / invY;
  if (interpolation === 'nearest') {
    const x = new Int32Array(dstW);
    const y = new Int32Array(dstH);
    for (let d = 0; d < dstW; d++) x[d] = Math.min(Math.floor(d * scaleX), srcW - 1);
    for (let d = 0; d < dstH; d++) y[d] = Math.min(Math.floor(d * scaleY), srcH - 1);
    return { kind: 'nearest', x, y };
  }
  if (interpolation === 'area' && scaleX >= 1 && scaleY >= 1) {
    const isx = roundHalfEven(scaleX);
    const isy = roundHalfEven(scaleY);
    if (Math.abs(scaleX - isx) < Number.EPSILON && Math.abs(scaleY - isy) < Number.EPSILON) {
      return { kind: 'area-fast', sx: isx, sy: isy, round2x2: isx === 2 && isy === 2 && channels !== 2 };
    }
    return { kind: 'area', x: areaAxis(srcW, dstW, scaleX), y: areaAxis(srcH, dstH, scaleY) };
  }
  // INTER_LINEAR, and INTER_AREA when it enlarges along an axis (OpenCV then runs its linear
  // code with other weights). An exact 2x shrink, which OpenCV sends to its area code, gives the
  // same pixels through this path.
  const area = interpolation === 'area';
  return {
    kind: 'linear',
    x: linearAxis(srcW, dstW, scaleX, invX, area, true),
    y: linearAxis(srcH, dstH, scaleY, invY, area, false),
  };
}

/** OpenCV's vertical combination of two horizontal sums (its SIMD formula, used for every element). */
export function verticalLinear(h0: number, h1: number, b0: number, b1: number): number {
  return ((((h0 >> 4) * b0) >> 16) + (((h1 >> 4) * b1) >> 16) + 2) >> 2;
}
