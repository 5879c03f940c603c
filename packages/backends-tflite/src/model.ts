// The .tflite reader: TFLite's Model table and what hangs from it, decoded eagerly into plain
// objects (the files are small; the big part, constant data, stays in the input as views). The
// tables are read with the flatc-generated accessors (third_party/tflite) over a bounds-checked
// buffer; beyond the byte-level checks of that buffer, the reader checks the references between
// tables (operator code indices, tensor indices, buffer indices), so a consumer can index
// without guarding.

import { readFileSync } from 'node:fs';
import { checkString, FileIOError, invalidArgument } from '@edge/core';
import type { Table } from 'flatbuffers';
import { CheckedByteBuffer } from './checked-byte-buffer.js';
import { decodeOptions, type TfliteOptions } from './options.js';
import {
  BUILTIN_OPTIONS,
  BUILTIN_OPTIONS_2,
  builtinOperatorName,
  CUSTOM_CODE,
  TFLITE_FILE_IDENTIFIER,
  tensorTypeName,
} from './schema-names.js';
import {
  type Buffer,
  Model,
  type Operator,
  type OperatorCode,
  type QuantizationParameters,
  type SubGraph,
  type Tensor,
  type TensorMap,
} from './third_party/tflite/schema-generated.js';
/** Quantisation parameters of a tensor: `real = scale * (q - zeroPoint)`, per tensor or per axis. */
export interface TfliteQuantization {
  /** One scale per tensor, or one per slice along `quantizedDimension`. */
  scale: number[];
  /** Zero points, as many as `scale` (int64 in the file, exact up to 2^53). */
  zeroPoint: number[];
  /** The axis of per-axis quantisation (0 when per tensor). */
  quantizedDimension: number;
  /** Float range the converter recorded, when present. */
  min?: number[];
  /** Float range the converter recorded, when present. */
  max?: number[];
  /** True when the file carries a `CustomQuantization` instead of scale/zero point. */
  custom: boolean;
}

/** One tensor of a subgraph. */
export interface TfliteTensor {
  /** Index in its subgraph's `tensors`. */
  index: number;
  /** Name (for debugging; may be empty). */
  name: string;
  /** Static shape, NHWC for image tensors. */
  shape: number[];
  /** Shape with -1 for dynamic dimensions, when the converter recorded one. */
  shapeSignature?: number[];
  /** `TensorType` name: FLOAT32, INT8, UINT8, ... (`TYPE_<code>` when unknown). */
  type: string;
  /** `TensorType` code. */
  typeCode: number;
  /** Index into the model's `buffers`; 0 is the empty sentinel (no constant data). */
  buffer: number;
  /** Quantisation parameters, when the tensor has a scale. */
  quantization?: TfliteQuantization;
  /** True for a variable tensor (state of LSTM/RNN ops). */
  isVariable: boolean;
  /** True when the tensor carries sparsity parameters. */
  sparse: boolean;
  /** The file's `has_rank` flag (newer converters set it; `shape: []` without it may be unknown rank). */
  hasRank: boolean;
  /** Absolute byte offset of the tensor table. */
  offset: number;
}

/** One entry of the model's operator code table. */
export interface TfliteOperatorCode {
  /**
   * The effective builtin code: the larger of `builtin_code` and `deprecated_builtin_code`, the
   * rule TFLite's own reader applies (old files set only the int8 field, files with codes >= 127
   * set the int8 field to 127).
   */
  builtinCode: number;
  /** `BuiltinOperator` name, e.g. `CONV_2D`; `CUSTOM` for custom operators. */
  builtin: string;
  /** The custom operator's name, for `CUSTOM`. */
  customCode?: string;
  /** Operator version (1 when absent). */
  version: number;
  /** The raw int8 field of the file. */
  deprecatedBuiltinCode: number;
}

