// Accuracy on images the calibration never saw, beside accuracy on the calibration images: a
// recipe that only holds on the images it was calibrated on has learned those images, and the gap
// between the two figures says so.

import { checkInteger, checkNumber, formatTable } from '@edge/core';
import type { OnnxModel } from '@edge/onnx-parse';
import type { FeedSource } from './collect.js';
import { type CompareOptions, type ComparisonReport, compareModels } from './compare.js';
import { outputScore } from './sensitivity.js';

/** Options of {@link evaluateHeldOut}. */
export interface HeldOutOptions extends CompareOptions {
  /**
   * Largest drop of the first output's score (IoU of a map, top-1 agreement of class scores,
   * cosine otherwise) from the calibration images to the held-out ones before it is flagged as
   * over-fitting; default 0.02.
   */
  readonly maxGap?: number;
}

/** What {@link evaluateHeldOut} measured; plain data, ready for JSON. */
export interface HeldOutReport {
  readonly calibration: ComparisonReport;
  readonly heldOut: ComparisonReport;
  /** Score of the first output on each set. */
  readonly scores: { readonly calibration: number; readonly heldOut: number };
  /** `scores.calibration - scores.heldOut`. */
  readonly gap: number;
  /** True when `gap` is above `options.maxGap`. */
  readonly overfit: boolean;
  readonly maxGap: number;
}

/**
 * Compares `candidate` with `reference` on the calibration images and on held-out ones (layer
 * comparison off unless `options.layers` asks for it), and flags a gap between the two scores.
 *
 * @throws ArgumentError on bad options or models whose outputs differ.
 * @throws AbortedError when `options.signal` aborts.
 */
export async function evaluateHeldOut(
  reference: OnnxModel,
  candidate: OnnxModel,
  calibrationFeeds: FeedSource,
  heldOutFeeds: FeedSource,
  options: HeldOutOptions,
): Promise<HeldOutReport> {
  const maxGap = options.maxGap ?? 0.02;
  checkNumber('options.maxGap', maxGap, { min: 0, max: 1 });
  const run = { ...options, layers: options.layers ?? 0 };
  const calibration = await compareModels(reference, candidate, calibrationFeeds, run);
  const heldOut = await compareModels(reference, candidate, heldOutFeeds, run);
  const scores = {
    calibration: outputScore(calibration.outputs[0]!),
    heldOut: outputScore(heldOut.outputs[0]!),
  };
  const gap = scores.calibration - scores.heldOut;
  return { calibration, heldOut, scores, gap, overfit: gap > maxGap, maxGap };
}

const pct = (v: number | undefined) => (v === undefined ? '-' : `${(v * 100).toFixed(2)}%`);

/** The two sets side by side, one row per set and output, then the over-fitting verdict. */
export function formatHeldOut(report: HeldOutReport): string {
  const rows = [['set', 'images', 'output', 'cosine', 'top-1', 'top-1 confident', 'IoU', 'min IoU']];
  for (const [label, r] of [
    ['calibration', report.calibration],
    ['held out', report.heldOut],
  ] as const) {
    for (const o of r.outputs) {
      rows.push([
        label,
        String(r.samples),
        o.name,
        o.cosine.toFixed(6),
        pct(o.top1Agreement),
        o.confident ? `${pct(o.confident.top1Agreement)} of ${o.confident.rows}` : '-',
        o.iou === undefined ? '-' : o.iou.toFixed(4),
        o.minIou === undefined ? '-' : o.minIou.toFixed(4),
      ]);
    }
  }
  const { calibration, heldOut } = report.scores;
  const verdict = report.overfit
    ? `OVER-FITTING: the score drops by ${report.gap.toFixed(4)} from the calibration images (${calibration.toFixed(4)}) to the held-out ones (${heldOut.toFixed(4)}), more than ${report.maxGap}; calibrate on images more like the ones the model will see`
    : `no sign of over-fitting: score ${calibration.toFixed(4)} on the calibration images, ${heldOut.toFixed(4)} held out (largest drop allowed ${report.maxGap})`;
  return `${formatTable(rows, { right: (c) => c === 1 || c > 2 })}\n${verdict}`;
}

/**
 * A deterministic split of one list: every `every`-th item (the first, then every `every` after
 * it) is held out, the rest calibrates.
 *
 * @throws ArgumentError when `every` is not an integer of at least 2.
 */
export function splitHeldOut<T>(items: readonly T[], every = 5): { calibration: T[]; heldOut: T[] } {
  checkInteger('every', every, { min: 2 });
  return {
    calibration: items.filter((_, i) => i % every !== 0),
    heldOut: items.filter((_, i) => i % every === 0),
  };
}
