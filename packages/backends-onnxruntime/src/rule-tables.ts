// The tables this package gives @edge/check, as one explicit list.

import type { RuleTable } from '@edge/core';
import { ORT_CPU_RULES } from './rules/ort-cpu.js';

/** Every rule table of this package, for @edge/check: ONNX Runtime's CPU provider. */
export const ruleTables: readonly RuleTable[] = Object.freeze([ORT_CPU_RULES]);
