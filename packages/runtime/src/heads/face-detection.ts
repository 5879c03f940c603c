// Face detection head for MediaPipe's BlazeFace models (short range 128x128, full range 192x192):
// SSD anchors, box and keypoint decoding as its TensorsToDetectionsCalculator, sigmoid scores,
// weighted (or plain) NMS, then the letterbox undone. A model fits when its two outputs are one
// box-and-keypoints row and one score per anchor of the MediaPipe grid for its input size.

import { invalidArgument, type Tensor, type TensorMap } from '@edge/core';
import { applyTransform, type Box, type Point, transformBox } from '@edge/preprocess';
import type { Head, HeadContext, HeadFit, ModelOutline } from './head.js';
import { nonMaxSuppression, type ScoredBox } from './nms.js';
import { dims, fit, fixed, imageInput, listOutputs, unfit } from './outline.js';
import {
  type Anchor,
  FACE_FULL_RANGE_ANCHORS,
  FACE_SHORT_RANGE_ANCHORS,
  type SsdAnchorOptions,
  ssdAnchors,
} from './ssd-anchors.js';
import { floatValues, sigmoid } from './values.js';

/** Settings of the face detection head (MediaPipe's, by default). */
export interface FaceDetectionConfig {
  /** Output with 4 box + 2 x keypoints values per anchor `[N, A, 4 + 2K]`; default: found by shape. */
  readonly regressors?: string;
  /** Output with one logit per anchor `[N, A, 1]`; default: the one whose last axis is 1. */
  readonly scores?: string;
  /** The anchor grid; default: MediaPipe's for the input size (short range 128, full range 192). */
  readonly anchors?: SsdAnchorOptions;
  /** Raw values are divided by this (the input size the model was trained at). Default: the grid's input width. */
  readonly scale?: number;
  readonly keypoints: number;
  /** Faces scoring below this (after the sigmoid) are dropped. Default 0.5. */
  readonly scoreThreshold: number;
  /** Default 0.3. */
  readonly iouThreshold: number;
  /** `weighted` (MediaPipe's default) averages each cluster by score; `plain` keeps the best. */
  readonly nms: 'weighted' | 'plain';
}

/** One face on the original image. */
export interface Face {
  /** `[x1, y1, x2, y2]` in original pixels, clipped to the image. */
  readonly box: Box;
  readonly score: number;
  /** Right eye, left eye, nose tip, mouth centre, right ear tragion, left ear tragion (the subject's). */
  readonly keypoints: readonly Point[];
}

/** The faces of one image, best first. */
export interface FaceDetectionResult {
  readonly task: 'face';
  readonly faces: readonly Face[];
}

/** MediaPipe's face detector grids, by the input size they were trained at. */
const KNOWN_GRIDS: readonly SsdAnchorOptions[] = [FACE_SHORT_RANGE_ANCHORS, FACE_FULL_RANGE_ANCHORS];

const anchorCache = new WeakMap<SsdAnchorOptions, Anchor[]>();

function anchorsOf(options: SsdAnchorOptions): Anchor[] {
  let a = anchorCache.get(options);
  if (a === undefined) {
    a = ssdAnchors(options);
    anchorCache.set(options, a);
  }
  return a;
}

function gridFor(width: number | null, height: number | null): SsdAnchorOptions | undefined {
  return KNOWN_GRIDS.find((g) => g.inputWidth === width && g.inputHeight === height);
}

function byLastAxis(
  outputs: Readonly<TensorMap>,
  name: string | undefined,
  test: (last: number) => boolean,
  what: string,
  expected: string,
): Tensor {
  if (name !== undefined) {
    const t = outputs[name];
    if (t === undefined)
      throw invalidArgument(what, name, `one of the outputs (${Object.keys(outputs).join(', ')})`);
    return t;
  }
  const found = Object.values(outputs).find((t) => t.shape.length === 3 && test(t.shape[2]!));
  if (found === undefined) {
    throw invalidArgument(what, undefined, `an output shaped ${expected} (set ${what})`);
  }
  return found;
}

/**
 * Faces of one image on the original image.
 *
 * @throws {@link ArgumentError} when no anchor grid is known for the input size, or the outputs
 * do not match the anchors.
 */
