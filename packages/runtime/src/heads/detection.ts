// Detection head: decode the model's raw boxes (a built-in format or the caller's hook), apply
// class-aware NMS in tensor pixels, then map each box through the letterbox transform onto the
// original image.

import { invalidArgument, type Tensor, type TensorMap } from '@edge/core';
import { type Box, transformBox } from '@edge/preprocess';
import type { Head, HeadContext, HeadFit, ModelOutline } from './head.js';
import { nonMaxSuppression, type ScoredBox } from './nms.js';
import { dims, fit, fixed, imageInput, listOutputs, unfit } from './outline.js';
import { floatValues, pickOutput } from './values.js';

/**
 * Turns one image's outputs into candidate boxes `[x1, y1, x2, y2]` in tensor pixels, each with a
 * score and class, before NMS: the hook for a model format the built-in ones do not cover.
 */
export type BoxDecoder = (
  outputs: Readonly<TensorMap>,
  context: HeadContext,
  config: Readonly<DetectionConfig>,
) => ScoredBox[];

/**
 * Built-in output formats:
 * - `yolov8`: `[N, 4 + C, A]` (or `[N, A, 4 + C]`): centre x, centre y, width, height, then one
 *   score per class (ultralytics YOLOv8/v11);
 * - `yolov5`: `[N, A, 5 + C]`: centre x, centre y, width, height, objectness, class scores
 *   (score = objectness x class score);
 * - `xyxy`: `[N, A, 6]`: x1, y1, x2, y2, score, class (models with NMS inside, e.g. YOLOv10).
 */
export type DetectionFormat = 'yolov8' | 'yolov5' | 'xyxy';

/** Settings of the detection head. */
export interface DetectionConfig {
  /** Output holding the boxes; default the first output. */
  readonly output?: string;
  /** Output format, or a {@link BoxDecoder}. Default `yolov8`. */
  readonly format: DetectionFormat | BoxDecoder;
  /** Coordinates are fractions of the input size (0..1) instead of tensor pixels. Default false. */
  readonly normalized?: boolean;
  /** Candidates scoring below this are dropped. Default 0.25. */
  readonly scoreThreshold: number;
  /** NMS IoU threshold. Default 0.45. */
  readonly iouThreshold: number;
  /** Boxes suppress only boxes of their class. Default true. */
  readonly classAware: boolean;
  /** Most detections per image. Default 300. */
  readonly maxDetections: number;
  /** Class names by index. */
  readonly labels?: readonly string[];
}

/** One detected object, on the original image. */
export interface Detection {
  /** `[x1, y1, x2, y2]` in original image pixels (pixel edges), clipped to the image. */
  readonly box: Box;
  readonly score: number;
  readonly classId: number;
  readonly label?: string;
}

/** The detections of one image, best first. */
export interface DetectionResult {
  readonly task: 'detect';
  readonly detections: readonly Detection[];
}

function rows(t: Tensor, index: number, minWidth: number, transposable: boolean) {
  if (t.shape.length !== 3 || index >= t.shape[0]!) {
    throw invalidArgument('detect output shape', [...t.shape], `[N, boxes, values] with row ${index}`);
  }
  let [, a, b] = t.shape as [number, number, number];
  // ultralytics exports [N, 4 + C, A] with A (anchors) far larger than 4 + C.
  const transposed = transposable && a < b;
  if (transposed) [a, b] = [b, a];
  if (b < minWidth)
    throw invalidArgument('detect output shape', [...t.shape], `at least ${minWidth} values per box`);
  const v = floatValues(t);
  const base = index * a * b;
  const at = transposed
    ? (i: number, k: number) => v[base + k * a + i]!
    : (i: number, k: number) => v[base + i * b + k]!;
  return { count: a, width: b, at };
}

