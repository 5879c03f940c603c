// Writes small .tflite files from a plain description: test models for each rule, fixtures for the
// checker, reproductions of a bug. One subgraph; tensors are referred to by name; operator codes
// and buffers are laid out the way the TFLite converter does (buffer 0 is the empty sentinel,
// codes >= 127 go in `builtin_code` with 127 in the deprecated int8 field).

import { ArgumentError } from '@edge/core';
import { type FlatField, type FlatTableSpec, writeFlatBuffer } from './flat-builder.js';
import { builtinOptionsCode, encodeOptions, type TfliteOptionValue } from './options.js';
import {
  builtinOperatorCode,
  CUSTOM_CODE,
  PLACEHOLDER_FOR_GREATER_OP_CODES,
  TENSOR_TYPES,
  TFLITE_FILE_IDENTIFIER,
} from './schema-names.js';

/** A tensor of a model to build. */
export interface TfliteTensorSpec {
  /** Unique name; operators refer to tensors by it. */
  name: string;
  /** Static shape. */
  shape: number[];
  /** `TensorType` name (default FLOAT32). */
  type?: string;
  /** Shape with -1 for dynamic dimensions. */
  shapeSignature?: number[];
  /** Constant data (little-endian), making the tensor a weight. */
  data?: ArrayBufferView;
  /** Quantisation parameters. */
  quantization?: { scale: number[]; zeroPoint: number[]; quantizedDimension?: number };
  /** Marks a variable tensor. */
  isVariable?: boolean;
}

/** An operator of a model to build. */
export interface TfliteOperatorSpec {
  /** Builtin operator name (`CONV_2D`), or the custom code when `custom` is true. */
  op: string;
  /** True for a custom operator named by `op`. */
  custom?: boolean;
  /** Operator version (default 1). */
  version?: number;
  /** Input tensor names; null for an omitted optional input. */
  inputs: (string | null)[];
  /** Output tensor names. */
  outputs: string[];
  /** Builtin option values by schema.fbs field name (`stride_w`, `padding: 'SAME'`). */
  options?: Record<string, TfliteOptionValue>;
  /** Options table name, when it is not the usual one for `op` (e.g. `Conv2DOptions`). */
  optionsType?: string;
  /** Custom options bytes. */
  customOptions?: Uint8Array;
}

/** A single-subgraph model to build with {@link buildTflite}. */
export interface TfliteModelSpec {
  /** Converter description (default `edge test model`). */
  description?: string;
  /** Every tensor. */
  tensors: TfliteTensorSpec[];
  /** Operators in execution order. */
  operators: TfliteOperatorSpec[];
  /** Names of the input tensors. */
  inputs: string[];
  /** Names of the output tensors. */
  outputs: string[];
}

/** The options table each builtin usually carries. */
const DEFAULT_OPTIONS: Readonly<Record<string, string>> = {
  CONV_2D: 'Conv2DOptions',
  DEPTHWISE_CONV_2D: 'DepthwiseConv2DOptions',
  AVERAGE_POOL_2D: 'Pool2DOptions',
  MAX_POOL_2D: 'Pool2DOptions',
  L2_POOL_2D: 'Pool2DOptions',
  FULLY_CONNECTED: 'FullyConnectedOptions',
  SOFTMAX: 'SoftmaxOptions',
  CONCATENATION: 'ConcatenationOptions',
  ADD: 'AddOptions',
  SUB: 'SubOptions',
  MUL: 'MulOptions',
  DIV: 'DivOptions',
  L2_NORMALIZATION: 'L2NormOptions',
  RESHAPE: 'ReshapeOptions',
  RESIZE_BILINEAR: 'ResizeBilinearOptions',
  RESIZE_NEAREST_NEIGHBOR: 'ResizeNearestNeighborOptions',
  TRANSPOSE_CONV: 'TransposeConvOptions',
  SPACE_TO_DEPTH: 'SpaceToDepthOptions',
  DEPTH_TO_SPACE: 'DepthToSpaceOptions',
  MEAN: 'ReducerOptions',
  SUM: 'ReducerOptions',
  REDUCE_MAX: 'ReducerOptions',
  REDUCE_MIN: 'ReducerOptions',
  REDUCE_PROD: 'ReducerOptions',
  SQUEEZE: 'SqueezeOptions',
  SPLIT: 'SplitOptions',
  SPLIT_V: 'SplitVOptions',
  STRIDED_SLICE: 'StridedSliceOptions',
  PACK: 'PackOptions',
  UNPACK: 'UnpackOptions',
  LEAKY_RELU: 'LeakyReluOptions',
  GATHER: 'GatherOptions',
  MIRROR_PAD: 'MirrorPadOptions',
  CAST: 'CastOptions',
  BATCH_MATMUL: 'BatchMatMulOptions',
  PAD: 'PadOptions',
  PADV2: 'PadV2Options',
  TRANSPOSE: 'TransposeOptions',
  UNIDIRECTIONAL_SEQUENCE_LSTM: 'UnidirectionalSequenceLSTMOptions',
  IF: 'IfOptions',
  WHILE: 'WhileOptions',
  CALL_ONCE: 'CallOnceOptions',
};

function bad(message: string): never {
  throw new ArgumentError(`buildTflite: ${message}`);
}

