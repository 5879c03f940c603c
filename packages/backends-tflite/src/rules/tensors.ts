// Small tensor predicates shared by the TFLite and Edge TPU rule tables.

import type { ModelGraph, ModelOp, ModelTensor } from '@edge/core';

/** The op's tensors that flow at run time (inputs that are not constants, and outputs). */
export function activations(op: ModelOp): ModelTensor[] {
  const out: ModelTensor[] = [];
  for (const t of op.inputs) if (t !== null && !t.constant) out.push(t);
  for (const t of op.outputs) out.push(t);
  return out;
}

/** Every tensor the op touches (omitted inputs skipped). */
export function tensorsOf(op: ModelOp): ModelTensor[] {
  const out: ModelTensor[] = [];
  for (const t of op.inputs) if (t !== null) out.push(t);
  for (const t of op.outputs) out.push(t);
  return out;
}

/** True for an int8/uint8 tensor with quantisation parameters. */
export function isQuantized8(t: ModelTensor): boolean {
  return (
    (t.dtype === 'int8' || t.dtype === 'uint8') &&
    t.quantization !== undefined &&
    t.quantization.scale.length > 0
  );
}

/** True when every dimension is a known non-negative number. */
export function isStatic(t: ModelTensor): boolean {
  if (t.shape === null) return false;
  return t.shape.every((d) => typeof d === 'number' && d >= 0);
}

/** Number of dimensions greater than 1 (unknown dimensions count as greater). */
export function significantDims(t: ModelTensor): number {
  if (t.shape === null) return Number.POSITIVE_INFINITY;
  return t.shape.filter((d) => typeof d !== 'number' || d > 1).length;
}

/** Element count of a static tensor, or undefined. */
export function elementCount(t: ModelTensor): number | undefined {
  if (!isStatic(t)) return undefined;
  return (t.shape as number[]).reduce((a, b) => a * b, 1);
}

/**
 * The values of the constant input `index`, with negative axes normalised against `rank` when
 * given; undefined when the input is absent, not constant, or too large to carry values.
 */
export function constantInput(op: ModelOp, index: number, rank?: number): number[] | undefined {
  const t = op.inputs[index];
  if (t === null || t === undefined || !t.constant || t.values === undefined) return undefined;
  const values = [...t.values];
  return rank === undefined ? values : values.map((v) => (v < 0 ? v + rank : v));
}

/** Rank of the op's first input, when known. */
export function inputRank(op: ModelOp): number | undefined {
  const s = op.inputs[0]?.shape;
  return s === null || s === undefined ? undefined : s.length;
}

const quantizedGraphs = new WeakMap<ModelGraph, boolean>();

/** True when at least one op of the graph produces an 8-bit quantised tensor (memoised per graph). */
export function graphIsQuantized(graph: ModelGraph): boolean {
  let q = quantizedGraphs.get(graph);
  if (q === undefined) {
    q = graph.ops.some((op) => op.outputs.some(isQuantized8));
    quantizedGraphs.set(graph, q);
  }
  return q;
}
