// Resize (opset 10, 11, 13, 18 input layouts) and the older Upsample.

import { attrFloats, attrInts, attrString } from '../attributes.js';
import { fail, normalizeAxis } from './dims.js';
import type { Dim, OpContext, OpRule, ValueType } from './types.js';

function scaled(d: Dim, scale: number): Dim {
  if (typeof d === 'number') return Math.floor(d * scale);
  return scale === 1 ? d : null;
}

function numbers(ctx: OpContext, i: number): number[] | undefined {
  if (!ctx.has(i)) return undefined;
  const v = ctx.value(i);
  if (!v || v.data.some((d) => typeof d !== 'number')) return undefined;
  // Opset 11 writes an empty tensor for the one of scales/sizes that is not used.
  return v.data.length ? (v.data as number[]) : undefined;
}

function resize(ctx: OpContext): ValueType {
  const x = ctx.input(0);
  const xs = ctx.shape(0);
  const [scalesAt, sizesAt] = ctx.opset < 11 ? [1, -1] : [2, 3];
  const axes = (attrInts(ctx.node, 'axes') ?? xs.map((_, k) => k)).map((a) => normalizeAxis(a, xs.length));
  const sizes = sizesAt > 0 ? numbers(ctx, sizesAt) : undefined;
  const scales = numbers(ctx, scalesAt);
  const out = [...xs];
  if (sizes) {
    if (sizes.length !== axes.length) fail('sizes do not match the axes');
    const policy = attrString(ctx.node, 'keep_aspect_ratio_policy', 'stretch');
    if (policy === 'stretch') {
      axes.forEach((a, j) => {
        out[a] = sizes[j]!;
      });
    } else {
      // One scale for all axes, so the image keeps its aspect ratio inside (or around) the sizes.
      const ratios = axes.map(
        (a, j) => sizes[j]! / (typeof xs[a] === 'number' ? xs[a] : fail('unknown size')),
      );
      const s = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
      axes.forEach((a) => {
        out[a] = Math.round(s * (xs[a] as number));
      });
    }
  } else if (scales) {
    if (scales.length !== axes.length) fail('scales do not match the axes');
    axes.forEach((a, j) => {
      out[a] = scaled(xs[a]!, scales[j]!);
    });
  } else {
    return { elemType: x.elemType, shape: xs.map(() => null) };
  }
  return { elemType: x.elemType, shape: out };
}

function upsample(ctx: OpContext): ValueType {
  const x = ctx.input(0);
  const xs = ctx.shape(0);
  const scales = ctx.opset < 9 ? attrFloats(ctx.node, 'scales') : numbers(ctx, 1);
  if (!scales) return { elemType: x.elemType, shape: xs.map(() => null) };
  if (scales.length !== xs.length) fail('scales do not match the rank');
  return { elemType: x.elemType, shape: xs.map((d, k) => scaled(d, scales[k]!)) };
}

/** Rules of the resampling family. */
export const resizeRules: Record<string, OpRule> = {
  Resize: resize,
  Upsample: upsample,
};
