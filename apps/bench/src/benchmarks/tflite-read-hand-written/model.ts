// The hand-written .tflite reader that @edge/backends-tflite had before it moved onto the
// flatc-generated code, kept here only as the baseline of the tflite-read benchmark. The
// .tflite reader: TFLite's Model table and what hangs from it, decoded eagerly into plain
// objects (the files are small; the big part, constant data, stays in the input as views). Beyond
// the byte-level checks of the decoder, it checks the references between tables (operator code
// indices, tensor indices, buffer indices), so a consumer can index without guarding.

import { readFileSync } from 'node:fs';
import { checkString, FileIOError, invalidArgument } from '@edge/core';
import { FlatReader, type FlatTable } from './flatbuffers.js';
import { builtinOptionsName, decodeOptions, type TfliteOptions } from './options.js';
import {
  BUILTIN_OPTIONS_2,
  builtinOperatorName,
  CUSTOM_CODE,
  TFLITE_FILE_IDENTIFIER,
  tensorTypeName,
} from './schema-names.js';

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

function readOperatorCode(t: FlatTable): TfliteOperatorCode {
  const deprecatedBuiltinCode = t.i8(0, 'deprecated_builtin_code');
  const customCode = t.string(1, 'custom_code');
  const version = t.i32(2, 'version', 1);
  const builtinCode = Math.max(t.i32(3, 'builtin_code'), deprecatedBuiltinCode);
  const code: TfliteOperatorCode = {
    builtinCode,
    builtin: builtinOperatorName(builtinCode),
    version,
    deprecatedBuiltinCode,
  };
  if (customCode !== undefined) code.customCode = customCode;
  return code;
}

function readQuantization(t: FlatTable): TfliteQuantization | undefined {
  const scale = t.numbers(2, 'scale', 'f32') ?? [];
  const zeroPoint = t.numbers(3, 'zero_point', 'i64') ?? [];
  const custom = t.u8(4, 'details_type') !== 0;
  if (scale.length === 0 && !custom) return undefined;
  const q: TfliteQuantization = {
    scale,
    zeroPoint,
    quantizedDimension: t.i32(6, 'quantized_dimension'),
    custom,
  };
  const min = t.numbers(0, 'min', 'f32');
  const max = t.numbers(1, 'max', 'f32');
  if (min !== undefined) q.min = min;
  if (max !== undefined) q.max = max;
  return q;
}

function readTensor(t: FlatTable, index: number): TfliteTensor {
  const typeCode = t.i8(1, 'type');
  const tensor: TfliteTensor = {
    index,
    name: t.string(3, 'name') ?? '',
    shape: t.numbers(0, 'shape', 'i32') ?? [],
    type: tensorTypeName(typeCode),
    typeCode,
    buffer: t.u32(2, 'buffer'),
    isVariable: t.bool(5, 'is_variable'),
    sparse: t.has(6),
    hasRank: t.bool(8, 'has_rank'),
    offset: t.pos,
  };
  const q = t.table(4, 'quantization');
  if (q !== undefined) {
    const quantization = readQuantization(q);
    if (quantization !== undefined) tensor.quantization = quantization;
  }
  const signature = t.numbers(7, 'shape_signature', 'i32');
  if (signature !== undefined) tensor.shapeSignature = signature;
  return tensor;
}

function readOperator(t: FlatTable, index: number, codes: TfliteOperatorCode[]): TfliteOperator {
  const opcodeIndex = t.u32(0, 'opcode_index');
  const code = codes[opcodeIndex];
  if (code === undefined) {
    t.reader.fail(
      `opcode_index ${opcodeIndex} is outside the ${codes.length} operator codes`,
      t.field(0, 4, 'opcode_index') || t.pos,
      `${t.path}.opcode_index`,
    );
  }
  const custom = code.builtinCode === CUSTOM_CODE;
  const op: TfliteOperator = {
    index,
    opcodeIndex,
    opType: custom ? (code.customCode ?? 'CUSTOM') : code.builtin,
    custom,
    builtinCode: code.builtinCode,
    version: code.version,
    inputs: t.numbers(1, 'inputs', 'i32') ?? [],
    outputs: t.numbers(2, 'outputs', 'i32') ?? [],
    intermediates: t.numbers(8, 'intermediates', 'i32') ?? [],
    customOptionsFormat: t.i8(6, 'custom_options_format'),
    offset: t.pos,
  };
  const optionsType = t.u8(3, 'builtin_options_type');
  if (optionsType !== 0) {
    const table = t.table(4, 'builtin_options');
    if (table !== undefined) op.options = decodeOptions(builtinOptionsName(optionsType), table);
  }
  const options2Type = t.u8(11, 'builtin_options_2_type');
  if (options2Type !== 0) {
    const table = t.table(12, 'builtin_options_2');
    if (table !== undefined) {
      op.options2 = {
        type: BUILTIN_OPTIONS_2[options2Type - 1] ?? `Options2_${options2Type}`,
        offset: table.pos,
      };
    }
  }
  const customOptions = t.bytes(5, 'custom_options');
  if (customOptions !== undefined) op.customOptions = customOptions.data;
  return op;
}

