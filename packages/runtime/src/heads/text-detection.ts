// Text detection head for PaddleOCR's DB detector, after PaddleOCR's DBPostProcess: binarise the
// probability map, take each connected region, fit its minimum-area rotated rectangle, score it by
// the mean probability inside, expand it by the DB unclip offset (area x ratio / perimeter) and map
// its corners onto the original image.

import { invalidArgument, type TensorMap } from '@edge/core';
import { applyTransform, type Box, type Point } from '@edge/preprocess';
import type { Head, HeadContext, HeadFit, ModelOutline } from './head.js';
import { dims, fitsInputSize, listOutputs, unfit } from './outline.js';
import { convexHull, insideConvex, minAreaRect, rectCorners } from './polygon.js';
import { floatValues, pickOutput } from './values.js';

/** Settings of the text detection head (PaddleOCR DBPostProcess's, with its defaults). */
export interface TextDetectionConfig {
  /** Output holding the probability map `[N, 1, H, W]`; default the first output. */
  readonly output?: string;
  /** Pixels above this probability are text. Default 0.3 (`thresh`). */
  readonly threshold: number;
  /** Boxes whose mean probability is below this are dropped. Default 0.6 (`box_thresh`). */
  readonly boxThreshold: number;
  /** Expansion: offset = area x ratio / perimeter of the shrunk box. Default 1.5 (`unclip_ratio`). */
  readonly unclipRatio: number;
  /** Most regions considered. Default 1000 (`max_candidates`). */
  readonly maxCandidates: number;
  /** Regions with a shorter side (in map pixels) below this are dropped. Default 3 (`min_size`). */
  readonly minSize: number;
}

/** One text region on the original image. */
export interface TextBox {
  /** Corners: top-left, top-right, bottom-right, bottom-left (a rotated rectangle), original pixels. */
  readonly polygon: readonly [Point, Point, Point, Point];
  /** Axis-aligned bounds of the polygon `[x1, y1, x2, y2]`. */
  readonly box: Box;
  /** Mean probability inside the region before expansion. */
  readonly score: number;
}

/** The text regions of one image, top to bottom, then left to right. */
export interface TextDetectionResult {
  readonly task: 'text';
  readonly boxes: readonly TextBox[];
}

/**
 * Labels 8-connected regions of `bitmap` and returns, per region, the ends of each of its row
 * runs (pixel centres): their convex hull is the region's.
 */
function regions(bitmap: Uint8Array, w: number, h: number, max: number): Point[][] {
  const labels = new Int32Array(w * h);
  const stack = new Int32Array(w * h);
  let count = 0;
  for (let start = 0; start < w * h && count < max; start++) {
    if (!bitmap[start] || labels[start]) continue;
    const label = ++count;
    let top = 0;
    stack[top++] = start;
    labels[start] = label;
    while (top > 0) {
      const p = stack[--top]!;
      const px = p % w;
      const py = (p - px) / w;
      for (let dy = -1; dy <= 1; dy++) {
        const y = py + dy;
        if (y < 0 || y >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const x = px + dx;
          if (x < 0 || x >= w) continue;
          const q = y * w + x;
          if (bitmap[q] && !labels[q]) {
            labels[q] = label;
            stack[top++] = q;
          }
        }
      }
    }
  }
  const points: Point[][] = Array.from({ length: count }, () => []);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const l = labels[y * w + x]!;
      if (l === 0) continue;
      const startsRun = x === 0 || labels[y * w + x - 1] !== l;
      const endsRun = x === w - 1 || labels[y * w + x + 1] !== l;
      if (startsRun || endsRun) points[l - 1]!.push({ x: x + 0.5, y: y + 0.5 });
    }
  }
  return points;
}

/** Mean of the map over the pixels whose centres lie in the polygon (PaddleOCR's box_score_fast). */
function meanInside(
  map: Float32Array,
  base: number,
  w: number,
  h: number,
  polygon: readonly Point[],
): number {
  const xs = polygon.map((p) => p.x);
  const ys = polygon.map((p) => p.y);
  const x0 = Math.max(Math.floor(Math.min(...xs)), 0);
  const x1 = Math.min(Math.ceil(Math.max(...xs)), w - 1);
  const y0 = Math.max(Math.floor(Math.min(...ys)), 0);
  const y1 = Math.min(Math.ceil(Math.max(...ys)), h - 1);
  let sum = 0;
  let n = 0;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (!insideConvex(polygon, { x: x + 0.5, y: y + 0.5 })) continue;
      sum += map[base + y * w + x]!;
      n++;
    }
  }
  return n === 0 ? 0 : sum / n;
}

