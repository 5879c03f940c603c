// Value propagation for the small integer tensors of shape computations (Shape -> Gather ->
// Unsqueeze -> Concat -> Reshape), so that Reshape, Resize, Slice and Expand see their targets.
// Data are JS numbers (int64 beyond 2^53 rounds, which only affects "to the end" sentinels) or
// symbols carried over from symbolic dims; arithmetic on a symbol gives null (unknown).

import { attrInt, attrTensor } from '../attributes.js';
import { DataType } from '../data-type.js';
import { broadcast, fail, intValues, isStatic, normalizeAxis } from './dims.js';
import { sliceAxis, sliceParameters } from './indexing.js';
import { reshapeTarget, shapeRange } from './tensor-ops.js';
import type { Dim, KnownValue, OpContext } from './types.js';

/** @internal Computes the values of a node's outputs from known input values. */
export type Evaluator = (ctx: OpContext) => KnownValue | undefined;

/** @internal Element types whose values are integers (bool included): division truncates. */
export const INTEGER: ReadonlySet<number> = new Set<number>([
  DataType.INT8,
  DataType.INT16,
  DataType.INT32,
  DataType.INT64,
  DataType.UINT8,
  DataType.UINT16,
  DataType.UINT32,
  DataType.UINT64,
  DataType.BOOL,
]);

function need(ctx: OpContext, i: number): KnownValue {
  return ctx.value(i) ?? fail(`value of input ${i} unknown`);
}

function strides(dims: readonly number[]): number[] {
  const s = dims.map(() => 1);
  for (let k = dims.length - 2; k >= 0; k--) s[k] = s[k + 1]! * dims[k + 1]!;
  return s;
}

/** Elementwise op over broadcast inputs; `f` sees only numbers, symbols and unknowns give null. */
function elementwise(
  elemType: (ctx: OpContext) => number,
  f: (...xs: number[]) => number | boolean,
): Evaluator {
  return (ctx) => {
    const vs = ctx.node.inputs.map((_, i) => need(ctx, i));
    const dims = broadcast(vs.map((v) => v.dims));
    if (!dims || !isStatic(dims)) return undefined;
    const count = dims.reduce((a, b) => a * b, 1);
    const outStrides = strides(dims);
    // Each input's stride along each output axis: 0 where it broadcasts (size 1 or missing).
    const inStrides = vs.map((v) => {
      const own = strides(v.dims);
      const offset = dims.length - v.dims.length;
      return dims.map((_, k) => (k < offset || v.dims[k - offset] === 1 ? 0 : own[k - offset]!));
    });
    const data: Dim[] = [];
    for (let e = 0; e < count; e++) {
      const args: number[] = [];
      for (let j = 0; j < vs.length; j++) {
        const v = vs[j]!;
        let at = 0;
        let rest = e;
        for (let k = 0; k < dims.length; k++) {
          const idx = Math.floor(rest / outStrides[k]!);
          rest -= idx * outStrides[k]!;
          at += idx * inStrides[j]![k]!;
        }
        const d = v.data[at];
        if (typeof d !== 'number') break;
        args.push(d);
      }
      const r = args.length === vs.length ? f(...args) : null;
      data.push(typeof r === 'boolean' ? Number(r) : r);
    }
    return { elemType: elemType(ctx), dims, data };
  };
}

const first = (ctx: OpContext) => need(ctx, 0).elemType;
const bool = () => DataType.BOOL;

// Integer division in onnxruntime truncates toward zero, like C.
const divide: Evaluator = (ctx) =>
  elementwise(first, INTEGER.has(need(ctx, 0).elemType) ? (a, b) => Math.trunc(a / b) : (a, b) => a / b)(ctx);

function shape(ctx: OpContext): KnownValue | undefined {
  const s = ctx.input(0).shape;
  if (!s) return undefined;
  const [start, end] = shapeRange(ctx, s.length);
  const data = s.slice(start, end);
  return { elemType: DataType.INT64, dims: [data.length], data };
}

function gather(ctx: OpContext): KnownValue | undefined {
  const x = need(ctx, 0);
  const indices = intValues(ctx, 1);
  const iv = need(ctx, 1);
  const axis = normalizeAxis(attrInt(ctx.node, 'axis', 0), x.dims.length);
  const outer = x.dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = x.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const n = x.dims[axis]!;
  const data: Dim[] = [];
  for (let o = 0; o < outer; o++) {
    for (let i of indices) {
      if (i < 0) i += n;
      if (i < 0 || i >= n) fail('Gather index out of range');
      for (let r = 0; r < inner; r++) data.push(x.data[(o * n + i) * inner + r]!);
    }
  }
  return {
    elemType: x.elemType,
    dims: [...x.dims.slice(0, axis), ...iv.dims, ...x.dims.slice(axis + 1)],
    data,
  };
}

/** Evaluators that only change dims: the data stay as they are. */
function reshaped(ctx: OpContext): KnownValue | undefined {
  const x = need(ctx, 0);
  const t = ctx.input(0).shape && ctx.outputShape();
  if (!t || !isStatic(t)) return undefined;
  return { elemType: x.elemType, dims: t, data: x.data };
}

