// Plane geometry for the text head: convex hull, minimum-area rotated rectangle by rotating
// calipers, PaddleOCR's corner order, and a point-in-convex-polygon test.

import type { Point } from '@edge/preprocess';

const cross = (o: Point, a: Point, b: Point): number => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);

/** Convex hull (Andrew's monotone chain), counter-clockwise in y-down image coordinates' mirror; collinear points dropped. */
export function convexHull(points: readonly Point[]): Point[] {
  const p = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
  if (p.length < 3) return p;
  const lower: Point[] = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, q) <= 0)
      lower.pop();
    lower.push(q);
  }
  const upper: Point[] = [];
  for (let i = p.length - 1; i >= 0; i--) {
    const q = p[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, q) <= 0)
      upper.pop();
    upper.push(q);
  }
  lower.pop();
  upper.pop();
  return lower.concat(upper);
}

/** A rotated rectangle: centre, side lengths along its axes, and the unit vector of its first axis. */
export interface RotatedRect {
  cx: number;
  cy: number;
  /** Side along `axis`. */
  width: number;
  /** Side along the normal of `axis`. */
  height: number;
  axis: Point;
}

/**
 * The minimum-area rectangle enclosing a convex hull: one side of it lies on a hull edge, so
 * each edge direction is tried (rotating calipers) and the smallest area kept.
 */
export function minAreaRect(hull: readonly Point[]): RotatedRect {
  if (hull.length === 0) return { cx: 0, cy: 0, width: 0, height: 0, axis: { x: 1, y: 0 } };
  if (hull.length === 1) return { cx: hull[0]!.x, cy: hull[0]!.y, width: 0, height: 0, axis: { x: 1, y: 0 } };
  let best: { area: number; u: Point; minU: number; maxU: number; minN: number; maxN: number } | undefined;
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i]!;
    const b = hull[(i + 1) % hull.length]!;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    if (len === 0) continue;
    const u = { x: (b.x - a.x) / len, y: (b.y - a.y) / len };
    let minU = Number.POSITIVE_INFINITY;
    let maxU = Number.NEGATIVE_INFINITY;
    let minN = Number.POSITIVE_INFINITY;
    let maxN = Number.NEGATIVE_INFINITY;
    for (const p of hull) {
      const pu = p.x * u.x + p.y * u.y;
      const pn = -p.x * u.y + p.y * u.x;
      minU = Math.min(minU, pu);
      maxU = Math.max(maxU, pu);
      minN = Math.min(minN, pn);
      maxN = Math.max(maxN, pn);
    }
    const area = (maxU - minU) * (maxN - minN);
    if (best === undefined || area < best.area - 1e-9) best = { area, u, minU, maxU, minN, maxN };
  }
  const { u, minU, maxU, minN, maxN } = best!;
  const mu = (minU + maxU) / 2;
  const mn = (minN + maxN) / 2;
  return {
    cx: mu * u.x - mn * u.y,
    cy: mu * u.y + mn * u.x,
    width: maxU - minU,
    height: maxN - minN,
    axis: u,
  };
}

/**
 * The four corners of a rotated rectangle in PaddleOCR's order (get_mini_boxes): of the two
 * leftmost corners the upper is first and the lower last; of the two rightmost the upper is
 * second and the lower third.
 */
export function rectCorners(r: RotatedRect): [Point, Point, Point, Point] {
  const { axis: u } = r;
  const n = { x: -u.y, y: u.x };
  const hw = r.width / 2;
  const hh = r.height / 2;
  const pts = [
    [-hw, -hh],
    [hw, -hh],
    [hw, hh],
    [-hw, hh],
  ].map(([a, b]) => ({ x: r.cx + a! * u.x + b! * n.x, y: r.cy + a! * u.y + b! * n.y }));
  pts.sort((a, b) => a.x - b.x || a.y - b.y);
  const [l1, l2, r1, r2] = pts as [Point, Point, Point, Point];
  const [tl, bl] = l1.y <= l2.y ? [l1, l2] : [l2, l1];
  const [tr, br] = r1.y <= r2.y ? [r1, r2] : [r2, r1];
  return [tl, tr, br, bl];
}

/** Whether `p` lies inside or on the border of a convex polygon (either winding). */
export function insideConvex(polygon: readonly Point[], p: Point): boolean {
  let sign = 0;
  for (let i = 0; i < polygon.length; i++) {
    const c = cross(polygon[i]!, polygon[(i + 1) % polygon.length]!, p);
    if (Math.abs(c) < 1e-9) continue;
    const s = Math.sign(c);
    if (sign === 0) sign = s;
    else if (s !== sign) return false;
  }
  return true;
}