/** One operator of a subgraph, in execution order. */
export interface TfliteOperator {
  /** Index in its subgraph's `operators`. */
  index: number;
  /** Index into the model's `operatorCodes`. */
  opcodeIndex: number;
  /** What the operator is: the builtin name (`CONV_2D`) or, for a custom operator, its custom code. */
  opType: string;
  /** True for a custom operator. */
  custom: boolean;
  /** The operator's builtin code (32 = CUSTOM). */
  builtinCode: number;
  /** Operator version. */
  version: number;
  /** Input tensor indices; -1 marks an omitted optional input. */
  inputs: number[];
  /** Output tensor indices; -1 marks an omitted output. */
  outputs: number[];
  /** Tensors internal to the operator (e.g. LSTM intermediates). */
  intermediates: number[];
  /** Builtin options, when present. */
  options?: TfliteOptions;
  /** Name of the `BuiltinOptions2` member (StableHLO options), when present; kept raw. */
  options2?: { type: string; offset: number };
  /** Custom options bytes (a view of the input, usually a FlexBuffer). */
  customOptions?: Uint8Array;
  /** Custom options format (0 = FLEXBUFFERS). */
  customOptionsFormat: number;
  /** Absolute byte offset of the operator table. */
  offset: number;
}

/** A subgraph: its tensors, operators and interface. Subgraph 0 is the main model. */
export interface TfliteSubgraph {
  /** Name (may be empty). */
  name: string;
  /** Every tensor of the subgraph. */
  tensors: TfliteTensor[];
  /** Indices of the input tensors. */
  inputs: number[];
  /** Indices of the output tensors. */
  outputs: number[];
  /** Operators in execution order. */
  operators: TfliteOperator[];
}

/** A constant data buffer: where its bytes are in the file, and a view of them (no copy). */
export interface TfliteBuffer {
  /** Absolute byte offset of the data in the input (0 when empty). */
  offset: number;
  /** Length in bytes. */
  length: number;
  /** The bytes, a view of the input. */
  data: Uint8Array;
}

/** A named metadata entry, pointing at a buffer. */
export interface TfliteMetadata {
  /** Name, e.g. `min_runtime_version` or `TFLITE_METADATA`. */
  name: string;
  /** Index into `buffers`. */
  buffer: number;
}

/** A signature (named inputs and outputs of a subgraph). */
export interface TfliteSignature {
  /** Signature key, e.g. `serving_default`. */
  key: string;
  /** The subgraph it describes. */
  subgraphIndex: number;
  /** Named inputs. */
  inputs: { name: string; tensorIndex: number }[];
  /** Named outputs. */
  outputs: { name: string; tensorIndex: number }[];
}

/** A decoded .tflite model. */
export interface TfliteModel {
  /** Path or label of the input. */
  source: string;
  /** Size of the input in bytes. */
  byteLength: number;
  /** Schema version (3 for every current file). */
  version: number;
  /** Converter's description, e.g. `MLIR Converted.` */
  description: string;
  /** The operator code table. */
  operatorCodes: TfliteOperatorCode[];
  /** Subgraphs; the first is the main model. */
  subgraphs: TfliteSubgraph[];
  /** Constant data buffers; the first is the empty sentinel. */
  buffers: TfliteBuffer[];
  /** Metadata entries. */
  metadata: TfliteMetadata[];
  /** Signature definitions. */
  signatures: TfliteSignature[];
}

/** Options of {@link readTflite}. */
export interface ReadTfliteOptions {
  /** Name of the input in error messages (default `<bytes>`). */
  label?: string;
}

/** Reads `field` of the current table with `read`, naming it in any error. */
function get<T>(bb: CheckedByteBuffer, field: string, read: () => T): T {
  bb.field = field;
  return read();
}

