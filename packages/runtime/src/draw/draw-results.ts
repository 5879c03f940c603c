// Results drawn on their image: one drawer per task over the primitives in shapes.ts, and the
// whole step from an image and a `model.infer` result to a PNG or JPEG file.

import { extname } from 'node:path';
import { checkInteger, checkNumber, checkOneOf, invalidArgument, writeFileAtomic } from '@edge/core';
import { type DecodeOptions, encodeImage, type ImageInput } from '@edge/preprocess';
import type { TaskName } from '../heads/head.js';
import type { TaskResults } from '../infer/tasks.js';
import { type Canvas, loadCanvas } from './canvas.js';
import {
  checkPalette,
  DEFAULT_PALETTE,
  drawBox,
  drawKeypoints,
  drawMask,
  drawPolygon,
  type Rgb,
} from './shapes.js';

/** The tasks whose results have something to draw (classify and raw have no geometry). */
export const DRAWABLE_TASKS: readonly Exclude<TaskName, 'classify' | 'raw'>[] = Object.freeze([
  'detect',
  'face',
  'text',
  'segment',
  'landmarks',
] as const);

/** A result {@link drawOnCanvas} can draw. */
export type DrawableResult = TaskResults[(typeof DRAWABLE_TASKS)[number]];

/** How results are drawn. */
export interface DrawOptions {
  /**
   * Colours: detections by class id, faces (box 1, keypoints 0), text (0), mask classes k by k - 1,
   * landmarks (1; 0 for a point whose visibility or heatmap score is below 0.5). Default
   * {@link DEFAULT_PALETTE}.
   */
  readonly palette?: readonly Rgb[];
  /** Stroke of boxes and polygons, in pixels. Default 2. */
  readonly lineWidth?: number;
  /** Keypoints are squares of `2 * radius + 1` pixels. Default 2. */
  readonly keypointRadius?: number;
  /** Weight of the class colour over a segmented pixel, 0..1. Default 0.5. */
  readonly maskOpacity?: number;
  /** Largest accepted image in pixels, when the image is decoded. Default 100 megapixels. */
  readonly maxPixels?: number;
}

interface Resolved {
  palette: readonly Rgb[];
  lineWidth: number;
  radius: number;
  opacity: number;
}

function resolve(options: DrawOptions): Resolved {
  return {
    palette: checkPalette('options.palette', options.palette ?? DEFAULT_PALETTE),
    lineWidth: checkInteger('options.lineWidth', options.lineWidth ?? 2, { min: 1, max: 256 }),
    radius: checkInteger('options.keypointRadius', options.keypointRadius ?? 2, { min: 0, max: 256 }),
    opacity: checkNumber('options.maskOpacity', options.maskOpacity ?? 0.5, { min: 0, max: 1 }),
  };
}

const colour = (palette: readonly Rgb[], k: number): Rgb => palette[k % palette.length]!;

/**
 * Draws one result onto `canvas` in place: detection boxes coloured by class, face boxes with
 * their keypoints, text polygons, landmarks, or the class mask blended over the picture.
 *
 * @throws {@link ArgumentError} for a result of a task with nothing to draw (classify, raw), a
 * segmentation mask of another size than the canvas, or a bad option.
 */
export function drawOnCanvas(canvas: Canvas, result: DrawableResult, options: DrawOptions = {}): void {
  const o = resolve(options);
  const task = checkOneOf('result.task', (result as { task?: unknown })?.task, DRAWABLE_TASKS);
  const r = result as TaskResults[typeof task];
  switch (r.task) {
    case 'detect':
      for (const d of r.detections) drawBox(canvas, d.box, colour(o.palette, d.classId), o.lineWidth);
      return;
    case 'face':
      for (const f of r.faces) {
        drawBox(canvas, f.box, colour(o.palette, 1), o.lineWidth);
        drawKeypoints(canvas, f.keypoints, colour(o.palette, 0), o.radius);
      }
      return;
    case 'text':
      for (const t of r.boxes) drawPolygon(canvas, t.polygon, colour(o.palette, 0), o.lineWidth);
      return;
    case 'segment':
      drawMask(canvas, r.mask, o.palette, o.opacity);
      return;
    case 'landmarks': {
      const weak = (p: (typeof r.landmarks)[number]) => (p.visibility ?? p.score ?? 1) < 0.5;
      drawKeypoints(canvas, r.landmarks.filter(weak), colour(o.palette, 0), o.radius);
      drawKeypoints(
        canvas,
        r.landmarks.filter((p) => !weak(p)),
        colour(o.palette, 1),
        o.radius,
      );
      return;
    }
  }
}

/**
 * Decodes `image` and draws `result` on it: the picture a user looks at to judge a model. `image`
 * is what was given to `model.infer` (a path, encoded bytes, a raw frame, an HWC uint8 tensor);
 * for a path, `result.source` is that path.
 *
 * @example
 * ```ts
 * const [result] = await model.infer('street.jpg', { task: 'detect' });
 * await writeResultImage('street.detect.png', 'street.jpg', result);
 * ```
 * @returns A new RGB image, the size of the original.
 * @throws {@link FileIOError} when the image cannot be read or decoded.
 * @throws {@link ArgumentError} as {@link drawOnCanvas} does.
 */
export async function drawResults(
  image: ImageInput,
  result: DrawableResult,
  options: DrawOptions = {},
): Promise<Canvas> {
  resolve(options);
  checkOneOf('result.task', (result as { task?: unknown })?.task, DRAWABLE_TASKS);
  const decode: DecodeOptions = options.maxPixels === undefined ? {} : { maxPixels: options.maxPixels };
  const canvas = await loadCanvas(image, typeof image === 'string' ? image : 'image', decode);
  drawOnCanvas(canvas, result, options);
  return canvas;
}

const FORMATS: Readonly<Record<string, 'png' | 'jpeg'>> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg' };

/**
 * Draws `result` on `image` (see {@link drawResults}) and writes it to `path` as PNG or JPEG (by
 * the extension), atomically: an existing file is replaced whole or left as it was.
 *
 * @param quality - JPEG quality 1..100. Default 90.
 * @throws {@link ArgumentError} for a path that does not end in .png, .jpg or .jpeg, a bad quality,
 * or as {@link drawOnCanvas} does.
 * @throws {@link FileIOError} when the image cannot be decoded or `path` cannot be written.
 */
export async function writeResultImage(
  path: string,
  image: ImageInput,
  result: DrawableResult,
  options: DrawOptions & { readonly quality?: number } = {},
): Promise<void> {
  const format = FORMATS[extname(String(path)).toLowerCase()];
  if (format === undefined) throw invalidArgument('path', path, 'file name ending in .png, .jpg or .jpeg');
  const quality = checkInteger('options.quality', options.quality ?? 90, { min: 1, max: 100 });
  const canvas = await drawResults(image, result, options);
  writeFileAtomic(path, await encodeImage(canvas, format, quality));
}
