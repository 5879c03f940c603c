// Names of TensorFlow Lite's schema enums as plain tables, read off the flatc-generated enums
// (third_party/tflite, whose GENERATED.md names the schema's version), for error messages, rule
// tables and users who look codes up.

import {
  BuiltinOperator,
  BuiltinOptions,
  BuiltinOptions2,
  TensorType,
} from './third_party/tflite/schema-generated.js';

/** The FlatBuffers file identifier of a .tflite file (bytes 4..8), schema.fbs's `file_identifier`. */
export const TFLITE_FILE_IDENTIFIER = 'TFL3';

/** The member names of a generated numeric enum, indexed by value minus `first`. */
function namesOf(e: Record<string, string | number>, first: number): readonly string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(e))
    if (typeof value === 'number' && value >= first) out[value - first] = name;
  return Object.freeze(out);
}

/** TFLite `BuiltinOperator` names, indexed by their code (ADD = 0, ..., REDUCE_WINDOW = 205). */
export const BUILTIN_OPERATORS: readonly string[] = namesOf(BuiltinOperator, 0);

/** Names of the `BuiltinOptions` union members; the union type value is the index + 1 (0 = NONE). */
export const BUILTIN_OPTIONS: readonly string[] = namesOf(BuiltinOptions, 1);

/** Names of the `BuiltinOptions2` union members (StableHLO options); type value = index + 1. */
export const BUILTIN_OPTIONS_2: readonly string[] = namesOf(BuiltinOptions2, 1);

/** TFLite `TensorType` names, indexed by their code (FLOAT32 = 0 ... INT4 = 17). */
export const TENSOR_TYPES: readonly string[] = namesOf(TensorType, 0);

/** Code of the CUSTOM builtin: the operator is named by its `custom_code` string. */
export const CUSTOM_CODE: number = BuiltinOperator.CUSTOM;

/** Codes at or above this value do not fit the deprecated int8 `deprecated_builtin_code`. */
export const PLACEHOLDER_FOR_GREATER_OP_CODES: number = BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES;

/** The name of builtin operator `code`, or `BUILTIN_<code>` for a code the schema does not know (a newer file). */
export function builtinOperatorName(code: number): string {
  return BUILTIN_OPERATORS[code] ?? `BUILTIN_${code}`;
}

/** The code of builtin operator `name`, or undefined when the name is not in the schema. */
export function builtinOperatorCode(name: string): number | undefined {
  const i = BUILTIN_OPERATORS.indexOf(name);
  return i < 0 ? undefined : i;
}

/** The name of tensor type `code`, or `TYPE_<code>` when unknown. */
export function tensorTypeName(code: number): string {
  return TENSOR_TYPES[code] ?? `TYPE_${code}`;
}
