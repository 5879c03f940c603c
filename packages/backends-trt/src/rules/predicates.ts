// Small predicates the TensorRT and DLA tables share: attribute reads with ONNX defaults, constness
// of inputs, spatial rank. They return true or a short detail of what the model has.

import type { ModelAttribute, ModelDim, ModelOp, ModelTensor, OpCondition, RuleSource } from '@edge/core';

/** A string attribute, or `fallback` when absent. */
export function str(op: ModelOp, name: string, fallback: string): string {
  const v = op.attributes[name];
  return typeof v === 'string' ? v : fallback;
}

/** An integer list attribute, or `fallback` when absent. */
export function ints(op: ModelOp, name: string, fallback: readonly number[] = []): readonly number[] {
  const v: ModelAttribute | undefined = op.attributes[name];
  return Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as readonly number[]) : fallback;
}

/** A number attribute, or `fallback` when absent. */
export function num(op: ModelOp, name: string, fallback: number): number {
  const v = op.attributes[name];
  return typeof v === 'number' ? v : fallback;
}

/** Rank of input `i`, or undefined when unknown. */
export function rank(t: ModelTensor | null | undefined): number | undefined {
  return t?.shape?.length;
}

/** True when every dim is a fixed number. */
export function isStatic(shape: readonly ModelDim[] | null | undefined): boolean {
  return !!shape && shape.every((d) => typeof d === 'number');
}

/** Condition: input `i` (when given) is a constant, i.e. an initializer or Constant output. */
export function constantInput(
  i: number,
  label: string,
  extra: Partial<OpCondition> & { source?: RuleSource } = {},
): OpCondition {
  return {
    description: `input ${label} is an initializer (constant)`,
    test: (op) => {
      const t = op.inputs[i];
      return !t || t.constant || `'${t.name}' is computed at run time`;
    },
    fix: 'fold it into a constant: edge convert --fold-constants (or export with constant folding)',
    ...extra,
  };
}

/** Condition: the op works on 2D or 3D spatial data (input rank 4 or 5). */
export function spatial2dOr3d(what: string, extra: Partial<OpCondition> = {}): OpCondition {
  return {
    description: `${what} is 2D or 3D (input rank 4 or 5)`,
    test: (op) => {
      const r = rank(op.inputs[0]);
      return r === undefined || r === 4 || r === 5 || `input rank is ${r}`;
    },
    ...extra,
  };
}

/** The spatial kernel shape of a Conv/ConvTranspose/pool: attribute, else weight dims. */
export function kernelShape(op: ModelOp): readonly number[] {
  const k = ints(op, 'kernel_shape');
  if (k.length) return k;
  const w = op.inputs[1]?.shape;
  return w && w.length > 2 ? w.slice(2).map((d) => (typeof d === 'number' ? d : 0)) : [];
}

/** Condition: every value of a list attribute (or derived list) is within [min, max]. */
export function within(
  description: string,
  values: (op: ModelOp) => readonly number[],
  min: number,
  max: number,
  extra: Partial<OpCondition> = {},
): OpCondition {
  return {
    description,
    test: (op) => {
      const bad = values(op).filter((v) => v < min || v > max);
      return bad.length === 0 || `found ${values(op).join('x')}`;
    },
    ...extra,
  };
}
