// Writes small .tflite files for the tests (a model per rule, damaged references, shared tables)
// with flatbuffers' Builder and the flatc-generated create functions, so that what the tests
// feed the reader is laid out by the FlatBuffers library itself, the way the TFLite converter's
// C++ builder lays it out. Two levels: `writeTflite` writes exactly what it is given (indices
// included, valid or not); `buildTflite` takes tensors by name, checks the references and lays
// out operator codes and buffers as the converter does (buffer 0 is the empty sentinel, codes
// >= 127 go in `builtin_code` with 127 in the deprecated int8 field).

import { ArgumentError } from '@edge/core';
import { Builder } from 'flatbuffers';
import type { TfliteOptionValue } from '../../src/options.js';
import {
  BUILTIN_OPTIONS,
  builtinOperatorCode,
  CUSTOM_CODE,
  PLACEHOLDER_FOR_GREATER_OP_CODES,
  TENSOR_TYPES,
  TFLITE_FILE_IDENTIFIER,
} from '../../src/schema-names.js';
import * as schema from '../../src/third_party/tflite/schema-generated.js';

const { Buffer: TfBuffer, Model, Operator, OperatorCode, QuantizationParameters, SubGraph, Tensor } = schema;

/** A tensor as the file stores it (every field optional, as in the schema). */
export interface RawTensor {
  shape?: number[];
  /** `TensorType` code. */
  type?: number;
  buffer?: number;
  name?: string;
  quantization?: { scale: number[]; zeroPoint: number[]; quantizedDimension?: number };
  isVariable?: boolean;
  shapeSignature?: number[];
}

/** An operator as the file stores it: indices, not names. */
export interface RawOperator {
  opcodeIndex: number;
  inputs?: number[];
  outputs?: number[];
  /** `BuiltinOptions` member name, e.g. `Conv2DOptions`. */
  optionsType?: string;
  /** Option values by schema.fbs field name; enums by member name. */
  options?: Record<string, TfliteOptionValue>;
  customOptions?: Uint8Array;
}

/** A model as the file stores it. */
export interface RawModel {
  version?: number;
  description?: string;
  operatorCodes?: {
    deprecatedBuiltinCode?: number;
    customCode?: string;
    version?: number;
    builtinCode?: number;
  }[];
  subgraphs: {
    tensors?: RawTensor[];
    inputs?: number[];
    outputs?: number[];
    operators?: RawOperator[];
    name?: string;
  }[];
  /** Constant data; `undefined` writes an empty buffer table. */
  buffers?: (Uint8Array | undefined)[];
}

/** Enums of option fields, by field name; values given as member names are looked up here. */
const OPTION_ENUMS: Readonly<Record<string, Record<string, string | number>>> = {
  padding: schema.Padding,
  fused_activation_function: schema.ActivationFunctionType,
  weights_format: schema.FullyConnectedOptionsWeightsFormat,
  mode: schema.MirrorPadMode,
  quantized_bias_type: schema.TensorType,
  in_data_type: schema.TensorType,
  out_data_type: schema.TensorType,
  output_type: schema.TensorType,
  out_type: schema.TensorType,
};

type Static = (b: Builder, ...args: unknown[]) => number;

/** `stride_w` -> `StrideW`: the generated add/create function names of a schema.fbs field. */
const pascal = (field: string): string =>
  field.replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());

/** The generated class of options table `type`, with the value of each field as its add function takes it. */
function optionsOf(
  type: string,
  values: Record<string, TfliteOptionValue>,
): [Record<string, Static>, [string, unknown][]] {
  const cls = (schema as unknown as Record<string, Record<string, Static> | undefined>)[type];
  if (cls === undefined || typeof cls[`start${type}`] !== 'function')
    throw new Error(`unknown options type ${type}`);
  const args = Object.entries(values).map(([name, v]): [string, unknown] => {
    if (typeof cls[`add${pascal(name)}`] !== 'function') throw new Error(`${type} has no field ${name}`);
    if (typeof v !== 'string') return [name, v];
    const code = OPTION_ENUMS[name]?.[v];
    if (typeof code !== 'number') throw new Error(`${type}.${name}: unknown value ${v}`);
    return [name, code];
  });
  return [cls, args];
}

