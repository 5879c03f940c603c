// The tables this package gives @edge/check, as one explicit list: the engine before the
// accelerator that falls back to it.

import type { RuleTable } from '@edge/core';
import { EDGETPU_RULES } from './rules/edgetpu.js';
import { TFLITE_RULES } from './rules/tflite.js';

/** Every rule table of this package, for @edge/check: stock TFLite, then the Edge TPU. */
export const ruleTables: readonly RuleTable[] = Object.freeze([TFLITE_RULES, EDGETPU_RULES]);
