// The tables this package gives @edge/check, as one explicit list: engines before the
// accelerators that fall back to them.

import type { RuleTable } from '@edge/core';
import { DLA_ORIN_RULES, DLA_XAVIER_RULES } from './rules/dla.js';
import { TRT_7_RULES, TRT_8_6_RULES, TRT_10_RULES } from './rules/tensorrt.js';

/** Every rule table of this package, for @edge/check: TensorRT 7, 8.6, 10, then DLA Xavier and Orin. */
export const ruleTables: readonly RuleTable[] = Object.freeze([
  TRT_7_RULES,
  TRT_8_6_RULES,
  TRT_10_RULES,
  DLA_XAVIER_RULES,
  DLA_ORIN_RULES,
]);
