// The tables this package gives @edge/check, as explicit lists: engines before the accelerators
// that fall back to them, versions ascending; then the other names a user knows them by.

import type { RuleTable, RuleTableAlias } from '@edge/core';
import { DLA_RULES } from './rules/dla.js';
import { DLA_ALIASES, JETPACK_ALIASES } from './rules/jetpack.js';
import { TENSORRT_ALIASES, TENSORRT_RULES } from './rules/tensorrt.js';

/** Every rule table of this package, for @edge/check: each TensorRT release with a source, then DLA. */
export const ruleTables: readonly RuleTable[] = Object.freeze([...TENSORRT_RULES, ...DLA_RULES]);

/** Aliases for @edge/check: `trt-8` (newest 8.x), `dla-orin`, `jetpack-6.0` (its TensorRT and DLA). */
export const ruleTableAliases: readonly RuleTableAlias[] = Object.freeze([
  ...TENSORRT_ALIASES,
  ...DLA_ALIASES,
  ...JETPACK_ALIASES,
]);
