// Gemm and MatMul.

import { attrInt } from '../attributes.js';
import { DataType } from '../data-type.js';
import { broadcast, fail } from './dims.js';
import type { Dim, OpContext, OpRule, ValueType } from './types.js';

function gemm(ctx: OpContext): ValueType {
  const a = ctx.shape(0);
  const b = ctx.shape(1);
  if (a.length !== 2 || b.length !== 2) fail('Gemm needs 2-D A and B');
  const m = attrInt(ctx.node, 'transA', 0) ? a[1]! : a[0]!;
  const n = attrInt(ctx.node, 'transB', 0) ? b[0]! : b[1]!;
  return { elemType: ctx.input(0).elemType, shape: [m, n] };
}

// numpy.matmul: a 1-D operand gains a unit dimension that is dropped again from the result.
function matmul(ctx: OpContext): ValueType {
  const a = ctx.shape(0);
  const b = ctx.shape(1);
  if (a.length === 0 || b.length === 0) fail('MatMul does not take scalars');
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const batch = broadcast([a2.slice(0, -2), b2.slice(0, -2)])!;
  const out: Dim[] = [...batch];
  if (a.length > 1) out.push(a2[a2.length - 2]!);
  if (b.length > 1) out.push(b2[b2.length - 1]!);
  return { elemType: ctx.input(0).elemType, shape: out };
}

/** Rules of the matrix-product family. */
export const linalgRules: Record<string, OpRule> = {
  Gemm: gemm,
  MatMul: matmul,
  MatMulInteger: (ctx) => ({ ...matmul(ctx), elemType: DataType.INT32 }),
};
