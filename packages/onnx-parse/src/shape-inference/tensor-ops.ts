// Ops that rearrange or describe tensors: Shape, Reshape, Flatten, Squeeze/Unsqueeze, Transpose,
// Concat, Gather, Expand, Tile, ConstantOfShape, Range, Constant, DepthToSpace/SpaceToDepth.

import { attrInt, attrInts, attrTensor, findAttribute } from '../attributes.js';
import { DataType } from '../data-type.js';
import {
  axesArgument,
  broadcast,
  fail,
  intValues,
  mergeDim,
  normalizeAxis,
  product,
  scaleDim,
} from './dims.js';
import type { Dim, OpContext, OpRule, ValueType } from './types.js';

/** `start`/`end` of Shape (opset 15) resolved against the rank. */
export function shapeRange(ctx: OpContext, rank: number): [number, number] {
  const clampAxis = (a: number) => Math.min(Math.max(a < 0 ? a + rank : a, 0), rank);
  return [clampAxis(attrInt(ctx.node, 'start', 0)), clampAxis(attrInt(ctx.node, 'end', rank))];
}

function shape(ctx: OpContext): ValueType {
  const x = ctx.input(0);
  if (!x.shape) return { elemType: DataType.INT64, shape: [null] };
  const [start, end] = shapeRange(ctx, x.shape.length);
  return { elemType: DataType.INT64, shape: [Math.max(end - start, 0)] };
}

/**
 * The output shape of Reshape. `0` copies the input dim (unless `allowzero`), and `-1` is solved
 * from the element count; symbols on both sides cancel, so [N, 3, 4] -> [N, -1] gives [N, 12].
 */
export function reshapeTarget(input: Dim[] | null, target: Dim[], allowzero: boolean): Dim[] {
  const out: Dim[] = target.map((t, k) => {
    if (t === 0 && !allowzero)
      return input ? (input[k] ?? fail('Reshape copies a dim the input lacks')) : null;
    if (typeof t === 'number' && t < -1) fail(`Reshape target ${t}`);
    return t;
  });
  const free = out.indexOf(-1);
  if (free < 0) return out;
  if (out.indexOf(-1, free + 1) >= 0) fail('Reshape with two -1');
  if (!input) {
    out[free] = null;
    return out;
  }
  let fixed = 1;
  let unknown = false;
  const symbols: string[] = [];
  for (const d of input) {
    if (typeof d === 'number') fixed *= d;
    else if (typeof d === 'string') symbols.push(d);
    else unknown = true;
  }
  let divisor = 1;
  out.forEach((d, k) => {
    if (k === free) return;
    if (typeof d === 'number') divisor *= d;
    else {
      const at = typeof d === 'string' ? symbols.indexOf(d) : -1;
      if (at >= 0) symbols.splice(at, 1);
      else unknown = true;
    }
  });
  if (unknown || divisor === 0 || fixed % divisor !== 0) out[free] = null;
  else if (symbols.length === 0) out[free] = fixed / divisor;
  else out[free] = symbols.length === 1 && fixed === divisor ? symbols[0]! : null;
  return out;
}

function reshape(ctx: OpContext): ValueType {
  const x = ctx.input(0);
  const allowzero = attrInt(ctx.node, 'allowzero', 0) === 1;
  let target: Dim[] | undefined;
  if (ctx.opset < 5) target = attrInts(ctx.node, 'shape') ?? fail('Reshape needs shape');
  else target = ctx.value(1)?.data;
  if (!target) {
    const ts = ctx.shape(1);
    const rank = ts[0];
    return { elemType: x.elemType, shape: typeof rank === 'number' ? Array(rank).fill(null) : null };
  }
  return { elemType: x.elemType, shape: reshapeTarget(x.shape, target, allowzero) };
}