/** A scalar vector as numbers: `length` and `at` are the generated `xLength()` and `x(i)`. */
function numbers(
  bb: CheckedByteBuffer,
  field: string,
  length: () => number,
  at: (i: number) => number | bigint | null,
): number[] {
  bb.field = field;
  const n = length();
  const out = new Array<number>(n);
  // int64 values become numbers: exact up to 2^53, beyond what any field we read holds legitimately.
  for (let i = 0; i < n; i++) out[i] = Number(at(i) ?? 0);
  return out;
}

const SNAKE = new Map<string, string>();

/** schema.fbs spelling of a generated accessor name: `shapeSignature` -> `shape_signature`. */
function snake(name: string): string {
  let out = SNAKE.get(name);
  if (out === undefined) {
    out = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    SNAKE.set(name, out);
  }
  return out;
}

/** Names of `T`'s vector accessors, the generated `x(i)` that has an `xLength()` beside it. */
type VectorName<T> = {
  [K in keyof T & string]: `${K}Length` extends keyof T
    ? T[K] extends (i: number) => unknown
      ? K
      : never
    : never;
}[keyof T & string];
/** The table type a generated vector-of-tables accessor returns. */
type Item<F> = F extends (...args: never[]) => infer V ? NonNullable<V> : never;

/**
 * The tables of vector `name` of `t` (the table at `path`), read with the generated `name(i)`
 * and `nameLength()` and each decoded by `decode` with its own field path; empty when absent.
 */
function tables<T, K extends VectorName<T>, R>(
  bb: CheckedByteBuffer,
  path: string,
  t: T,
  name: K,
  decode: (item: Item<T[K]>, index: number, path: string) => R,
): R[] {
  const field = snake(name);
  const at = t[name] as (i: number) => Item<T[K]>;
  bb.at(path, field);
  const n = (t[`${name}Length` as keyof T] as () => number).call(t);
  const out = new Array<R>(n);
  for (let i = 0; i < n; i++) {
    const item = `${field}[${i}]`;
    bb.at(path, item);
    const x = at.call(t, i);
    bb.at(`${path}.${item}`);
    out[i] = decode(x, i, `${path}.${item}`);
  }
  bb.at(path);
  return out;
}

/** The position of a union member's table, or undefined when absent (`read` is the generated accessor). */
function unionAt(read: (t: Table) => Table | null): number | undefined {
  return read({ bb: null, bb_pos: 0 } as unknown as Table)?.bb_pos;
}

function readOperatorCode(bb: CheckedByteBuffer, t: OperatorCode): TfliteOperatorCode {
  const deprecatedBuiltinCode = get(bb, 'deprecated_builtin_code', () => t.deprecatedBuiltinCode());
  const customCode = get(bb, 'custom_code', () => t.customCode());
  const version = get(bb, 'version', () => t.version());
  const builtinCode = Math.max(
    get(bb, 'builtin_code', () => t.builtinCode()),
    deprecatedBuiltinCode,
  );
  const code: TfliteOperatorCode = {
    builtinCode,
    builtin: builtinOperatorName(builtinCode),
    version,
    deprecatedBuiltinCode,
  };
  if (customCode !== null) code.customCode = customCode;
  return code;
}

function readQuantization(bb: CheckedByteBuffer, q: QuantizationParameters): TfliteQuantization | undefined {
  const scale = numbers(
    bb,
    'scale',
    () => q.scaleLength(),
    (i) => q.scale(i),
  );
  const zeroPoint = numbers(
    bb,
    'zero_point',
    () => q.zeroPointLength(),
    (i) => q.zeroPoint(i),
  );
  const custom = get(bb, 'details_type', () => q.detailsType()) !== 0;
  if (scale.length === 0 && !custom) return undefined;
  const out: TfliteQuantization = {
    scale,
    zeroPoint,
    quantizedDimension: get(bb, 'quantized_dimension', () => q.quantizedDimension()),
    custom,
  };
  const min = numbers(
    bb,
    'min',
    () => q.minLength(),
    (i) => q.min(i),
  );
  const max = numbers(
    bb,
    'max',
    () => q.maxLength(),
    (i) => q.max(i),
  );
  if (min.length > 0) out.min = min;
  if (max.length > 0) out.max = max;
  return out;
}

