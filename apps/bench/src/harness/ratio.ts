// Building ratios between figures and baselines, and checking them against targets.

import type { Figure, Ratio, Target } from './types.js';

/** Whether `value` meets `target`. */
export function meets(value: number, target: Target): boolean {
  switch (target.op) {
    case '>=':
      return value >= target.value;
    case '>':
      return value > target.value;
    case '<=':
      return value <= target.value;
    case '<':
      return value < target.value;
  }
}

/** Options of {@link ratio}. */
export interface RatioOptions {
  /** Default `x`; `%` multiplies the quotient by 100. */
  unit?: 'x' | '%';
  target?: Target;
  /** Default: the numerator's group. */
  group?: string;
}

/** `numerator.value / denominator.value` as a {@link Ratio}, checked against `target` if given. */
export function ratio(
  name: string,
  numerator: Figure,
  denominator: Figure,
  options: RatioOptions = {},
): Ratio {
  const unit = options.unit ?? 'x';
  const value = (numerator.value / denominator.value) * (unit === '%' ? 100 : 1);
  const out: Ratio = { name, value, unit, numerator: numerator.name, denominator: denominator.name };
  const group = options.group ?? numerator.group;
  if (group !== undefined) out.group = group;
  if (options.target) {
    out.target = options.target;
    out.pass = Number.isFinite(value) && meets(value, options.target);
  }
  return out;
}
