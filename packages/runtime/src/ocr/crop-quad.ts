// The perspective crop of a text box (PaddleOCR's get_rotate_crop_image): the quadrilateral is
// warped onto an upright rectangle as long as its longer opposite sides, sampled bilinearly with
// the border replicated; a box at least 1.5 times taller than wide is read turned a quarter
// (vertical text). Coordinates are pixel edges, as the heads return them.

import { invalidArgument } from '@edge/core';
import type { Point, RawImage, SourceImage } from '@edge/preprocess';

type Quad = readonly [Point, Point, Point, Point];

/** Solves `a x = b` (n x n, row-major) by Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] | undefined {
  const n = b.length;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    if (Math.abs(a[p]![c]!) < 1e-12) return undefined;
    [a[c], a[p]] = [a[p]!, a[c]!];
    [b[c], b[p]] = [b[p]!, b[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k < n; k++) a[r]![k]! -= f * a[c]![k]!;
      b[r]! -= f * b[c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let k = r + 1; k < n; k++) s -= a[r]![k]! * x[k]!;
    x[r] = s / a[r]![r]!;
  }
  return x;
}

/** The homography taking the corners of a `w` x `h` rectangle (tl, tr, br, bl) to `quad`. */
function homography(w: number, h: number, quad: Quad): number[] | undefined {
  const from = [
    [0, 0],
    [w, 0],
    [w, h],
    [0, h],
  ];
  const a: number[][] = [];
  const b: number[] = [];
  from.forEach(([x, y], i) => {
    const { x: u, y: v } = quad[i]!;
    a.push([x!, y!, 1, 0, 0, 0, -u * x!, -u * y!]);
    b.push(u);
    a.push([0, 0, 0, x!, y!, 1, -v * x!, -v * y!]);
    b.push(v);
  });
  const m = solve(a, b);
  return m === undefined ? undefined : [...m, 1];
}

const dist = (a: Point, b: Point) => Math.hypot(a.x - b.x, a.y - b.y);

/**
 * @internal The quadrilateral grown outwards by `fraction` of its shorter side on every side,
 * along its own axes: the margin a recogniser wants around a detector's tight box.
 */
export function growQuad(quad: Quad, fraction: number): Quad {
  const [tl, tr, , bl] = quad;
  const across = dist(tl, tr);
  const down = dist(tl, bl);
  if (fraction === 0 || across === 0 || down === 0) return quad;
  const m = fraction * Math.min(across, down);
  const u = { x: ((tr.x - tl.x) / across) * m, y: ((tr.y - tl.y) / across) * m };
  const v = { x: ((bl.x - tl.x) / down) * m, y: ((bl.y - tl.y) / down) * m };
  const at = (p: Point, su: number, sv: number) => ({
    x: p.x + su * u.x + sv * v.x,
    y: p.y + su * u.y + sv * v.y,
  });
  return [at(quad[0], -1, -1), at(quad[1], 1, -1), at(quad[2], 1, 1), at(quad[3], -1, 1)];
}

/**
 * @internal The text inside `quad` (corners top-left, top-right, bottom-right, bottom-left of the
 * text's own frame) as an upright 8-bit image in the source's colour order (alpha dropped).
 *
 * @throws {@link ArgumentError} for a degenerate quadrilateral (a side under one pixel, or three
 * corners in a line).
 */
export function cropQuad(src: SourceImage, quad: Quad): RawImage {
  let corners = quad;
  let w = Math.round(Math.max(dist(quad[0], quad[1]), dist(quad[3], quad[2])));
  let h = Math.round(Math.max(dist(quad[0], quad[3]), dist(quad[1], quad[2])));
  if (h >= 1.5 * w) {
    // np.rot90 of the crop: its top-left is the box's top-right, and so on round.
    corners = [quad[1], quad[2], quad[3], quad[0]];
    [w, h] = [h, w];
  }
  const m = w >= 1 && h >= 1 ? homography(w, h, corners) : undefined;
  if (m === undefined) {
    throw invalidArgument(
      'text box',
      quad.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' '),
      'a quadrilateral with sides of at least one pixel',
    );
  }
  const channels = src.channels === 1 ? 1 : 3;
  const out = new Uint8Array(w * h * channels);
  const { data, stride, width: sw, height: sh } = src;
  const sc = src.channels;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      const z = m[6]! * px + m[7]! * py + m[8]!;
      // Source pixel-centre coordinates, the border replicated.
      const u = Math.min(Math.max((m[0]! * px + m[1]! * py + m[2]!) / z - 0.5, 0), sw - 1);
      const v = Math.min(Math.max((m[3]! * px + m[4]! * py + m[5]!) / z - 0.5, 0), sh - 1);
      const x0 = Math.floor(u);
      const y0 = Math.floor(v);
      const x1 = Math.min(x0 + 1, sw - 1);
      const y1 = Math.min(y0 + 1, sh - 1);
      const fx = u - x0;
      const fy = v - y0;
      const o = (y * w + x) * channels;
      for (let c = 0; c < channels; c++) {
        const p00 = data[y0 * stride + x0 * sc + c]!;
        const p01 = data[y0 * stride + x1 * sc + c]!;
        const p10 = data[y1 * stride + x0 * sc + c]!;
        const p11 = data[y1 * stride + x1 * sc + c]!;
        const top = p00 + (p01 - p00) * fx;
        const bottom = p10 + (p11 - p10) * fx;
        out[o + c] = Math.round(top + (bottom - top) * fy);
      }
    }
  }
  const order = channels === 1 ? 'gray' : src.order === 'bgr' || src.order === 'bgra' ? 'bgr' : 'rgb';
  return { data: out, width: w, height: h, order };
}

/** @internal The image turned half a turn (the direction classifier's 180). */
export function rotate180(image: RawImage): RawImage {
  const channels = image.order === 'gray' ? 1 : 3;
  const n = image.width * image.height;
  const out = new Uint8Array(n * channels);
  for (let i = 0; i < n; i++)
    out.set(image.data.subarray(i * channels, (i + 1) * channels), (n - 1 - i) * channels);
  return { ...image, data: out };
}