function readTensor(bb: CheckedByteBuffer, t: Tensor, index: number, path: string): TfliteTensor {
  const typeCode = get(bb, 'type', () => t.type());
  const tensor: TfliteTensor = {
    index,
    name: get(bb, 'name', () => t.name()) ?? '',
    shape: numbers(
      bb,
      'shape',
      () => t.shapeLength(),
      (i) => t.shape(i),
    ),
    type: tensorTypeName(typeCode),
    typeCode,
    buffer: get(bb, 'buffer', () => t.buffer()),
    isVariable: get(bb, 'is_variable', () => t.isVariable()),
    sparse: get(bb, 'sparsity', () => t.sparsity()) !== null,
    hasRank: get(bb, 'has_rank', () => t.hasRank()),
    offset: t.bb_pos,
  };
  const q = get(bb, 'quantization', () => t.quantization());
  if (q !== null) {
    bb.at(`${path}.quantization`);
    const quantization = readQuantization(bb, q);
    bb.at(path);
    if (quantization !== undefined) tensor.quantization = quantization;
  }
  const signature = numbers(
    bb,
    'shape_signature',
    () => t.shapeSignatureLength(),
    (i) => t.shapeSignature(i),
  );
  if (signature.length > 0) tensor.shapeSignature = signature;
  return tensor;
}

function readOperator(
  bb: CheckedByteBuffer,
  t: Operator,
  index: number,
  codes: TfliteOperatorCode[],
): TfliteOperator {
  const opcodeIndex = get(bb, 'opcode_index', () => t.opcodeIndex());
  const code = codes[opcodeIndex];
  if (code === undefined) {
    bb.fail(`opcode_index ${opcodeIndex} is outside the ${codes.length} operator codes`, t.bb_pos);
  }
  const custom = code.builtinCode === CUSTOM_CODE;
  const op: TfliteOperator = {
    index,
    opcodeIndex,
    opType: custom ? (code.customCode ?? 'CUSTOM') : code.builtin,
    custom,
    builtinCode: code.builtinCode,
    version: code.version,
    inputs: numbers(
      bb,
      'inputs',
      () => t.inputsLength(),
      (i) => t.inputs(i),
    ),
    outputs: numbers(
      bb,
      'outputs',
      () => t.outputsLength(),
      (i) => t.outputs(i),
    ),
    intermediates: numbers(
      bb,
      'intermediates',
      () => t.intermediatesLength(),
      (i) => t.intermediates(i),
    ),
    customOptionsFormat: get(bb, 'custom_options_format', () => t.customOptionsFormat()),
    offset: t.bb_pos,
  };
  const optionsType = get(bb, 'builtin_options_type', () => t.builtinOptionsType());
  if (optionsType !== 0) {
    const at = get(bb, 'builtin_options', () => unionAt((x) => t.builtinOptions(x)));
    if (at !== undefined) {
      const type = BUILTIN_OPTIONS[optionsType - 1] ?? `Options_${optionsType}`;
      op.options = decodeOptions(type, bb, at);
    }
  }
  const options2Type = get(bb, 'builtin_options_2_type', () => t.builtinOptions2Type());
  if (options2Type !== 0) {
    const at = get(bb, 'builtin_options_2', () => unionAt((x) => t.builtinOptions2(x)));
    if (at !== undefined) {
      op.options2 = { type: BUILTIN_OPTIONS_2[options2Type - 1] ?? `Options2_${options2Type}`, offset: at };
    }
  }
  // A [ubyte] vector: the generated typed-array view is checked by the buffer (see checked-byte-buffer.ts).
  const customOptions = get(bb, 'custom_options', () => t.customOptionsArray());
  if (customOptions !== null) op.customOptions = customOptions;
  return op;
}