function flatten(ctx: OpContext): ValueType {
  const xs = ctx.shape(0);
  let axis = attrInt(ctx.node, 'axis', 1);
  if (axis < -xs.length || axis > xs.length) fail(`Flatten axis ${axis}`);
  if (axis < 0) axis += xs.length;
  return { elemType: ctx.input(0).elemType, shape: [product(xs.slice(0, axis)), product(xs.slice(axis))] };
}

function squeeze(ctx: OpContext): ValueType {
  const xs = ctx.shape(0);
  const axes = axesArgument(ctx, 'axes', 1, 13);
  let keep: (d: Dim, k: number) => boolean;
  if (axes?.length) {
    const set = new Set(axes.map((a) => normalizeAxis(a, xs.length)));
    for (const a of set)
      if (typeof xs[a] === 'number' && xs[a] !== 1) fail(`cannot squeeze dim ${a} of ${xs[a]}`);
    keep = (_, k) => !set.has(k);
  } else {
    // A symbolic or unknown dim may or may not be 1, so the rank is unknown.
    if (xs.some((d) => typeof d !== 'number')) return { elemType: ctx.input(0).elemType, shape: null };
    keep = (d) => d !== 1;
  }
  return { elemType: ctx.input(0).elemType, shape: xs.filter(keep) };
}

function unsqueeze(ctx: OpContext): ValueType {
  const xs = ctx.shape(0);
  const axes = axesArgument(ctx, 'axes', 1, 13) ?? fail('Unsqueeze needs axes');
  const rank = xs.length + axes.length;
  const set = new Set(axes.map((a) => normalizeAxis(a, rank)));
  if (set.size !== axes.length) fail('Unsqueeze axes repeat');
  const out: Dim[] = [];
  let j = 0;
  for (let k = 0; k < rank; k++) out.push(set.has(k) ? 1 : xs[j++]!);
  return { elemType: ctx.input(0).elemType, shape: out };
}

function transpose(ctx: OpContext): ValueType {
  const xs = ctx.shape(0);
  const perm = attrInts(ctx.node, 'perm') ?? xs.map((_, k) => xs.length - 1 - k);
  if (perm.length !== xs.length || new Set(perm).size !== perm.length) fail('bad perm');
  return { elemType: ctx.input(0).elemType, shape: perm.map((p) => xs[normalizeAxis(p, xs.length)]!) };
}

function concat(ctx: OpContext): ValueType {
  const shapes: Dim[][] = [];
  for (let i = 0; i < ctx.node.inputs.length; i++) if (ctx.has(i)) shapes.push(ctx.shape(i));
  const first = shapes[0] ?? fail('Concat without inputs');
  const axis = normalizeAxis(attrInt(ctx.node, 'axis') ?? fail('Concat needs axis'), first.length);
  const out = first.map((_, k) => {
    if (k !== axis) return shapes.reduce<Dim>((acc, s) => mergeDim(acc, s[k] ?? null), null);
    const parts = shapes.map((s) => s[k] ?? null).filter((d) => d !== 0);
    if (parts.length === 1) return parts[0]!;
    return parts.every((d) => typeof d === 'number') ? (parts as number[]).reduce((a, b) => a + b, 0) : null;
  });
  if (shapes.some((s) => s.length !== first.length)) fail('Concat inputs differ in rank');
  return { elemType: ctx.input(0).elemType, shape: out };
}

function gather(ctx: OpContext): ValueType {
  const xs = ctx.shape(0);
  const is = ctx.shape(1);
  const axis = normalizeAxis(attrInt(ctx.node, 'axis', 0), xs.length);
  return { elemType: ctx.input(0).elemType, shape: [...xs.slice(0, axis), ...is, ...xs.slice(axis + 1)] };
}

function gatherElements(ctx: OpContext): ValueType {
  return { elemType: ctx.input(0).elemType, shape: ctx.input(1).shape };
}

/** The value of a 1-D shape input, or as many unknowns as its length when the value is not known. */
function shapeArgument(ctx: OpContext, i: number): Dim[] | null {
  const v = ctx.value(i);
  if (v) return v.data;
  const len = ctx.shape(i)[0];
  return typeof len === 'number' ? Array(len).fill(null) : null;
}

