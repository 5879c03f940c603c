// Face detection head for MediaPipe's short-range BlazeFace model: SSD anchors, box and keypoint
// decoding as its TensorsToDetectionsCalculator, sigmoid scores, weighted (or plain) NMS, then the
// letterbox undone.

import { invalidArgument, type Tensor, type TensorMap } from '@edge/core';
import { applyTransform, type Box, type Point, transformBox } from '@edge/preprocess';
import type { Head, HeadContext } from './head.js';
import { nonMaxSuppression, type ScoredBox } from './nms.js';
import { type Anchor, FACE_SHORT_RANGE_ANCHORS, type SsdAnchorOptions, ssdAnchors } from './ssd-anchors.js';
import { floatValues, sigmoid } from './values.js';

/** Settings of the face detection head (MediaPipe face_detection_short_range's, by default). */
export interface FaceDetectionConfig {
  /** Output with 4 box + 2 x keypoints values per anchor `[1, A, 16]`; default: the one whose last axis is 16. */
  readonly regressors?: string;
  /** Output with one logit per anchor `[1, A, 1]`; default: the one whose last axis is 1. */
  readonly scores?: string;
  readonly anchors: SsdAnchorOptions;
  /** Raw values are divided by this (the input size the model was trained at). Default 128. */
  readonly scale: number;
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

const anchorCache = new WeakMap<SsdAnchorOptions, Anchor[]>();

function anchorsOf(options: SsdAnchorOptions): Anchor[] {
  let a = anchorCache.get(options);
  if (a === undefined) {
    a = ssdAnchors(options);
    anchorCache.set(options, a);
  }
  return a;
}

function byLastAxis(
  outputs: Readonly<TensorMap>,
  name: string | undefined,
  size: number,
  what: string,
): Tensor {
  if (name !== undefined) {
    const t = outputs[name];
    if (t === undefined)
      throw invalidArgument(what, name, `one of the outputs (${Object.keys(outputs).join(', ')})`);
    return t;
  }
  const found = Object.values(outputs).find((t) => t.shape.length === 3 && t.shape[2] === size);
  if (found === undefined) {
    throw invalidArgument(
      what,
      undefined,
      `an output shaped [N, anchors, ${size}] (set face.${what.split('.')[1]})`,
    );
  }
  return found;
}

/**
 * Faces of one image on the original image.
 *
 * @throws {@link ArgumentError} when the outputs do not match the anchors.
 */
export function decodeFaceDetection(
  outputs: Readonly<TensorMap>,
  context: HeadContext,
  config: Readonly<FaceDetectionConfig>,
): FaceDetectionResult {
  const anchors = anchorsOf(config.anchors);
  const values = 4 + 2 * config.keypoints;
  const reg = byLastAxis(outputs, config.regressors, values, 'face.regressors');
  const cls = byLastAxis(outputs, config.scores, 1, 'face.scores');
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
  const s = config.scale;
  const { width: tw, height: th } = context.tensorSize;
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

/** The face detection head for MediaPipe's short-range detector (input 128x128 NHWC RGB in -1..1). */
export const faceDetectionHead: Head<FaceDetectionConfig, FaceDetectionResult> = {
  task: 'face',
  defaults: {
    anchors: FACE_SHORT_RANGE_ANCHORS,
    scale: 128,
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
  decode: decodeFaceDetection,
};
