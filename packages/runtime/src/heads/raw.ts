// The raw head: any model's outputs as they come, with their shape, type and summary statistics.
// It fits every model, so `model.infer` falls back to it when no task head does, and says why
// each of the others did not fit.

import type { DType, Tensor, TensorMap } from '@edge/core';
import type { Head, TaskName } from './head.js';
import { fit } from './outline.js';
import { floatValues } from './values.js';

/** Settings of the raw head (none yet). */
export type RawConfig = Record<string, never>;

/** One output tensor, summarised. Statistics are over its finite values (NaN when it has none). */
export interface OutputSummary {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** Population standard deviation. */
  readonly std: number;
  /** Values that are NaN or infinite. */
  readonly nonFinite: number;
}

/** A head that was tried on the model and why it did not fit. */
export interface HeadTried {
  readonly task: Exclude<TaskName, 'raw'>;
  readonly reason: string;
}

/** The outputs of one image, summarised, with the tensors themselves. */
export interface RawResult {
  readonly task: 'raw';
  readonly outputs: readonly OutputSummary[];
  /** The output tensors by name, as the engine returned them. */
  readonly tensors: Readonly<TensorMap>;
  /** When `model.infer` chose this head itself: every task head tried, each with why it did not fit. */
  readonly tried?: readonly HeadTried[];
  /** The same in one sentence, for people. */
  readonly note?: string;
}

/** Shape, dtype, min, max, mean, std and the count of non-finite values of a tensor. */
export function summarizeOutput(name: string, t: Tensor): OutputSummary {
  const v = floatValues(t);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let n = 0;
  for (const x of v) {
    if (!Number.isFinite(x)) continue;
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
    n++;
  }
  const mean = n === 0 ? Number.NaN : sum / n;
  let sq = 0;
  for (const x of v) if (Number.isFinite(x)) sq += (x - mean) * (x - mean);
  return {
    name,
    dtype: t.dtype,
    shape: [...t.shape],
    min: n === 0 ? Number.NaN : min,
    max: n === 0 ? Number.NaN : max,
    mean,
    std: n === 0 ? Number.NaN : Math.sqrt(sq / n),
    nonFinite: v.length - n,
  };
}

/** Every output of one image, summarised; the tensors are returned as they are. */
export function decodeRaw(outputs: Readonly<TensorMap>): RawResult {
  return {
    task: 'raw',
    outputs: Object.entries(outputs).map(([name, t]) => summarizeOutput(name, t)),
    tensors: outputs,
  };
}

/** The raw head: fits any model; the outputs summarised, the tensors kept. */
export const rawHead: Head<RawConfig, RawResult> = {
  task: 'raw',
  defaults: {},
  fits: () => fit(),
  decode: decodeRaw,
};
