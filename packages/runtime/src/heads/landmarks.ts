// Landmarks head: keypoints of one object (a hand, a face, a person) in a crop, from regressed
// point vectors (MediaPipe hand, face mesh and pose landmark models: x, y in input pixels, then z,
// visibility and presence) or from one heatmap per keypoint (pose estimators such as SimpleBaseline
// and HRNet: the peak of each map, refined a quarter cell toward its higher neighbour), with the
// model's presence score, mapped back onto the original image.

import {
  checkNumber,
  checkOneOf,
  checkPositiveInteger,
  invalidArgument,
  type Tensor,
  type TensorMap,
} from '@edge/core';
import { applyTransform } from '@edge/preprocess';
import type { Head, HeadContext, HeadFit, ModelOutline } from './head.js';
import { dims, fit, fixed, imageInput, listOutputs, mapStride, perImageLength, unfit } from './outline.js';
import { floatValues, pickOutput, sigmoid } from './values.js';

/** How scores (presence, visibility, heatmap peaks) are turned into probabilities. */
export type ScoreActivation = 'auto' | 'sigmoid' | 'none';

/** Settings of the landmarks head. */
export interface LandmarksConfig {
  /** `regression` reads point vectors, `heatmap` the peaks of heatmaps; `auto`: points when the model has them. */
  readonly mode: 'auto' | 'regression' | 'heatmap';
  /** Output of points `[N, K x D]` or `[N, 1, 1, K x D]` in input pixels; default the first output of that shape. */
  readonly landmarks?: string;
  /**
   * Values per point: x, y, then z, visibility, presence. Default: the point vector's length over
   * the heatmaps' K when the model has both (MediaPipe pose: 195 / 39 = 5), else 3.
   */
  readonly dims?: number;
  /** Output holding the presence score, one value per image; default the first such output. */
  readonly presence?: string;
  /** Output of heatmaps `[N, K, h, w]` or `[N, h, w, K]`; default the 4-D output with K >= 2 at a stride of 2 to 8. */
  readonly heatmaps?: string;
  /** Scores are logits (`sigmoid`) or probabilities (`none`); `auto`: logits when any value of the tensor or column lies outside 0..1. */
  readonly activation: ScoreActivation;
  /** The object counts as present from this presence score. Default 0.5. */
  readonly presenceThreshold: number;
}

/** One keypoint on the original image. */
export interface Landmark {
  readonly x: number;
  readonly y: number;
  /** Depth in the units of x (MediaPipe: relative to the wrist, the face centre or the hips), scaled like x. */
  readonly z?: number;
  /** Probability that the point is visible (not occluded), when the model gives it. */
  readonly visibility?: number;
  /** Probability that the point is inside the image, when the model gives it. */
  readonly presence?: number;
  /** Peak of the point's heatmap, as a probability (heatmap mode). */
  readonly score?: number;
}

/** The keypoints of one image. */
export interface LandmarksResult {
  readonly task: 'landmarks';
  readonly landmarks: readonly Landmark[];
  /** Probability that the object is in the image, when the model gives it. */
  readonly presence?: number;
  /** Whether `presence` reaches the threshold (true when the model gives no presence). */
  readonly present: boolean;
  /** The model's other one-value outputs by name (e.g. MediaPipe hands' handedness, 0..1 as returned). */
  readonly scores: Readonly<Record<string, number>>;
}

const outOfUnit = (values: ArrayLike<number>, from: number, step: number, count: number): boolean => {
  for (let i = 0; i < count; i++) {
    const v = values[from + i * step]!;
    if (v < 0 || v > 1) return true;
  }
  return false;
};

/** The activation for a set of scores: `auto` is a sigmoid when any of them lies outside 0..1. */
function activate(mode: ScoreActivation, logits: boolean): (v: number) => number {
  return mode === 'sigmoid' || (mode === 'auto' && logits) ? sigmoid : (v) => v;
}

/** Whether an output holds one value per image (a presence flag, a handedness score). */
function isScalar(shape: readonly (number | string | null)[]): boolean {
  return perImageLength(shape) === 1;
}

interface Heatmaps {
  readonly tensor: Tensor;
  readonly k: number;
  readonly h: number;
  readonly w: number;
  readonly nhwc: boolean;
}

