// Segmentation head: per-pixel class by argmax (or a threshold for one-channel masks), then the
// map resampled (nearest) through the preprocessing transform back onto the original image.

import { invalidArgument, type TensorMap } from '@edge/core';
import { applyTransform } from '@edge/preprocess';
import type { Head, HeadContext, HeadFit, ModelOutline } from './head.js';
import { dims, fitsInputSize, fixed, listOutputs, unfit } from './outline.js';
import { floatValues, pickOutput, sigmoid } from './values.js';

/** Settings of the segmentation head. */
export interface SegmentationConfig {
  /** Output holding the scores `[N, C, H, W]`; default the first output. */
  readonly output?: string;
  /** `argmax` over classes, or `threshold` of a one-channel map. Default: argmax unless C is 1. */
  readonly mode: 'auto' | 'argmax' | 'threshold';
  /** Foreground threshold for `threshold` mode. Default 0.5. */
  readonly threshold: number;
  /** Apply a sigmoid before the threshold (for logits). Default false. */
  readonly sigmoid: boolean;
  /** Class names by index. */
  readonly labels?: readonly string[];
}

/** A class map on the original image. */
export interface SegmentationResult {
  readonly task: 'segment';
  /** Class index per original pixel, rows top to bottom (`width` x `height`). */
  readonly mask: { readonly width: number; readonly height: number; readonly data: Uint8Array };
  /** Classes present with their pixel counts, most pixels first. */
  readonly classes: readonly { readonly classId: number; readonly pixels: number; readonly label?: string }[];
}

/**
 * Class map of one image on its original pixels.
 *
 * @throws {@link ArgumentError} when the output is missing or not `[N, C, H, W]`, or has over 256 classes.
 */
export function decodeSegmentation(
  outputs: Readonly<TensorMap>,
  context: HeadContext,
  config: Readonly<SegmentationConfig>,
): SegmentationResult {
  const t = pickOutput(outputs, config.output, 'segment.output');
  if (t.shape.length !== 4 || context.index >= t.shape[0]! || t.shape[1]! > 256) {
    throw invalidArgument(
      'segment output shape',
      [...t.shape],
      `[N, C <= 256, H, W] with row ${context.index}`,
    );
  }
  const [, c, h, w] = t.shape as [number, number, number, number];
  const mode = config.mode === 'auto' ? (c === 1 ? 'threshold' : 'argmax') : config.mode;
  const v = floatValues(t);
  const plane = h * w;
  const base = context.index * c * plane;
  const small = new Uint8Array(plane);
  for (let p = 0; p < plane; p++) {
    if (mode === 'threshold') {
      const s = config.sigmoid ? sigmoid(v[base + p]!) : v[base + p]!;
      small[p] = s >= config.threshold ? 1 : 0;
      continue;
    }
    let best = 0;
    let bestScore = v[base + p]!;
    for (let k = 1; k < c; k++) {
      const s = v[base + k * plane + p]!;
      if (s > bestScore) {
        bestScore = s;
        best = k;
      }
    }
    small[p] = best;
  }
  // Source pixel centre -> tensor coordinates -> map cell (the map may be smaller than the input).
  const { image, tensorSize } = context;
  const W = image.sourceWidth;
  const H = image.sourceHeight;
  const fx = w / tensorSize.width;
  const fy = h / tensorSize.height;
  const data = new Uint8Array(W * H);
  const counts = new Float64Array(256);
  const cols = new Int32Array(W);
  for (let x = 0; x < W; x++) {
    const tx = applyTransform(image.toTensor, { x: x + 0.5, y: 0 }).x * fx;
    cols[x] = Math.min(Math.max(Math.floor(tx), 0), w - 1);
  }
  for (let y = 0; y < H; y++) {
    const ty = applyTransform(image.toTensor, { x: 0, y: y + 0.5 }).y * fy;
    const row = Math.min(Math.max(Math.floor(ty), 0), h - 1) * w;
    for (let x = 0; x < W; x++) {
      const k = small[row + cols[x]!]!;
      data[y * W + x] = k;
      counts[k]!++;
    }
  }
  const classes = [];
  for (let k = 0; k < 256; k++) {
    if (counts[k] === 0) continue;
    const label = config.labels?.[k];
    classes.push(
      label === undefined ? { classId: k, pixels: counts[k]! } : { classId: k, pixels: counts[k]!, label },
    );
  }
  classes.sort((a, b) => b.pixels - a.pixels || a.classId - b.classId);
  return { task: 'segment', mask: { width: W, height: H, data }, classes };
}

/**
 * One output of class scores per pixel `[N, C, H, W]`, 2 <= C <= 256, at the input's size (or a
 * free size). One-channel maps are left to the text head, smaller maps to the landmarks head: pass
 * the task to decode them as masks.
 */
function fitsSegmentation(model: ModelOutline): HeadFit<SegmentationConfig> {
  if (model.outputs.length !== 1 || model.outputs[0]!.shape.length !== 4) {
    return unfit(
      `needs one output of class scores per pixel [N, C, H, W]; the model has ${listOutputs(model)}`,
    );
  }
  const { shape } = model.outputs[0]!;
  const c = fixed(shape[1]);
  if (c === null || c < 2 || c > 256) {
    return unfit(`needs 2 to 256 classes in dimension 1; the output is ${dims(shape)}`);
  }
  return fitsInputSize(model, shape);
}

/** The segmentation head: argmax or threshold, resized back to the original image. */
export const segmentationHead: Head<SegmentationConfig, SegmentationResult> = {
  task: 'segment',
  defaults: { mode: 'auto', threshold: 0.5, sigmoid: false },
  fits: fitsSegmentation,
  decode: decodeSegmentation,
};