/** Checks that every index in `list` (field `field` of the table at `path`) is below `count`. */
function checkIndices(
  bb: CheckedByteBuffer,
  at: number,
  path: string,
  field: string,
  list: number[],
  count: number,
  what: string,
  allowOmitted: boolean,
): void {
  for (let i = 0; i < list.length; i++) {
    const v = list[i]!;
    if ((v === -1 && allowOmitted) || (v >= 0 && v < count)) continue;
    bb.fail(`${what} index ${v} is outside the ${count} ${what}s`, at, `${path}.${field}[${i}]`);
  }
}

function readSubgraph(
  bb: CheckedByteBuffer,
  t: SubGraph,
  path: string,
  codes: TfliteOperatorCode[],
  bufferCount: number,
): TfliteSubgraph {
  const tensors = tables(bb, path, t, 'tensors', (x, i, p) => readTensor(bb, x, i, p));
  const operators = tables(bb, path, t, 'operators', (x, i) => readOperator(bb, x, i, codes));
  const sg: TfliteSubgraph = {
    name: get(bb, 'name', () => t.name()) ?? '',
    tensors,
    inputs: numbers(
      bb,
      'inputs',
      () => t.inputsLength(),
      (i) => t.inputs(i),
    ),
    outputs: numbers(
      bb,
      'outputs',
      () => t.outputsLength(),
      (i) => t.outputs(i),
    ),
    operators,
  };
  const n = tensors.length;
  checkIndices(bb, t.bb_pos, path, 'inputs', sg.inputs, n, 'tensor', false);
  checkIndices(bb, t.bb_pos, path, 'outputs', sg.outputs, n, 'tensor', false);
  for (const op of operators) {
    const opPath = `${path}.operators[${op.index}]`;
    checkIndices(bb, op.offset, opPath, 'inputs', op.inputs, n, 'tensor', true);
    checkIndices(bb, op.offset, opPath, 'outputs', op.outputs, n, 'tensor', true);
    checkIndices(bb, op.offset, opPath, 'intermediates', op.intermediates, n, 'tensor', false);
  }
  for (const tensor of tensors) {
    // A file without a buffers table (rare, hand-written) has nothing to point at: index 0 only.
    if (tensor.buffer !== 0 && tensor.buffer >= bufferCount) {
      bb.fail(
        `buffer index ${tensor.buffer} is outside the ${bufferCount} buffers`,
        tensor.offset,
        `${path}.tensors[${tensor.index}].buffer`,
      );
    }
  }
  return sg;
}

function readBuffer(bb: CheckedByteBuffer, t: Buffer): TfliteBuffer {
  // A [ubyte] vector: a view of the input, checked by the buffer (see checked-byte-buffer.ts).
  const data = get(bb, 'data', () => t.dataArray());
  if (data !== null) return { offset: data.byteOffset - bb.input.byteOffset, length: data.length, data };
  // Models over 2 GB keep buffers after the flatbuffer and record where (offset > 1 is valid).
  const offset = Number(get(bb, 'offset', () => t.offset()));
  const size = Number(get(bb, 'size', () => t.size()));
  if (offset > 1) {
    if (offset + size > bb.input.length) {
      bb.fail(
        `external buffer ${offset}+${size} runs past the end of the input`,
        t.bb_pos,
        `${bb.path}.offset`,
      );
    }
    return { offset, length: size, data: bb.input.subarray(offset, offset + size) };
  }
  return { offset: 0, length: 0, data: bb.input.subarray(0, 0) };
}

function readTensorMap(bb: CheckedByteBuffer, t: TensorMap): { name: string; tensorIndex: number } {
  return {
    name: get(bb, 'name', () => t.name()) ?? '',
    tensorIndex: get(bb, 'tensor_index', () => t.tensorIndex()),
  };
}

