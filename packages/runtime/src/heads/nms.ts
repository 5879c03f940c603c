// Non-maximum suppression shared by the detection and face heads: plain (keep the best, drop its
// overlaps) or weighted (MediaPipe: the kept box is the score-weighted mean of its cluster).

import type { Box } from '@edge/preprocess';

/** A scored box before suppression; `extra` values (e.g. keypoints) are averaged by weighted NMS. */
export interface ScoredBox {
  box: Box;
  score: number;
  classId: number;
  extra?: readonly number[];
}

/** Options of {@link nonMaxSuppression}. */
export interface NmsOptions {
  /** Boxes overlapping a kept one by more than this IoU are suppressed. */
  iouThreshold: number;
  /** Only boxes of the same class suppress each other (default true). */
  classAware?: boolean;
  /** `plain` keeps the best box; `weighted` replaces it by the score-weighted mean of its cluster. */
  mode?: 'plain' | 'weighted';
  /** Most boxes kept (default unlimited). */
  maxDetections?: number;
}

/** Intersection over union of two boxes `[x1, y1, x2, y2]`; 0 when either is empty. */
export function iou(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Suppresses overlapping boxes, best score first. Class-aware by default (a person box never
 * suppresses a dog box). Ties keep the earlier box, so the result is deterministic.
 */
export function nonMaxSuppression(boxes: readonly ScoredBox[], options: NmsOptions): ScoredBox[] {
  const classAware = options.classAware ?? true;
  const weighted = options.mode === 'weighted';
  const max = options.maxDetections ?? Number.POSITIVE_INFINITY;
  const order = boxes.map((_, i) => i).sort((a, b) => boxes[b]!.score - boxes[a]!.score || a - b);
  const used = new Uint8Array(boxes.length);
  const kept: ScoredBox[] = [];
  for (const i of order) {
    if (kept.length >= max) break;
    if (used[i]) continue;
    used[i] = 1;
    const best = boxes[i]!;
    const cluster: ScoredBox[] = [best];
    for (const j of order) {
      if (used[j]) continue;
      const other = boxes[j]!;
      if (classAware && other.classId !== best.classId) continue;
      if (iou(best.box, other.box) > options.iouThreshold) {
        used[j] = 1;
        cluster.push(other);
      }
    }
    kept.push(weighted && cluster.length > 1 ? weightedMean(best, cluster) : best);
  }
  return kept;
}

function weightedMean(best: ScoredBox, cluster: readonly ScoredBox[]): ScoredBox {
  let total = 0;
  const box = [0, 0, 0, 0];
  const extra = best.extra === undefined ? undefined : new Array<number>(best.extra.length).fill(0);
  for (const c of cluster) {
    total += c.score;
    for (let k = 0; k < 4; k++) box[k]! += c.box[k]! * c.score;
    if (extra !== undefined)
      for (let k = 0; k < extra.length; k++) extra[k]! += (c.extra?.[k] ?? 0) * c.score;
  }
  const mean = box.map((v) => v / total) as unknown as Box;
  return {
    box: mean,
    score: best.score,
    classId: best.classId,
    ...(extra === undefined ? {} : { extra: extra.map((v) => v / total) }),
  };
}
