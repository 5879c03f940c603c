// Elementwise ops (unary, broadcasting binary and variadic), normalizations and (de)quantization:
// the output shape follows the inputs, only the element type changes for some.

import { attrInt } from '../attributes.js';
import { DataType } from '../data-type.js';
import { broadcast, fail, normalizeAxis } from './dims.js';
import type { OpContext, OpRule, ValueType } from './types.js';

function words(list: string): string[] {
  return list.trim().split(/\s+/);
}

const UNARY: readonly string[] = words(`
  Relu LeakyRelu Sigmoid HardSigmoid HardSwish Tanh Clip Elu Selu Celu ThresholdedRelu Softplus
  Softsign Mish Gelu Erf Exp Log Sqrt Abs Neg Reciprocal Identity Floor Ceil Round Sign Sin Cos
  Tan Asin Acos Atan Sinh Cosh Asinh Acosh Atanh Not BitwiseNot Softmax LogSoftmax Hardmax
  LpNormalization MeanVarianceNormalization InstanceNormalization LRN Shrink CumSum Trilu
`);

const BROADCAST: readonly string[] = words(`
  Add Sub Mul Div Pow Mod Max Min Mean Sum PRelu BitShift BitwiseAnd BitwiseOr BitwiseXor
`);

const COMPARE: readonly string[] = words(`
  Equal Less Greater LessOrEqual GreaterOrEqual And Or Xor
`);

function same(ctx: OpContext): ValueType {
  return ctx.input(0);
}

function inputShapes(ctx: OpContext) {
  const shapes = [];
  for (let i = 0; i < ctx.node.inputs.length; i++) if (ctx.has(i)) shapes.push(ctx.input(i).shape);
  return shapes;
}

function broadcasting(ctx: OpContext): ValueType {
  return { elemType: ctx.input(0).elemType, shape: broadcast(inputShapes(ctx)) };
}

function comparison(ctx: OpContext): ValueType {
  return { elemType: DataType.BOOL, shape: broadcast(inputShapes(ctx)) };
}

function where(ctx: OpContext): ValueType {
  return { elemType: ctx.input(1).elemType, shape: broadcast(inputShapes(ctx)) };
}

function dropout(ctx: OpContext): ValueType[] {
  const x = ctx.input(0);
  return [x, { elemType: DataType.BOOL, shape: x.shape }];
}

function cast(ctx: OpContext): ValueType {
  return { elemType: attrInt(ctx.node, 'to') ?? fail('Cast needs to'), shape: ctx.input(0).shape };
}

function castLike(ctx: OpContext): ValueType {
  return { elemType: ctx.input(1).elemType, shape: ctx.input(0).shape };
}

function booleanResult(ctx: OpContext): ValueType {
  return { elemType: DataType.BOOL, shape: ctx.input(0).shape };
}

// Outputs 1 and 2 exist only in training mode and hold the running statistics, one per channel.
function batchNormalization(ctx: OpContext): ValueType[] {
  const x = ctx.input(0);
  const stats: ValueType = { elemType: x.elemType, shape: x.shape ? [x.shape[1] ?? null] : null };
  return [x, stats, stats];
}

function layerNormalization(ctx: OpContext): ValueType[] {
  const x = ctx.input(0);
  const stash = attrInt(ctx.node, 'stash_type', DataType.FLOAT);
  if (!x.shape) return [x];
  const axis = normalizeAxis(attrInt(ctx.node, 'axis', -1), x.shape.length);
  const reduced = x.shape.map((d, k) => (k < axis ? d : 1));
  return [x, { elemType: stash, shape: reduced }, { elemType: stash, shape: reduced }];
}

function quantizeLinear(ctx: OpContext): ValueType {
  const x = ctx.input(0);
  const explicit = attrInt(ctx.node, 'output_dtype', 0);
  const elemType = explicit || (ctx.has(2) ? ctx.input(2).elemType : DataType.UINT8);
  return { elemType, shape: x.shape };
}

function dequantizeLinear(ctx: OpContext): ValueType {
  return { elemType: ctx.input(1).elemType, shape: ctx.input(0).shape };
}

/** Rules of the elementwise, normalization and quantization family. */
export const elementwiseRules: Record<string, OpRule> = {
  ...Object.fromEntries(UNARY.map((op) => [op, same])),
  ...Object.fromEntries(BROADCAST.map((op) => [op, broadcasting])),
  ...Object.fromEntries(COMPARE.map((op) => [op, comparison])),
  IsNaN: booleanResult,
  IsInf: booleanResult,
  Where: where,
  Dropout: dropout,
  Cast: cast,
  CastLike: castLike,
  BatchNormalization: batchNormalization,
  LayerNormalization: layerNormalization,
  QuantizeLinear: quantizeLinear,
  DequantizeLinear: dequantizeLinear,
};