/**
 * Decodes a .tflite model (TFLite FlatBuffer, file identifier `TFL3`) from memory. Constant data
 * is not copied: each buffer's `data` is a view of `bytes`.
 *
 * @param bytes - The whole file.
 * @param options - `label`: the name used in error messages.
 * @returns The decoded model.
 * @throws {@link ArgumentError} when `bytes` is not a Uint8Array.
 * @throws {@link ModelParseError} when the bytes are not a valid .tflite file (with byte offset and field path).
 */
export function readTflite(bytes: Uint8Array, options: ReadTfliteOptions = {}): TfliteModel {
  if (!(bytes instanceof Uint8Array)) throw invalidArgument('bytes', bytes, 'Uint8Array');
  const label = options.label === undefined ? '<bytes>' : checkString('options.label', options.label);
  const bb = new CheckedByteBuffer(bytes, label);
  if (bytes.length < 8) bb.fail(`input of ${bytes.length} bytes is too short for a TFLite model`, 0);
  if (!Model.bufferHasIdentifier(bb)) {
    const id = String.fromCharCode(bytes[4]!, bytes[5]!, bytes[6]!, bytes[7]!);
    bb.fail(
      `not a TFLite model: file identifier is ${JSON.stringify(id)}, expected "${TFLITE_FILE_IDENTIFIER}"`,
      4,
    );
  }
  // Model.getRootAsModel reads the root offset unchecked (as a signed int): follow it checked.
  const m = new Model().__init(bb.__indirect(0), bb);
  const operatorCodes = tables(bb, 'Model', m, 'operatorCodes', (t) => readOperatorCode(bb, t));
  const buffers = tables(bb, 'Model', m, 'buffers', (t) => readBuffer(bb, t));
  const subgraphs = tables(bb, 'Model', m, 'subgraphs', (t, _, p) =>
    readSubgraph(bb, t, p, operatorCodes, Math.max(1, buffers.length)),
  );
  const metadata = tables(bb, 'Model', m, 'metadata', (t) => ({
    name: get(bb, 'name', () => t.name()) ?? '',
    buffer: get(bb, 'buffer', () => t.buffer()),
  }));
  metadata.forEach((md, i) => {
    if (md.buffer >= buffers.length) {
      bb.fail(
        `buffer index ${md.buffer} is outside the ${buffers.length} buffers`,
        m.bb_pos,
        `Model.metadata[${i}].buffer`,
      );
    }
  });
  const signatures = tables(bb, 'Model', m, 'signatureDefs', (t, _, p) => ({
    key: get(bb, 'signature_key', () => t.signatureKey()) ?? '',
    subgraphIndex: get(bb, 'subgraph_index', () => t.subgraphIndex()),
    inputs: tables(bb, p, t, 'inputs', (x) => readTensorMap(bb, x)),
    outputs: tables(bb, p, t, 'outputs', (x) => readTensorMap(bb, x)),
  }));
  if (subgraphs.length === 0) bb.fail('the model has no subgraph', m.bb_pos, 'Model.subgraphs');
  bb.at('Model');
  return {
    source: label,
    byteLength: bytes.length,
    version: get(bb, 'version', () => m.version()),
    description: get(bb, 'description', () => m.description()) ?? '',
    operatorCodes,
    subgraphs,
    buffers,
    metadata,
    signatures,
  };
}
/**
 * Reads and decodes a .tflite file. Errors name the file.
 *
 * @param path - Path of the file.
 * @returns The decoded model; buffer views share one in-memory copy of the file.
 * @throws {@link ArgumentError} when `path` is not a non-empty string.
 * @throws {@link FileIOError} when the file cannot be read.
 * @throws {@link ModelParseError} when it is not a valid .tflite file.
 */
export function readTfliteFile(path: string): TfliteModel {
  checkString('path', path, { nonEmpty: true });
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new FileIOError(`cannot read ${path}: ${(e as Error).message}`, path, { cause: e });
  }
  return readTflite(bytes, { label: path });
}