/**
 * Writes a .tflite file (one subgraph) from a plain description, with this package's own
 * FlatBuffers writer. Meant for test models and fixtures; the output reads back with
 * {@link readTflite} and follows schema.fbs, so TFLite's own reader accepts it too.
 *
 * @param spec - Tensors, operators (by tensor name), inputs and outputs.
 * @returns The file bytes.
 * @throws {@link ArgumentError} for an unknown tensor name, operator, type or option field.
 */
export function buildTflite(spec: TfliteModelSpec): Uint8Array {
  const index = new Map<string, number>();
  spec.tensors.forEach((t, i) => {
    if (index.has(t.name)) bad(`tensor name '${t.name}' is used twice`);
    index.set(t.name, i);
  });
  const ref = (name: string | null, where: string): number => {
    if (name === null) return -1;
    const i = index.get(name);
    if (i === undefined) bad(`${where} refers to unknown tensor '${name}'`);
    return i;
  };
  const buffers: FlatTableSpec[] = [{ fields: [] }];
  const tensors: FlatTableSpec[] = spec.tensors.map((t) => {
    const type = TENSOR_TYPES.indexOf(t.type ?? 'FLOAT32');
    if (type < 0) bad(`tensor '${t.name}' has unknown type ${String(t.type)}`);
    let buffer = 0;
    if (t.data !== undefined) {
      const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).slice();
      buffer = buffers.length;
      buffers.push({ fields: [{ kind: 'bytes', value: bytes, align: 16 }] });
    }
    const fields: (FlatField | undefined)[] = [
      { kind: 'vector', elem: 'i32', value: t.shape },
      { kind: 'i8', value: type },
      { kind: 'u32', value: buffer },
      { kind: 'string', value: t.name },
    ];
    if (t.quantization !== undefined) {
      const q = t.quantization;
      const qf: (FlatField | undefined)[] = [];
      qf[2] = { kind: 'vector', elem: 'f32', value: q.scale };
      qf[3] = { kind: 'vector', elem: 'i64', value: q.zeroPoint };
      if (q.quantizedDimension !== undefined) qf[6] = { kind: 'i32', value: q.quantizedDimension };
      fields[4] = { kind: 'table', value: { fields: qf } };
    }
    if (t.isVariable === true) fields[5] = { kind: 'bool', value: true };
    if (t.shapeSignature !== undefined) fields[7] = { kind: 'vector', elem: 'i32', value: t.shapeSignature };
    return { fields };
  });
  const codes: FlatTableSpec[] = [];
  const codeIndex = new Map<string, number>();
  const operators: FlatTableSpec[] = spec.operators.map((op, k) => {
    const version = op.version ?? 1;
    const builtin = op.custom === true ? CUSTOM_CODE : builtinOperatorCode(op.op);
    if (builtin === undefined)
      bad(`operator ${k} has unknown builtin ${op.op} (set custom: true for a custom op)`);
    const key = `${builtin}/${op.custom === true ? op.op : ''}/${version}`;
    let opcode = codeIndex.get(key);
    if (opcode === undefined) {
      opcode = codes.length;
      codeIndex.set(key, opcode);
      const cf: (FlatField | undefined)[] = [
        { kind: 'i8', value: Math.min(builtin, PLACEHOLDER_FOR_GREATER_OP_CODES) },
        op.custom === true ? { kind: 'string', value: op.op } : undefined,
        { kind: 'i32', value: version },
        { kind: 'i32', value: builtin },
      ];
      codes.push({ fields: cf });
    }
    const fields: (FlatField | undefined)[] = [
      { kind: 'u32', value: opcode },
      { kind: 'vector', elem: 'i32', value: op.inputs.map((n) => ref(n, `operator ${k} (${op.op}) input`)) },
      {
        kind: 'vector',
        elem: 'i32',
        value: op.outputs.map((n) => ref(n, `operator ${k} (${op.op}) output`)),
      },
    ];
    const optionsType = op.optionsType ?? (op.custom === true ? undefined : DEFAULT_OPTIONS[op.op]);
    if (op.options !== undefined || (optionsType !== undefined && op.optionsType !== undefined)) {
      if (optionsType === undefined) bad(`operator ${k} (${op.op}) has options but no optionsType`);
      const code = builtinOptionsCode(optionsType);
      if (code === undefined) bad(`operator ${k} has unknown options type ${optionsType}`);
      let table: FlatTableSpec;
      try {
        table = encodeOptions(optionsType, op.options ?? {});
      } catch (e) {
        bad(`operator ${k} (${op.op}): ${(e as Error).message}`);
      }
      fields[3] = { kind: 'u8', value: code };
      fields[4] = { kind: 'table', value: table };
    }
    if (op.customOptions !== undefined) fields[5] = { kind: 'bytes', value: op.customOptions };
    return { fields };
  });
  const subgraph: FlatTableSpec = {
    fields: [
      { kind: 'tables', value: tensors },
      { kind: 'vector', elem: 'i32', value: spec.inputs.map((n) => ref(n, 'model input')) },
      { kind: 'vector', elem: 'i32', value: spec.outputs.map((n) => ref(n, 'model output')) },
      { kind: 'tables', value: operators },
      { kind: 'string', value: 'main' },
    ],
  };
  const model: FlatTableSpec = {
    fields: [
      { kind: 'u32', value: 3 },
      { kind: 'tables', value: codes },
      { kind: 'tables', value: [subgraph] },
      { kind: 'string', value: spec.description ?? 'edge test model' },
      { kind: 'tables', value: buffers },
    ],
  };
  return writeFlatBuffer(model, TFLITE_FILE_IDENTIFIER);
}