function expand(ctx: OpContext): ValueType {
  const x = ctx.input(0);
  return { elemType: x.elemType, shape: broadcast([x.shape, shapeArgument(ctx, 1)]) };
}

function tile(ctx: OpContext): ValueType {
  const xs = ctx.shape(0);
  if (!ctx.value(1)) return { elemType: ctx.input(0).elemType, shape: xs.map(() => null) };
  const repeats = intValues(ctx, 1);
  if (repeats.length !== xs.length) fail('Tile repeats do not match the rank');
  return { elemType: ctx.input(0).elemType, shape: xs.map((d, k) => scaleDim(d, repeats[k]!)) };
}

function constantOfShape(ctx: OpContext): ValueType {
  const elemType = attrTensor(ctx.node, 'value')?.dataType ?? DataType.FLOAT;
  return { elemType, shape: shapeArgument(ctx, 0) };
}

function range(ctx: OpContext): ValueType {
  const elemType = ctx.input(0).elemType;
  const [start, limit, delta] = [0, 1, 2].map((i) => ctx.value(i)?.data[0]);
  if (typeof start !== 'number' || typeof limit !== 'number' || typeof delta !== 'number' || delta === 0) {
    return { elemType, shape: [null] };
  }
  return { elemType, shape: [Math.max(Math.ceil((limit - start) / delta), 0)] };
}

function constant(ctx: OpContext): ValueType {
  const t = ctx.constant(ctx.node.outputs[0] ?? '');
  if (t) return { elemType: t.dataType, shape: t.dims };
  const sparse = findAttribute(ctx.node, 'sparse_value')?.sparseTensor;
  if (sparse)
    return {
      elemType: sparse.values?.dataType ?? fail('sparse constant without values'),
      shape: sparse.dims,
    };
  const strings = findAttribute(ctx.node, 'value_strings');
  if (strings) return { elemType: DataType.STRING, shape: [strings.strings.length] };
  if (findAttribute(ctx.node, 'value_string')) return { elemType: DataType.STRING, shape: [] };
  fail('Constant without value');
}

function blockSize(ctx: OpContext): [Dim[], number] {
  const xs = ctx.shape(0);
  if (xs.length !== 4) fail('DepthToSpace/SpaceToDepth need rank 4');
  const b = attrInt(ctx.node, 'blocksize') ?? fail('blocksize missing');
  if (b < 1) fail('blocksize < 1');
  return [xs, b];
}

function depthToSpace(ctx: OpContext): ValueType {
  const [[n, c, h, w], b] = blockSize(ctx);
  const channels = typeof c === 'number' ? c / (b * b) : b === 1 ? c! : null;
  if (typeof channels === 'number' && !Number.isInteger(channels))
    fail('channels not divisible by blocksize^2');
  return { elemType: ctx.input(0).elemType, shape: [n!, channels, scaleDim(h!, b), scaleDim(w!, b)] };
}

function spaceToDepth(ctx: OpContext): ValueType {
  const [[n, c, h, w], b] = blockSize(ctx);
  const down = (d: Dim): Dim => (typeof d === 'number' ? d / b : b === 1 ? d : null);
  return { elemType: ctx.input(0).elemType, shape: [n!, scaleDim(c!, b * b), down(h!), down(w!)] };
}

/** Rules of the tensor-rearranging family. */
export const tensorRules: Record<string, OpRule> = {
  Shape: shape,
  Size: () => ({ elemType: DataType.INT64, shape: [] }),
  Reshape: reshape,
  Flatten: flatten,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Transpose: transpose,
  Concat: concat,
  Gather: gather,
  GatherElements: gatherElements,
  Expand: expand,
  Tile: tile,
  ConstantOfShape: constantOfShape,
  Range: range,
  Constant: constant,
  DepthToSpace: depthToSpace,
  SpaceToDepth: spaceToDepth,
};
