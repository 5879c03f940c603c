// Slice, Pad and Split, whose parameters moved from attributes to inputs over the opsets.

import { attrInt, attrInts } from '../attributes.js';
import { fail, intValues, normalizeAxis } from './dims.js';
import type { Dim, OpContext, OpRule, ValueType } from './types.js';

/**
 * First index and element count that Slice takes from an axis of size `dim`, with the spec's
 * clamping: negative bounds count from the end, and out-of-range bounds (INT64_MAX for "to the
 * end") clamp to the axis.
 */
export function sliceAxis(
  dim: number,
  start: number,
  end: number,
  step: number,
): { first: number; count: number } {
  if (step === 0) fail('Slice step 0');
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  if (step > 0) {
    start = Math.min(Math.max(start, 0), dim);
    end = Math.min(Math.max(end, 0), dim);
    return { first: start, count: Math.max(0, Math.ceil((end - start) / step)) };
  }
  start = Math.min(Math.max(start, -1), dim - 1);
  end = Math.min(Math.max(end, -1), dim - 1);
  return { first: start, count: Math.max(0, Math.ceil((start - end) / -step)) };
}

/** @internal Slice parameters, one entry per sliced axis (axes normalized), or undefined if not known. */
export function sliceParameters(
  ctx: OpContext,
  rank: number,
): { axes: number[]; starts: number[]; ends: number[]; steps: number[] } | undefined {
  let starts: number[];
  let ends: number[];
  let axes: number[] | undefined;
  let steps: number[] | undefined;
  if (ctx.opset < 10) {
    starts = attrInts(ctx.node, 'starts') ?? fail('Slice needs starts');
    ends = attrInts(ctx.node, 'ends') ?? fail('Slice needs ends');
    axes = attrInts(ctx.node, 'axes');
  } else {
    if (!ctx.value(1) || !ctx.value(2) || (ctx.has(3) && !ctx.value(3)) || (ctx.has(4) && !ctx.value(4))) {
      return undefined;
    }
    starts = intValues(ctx, 1);
    ends = intValues(ctx, 2);
    axes = ctx.has(3) ? intValues(ctx, 3) : undefined;
    steps = ctx.has(4) ? intValues(ctx, 4) : undefined;
  }
  axes = (axes ?? starts.map((_, k) => k)).map((a) => normalizeAxis(a, rank));
  steps ??= starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
    fail('Slice parameters differ in length');
  }
  return { axes, starts, ends, steps };
}

// Exporters write "to the end" as INT64_MAX or INT32_MAX; either keeps a symbolic dim whole.
const TO_END = 2 ** 31 - 1;

function slice(ctx: OpContext): ValueType {
  const x = ctx.input(0);
  const xs = ctx.shape(0);
  const p = sliceParameters(ctx, xs.length);
  if (!p) {
    // Bounds computed at run time: the sliced axes are unknown, when we know which they are.
    const axes =
      ctx.has(3) && ctx.value(3) ? intValues(ctx, 3).map((a) => normalizeAxis(a, xs.length)) : undefined;
    return { elemType: x.elemType, shape: xs.map((d, k) => (axes && !axes.includes(k) ? d : null)) };
  }
  const out = [...xs];
  p.axes.forEach((axis, j) => {
    const d = xs[axis]!;
    const [start, end, step] = [p.starts[j]!, p.ends[j]!, p.steps[j]!];
    if (typeof d === 'number') out[axis] = sliceAxis(d, start, end, step).count;
    else out[axis] = start === 0 && end >= TO_END && step === 1 ? d : null;
  });
  return { elemType: x.elemType, shape: out };
}

function pad(ctx: OpContext): ValueType {
  const x = ctx.input(0);
  const xs = ctx.shape(0);
  let pads: number[];
  let axes = xs.map((_, k) => k);
  if (ctx.opset < 11) {
    pads = attrInts(ctx.node, ctx.opset < 2 ? 'paddings' : 'pads') ?? fail('Pad needs pads');
  } else {
    if (!ctx.value(1)) return { elemType: x.elemType, shape: xs.map(() => null) };
    pads = intValues(ctx, 1);
    if (ctx.has(3)) axes = intValues(ctx, 3).map((a) => normalizeAxis(a, xs.length));
  }
  if (pads.length !== 2 * axes.length) fail('pads length does not match');
  const out = [...xs];
  axes.forEach((axis, j) => {
    const extra = pads[j]! + pads[j + axes.length]!;
    const d = xs[axis]!;
    out[axis] = typeof d === 'number' ? d + extra : extra === 0 ? d : null;
  });
  return { elemType: x.elemType, shape: out };
}

function split(ctx: OpContext): ValueType[] {
  const x = ctx.input(0);
  const xs = ctx.shape(0);
  const axis = normalizeAxis(attrInt(ctx.node, 'axis', 0), xs.length);
  const n = ctx.node.outputs.length;
  const d = xs[axis]!;
  let sizes: Dim[];
  if (ctx.opset < 13 && attrInts(ctx.node, 'split')) sizes = attrInts(ctx.node, 'split', []);
  else if (ctx.opset >= 13 && ctx.has(1)) sizes = ctx.value(1) ? intValues(ctx, 1) : Array(n).fill(null);
  else if (typeof d !== 'number') sizes = Array(n).fill(null);
  else if (attrInt(ctx.node, 'num_outputs') !== undefined) {
    // Opset 18: chunks of ceil(d / n), the last one smaller.
    const chunk = Math.ceil(d / n);
    sizes = Array.from({ length: n }, (_, k) => Math.max(0, Math.min(chunk, d - chunk * k)));
  } else {
    if (d % n !== 0) fail(`cannot split ${d} into ${n} equal parts`);
    sizes = Array(n).fill(d / n);
  }
  if (sizes.length !== n) fail('split sizes do not match the outputs');
  return sizes.map((s) => ({ elemType: x.elemType, shape: xs.map((dim, k) => (k === axis ? s : dim)) }));
}

/** Rules of the slicing family. */
export const indexingRules: Record<string, OpRule> = {
  Slice: slice,
  Pad: pad,
  Split: split,
};
