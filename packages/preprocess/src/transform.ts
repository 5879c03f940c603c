// Mapping between tensor coordinates and original image coordinates. Coordinates are continuous
// pixel-edge coordinates: x = 0 is the left edge of the first pixel, x = width the right edge of
// the last, so a box [x1, y1, x2, y2] maps with the same formula as a point.

import type { Rect } from './kernel/job.js';

/** An axis-aligned affine map: `x' = x * scaleX + offsetX`, `y' = y * scaleY + offsetY`. */
export interface AffineTransform {
  scaleX: number;
  scaleY: number;
  offsetX: number;
  offsetY: number;
}

/** A point. */
export interface Point {
  x: number;
  y: number;
}

/** A box as corners: left, top, right, bottom. */
export type Box = readonly [x1: number, y1: number, x2: number, y2: number];

/**
 * The map from tensor coordinates to source coordinates of a resample of `srcRect` onto `dstRect`.
 */
export function transformFromRects(srcRect: Rect, dstRect: Rect): AffineTransform {
  const scaleX = srcRect.width / dstRect.width;
  const scaleY = srcRect.height / dstRect.height;
  return {
    scaleX,
    scaleY,
    offsetX: srcRect.x - dstRect.x * scaleX,
    offsetY: srcRect.y - dstRect.y * scaleY,
  };
}

/** The inverse map (scales must be non-zero, which every transform made here guarantees). */
export function invertTransform(t: AffineTransform): AffineTransform {
  return {
    scaleX: 1 / t.scaleX,
    scaleY: 1 / t.scaleY,
    offsetX: -t.offsetX / t.scaleX,
    offsetY: -t.offsetY / t.scaleY,
  };
}

/** Maps a point. */
export function applyTransform(t: AffineTransform, p: Point): Point {
  return { x: p.x * t.scaleX + t.offsetX, y: p.y * t.scaleY + t.offsetY };
}

/**
 * Maps a box `[x1, y1, x2, y2]`; with `clampTo` the result is clipped to `[0, width] x [0, height]`
 * (a letterboxed detection that overlaps the padding ends at the image border).
 */
export function transformBox(t: AffineTransform, box: Box, clampTo?: { width: number; height: number }): Box {
  let x1 = box[0] * t.scaleX + t.offsetX;
  let y1 = box[1] * t.scaleY + t.offsetY;
  let x2 = box[2] * t.scaleX + t.offsetX;
  let y2 = box[3] * t.scaleY + t.offsetY;
  if (clampTo !== undefined) {
    const cx = (v: number) => Math.min(Math.max(v, 0), clampTo.width);
    const cy = (v: number) => Math.min(Math.max(v, 0), clampTo.height);
    x1 = cx(x1);
    x2 = cx(x2);
    y1 = cy(y1);
    y2 = cy(y2);
  }
  return [x1, y1, x2, y2];
}
