// Drawing primitives on a Canvas: boxes, polygons, keypoints and class masks. Coordinates are
// continuous original-image pixels as the heads return them (pixel i covers [i, i + 1)); whatever
// falls outside the canvas is clipped, never wrapped.

import { checkInteger, checkNumber, invalidArgument } from '@edge/core';
import type { Box, Point } from '@edge/preprocess';
import type { Canvas } from './canvas.js';

/** A colour as red, green, blue in 0..255. */
export type Rgb = readonly [red: number, green: number, blue: number];

/** The colours drawings cycle through (class k takes `palette[k % length]`). */
export const DEFAULT_PALETTE: readonly Rgb[] = Object.freeze([
  [230, 25, 75],
  [60, 180, 75],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
  [240, 50, 230],
  [210, 245, 60],
] as const);

/** The largest line width and keypoint radius accepted, in pixels. */
const MAX_STROKE = 256;

/**
 * Checks a colour.
 *
 * @throws {@link ArgumentError} unless `value` is three integers in 0..255.
 */
export function checkRgb(name: string, value: unknown): Rgb {
  if (!Array.isArray(value) || value.length !== 3)
    throw invalidArgument(name, value, 'array [red, green, blue]');
  value.forEach((v, i) => {
    checkInteger(`${name}[${i}]`, v, { min: 0, max: 255 });
  });
  return value as unknown as Rgb;
}

function fill(c: Canvas, x0: number, y0: number, x1: number, y1: number, rgb: Rgb): void {
  const xa = Math.max(x0, 0);
  const xb = Math.min(x1, c.width - 1);
  for (let y = Math.max(y0, 0); y <= Math.min(y1, c.height - 1); y++) {
    for (let x = xa; x <= xb; x++) c.data.set(rgb, y * c.stride + x * 3);
  }
}

// The pixel holding a continuous coordinate; the far edge itself (x === width, where heads clamp
// points) belongs to the last pixel.
function pixel(v: number, size: number): number {
  const p = Math.floor(v);
  return p === size ? size - 1 : p;
}

/** A square of `width` pixels around the pixel (px, py). */
function stamp(c: Canvas, px: number, py: number, width: number, rgb: Rgb): void {
  const before = (width - 1) >> 1;
  fill(c, px - before, py - before, px - before + width - 1, py - before + width - 1, rgb);
}

function segment(c: Canvas, a: Point, b: Point, width: number, rgb: Rgb): void {
  const [ax, ay, bx, by] = [
    pixel(a.x, c.width),
    pixel(a.y, c.height),
    pixel(b.x, c.width),
    pixel(b.y, c.height),
  ];
  const steps = Math.max(Math.abs(bx - ax), Math.abs(by - ay), 1);
  for (let i = 0; i <= steps; i++) {
    stamp(c, Math.round(ax + ((bx - ax) * i) / steps), Math.round(ay + ((by - ay) * i) / steps), width, rgb);
  }
}

/**
 * Draws the outline of an axis-aligned box `[x1, y1, x2, y2]` (pixel edges, as detections give
 * them). The stroke lies inside the box, so nothing is drawn outside it.
 *
 * @param lineWidth - Stroke width in pixels. Default 2.
 * @throws {@link ArgumentError} for a box that is not four finite numbers, a bad colour or width.
 */
export function drawBox(canvas: Canvas, box: Box, color: Rgb, lineWidth = 2): void {
  checkRgb('color', color);
  checkInteger('lineWidth', lineWidth, { min: 1, max: MAX_STROKE });
  if (
    !Array.isArray(box) ||
    box.length !== 4 ||
    box.some((v) => typeof v !== 'number' || !Number.isFinite(v))
  )
    throw invalidArgument('box', box, '[x1, y1, x2, y2] of finite numbers');
  const x0 = Math.floor(box[0]);
  const y0 = Math.floor(box[1]);
  const x1 = Math.max(Math.ceil(box[2]) - 1, x0);
  const y1 = Math.max(Math.ceil(box[3]) - 1, y0);
  const w = lineWidth - 1;
  fill(canvas, x0, y0, x1, Math.min(y0 + w, y1), color);
  fill(canvas, x0, Math.max(y1 - w, y0), x1, y1, color);
  fill(canvas, x0, y0, Math.min(x0 + w, x1), y1, color);
  fill(canvas, Math.max(x1 - w, x0), y0, x1, y1, color);
}