/** Checks that every index in `list` (stored in the vector of field `id`) is below `count`. */
function checkIndices(
  t: FlatTable,
  id: number,
  name: string,
  list: number[],
  count: number,
  what: string,
  allowOmitted: boolean,
): void {
  for (let i = 0; i < list.length; i++) {
    const v = list[i]!;
    if ((v === -1 && allowOmitted) || (v >= 0 && v < count)) continue;
    const vec = t.vector(id, 4, name);
    t.reader.fail(
      `${what} index ${v} is outside the ${count} ${what}s`,
      vec === undefined ? t.pos : vec.first + 4 * i,
      `${t.path}.${name}[${i}]`,
    );
  }
}

function readSubgraph(t: FlatTable, codes: TfliteOperatorCode[], bufferCount: number): TfliteSubgraph {
  const tensors = t.tables(0, 'tensors', readTensor);
  const operators = t.tables(3, 'operators', (o, i) => readOperator(o, i, codes));
  const sg: TfliteSubgraph = {
    name: t.string(4, 'name') ?? '',
    tensors,
    inputs: t.numbers(1, 'inputs', 'i32') ?? [],
    outputs: t.numbers(2, 'outputs', 'i32') ?? [],
    operators,
  };
  const n = tensors.length;
  checkIndices(t, 1, 'inputs', sg.inputs, n, 'tensor', false);
  checkIndices(t, 2, 'outputs', sg.outputs, n, 'tensor', false);
  const ops = t.vector(3, 4, 'operators');
  operators.forEach((op, i) => {
    const ot = t.reader.tableAt(ops!.first + 4 * i, `${t.path}.operators[${i}]`);
    checkIndices(ot, 1, 'inputs', op.inputs, n, 'tensor', true);
    checkIndices(ot, 2, 'outputs', op.outputs, n, 'tensor', true);
    checkIndices(ot, 8, 'intermediates', op.intermediates, n, 'tensor', false);
  });
  tensors.forEach((tensor) => {
    // A file without a buffers table (rare, hand-written) has nothing to point at: index 0 only.
    if (tensor.buffer !== 0 && tensor.buffer >= bufferCount) {
      t.reader.fail(
        `buffer index ${tensor.buffer} is outside the ${bufferCount} buffers`,
        tensor.offset,
        `${t.path}.tensors[${tensor.index}].buffer`,
      );
    }
  });
  return sg;
}

function readBuffer(t: FlatTable): TfliteBuffer {
  const data = t.bytes(0, 'data');
  if (data !== undefined) return { offset: data.offset, length: data.data.length, data: data.data };
  // Models over 2 GB keep buffers after the flatbuffer and record where (offset > 1 is valid).
  const offset = t.u64(1, 'offset');
  const size = t.u64(2, 'size');
  if (offset > 1) {
    const r = t.reader;
    if (offset + size > r.bytes.length) {
      r.fail(`external buffer ${offset}+${size} runs past the end of the input`, t.pos, `${t.path}.offset`);
    }
    return { offset, length: size, data: r.bytes.subarray(offset, offset + size) };
  }
  return { offset: 0, length: 0, data: t.reader.bytes.subarray(0, 0) };
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
  const r = new FlatReader(bytes, label);
  if (bytes.length < 8) r.fail(`input of ${bytes.length} bytes is too short for a TFLite model`, 0, 'Model');
  const id = String.fromCharCode(bytes[4]!, bytes[5]!, bytes[6]!, bytes[7]!);
  if (id !== TFLITE_FILE_IDENTIFIER) {
    r.fail(`not a TFLite model: file identifier is ${JSON.stringify(id)}, expected "TFL3"`, 4, 'Model');
  }
  const m = r.tableAt(0, 'Model');
  const operatorCodes = m.tables(1, 'operator_codes', readOperatorCode);
  const buffers = m.tables(4, 'buffers', readBuffer);
  const subgraphs = m.tables(2, 'subgraphs', (t) =>
    readSubgraph(t, operatorCodes, Math.max(1, buffers.length)),
  );
  const metadata = m.tables(6, 'metadata', (t) => ({
    name: t.string(0, 'name') ?? '',
    buffer: t.u32(1, 'buffer'),
  }));
  metadata.forEach((md, i) => {
    if (md.buffer >= buffers.length) {
      r.fail(
        `buffer index ${md.buffer} is outside the ${buffers.length} buffers`,
        m.pos,
        `Model.metadata[${i}].buffer`,
      );
    }
  });
  const tensorMap = (t: FlatTable): { name: string; tensorIndex: number } => ({
    name: t.string(0, 'name') ?? '',
    tensorIndex: t.u32(1, 'tensor_index'),
  });
  const signatures = m.tables(7, 'signature_defs', (t) => ({
    key: t.string(2, 'signature_key') ?? '',
    subgraphIndex: t.u32(4, 'subgraph_index'),
    inputs: t.tables(0, 'inputs', tensorMap),
    outputs: t.tables(1, 'outputs', tensorMap),
  }));
  if (subgraphs.length === 0) r.fail('the model has no subgraph', m.pos, 'Model.subgraphs');
  return {
    source: label,
    byteLength: bytes.length,
    version: m.u32(0, 'version'),
    description: m.string(3, 'description') ?? '',
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