/**
 * Text regions of one image on the original image.
 *
 * @throws {@link ArgumentError} when the output is missing or not `[N, 1, H, W]`.
 */
export function decodeTextDetection(
  outputs: Readonly<TensorMap>,
  context: HeadContext,
  config: Readonly<TextDetectionConfig>,
): TextDetectionResult {
  const t = pickOutput(outputs, config.output, 'text.output');
  if (t.shape.length !== 4 || t.shape[1] !== 1 || context.index >= t.shape[0]!) {
    throw invalidArgument('text output shape', [...t.shape], `[N, 1, H, W] with row ${context.index}`);
  }
  const [, , h, w] = t.shape as [number, number, number, number];
  const map = floatValues(t);
  const base = context.index * h * w;
  const bitmap = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) bitmap[i] = map[base + i]! > config.threshold ? 1 : 0;

  const { image, tensorSize } = context;
  const fx = tensorSize.width / w;
  const fy = tensorSize.height / h;
  const W = image.sourceWidth;
  const H = image.sourceHeight;
  const boxes: TextBox[] = [];
  for (const pts of regions(bitmap, w, h, config.maxCandidates)) {
    const rect = minAreaRect(convexHull(pts));
    if (Math.min(rect.width, rect.height) < config.minSize) continue;
    const score = meanInside(map, base, w, h, rectCorners(rect));
    if (score < config.boxThreshold) continue;
    // Offsetting a rectangle outwards by d (pyclipper, round joins) and refitting the minimum-area
    // rectangle gives the same rectangle with each side moved out by d.
    const area = rect.width * rect.height;
    const d = (area * config.unclipRatio) / (2 * (rect.width + rect.height));
    const grown = { ...rect, width: rect.width + 2 * d, height: rect.height + 2 * d };
    if (Math.min(grown.width, grown.height) < config.minSize + 2) continue;
    const polygon = rectCorners(grown).map((p) => {
      const s = applyTransform(image.toSource, { x: p.x * fx, y: p.y * fy });
      return { x: Math.min(Math.max(s.x, 0), W), y: Math.min(Math.max(s.y, 0), H) };
    }) as unknown as [Point, Point, Point, Point];
    const xs = polygon.map((p) => p.x);
    const ys = polygon.map((p) => p.y);
    const box: Box = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
    // PaddleOCR's filter_tag_det_res: drop slivers of 3 pixels or less on the original.
    if (box[2] - box[0] <= 3 || box[3] - box[1] <= 3) continue;
    boxes.push({ polygon, box, score });
  }
  boxes.sort((a, b) => a.polygon[0].y - b.polygon[0].y || a.polygon[0].x - b.polygon[0].x);
  return { task: 'text', boxes };
}

/** One probability map `[N, 1, H, W]` the size of the input (PaddleOCR's DB detectors). */
function fitsText(model: ModelOutline): HeadFit<TextDetectionConfig> {
  if (model.outputs.length !== 1) {
    return unfit(`needs one probability map [N, 1, H, W]; the model has ${listOutputs(model)}`);
  }
  const { shape } = model.outputs[0]!;
  if (shape.length !== 4 || shape[1] !== 1) {
    return unfit(`needs a one-channel map [N, 1, H, W]; the output is ${dims(shape)}`);
  }
  return fitsInputSize(model, shape);
}

/** The text detection head for PaddleOCR's DB detectors (PP-OCRv3/v4 det). */
export const textDetectionHead: Head<TextDetectionConfig, TextDetectionResult> = {
  task: 'text',
  defaults: { threshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5, maxCandidates: 1000, minSize: 3 },
  preprocess: 'paddleocr-det',
  fits: fitsText,
  decode: decodeTextDetection,
};