function concat(ctx: OpContext): KnownValue | undefined {
  const vs = ctx.node.inputs.map((_, i) => need(ctx, i));
  const rank = vs[0]!.dims.length;
  const axis = normalizeAxis(attrInt(ctx.node, 'axis') ?? fail('axis'), rank);
  const outer = vs[0]!.dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const data: Dim[] = [];
  for (let o = 0; o < outer; o++) {
    for (const v of vs) {
      const block = v.dims.slice(axis).reduce((a, b) => a * b, 1);
      for (let k = 0; k < block; k++) data.push(v.data[o * block + k]!);
    }
  }
  const dims = [...vs[0]!.dims];
  dims[axis] = vs.reduce((a, v) => a + v.dims[axis]!, 0);
  return { elemType: vs[0]!.elemType, dims, data };
}

function cast(ctx: OpContext): KnownValue | undefined {
  const x = need(ctx, 0);
  const to = attrInt(ctx.node, 'to') ?? fail('to');
  const convert = (d: Dim): Dim => {
    if (typeof d !== 'number') return d;
    if (to === DataType.BOOL) return d === 0 ? 0 : 1;
    return INTEGER.has(to) ? Math.trunc(d) : d;
  };
  return { elemType: to, dims: x.dims, data: x.data.map(convert) };
}

function slice(ctx: OpContext): KnownValue | undefined {
  const x = need(ctx, 0);
  const p = sliceParameters(ctx, x.dims.length);
  if (!p) return undefined;
  const ranges = x.dims.map((d) => ({ first: 0, count: d, step: 1 }));
  p.axes.forEach((axis, j) => {
    const r = sliceAxis(x.dims[axis]!, p.starts[j]!, p.ends[j]!, p.steps[j]!);
    ranges[axis] = { ...r, step: p.steps[j]! };
  });
  const xStrides = strides(x.dims);
  const data: Dim[] = [];
  const visit = (k: number, base: number) => {
    if (k === ranges.length) {
      data.push(x.data[base]!);
      return;
    }
    const r = ranges[k]!;
    for (let i = 0; i < r.count; i++) visit(k + 1, base + (r.first + i * r.step) * xStrides[k]!);
  };
  visit(0, 0);
  return { elemType: x.elemType, dims: ranges.map((r) => r.count), data };
}

function constantOfShape(ctx: OpContext): KnownValue | undefined {
  const dims = intValues(ctx, 0);
  const t = attrTensor(ctx.node, 'value');
  const fill = t ? ctx.tensorValue(t)?.data[0] : 0;
  if (fill === undefined) return undefined;
  const count = dims.reduce((a, b) => a * b, 1);
  return { elemType: t?.dataType ?? DataType.FLOAT, dims, data: Array(count).fill(fill) };
}

function range(ctx: OpContext): KnownValue | undefined {
  const [start, limit, delta] = [0, 1, 2].map((i) => intValues(ctx, i)[0]!);
  if (delta === 0) fail('Range delta 0');
  const count = Math.max(Math.ceil((limit! - start!) / delta!), 0);
  return {
    elemType: need(ctx, 0).elemType,
    dims: [count],
    data: Array.from({ length: count }, (_, k) => start! + k * delta!),
  };
}

function size(ctx: OpContext): KnownValue | undefined {
  const s = ctx.input(0).shape;
  if (!s || !isStatic(s)) return undefined;
  return { elemType: DataType.INT64, dims: [], data: [s.reduce((a, b) => a * b, 1)] };
}

function identity(ctx: OpContext): KnownValue | undefined {
  return need(ctx, 0);
}

function reshapeValue(ctx: OpContext): KnownValue | undefined {
  const x = need(ctx, 0);
  const target = need(ctx, 1).data;
  const dims = reshapeTarget(x.dims, target, attrInt(ctx.node, 'allowzero', 0) === 1);
  if (!isStatic(dims)) return undefined;
  return { elemType: x.elemType, dims, data: x.data };
}

/** @internal Evaluators by op type (default domain). */
export const evaluators: Record<string, Evaluator> = {
  Shape: shape,
  Size: size,
  Gather: gather,
  Unsqueeze: reshaped,
  Squeeze: reshaped,
  Flatten: reshaped,
  Reshape: reshapeValue,
  Identity: identity,
  Concat: concat,
  Cast: cast,
  Slice: slice,
  ConstantOfShape: constantOfShape,
  Range: range,
  Add: elementwise(first, (a, b) => a + b),
  Sub: elementwise(first, (a, b) => a - b),
  Mul: elementwise(first, (a, b) => a * b),
  Div: divide,
  Neg: elementwise(first, (a) => -a),
  Max: elementwise(first, Math.max),
  Min: elementwise(first, Math.min),
  Equal: elementwise(bool, (a, b) => a === b),
  Less: elementwise(bool, (a, b) => a < b),
  Greater: elementwise(bool, (a, b) => a > b),
  Not: elementwise(bool, (a) => a === 0),
  Where: (ctx) =>
    elementwise(
      () => need(ctx, 1).elemType,
      (c, a, b) => (c ? a : b),
    )(ctx),
};
