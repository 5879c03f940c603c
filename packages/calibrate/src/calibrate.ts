// The whole calibration job as one call: collect statistics over the feeds, then compute the
// range of every tensor, with one progress callback over both stages and one AbortSignal that is
// heard between two feeds and between two tensors (the entropy search costs milliseconds a tensor,
// so the loop yields to the event loop between tensors for a Ctrl-C to arrive).

import { AbortedError, checkOneOf } from '@edge/core';
import type { OnnxModel } from '@edge/onnx-parse';
import {
  type ActivationStatistics,
  type CollectOptions,
  collectStatistics,
  type FeedSource,
  type Progress,
} from './collect.js';
import { computeRange, RANGE_METHODS, type RangeMethod, type RangeParams } from './ranges.js';

/** Where {@link calibrate} stands: running feeds, then computing ranges. */
export interface CalibrationProgress extends Progress {
  /** `feeds` while the model runs over the feeds, `tensors` while the ranges are computed. */
  readonly stage: 'feeds' | 'tensors';
}

/** Options of {@link calibrate}. */
export interface CalibrateOptions extends Omit<CollectOptions, 'onProgress'> {
  /** Range method; default `percentile` (99.99), the one that held on held-out images (README). */
  readonly method?: RangeMethod;
  readonly params?: RangeParams;
  /** Called after each feed, then after each tensor's range. */
  readonly onProgress?: (progress: CalibrationProgress) => void;
}

/** What {@link calibrate} computed. */
export interface CalibrationResult {
  /** Threshold (amax) per tensor. */
  readonly ranges: Record<string, number>;
  readonly statistics: ActivationStatistics;
  /** Milliseconds spent computing ranges (the model runs are `statistics.elapsedMs`). */
  readonly rangesMs: number;
}

/**
 * Runs the FP32 model over the feeds ({@link collectStatistics}) and computes every tensor's
 * range by `options.method`. Progress counts feeds, then tensors; `options.signal` stops it
 * between two of either.
 *
 * @throws ArgumentError on an unknown method, bad parameters, or bad feeds (see collectStatistics).
 * @throws AbortedError when `options.signal` aborts.
 */
export async function calibrate(
  model: OnnxModel,
  feeds: FeedSource,
  options: CalibrateOptions,
): Promise<CalibrationResult> {
  const method = checkOneOf('options.method', options.method ?? 'percentile', RANGE_METHODS);
  const params = options.params ?? {};
  const { onProgress, signal } = options;
  const statistics = await collectStatistics(model, feeds, {
    ...options,
    onProgress: onProgress && ((p) => onProgress({ ...p, stage: 'feeds' })),
  });
  const start = performance.now();
  const ranges: Record<string, number> = {};
  const total = statistics.tensors.size;
  let done = 0;
  for (const [name, stats] of statistics.tensors) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (signal?.aborted) {
      throw new AbortedError(`${method} ranges were aborted after ${done} of ${total} tensors`, {
        cause: signal.reason,
      });
    }
    ranges[name] = computeRange(stats, method, params);
    done++;
    onProgress?.({ stage: 'tensors', done, total, elapsedMs: performance.now() - start });
  }
  return { ranges, statistics, rangesMs: performance.now() - start };
}
