// Conv, ConvTranspose and the pools: the spatial output-size arithmetic of the ONNX spec.

import { attrInt, attrInts, attrString } from '../attributes.js';
import { DataType } from '../data-type.js';
import { fail } from './dims.js';
import type { Dim, OpContext, OpRule, ValueType } from './types.js';

interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Begin pads then end pads, as in the `pads` attribute. */
  pads: number[];
  autoPad: string;
}

function windowOf(ctx: OpContext, spatial: number, kernel: number[] | undefined): Window {
  const node = ctx.node;
  if (!kernel || kernel.length !== spatial) fail(`kernel_shape needs ${spatial} values`);
  const ones = kernel.map(() => 1);
  const strides = attrInts(node, 'strides', ones);
  const dilations = attrInts(node, 'dilations', ones);
  const pads = attrInts(node, 'pads', [...ones, ...ones].fill(0));
  if (strides.length !== spatial || dilations.length !== spatial || pads.length !== 2 * spatial) {
    fail('strides, dilations or pads do not match the spatial rank');
  }
  if (strides.some((s) => s < 1) || dilations.some((d) => d < 1)) fail('strides and dilations must be >= 1');
  return { kernel, strides, dilations, pads, autoPad: attrString(node, 'auto_pad', 'NOTSET') };
}

/**
 * Output size of a sliding window along one axis. A symbolic input size survives only when the
 * window maps each position to one output (stride 1 and "same" padding).
 */
function slidingSize(input: Dim, w: Window, k: number, ceilMode: boolean): Dim {
  const spatial = w.kernel.length;
  const stride = w.strides[k]!;
  const reach = (w.kernel[k]! - 1) * w.dilations[k]! + 1;
  if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') {
    if (typeof input === 'number') return Math.ceil(input / stride);
    return stride === 1 ? input : null;
  }
  const padded = w.autoPad === 'VALID' ? 0 : w.pads[k]! + w.pads[k + spatial]!;
  if (typeof input !== 'number') return stride === 1 && padded === reach - 1 ? input : null;
  const span = input + padded - reach;
  if (span < 0) fail(`window of ${reach} does not fit an input of ${input} (padded by ${padded})`);
  if (!ceilMode) return Math.floor(span / stride) + 1;
  let out = Math.ceil(span / stride) + 1;
  // The last window must start inside the input or the begin pad, as onnxruntime and PyTorch do.
  if ((out - 1) * stride >= input + (w.autoPad === 'VALID' ? 0 : w.pads[k]!)) out--;
  return out;
}

/** The shapes of X and W of a Conv or ConvTranspose (equal ranks of at least 3) and its kernel size. */
function convOperands(
  ctx: OpContext,
  op: string,
): { xs: Dim[]; ws: Dim[]; spatial: number; kernel: number[] } {
  const xs = ctx.shape(0);
  const ws = ctx.shape(1);
  if (xs.length < 3 || ws.length !== xs.length) fail(`${op} needs X and W of equal rank >= 3`);
  const kernel =
    attrInts(ctx.node, 'kernel_shape') ?? ws.slice(2).map((d) => (typeof d === 'number' ? d : -1));
  if (kernel.some((k) => k < 1)) fail('kernel size unknown');
  return { xs, ws, spatial: xs.length - 2, kernel };
}

function conv(ctx: OpContext): ValueType {
  const x = ctx.input(0);
  const { xs, ws, spatial, kernel } = convOperands(ctx, 'Conv');
  const w = windowOf(ctx, spatial, kernel);
  const out: Dim[] = [xs[0]!, ws[0]!];
  for (let k = 0; k < spatial; k++) out.push(slidingSize(xs[k + 2]!, w, k, false));
  return { elemType: x.elemType, shape: out };
}

function convTranspose(ctx: OpContext): ValueType {
  const x = ctx.input(0);
  const { xs, ws, spatial, kernel } = convOperands(ctx, 'ConvTranspose');
  const group = attrInt(ctx.node, 'group', 1);
  const m = ws[1]!;
  const channels = typeof m === 'number' ? m * group : group === 1 ? m : null;
  const w = windowOf(ctx, spatial, kernel);
  const outputShape = attrInts(ctx.node, 'output_shape');
  const outputPadding = attrInts(
    ctx.node,
    'output_padding',
    kernel.map(() => 0),
  );
  const out: Dim[] = [xs[0]!, channels];
  for (let k = 0; k < spatial; k++) {
    if (outputShape) {
      // Some exporters write the full N, C, spatial shape here; the spatial part is at the end.
      out.push(outputShape[outputShape.length - spatial + k] ?? fail('output_shape too short'));
      continue;
    }
    const input = xs[k + 2]!;
    const stride = w.strides[k]!;
    if (typeof input !== 'number') {
      out.push(null);
    } else if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') {
      out.push(input * stride);
    } else {
      const padded = w.autoPad === 'VALID' ? 0 : w.pads[k]! + w.pads[k + spatial]!;
      const reach = (kernel[k]! - 1) * w.dilations[k]! + 1;
      out.push(stride * (input - 1) + (outputPadding[k] ?? 0) + reach - padded);
    }
  }
  return { elemType: x.elemType, shape: out };
}

function pool(ctx: OpContext): ValueType[] {
  const x = ctx.input(0);
  const xs = ctx.shape(0);
  if (xs.length < 3) fail('pooling needs rank >= 3');
  const spatial = xs.length - 2;
  const w = windowOf(ctx, spatial, attrInts(ctx.node, 'kernel_shape'));
  const ceilMode = attrInt(ctx.node, 'ceil_mode', 0) === 1;
  const out: Dim[] = [xs[0]!, xs[1]!];
  for (let k = 0; k < spatial; k++) out.push(slidingSize(xs[k + 2]!, w, k, ceilMode));
  // MaxPool's optional second output holds flat indices of the maxima.
  return [
    { elemType: x.elemType, shape: out },
    { elemType: DataType.INT64, shape: out },
  ];
}

function globalPool(ctx: OpContext): ValueType {
  const x = ctx.input(0);
  const xs = ctx.shape(0);
  if (xs.length < 3) fail('global pooling needs rank >= 3');
  return { elemType: x.elemType, shape: [xs[0]!, xs[1]!, ...xs.slice(2).map(() => 1)] };
}

/** Rules of the convolution and pooling family. */
export const convRules: Record<string, OpRule> = {
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: pool,
  AveragePool: pool,
  LpPool: pool,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  GlobalLpPool: globalPool,
};