/** Reads the heatmap layout: the side whose spatial sizes keep the input's aspect is the map. */
function heatmapsOf(t: Tensor, tensorSize: HeadContext['tensorSize']): Heatmaps {
  if (t.shape.length !== 4)
    throw invalidArgument('landmarks heatmaps shape', [...t.shape], '[N, K, h, w] or [N, h, w, K]');
  const [, a, b, c] = t.shape as [number, number, number, number];
  const aspect = tensorSize.width / tensorSize.height;
  const nchwError = Math.abs(c / b - aspect);
  const nhwcError = Math.abs(b / a - aspect);
  const nhwc = nhwcError < nchwError || (nhwcError === nchwError && c > a);
  return nhwc ? { tensor: t, k: c, h: a, w: b, nhwc } : { tensor: t, k: a, h: b, w: c, nhwc };
}

function findHeatmaps(outputs: Readonly<TensorMap>, name: string | undefined): Tensor | undefined {
  if (name !== undefined) return pickOutput(outputs, name, 'landmarks.heatmaps');
  return Object.values(outputs).find((t) => t.shape.length === 4 && Math.min(t.shape[1]!, t.shape[3]!) >= 2);
}

/** The named points output, or the first of two or more points of `d` values (3 when unknown). */
function findVector(outputs: Readonly<TensorMap>, name: string | undefined, d = 3): Tensor | undefined {
  if (name !== undefined) return pickOutput(outputs, name, 'landmarks.landmarks');
  return Object.values(outputs).find((t) => {
    const n = perImageLength(t.shape);
    return n !== null && n >= 2 * d && n % d === 0;
  });
}

function fromVector(t: Tensor, d: number, context: HeadContext, activation: ScoreActivation): Landmark[] {
  const length = t.size / (t.shape[0] ?? 1);
  if (length % d !== 0 || d < 2) {
    throw invalidArgument(
      'landmarks.dims',
      d,
      `a divisor of the ${length} values per image of the points output, at least 2`,
    );
  }
  const v = floatValues(t);
  const base = context.index * length;
  const k = length / d;
  const { toSource } = context.image;
  const vis = activate(activation, d > 3 && outOfUnit(v, base + 3, d, k));
  const pres = activate(activation, d > 4 && outOfUnit(v, base + 4, d, k));
  const points: Landmark[] = [];
  for (let i = 0; i < k; i++) {
    const o = base + i * d;
    const p = applyTransform(toSource, { x: v[o]!, y: v[o + 1]! });
    const point: { x: number; y: number; z?: number; visibility?: number; presence?: number } = {
      x: p.x,
      y: p.y,
    };
    if (d > 2) point.z = v[o + 2]! * toSource.scaleX;
    if (d > 3) point.visibility = vis(v[o + 3]!);
    if (d > 4) point.presence = pres(v[o + 4]!);
    points.push(point);
  }
  return points;
}

function fromHeatmaps(maps: Heatmaps, context: HeadContext, activation: ScoreActivation): Landmark[] {
  const { k, h, w, nhwc } = maps;
  const v = floatValues(maps.tensor);
  const plane = h * w * k;
  const base = context.index * plane;
  const at = nhwc
    ? (c: number, y: number, x: number) => v[base + (y * w + x) * k + c]!
    : (c: number, y: number, x: number) => v[base + (c * h + y) * w + x]!;
  const act = activate(activation, outOfUnit(v, base, 1, plane));
  const sx = context.tensorSize.width / w;
  const sy = context.tensorSize.height / h;
  const points: Landmark[] = [];
  for (let c = 0; c < k; c++) {
    let best = Number.NEGATIVE_INFINITY;
    let bx = 0;
    let by = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const s = at(c, y, x);
        if (s > best) {
          best = s;
          bx = x;
          by = y;
        }
      }
    }
    // A quarter cell toward the higher neighbour (SimpleBaseline / HRNet's get_final_preds).
    let fx = bx;
    let fy = by;
    if (bx > 0 && bx < w - 1) fx += 0.25 * Math.sign(at(c, by, bx + 1) - at(c, by, bx - 1));
    if (by > 0 && by < h - 1) fy += 0.25 * Math.sign(at(c, by + 1, bx) - at(c, by - 1, bx));
    const p = applyTransform(context.image.toSource, { x: (fx + 0.5) * sx, y: (fy + 0.5) * sy });
    points.push({ x: p.x, y: p.y, score: act(best) });
  }
  return points;
}

/**
 * Keypoints of one image on the original image, with the presence score and the other one-value
 * outputs.
 *
 * @throws {@link ArgumentError} when the model has no points or heatmaps output (or the named one
 * is missing), or `dims` does not divide the points.
 */