function decodeBuiltIn(
  format: DetectionFormat,
  outputs: Readonly<TensorMap>,
  context: HeadContext,
  config: Readonly<DetectionConfig>,
): ScoredBox[] {
  const t = pickOutput(outputs, config.output, 'detect.output');
  const min = format === 'yolov8' ? 5 : 6;
  const { count, width, at } = rows(t, context.index, min, format === 'yolov8');
  const sx = config.normalized ? context.tensorSize.width : 1;
  const sy = config.normalized ? context.tensorSize.height : 1;
  const out: ScoredBox[] = [];
  for (let i = 0; i < count; i++) {
    let score: number;
    let classId = 0;
    if (format === 'xyxy') {
      score = at(i, 4);
      classId = Math.round(at(i, 5));
      if (score >= config.scoreThreshold) {
        out.push({ box: [at(i, 0) * sx, at(i, 1) * sy, at(i, 2) * sx, at(i, 3) * sy], score, classId });
      }
      continue;
    }
    const first = format === 'yolov8' ? 4 : 5;
    score = Number.NEGATIVE_INFINITY;
    for (let k = first; k < width; k++) {
      const s = at(i, k);
      if (s > score) {
        score = s;
        classId = k - first;
      }
    }
    if (format === 'yolov5') score *= at(i, 4);
    if (score < config.scoreThreshold) continue;
    const cx = at(i, 0) * sx;
    const cy = at(i, 1) * sy;
    const w = at(i, 2) * sx;
    const h = at(i, 3) * sy;
    out.push({ box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], score, classId });
  }
  return out;
}

/**
 * Detections of one image on the original image: decode, class-aware NMS, letterbox undone.
 *
 * @throws {@link ArgumentError} when the output is missing or its shape does not fit the format.
 */
export function decodeDetection(
  outputs: Readonly<TensorMap>,
  context: HeadContext,
  config: Readonly<DetectionConfig>,
): DetectionResult {
  const candidates =
    typeof config.format === 'function'
      ? config.format(outputs, context, config)
      : decodeBuiltIn(config.format, outputs, context, config);
  const kept = nonMaxSuppression(candidates, {
    iouThreshold: config.iouThreshold,
    classAware: config.classAware,
    maxDetections: config.maxDetections,
  });
  const { image } = context;
  const clamp = { width: image.sourceWidth, height: image.sourceHeight };
  return {
    task: 'detect',
    detections: kept.map((k) => {
      const box = transformBox(image.toSource, k.box, clamp);
      const label = config.labels?.[k.classId];
      return label === undefined
        ? { box, score: k.score, classId: k.classId }
        : { box, score: k.score, classId: k.classId, label };
    }),
  };
}

/** Cells of the feature maps at these strides over an input of `h` x `w`: one box each (YOLOv8). */
function gridCells(h: number, w: number, strides: readonly number[]): number {
  return strides.reduce((n, s) => n + Math.ceil(h / s) * Math.ceil(w / s), 0);
}

/**
 * One output whose box count is that of a YOLO grid over the input (strides 8, 16, 32, and 64 for
 * P6 models; three anchors a cell for YOLOv5), or `[N, K, 6]` boxes after NMS. The grid can only be
 * checked against a fixed input size.
 */
function fitsDetection(model: ModelOutline): HeadFit<DetectionConfig> {
  const input = imageInput(model);
  if (model.outputs.length !== 1 || model.outputs[0]!.shape.length !== 3) {
    return unfit(`needs one output of boxes [N, boxes, values]; the model has ${listOutputs(model)}`);
  }
  const { shape } = model.outputs[0]!;
  const a = fixed(shape[1]);
  const b = fixed(shape[2]);
  if (input?.height == null || input.width == null) {
    return unfit('the input size is free, so the box count cannot be checked against a YOLO grid');
  }
  const grids = [
    gridCells(input.height, input.width, [8, 16, 32]),
    gridCells(input.height, input.width, [8, 16, 32, 64]),
  ];
  if (a !== null && b !== null) {
    if ((a >= 5 && grids.includes(b)) || (b >= 5 && grids.includes(a))) return fit({ format: 'yolov8' });
    if (b >= 6 && grids.some((g) => 3 * g === a)) return fit({ format: 'yolov5' });
  }
  if (b === 6) return fit({ format: 'xyxy' });
  return unfit(
    `needs [N, 4 + C, ${grids[0]}] (YOLOv8 at ${input.width}x${input.height}), [N, ${3 * grids[0]!}, 5 + C] (YOLOv5) or [N, K, 6] (boxes after NMS); the output is ${dims(shape)}`,
  );
}

/** The detection head: YOLO-style decoding (or a hook), class-aware NMS, letterbox undone. */
export const detectionHead: Head<DetectionConfig, DetectionResult> = {
  task: 'detect',
  defaults: {
    format: 'yolov8',
    scoreThreshold: 0.25,
    iouThreshold: 0.45,
    classAware: true,
    maxDetections: 300,
  },
  preprocess: 'yolo',
  fits: fitsDetection,
  decode: decodeDetection,
};
