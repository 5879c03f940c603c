// Reductions, ArgMax/ArgMin and TopK.

import { attrInt } from '../attributes.js';
import { DataType } from '../data-type.js';
import { axesArgument, fail, intValues, normalizeAxis, unknownShape } from './dims.js';
import type { Dim, OpContext, OpRule, ValueType } from './types.js';

// The opset from which each reduction takes its axes as an input instead of an attribute.
const REDUCTIONS: Record<string, number> = {
  ReduceSum: 13,
  ReduceMean: 18,
  ReduceMax: 18,
  ReduceMin: 18,
  ReduceProd: 18,
  ReduceL1: 18,
  ReduceL2: 18,
  ReduceLogSum: 18,
  ReduceLogSumExp: 18,
  ReduceSumSquare: 18,
};

function reduced(shape: Dim[], axes: number[], keepdims: boolean): Dim[] {
  const set = new Set(axes.map((a) => normalizeAxis(a, shape.length)));
  const out: Dim[] = [];
  shape.forEach((d, k) => {
    if (!set.has(k)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}

function reduce(inputSince: number) {
  return (ctx: OpContext): ValueType => {
    const x = ctx.input(0);
    const keepdims = attrInt(ctx.node, 'keepdims', 1) === 1;
    if (!x.shape) return x;
    if (ctx.opset >= inputSince && ctx.has(1) && !ctx.value(1)) {
      // Axes computed at run time: with keepdims the rank is still known.
      return keepdims ? { elemType: x.elemType, shape: x.shape.map(() => null) } : unknownShape(x);
    }
    let axes = axesArgument(ctx, 'axes', 1, inputSince);
    if (!axes || axes.length === 0) {
      if (attrInt(ctx.node, 'noop_with_empty_axes', 0)) return x;
      axes = x.shape.map((_, k) => k);
    }
    return { elemType: x.elemType, shape: reduced(x.shape, axes, keepdims) };
  };
}

function argReduce(ctx: OpContext): ValueType {
  const xs = ctx.shape(0);
  const axis = attrInt(ctx.node, 'axis', 0);
  const keepdims = attrInt(ctx.node, 'keepdims', 1) === 1;
  return { elemType: DataType.INT64, shape: reduced(xs, [axis], keepdims) };
}

function topK(ctx: OpContext): ValueType[] {
  const x = ctx.input(0);
  const xs = ctx.shape(0);
  const axis = normalizeAxis(attrInt(ctx.node, 'axis', -1), xs.length);
  let k: Dim = null;
  if (ctx.opset < 10) k = attrInt(ctx.node, 'k') ?? fail('TopK needs k');
  else if (ctx.value(1)) k = intValues(ctx, 1)[0] ?? null;
  const shape = xs.map((d, j) => (j === axis ? k : d));
  return [
    { elemType: x.elemType, shape },
    { elemType: DataType.INT64, shape },
  ];
}

/** Rules of the reduction family. */
export const reduceRules: Record<string, OpRule> = {
  ...Object.fromEntries(Object.entries(REDUCTIONS).map(([op, since]) => [op, reduce(since)])),
  ArgMax: argReduce,
  ArgMin: argReduce,
  TopK: topK,
};