export function decodeLandmarks(
  outputs: Readonly<TensorMap>,
  context: HeadContext,
  config: Readonly<LandmarksConfig>,
): LandmarksResult {
  const mode = checkOneOf('landmarks.mode', config.mode, ['auto', 'regression', 'heatmap'] as const);
  const activation = checkOneOf('landmarks.activation', config.activation, [
    'auto',
    'sigmoid',
    'none',
  ] as const);
  const threshold = checkNumber('landmarks.presenceThreshold', config.presenceThreshold, { min: 0, max: 1 });
  const vector = mode === 'heatmap' ? undefined : findVector(outputs, config.landmarks, config.dims);
  const heat = findHeatmaps(outputs, config.heatmaps);
  const maps = heat === undefined ? undefined : heatmapsOf(heat, context.tensorSize);
  let landmarks: Landmark[];
  if (vector !== undefined) {
    const length = vector.size / (vector.shape[0] ?? 1);
    const d =
      config.dims !== undefined
        ? checkPositiveInteger('landmarks.dims', config.dims)
        : maps !== undefined && length % maps.k === 0 && length / maps.k >= 2 && length / maps.k <= 5
          ? length / maps.k
          : 3;
    landmarks = fromVector(vector, d, context, activation);
  } else if (maps !== undefined && mode !== 'regression') {
    landmarks = fromHeatmaps(maps, context, activation);
  } else {
    throw invalidArgument(
      'landmarks outputs',
      Object.keys(outputs),
      mode === 'heatmap'
        ? 'an output of heatmaps [N, K, h, w] or [N, h, w, K]'
        : 'an output of points [N, K x D] (or heatmaps)',
    );
  }
  const scalars = Object.entries(outputs).filter(([, t]) => isScalar(t.shape));
  const presenceName = config.presence ?? scalars[0]?.[0];
  const scores: Record<string, number> = {};
  let presence: number | undefined;
  for (const [name, t] of scalars) {
    const value = floatValues(t)[context.index]!;
    if (name === presenceName) presence = activate(activation, value < 0 || value > 1)(value);
    else scores[name] = value;
  }
  if (config.presence !== undefined && presence === undefined) {
    throw invalidArgument(
      'landmarks.presence',
      config.presence,
      `an output with one value per image (${scalars.map(([n]) => n).join(', ') || 'none'})`,
    );
  }
  return presence === undefined
    ? { task: 'landmarks', landmarks, present: true, scores }
    : { task: 'landmarks', landmarks, presence, present: presence >= threshold, scores };
}

/**
 * A points vector `[N, K x D]` with a one-value presence output beside it (MediaPipe's landmark
 * models), or heatmaps `[N, K, h, w]` / `[N, h, w, K]`, K >= 2, at a stride of 2 to 8 of the input.
 */
function fitsLandmarks(model: ModelOutline): HeadFit<LandmarksConfig> {
  const input = imageInput(model);
  const vector = model.outputs.find((o) => {
    const n = perImageLength(o.shape);
    return n !== null && n >= 6 && n % 3 === 0;
  });
  const flag = model.outputs.find((o) => isScalar(o.shape));
  const heat = model.outputs.find((o) => {
    if (o.shape.length !== 4) return false;
    const nchw = mapStride(input, o.shape[2], o.shape[3]);
    const nhwc = mapStride(input, o.shape[1], o.shape[2]);
    const k = fixed(
      typeof nchw === 'number' && nchw > 1
        ? o.shape[1]
        : typeof nhwc === 'number' && nhwc > 1
          ? o.shape[3]
          : undefined,
    );
    return k !== null && k >= 2;
  });
  if (vector !== undefined && flag !== undefined) {
    return fit({
      landmarks: vector.name,
      presence: flag.name,
      ...(heat === undefined ? {} : { heatmaps: heat.name }),
    });
  }
  if (vector === undefined && heat !== undefined) return fit({ heatmaps: heat.name, mode: 'heatmap' });
  return unfit(
    `needs points [N, K x 3..5] beside a one-value presence output, or heatmaps [N, K, h, w] at a stride of 2 to 8 of a fixed input; the model has ${listOutputs(model)}${input === undefined ? '' : ` for an input ${dims(input.shape)}`}`,
  );
}

/** The landmarks head (MediaPipe hand, face mesh and pose landmark models; heatmap pose models). */
export const landmarksHead: Head<LandmarksConfig, LandmarksResult> = {
  task: 'landmarks',
  defaults: { mode: 'auto', activation: 'auto', presenceThreshold: 0.5 },
  // MediaPipe's landmark models take RGB in 0..1 from a square crop; the size is the model's.
  preprocess: { resize: 'letterbox', pad: 0, color: 'rgb', scale: 1 / 255 },
  fits: fitsLandmarks,
  decode: decodeLandmarks,
};