/** Writes the options table `type` with the generated start/add/end functions of its class. */
function writeOptions(b: Builder, type: string, values: Record<string, TfliteOptionValue>): number {
  const [cls, args] = optionsOf(type, values);
  // Vectors are written before the table starts (FlatBuffers builds children first).
  const vectors = args.map(([name, v]) => (Array.isArray(v) ? cls[`create${pascal(name)}Vector`]!(b, v) : v));
  cls[`start${type}`]!(b);
  args.forEach(([name], i) => {
    cls[`add${pascal(name)}`]!(b, vectors[i]);
  });
  return cls[`end${type}`]!(b);
}

function writeTensor(b: Builder, t: RawTensor): number {
  const shape = t.shape && Tensor.createShapeVector(b, t.shape);
  const signature = t.shapeSignature && Tensor.createShapeSignatureVector(b, t.shapeSignature);
  const name = t.name === undefined ? 0 : b.createString(t.name);
  let quantization = 0;
  if (t.quantization !== undefined) {
    const q = t.quantization;
    const scale = QuantizationParameters.createScaleVector(b, q.scale);
    const zeroPoint = QuantizationParameters.createZeroPointVector(b, q.zeroPoint.map(BigInt));
    QuantizationParameters.startQuantizationParameters(b);
    QuantizationParameters.addScale(b, scale);
    QuantizationParameters.addZeroPoint(b, zeroPoint);
    if (q.quantizedDimension !== undefined)
      QuantizationParameters.addQuantizedDimension(b, q.quantizedDimension);
    quantization = QuantizationParameters.endQuantizationParameters(b);
  }
  Tensor.startTensor(b);
  if (shape !== undefined) Tensor.addShape(b, shape);
  Tensor.addType(b, t.type ?? 0);
  Tensor.addBuffer(b, t.buffer ?? 0);
  if (name !== 0) Tensor.addName(b, name);
  if (quantization !== 0) Tensor.addQuantization(b, quantization);
  if (t.isVariable === true) Tensor.addIsVariable(b, true);
  if (signature !== undefined) Tensor.addShapeSignature(b, signature);
  return Tensor.endTensor(b);
}

function writeOperator(b: Builder, op: RawOperator): number {
  const inputs = op.inputs && Operator.createInputsVector(b, op.inputs);
  const outputs = op.outputs && Operator.createOutputsVector(b, op.outputs);
  const custom = op.customOptions && Operator.createCustomOptionsVector(b, op.customOptions);
  let optionsType = 0;
  let options = 0;
  if (op.optionsType !== undefined) {
    optionsType = BUILTIN_OPTIONS.indexOf(op.optionsType) + 1;
    if (optionsType === 0) throw new Error(`unknown options type ${op.optionsType}`);
    options = writeOptions(b, op.optionsType, op.options ?? {});
  }
  Operator.startOperator(b);
  Operator.addOpcodeIndex(b, op.opcodeIndex);
  if (inputs !== undefined) Operator.addInputs(b, inputs);
  if (outputs !== undefined) Operator.addOutputs(b, outputs);
  if (optionsType !== 0) {
    Operator.addBuiltinOptionsType(b, optionsType);
    Operator.addBuiltinOptions(b, options);
  }
  if (custom !== undefined) Operator.addCustomOptions(b, custom);
  return Operator.endOperator(b);
}

/** A vector of the tables `items` written by `write`. */
function tableVector<T>(b: Builder, items: T[], write: (b: Builder, item: T) => number): number {
  const offsets = items.map((x) => write(b, x));
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]!);
  return b.endVector();
}

/**
 * Writes `raw` as a .tflite file, exactly as given: no reference is checked, so a test can write
 * a damaged model.
 */