/**
 * Draws a closed polygon through `points` (a rotated text box, a contour), the stroke centred on
 * its edges.
 *
 * @param lineWidth - Stroke width in pixels. Default 2.
 * @throws {@link ArgumentError} for a bad point, colour or width.
 */
export function drawPolygon(canvas: Canvas, points: readonly Point[], color: Rgb, lineWidth = 2): void {
  checkRgb('color', color);
  checkInteger('lineWidth', lineWidth, { min: 1, max: MAX_STROKE });
  checkPoints(points);
  for (let i = 0; i < points.length; i++) {
    segment(canvas, points[i]!, points[(i + 1) % points.length]!, lineWidth, color);
  }
}

/**
 * Draws each point as a filled square of `2 * radius + 1` pixels (face keypoints, landmarks).
 *
 * @param radius - Pixels on each side of the point's pixel. Default 2.
 * @throws {@link ArgumentError} for a bad point, colour or radius.
 */
export function drawKeypoints(canvas: Canvas, points: readonly Point[], color: Rgb, radius = 2): void {
  checkRgb('color', color);
  checkInteger('radius', radius, { min: 0, max: MAX_STROKE });
  checkPoints(points);
  for (const p of points)
    stamp(canvas, pixel(p.x, canvas.width), pixel(p.y, canvas.height), 2 * radius + 1, color);
}

/**
 * Tints every pixel of class k > 0 with `palette[(k - 1) % palette.length]`; class 0 (background)
 * stays as it is. The mask has one class index per canvas pixel, rows top to bottom.
 *
 * @param opacity - Weight of the class colour, 0 (invisible) to 1 (opaque). Default 0.5.
 * @throws {@link ArgumentError} when the mask's size differs from the canvas's, or for a bad
 * palette or opacity.
 */
export function drawMask(
  canvas: Canvas,
  mask: { readonly width: number; readonly height: number; readonly data: Uint8Array },
  palette: readonly Rgb[] = DEFAULT_PALETTE,
  opacity = 0.5,
): void {
  if (
    mask.width !== canvas.width ||
    mask.height !== canvas.height ||
    mask.data.length !== mask.width * mask.height
  ) {
    throw invalidArgument(
      'mask',
      `${mask.width}x${mask.height} with ${mask.data.length} values`,
      `a ${canvas.width}x${canvas.height} class map (one value per canvas pixel)`,
    );
  }
  checkPalette('palette', palette);
  checkNumber('opacity', opacity, { min: 0, max: 1 });
  const { data } = canvas;
  for (let i = 0; i < mask.data.length; i++) {
    const k = mask.data[i]!;
    if (k === 0) continue;
    const rgb = palette[(k - 1) % palette.length]!;
    const d = (i % canvas.width) * 3 + Math.floor(i / canvas.width) * canvas.stride;
    for (let ch = 0; ch < 3; ch++)
      data[d + ch] = Math.round(data[d + ch]! * (1 - opacity) + rgb[ch]! * opacity);
  }
}

/**
 * Checks a palette.
 *
 * @throws {@link ArgumentError} unless `value` is a non-empty array of colours.
 */
export function checkPalette(name: string, value: unknown): readonly Rgb[] {
  if (!Array.isArray(value) || value.length === 0)
    throw invalidArgument(name, value, 'non-empty array of [red, green, blue]');
  value.forEach((c, i) => {
    checkRgb(`${name}[${i}]`, c);
  });
  return value as readonly Rgb[];
}

function checkPoints(points: readonly Point[]): void {
  if (!Array.isArray(points)) throw invalidArgument('points', points, 'array of {x, y}');
  points.forEach((p, i) => {
    if (typeof p !== 'object' || p === null) throw invalidArgument(`points[${i}]`, p, '{x, y}');
    checkNumber(`points[${i}].x`, p.x);
    checkNumber(`points[${i}].y`, p.y);
  });
}