export function decodeFaceDetection(
  outputs: Readonly<TensorMap>,
  context: HeadContext,
  config: Readonly<FaceDetectionConfig>,
): FaceDetectionResult {
  const { width: tw, height: th } = context.tensorSize;
  const grid = config.anchors ?? gridFor(tw, th);
  if (grid === undefined) {
    throw invalidArgument(
      'face.anchors',
      undefined,
      `an anchor grid (MediaPipe's are known for 128x128 and 192x192 inputs; this one is ${tw}x${th})`,
    );
  }
  const anchors = anchorsOf(grid);
  const values = 4 + 2 * config.keypoints;
  const reg = byLastAxis(
    outputs,
    config.regressors,
    (v) => v === values,
    'face.regressors',
    `[N, anchors, ${values}]`,
  );
  const cls = byLastAxis(outputs, config.scores, (v) => v === 1, 'face.scores', '[N, anchors, 1]');
  const n = anchors.length;
  if (reg.shape[1] !== n || reg.shape[2] !== values || cls.size / (cls.shape[0] ?? 1) !== n) {
    throw invalidArgument(
      'face outputs',
      `${reg.shape.join('x')} and ${cls.shape.join('x')}`,
      `[N, ${n}, ${values}] and [N, ${n}, 1] for ${n} anchors`,
    );
  }
  const r = floatValues(reg);
  const c = floatValues(cls);
  const rb = context.index * n * values;
  const cb = context.index * n;
  const s = config.scale ?? grid.inputWidth;
  const candidates: ScoredBox[] = [];
  for (let i = 0; i < n; i++) {
    // MediaPipe clips the logit to +-100 before the sigmoid.
    const score = sigmoid(Math.min(Math.max(c[cb + i]!, -100), 100));
    if (score < config.scoreThreshold) continue;
    const a = anchors[i]!;
    const o = rb + i * values;
    const cx = (r[o]! / s) * a.w + a.x;
    const cy = (r[o + 1]! / s) * a.h + a.y;
    const w = (r[o + 2]! / s) * a.w;
    const h = (r[o + 3]! / s) * a.h;
    const extra: number[] = [];
    for (let k = 0; k < config.keypoints; k++) {
      extra.push(((r[o + 4 + 2 * k]! / s) * a.w + a.x) * tw, ((r[o + 5 + 2 * k]! / s) * a.h + a.y) * th);
    }
    candidates.push({
      box: [(cx - w / 2) * tw, (cy - h / 2) * th, (cx + w / 2) * tw, (cy + h / 2) * th],
      score,
      classId: 0,
      extra,
    });
  }
  const kept = nonMaxSuppression(candidates, { iouThreshold: config.iouThreshold, mode: config.nms });
  const { image } = context;
  const clamp = { width: image.sourceWidth, height: image.sourceHeight };
  return {
    task: 'face',
    faces: kept.map((k) => {
      const keypoints: Point[] = [];
      for (let j = 0; j + 1 < (k.extra?.length ?? 0); j += 2) {
        keypoints.push(applyTransform(image.toSource, { x: k.extra![j]!, y: k.extra![j + 1]! }));
      }
      return { box: transformBox(image.toSource, k.box, clamp), score: k.score, keypoints };
    }),
  };
}

/**
 * Two outputs, `[N, A, 4 + 2K]` (box centre and size, then K keypoints) and `[N, A, 1]` (one
 * score), where A is the anchor count of MediaPipe's grid for the model's input size.
 */
function fitsFace(model: ModelOutline): HeadFit<FaceDetectionConfig> {
  const outs = model.outputs;
  const expected = 'two outputs per anchor, boxes with keypoints [N, A, 4 + 2K] and scores [N, A, 1]';
  if (outs.length !== 2 || outs.some((o) => o.shape.length !== 3)) {
    return unfit(`needs ${expected}; the model has ${listOutputs(model)}`);
  }
  const scores = outs.find((o) => o.shape[2] === 1);
  const boxes = outs.find((o) => o !== scores);
  const values = fixed(boxes?.shape[2]);
  if (scores === undefined || boxes === undefined || values === null || values < 6 || values % 2 !== 0) {
    return unfit(`needs ${expected}; the model has ${listOutputs(model)}`);
  }
  const count = fixed(boxes.shape[1]);
  if (count === null || fixed(scores.shape[1]) !== count) {
    return unfit(`needs one fixed anchor count in both outputs; the model has ${listOutputs(model)}`);
  }
  const input = imageInput(model);
  const grid = gridFor(input?.width ?? null, input?.height ?? null);
  if (grid === undefined) {
    return unfit(
      `knows MediaPipe's anchor grids for 128x128 and 192x192 inputs; the input is ${input === undefined ? 'not one image' : dims(input.shape)}`,
    );
  }
  const n = anchorsOf(grid).length;
  if (count !== n) {
    return unfit(
      `MediaPipe's grid for a ${grid.inputWidth}x${grid.inputHeight} input has ${n} anchors; the outputs ${dims(boxes.shape)} and ${dims(scores.shape)} have ${count}`,
    );
  }
  return fit({ regressors: boxes.name, scores: scores.name, anchors: grid, keypoints: (values - 4) / 2 });
}

/** The face detection head for MediaPipe's BlazeFace detectors (NHWC RGB in -1..1). */
export const faceDetectionHead: Head<FaceDetectionConfig, FaceDetectionResult> = {
  task: 'face',
  defaults: {
    keypoints: 6,
    scoreThreshold: 0.5,
    iouThreshold: 0.3,
    nms: 'weighted',
  },
  preprocess: {
    size: { width: 128, height: 128 },
    resize: 'letterbox',
    pad: 0,
    color: 'rgb',
    scale: 1 / 127.5,
    mean: 1,
    std: 1,
    layout: 'nhwc',
  },
  fits: fitsFace,
  decode: decodeFaceDetection,
};