export function writeTflite(raw: RawModel): Uint8Array {
  const b = new Builder(1024);
  const codes =
    raw.operatorCodes &&
    tableVector(b, raw.operatorCodes, (b, c) => {
      const custom = c.customCode === undefined ? 0 : b.createString(c.customCode);
      return OperatorCode.createOperatorCode(
        b,
        c.deprecatedBuiltinCode ?? 0,
        custom,
        c.version ?? 1,
        c.builtinCode ?? 0,
      );
    });
  const subgraphs = tableVector(b, raw.subgraphs, (b, sg) => {
    const tensors = sg.tensors && tableVector(b, sg.tensors, writeTensor);
    const inputs = sg.inputs && SubGraph.createInputsVector(b, sg.inputs);
    const outputs = sg.outputs && SubGraph.createOutputsVector(b, sg.outputs);
    const operators = sg.operators && tableVector(b, sg.operators, writeOperator);
    const name = sg.name === undefined ? 0 : b.createString(sg.name);
    SubGraph.startSubGraph(b);
    if (tensors !== undefined) SubGraph.addTensors(b, tensors);
    if (inputs !== undefined) SubGraph.addInputs(b, inputs);
    if (outputs !== undefined) SubGraph.addOutputs(b, outputs);
    if (operators !== undefined) SubGraph.addOperators(b, operators);
    if (name !== 0) SubGraph.addName(b, name);
    return SubGraph.endSubGraph(b);
  });
  const description = raw.description === undefined ? 0 : b.createString(raw.description);
  const buffers =
    raw.buffers &&
    tableVector(b, raw.buffers, (b, data) => {
      if (data === undefined) return TfBuffer.createBuffer(b, 0, 0n, 0n);
      // The converter aligns constant data to 16 bytes (schema.fbs: force_align: 16).
      b.startVector(1, data.length, 16);
      for (let i = data.length - 1; i >= 0; i--) b.addInt8(data[i]!);
      return TfBuffer.createBuffer(b, b.endVector(), 0n, 0n);
    });
  Model.startModel(b);
  Model.addVersion(b, raw.version ?? 3);
  if (codes !== undefined) Model.addOperatorCodes(b, codes);
  Model.addSubgraphs(b, subgraphs);
  if (description !== 0) Model.addDescription(b, description);
  if (buffers !== undefined) Model.addBuffers(b, buffers);
  b.finish(Model.endModel(b), TFLITE_FILE_IDENTIFIER);
  return b.asUint8Array().slice();
}

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
 * Writes a one-subgraph .tflite file from a plain description with tensors named, checking every
 * reference; the file reads back with readTflite and follows schema.fbs, so TFLite's own reader
 * accepts it too.
 *
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
  const buffers: (Uint8Array | undefined)[] = [undefined];
  const tensors: RawTensor[] = spec.tensors.map((t) => {
    const type = TENSOR_TYPES.indexOf(t.type ?? 'FLOAT32');
    if (type < 0) bad(`tensor '${t.name}' has unknown type ${String(t.type)}`);
    let buffer = 0;
    if (t.data !== undefined) {
      buffer = buffers.length;
      buffers.push(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    }
    const { data: _, type: __, ...rest } = t;
    return { ...rest, type, buffer };
  });
  const codes: NonNullable<RawModel['operatorCodes']> = [];
  const codeIndex = new Map<string, number>();
  const operators: RawOperator[] = spec.operators.map((op, k) => {
    const version = op.version ?? 1;
    const builtin = op.custom === true ? CUSTOM_CODE : builtinOperatorCode(op.op);
    if (builtin === undefined)
      bad(`operator ${k} has unknown builtin ${op.op} (set custom: true for a custom op)`);
    const key = `${builtin}/${op.custom === true ? op.op : ''}/${version}`;
    let opcodeIndex = codeIndex.get(key);
    if (opcodeIndex === undefined) {
      opcodeIndex = codes.length;
      codeIndex.set(key, opcodeIndex);
      codes.push({
        deprecatedBuiltinCode: Math.min(builtin, PLACEHOLDER_FOR_GREATER_OP_CODES),
        ...(op.custom === true ? { customCode: op.op } : {}),
        version,
        builtinCode: builtin,
      });
    }
    const raw: RawOperator = {
      opcodeIndex,
      inputs: op.inputs.map((n) => ref(n, `operator ${k} (${op.op}) input`)),
      outputs: op.outputs.map((n) => ref(n, `operator ${k} (${op.op}) output`)),
    };
    const optionsType = op.optionsType ?? (op.custom === true ? undefined : DEFAULT_OPTIONS[op.op]);
    if (op.options !== undefined || op.optionsType !== undefined) {
      if (optionsType === undefined) bad(`operator ${k} (${op.op}) has options but no optionsType`);
      try {
        optionsOf(optionsType, op.options ?? {});
      } catch (e) {
        bad(`operator ${k} (${op.op}): ${(e as Error).message}`);
      }
      raw.optionsType = optionsType;
      raw.options = op.options ?? {};
    }
    if (op.customOptions !== undefined) raw.customOptions = op.customOptions;
    return raw;
  });
  const sg = {
    tensors,
    inputs: spec.inputs.map((n) => ref(n, 'model input')),
    outputs: spec.outputs.map((n) => ref(n, 'model output')),
    operators,
    name: 'main',
  };
  return writeTflite({
    description: spec.description ?? 'edge test model',
    operatorCodes: codes,
    subgraphs: [sg],
    buffers,
  });
}
