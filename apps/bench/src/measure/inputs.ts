// The tensors each configuration feeds: the model's inputs with every free dimension fixed (by
// the caller's shapes), dimension 0 set to the configuration's batch, filled with deterministic
// noise so no engine can shortcut zeros.

import {
  ArgumentError,
  type DType,
  formatShape,
  type ModelDim,
  Tensor,
  type TensorInfo,
  type TensorMap,
  toFloat16Array,
  UnavailableError,
} from '@edge/core';
import { noise } from '../models/ppocr.js';

/** One input with every dimension known; dimension 0 is the batch. */
export interface InputPlan {
  readonly name: string;
  readonly dtype: DType;
  /** Dimensions at batch 1 (dimension 0 is replaced by each configuration's batch). */
  readonly dims: readonly number[];
  /** The model's fixed batch, or null when dimension 0 is free. */
  readonly fixedBatch: number | null;
}

/**
 * Fixes the shape of every input: `shapes[name]` where given (its dimension 0 is replaced by each
 * configuration's batch), else the model's own dimensions, which must then all be fixed beyond
 * dimension 0.
 *
 * @throws {@link ArgumentError} for a shape of an unknown input, of the wrong rank, that contradicts
 *   a fixed dimension, or an input with free dimensions and no shape.
 */
export function planInputs(
  inputs: readonly TensorInfo[],
  shapes: Readonly<Record<string, readonly number[]>> = {},
): InputPlan[] {
  for (const name of Object.keys(shapes))
    if (!inputs.some((i) => i.name === name))
      throw new ArgumentError(
        `shapes names input '${name}', which the model does not have (inputs: ${inputs.map((i) => `'${i.name}'`).join(', ')})`,
      );
  return inputs.map((info) => {
    const given = shapes[info.name];
    const own = info.shape;
    const fixedBatch = typeof own[0] === 'number' ? own[0] : null;
    if (given !== undefined) {
      if (given.length !== own.length || given.some((d, i) => i > 0 && !fits(own[i], d)))
        throw new ArgumentError(
          `shape [${given.join(',')}] for input '${info.name}' does not fit the model's ${formatShape(own)}`,
        );
      return { name: info.name, dtype: info.dtype, dims: [1, ...given.slice(1)], fixedBatch };
    }
    const free = own.slice(1).some((d) => typeof d !== 'number');
    if (free || own.length === 0)
      throw new ArgumentError(
        `input '${info.name}' has free dimensions ${formatShape(own)}: give its shape (edge bench --shape ${info.name}=1x3x640x640)`,
      );
    return { name: info.name, dtype: info.dtype, dims: [1, ...(own.slice(1) as number[])], fixedBatch };
  });
}

function fits(dim: ModelDim | undefined, value: number): boolean {
  return Number.isInteger(value) && value > 0 && (typeof dim !== 'number' || dim === value);
}

/**
 * Feeds for `batch` rows: noise in [-1, 1) for float inputs, in [0, 255] for uint8, zeros else.
 *
 * @throws {@link UnavailableError} when an input's batch is fixed to another size.
 */
export function feedsFor(plans: readonly InputPlan[], batch: number, seed = 1): TensorMap {
  const feeds: TensorMap = {};
  for (const p of plans) {
    if (p.fixedBatch !== null && p.fixedBatch !== batch)
      throw new UnavailableError(
        `input '${p.name}' has a fixed batch of ${p.fixedBatch}, so batch ${batch} cannot run (free it with edge convert --batch dynamic)`,
      );
    const shape = [batch, ...p.dims.slice(1)];
    const n = shape.reduce((a, b) => a * b, 1);
    feeds[p.name] = filled(p.dtype, shape, n, seed);
  }
  return feeds;
}

function filled(dtype: DType, shape: number[], n: number, seed: number): Tensor {
  switch (dtype) {
    case 'float32':
      return new Tensor('float32', shape, noise(n, seed));
    case 'float16':
      return new Tensor('float16', shape, toFloat16Array(noise(n, seed)));
    case 'uint8':
      return new Tensor(
        'uint8',
        shape,
        Uint8Array.from(noise(n, seed), (v) => Math.floor((v + 1) * 127.5)),
      );
    default:
      return Tensor.zeros(dtype, shape);
  }
}

/** The shapes of feeds, by input name, as a BenchConfig records them. */
export function shapesOf(feeds: Readonly<TensorMap>): Record<string, number[]> {
  return Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, [...t.shape]]));
}
