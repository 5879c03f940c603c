// Dimension arithmetic shared by the rules. Rules throw plain Errors for inputs they cannot
// handle; the engine turns any throw into "unknown" for that node only.

import { attrInts } from '../attributes.js';
import type { Dimension } from '../types.js';
import type { Dim, OpContext, ValueType } from './types.js';

/** Throws out of a rule: the node's outputs become unknown. */
export function fail(reason: string): never {
  throw new Error(reason);
}

/** A declared `Dimension` as a {@link Dim}. */
export function fromDimension(d: Dimension): Dim {
  if (d.value !== undefined && d.value >= 0) return d.value;
  if (d.param) return d.param;
  return null;
}

/** True when every dimension is a fixed number. */
export function isStatic(shape: readonly Dim[]): shape is number[] {
  return shape.every((d) => typeof d === 'number');
}

/**
 * Product of dims: a number when all are fixed, the symbol when exactly one is symbolic and the
 * rest are 1, otherwise null.
 */
export function product(dims: readonly Dim[]): Dim {
  let n = 1;
  let sym: string | undefined;
  let unknown = false;
  for (const d of dims) {
    if (typeof d === 'number') n *= d;
    else if (typeof d === 'string' && sym === undefined) sym = d;
    else unknown = true;
  }
  if (n === 0) return 0;
  if (unknown) return null;
  if (sym === undefined) return n;
  return n === 1 ? sym : null;
}

/** Multiplies a dim by a fixed factor; a symbol survives only a factor of 1. */
export function scaleDim(d: Dim, factor: number): Dim {
  if (typeof d === 'number') return d * factor;
  return factor === 1 ? d : null;
}

/** `axis` in [-rank, rank) made non-negative. */
export function normalizeAxis(axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank)
    fail(`axis ${axis} out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/** The dims of one broadcast position: fixed wins over symbols, one shared symbol survives. */
function broadcastDim(ds: readonly Dim[]): Dim {
  let fixed: number | undefined;
  let sym: string | undefined;
  let mixed = false;
  let unknown = false;
  for (const d of ds) {
    if (d === 1) continue;
    if (typeof d === 'number') {
      if (fixed !== undefined && fixed !== d) fail(`cannot broadcast ${fixed} with ${d}`);
      fixed = d;
    } else if (typeof d === 'string') {
      if (sym !== undefined && sym !== d) mixed = true;
      sym = d;
    } else {
      unknown = true;
    }
  }
  if (fixed !== undefined) return fixed;
  if (sym === undefined) return unknown ? null : 1;
  return mixed || unknown ? null : sym;
}

/** Numpy-style multidirectional broadcast; null (unknown rank) if any shape is. */
export function broadcast(shapes: readonly (Dim[] | null)[]): Dim[] | null {
  let rank = 0;
  for (const s of shapes) {
    if (s === null) return null;
    rank = Math.max(rank, s.length);
  }
  const out: Dim[] = [];
  for (let k = 0; k < rank; k++) {
    const ds: Dim[] = [];
    for (const s of shapes as Dim[][]) {
      const j = s.length - rank + k;
      if (j >= 0) ds.push(s[j]!);
    }
    out.push(broadcastDim(ds));
  }
  return out;
}

/** Prefers the more precise of two dims that describe the same tensor: fixed, then symbolic. */
export function mergeDim(a: Dim, b: Dim): Dim {
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  return a ?? b;
}

/** The given type with the same element type and an unknown shape. */
export function unknownShape(t: ValueType): ValueType {
  return { elemType: t.elemType, shape: null };
}

/**
 * Axes given as an attribute before `inputSince` and as input `inputIndex` from then on, as the
 * opset changes of Squeeze, Unsqueeze, Reduce* and Slice do. Undefined when not given; throws
 * when given as an input whose value is not known.
 */
export function axesArgument(
  ctx: OpContext,
  attr: string,
  inputIndex: number,
  inputSince: number,
): number[] | undefined {
  if (ctx.opset < inputSince) return attrInts(ctx.node, attr);
  if (!ctx.has(inputIndex)) return undefined;
  return intValues(ctx, inputIndex);
}

/** The known integer values of input `i`; throws when they are not all known numbers. */
export function intValues(ctx: OpContext, i: number): number[] {
  const v = ctx.value(i);
  if (!v) fail(`value of input ${i} is not known`);
  return v.data.map((d) => (typeof d === 'number' ? d : fail(`value of input ${i} is not fully known`)));
}
