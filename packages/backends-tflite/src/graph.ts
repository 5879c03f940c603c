// TfliteModel -> the neutral ModelGraph that rule tables read (@edge/core rules.ts). TFLite already
// stores operators in execution order, so the conversion is a mapping: builtin operators in domain
// `tflite`, custom ones in `tflite.custom`; options become attributes; small constants carry their
// values, which rules need (PAD paddings, MEAN axes, RESHAPE shape).

import {
  ArgumentError,
  type ElementType,
  invalidArgument,
  type ModelAttribute,
  type ModelDim,
  type ModelGraph,
  type ModelGraphReader,
  type ModelOp,
  type ModelTensor,
  sourceAvailability,
  type TensorQuantization,
} from '@edge/core';
import {
  readTflite,
  readTfliteFile,
  type TfliteModel,
  type TfliteSubgraph,
  type TfliteTensor,
} from './model.js';

/** Domain of builtin TFLite operators in a {@link ModelGraph}. */
export const TFLITE_DOMAIN = 'tflite';
/** Domain of custom TFLite operators (named by their custom code) in a {@link ModelGraph}. */
export const TFLITE_CUSTOM_DOMAIN = 'tflite.custom';

/** Constants with at most this many elements carry their values in the graph. */
const MAX_VALUES = 4096;

const ELEMENT_TYPES: Readonly<Record<string, ElementType>> = {
  FLOAT32: 'float32',
  FLOAT16: 'float16',
  INT32: 'int32',
  UINT8: 'uint8',
  INT64: 'int64',
  STRING: 'string',
  BOOL: 'bool',
  INT16: 'int16',
  COMPLEX64: 'complex64',
  INT8: 'int8',
  FLOAT64: 'float64',
  COMPLEX128: 'complex128',
  UINT64: 'uint64',
  UINT32: 'uint32',
  UINT16: 'uint16',
  INT4: 'int4',
};

/** The neutral element type of a TFLite `TensorType` name (`unknown` for RESOURCE, VARIANT, ...). */
export function elementTypeOfTflite(type: string): ElementType {
  return ELEMENT_TYPES[type] ?? 'unknown';
}

/** Options of {@link modelGraphFromTflite}. */
export interface FromTfliteOptions {
  /** The subgraph to convert (default 0, the main model). */
  subgraph?: number;
}

function constantValues(tensor: TfliteTensor, data: Uint8Array): number[] | undefined {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const read: Record<string, [number, (at: number) => number]> = {
    FLOAT32: [4, (at) => view.getFloat32(at, true)],
    INT32: [4, (at) => view.getInt32(at, true)],
    UINT8: [1, (at) => view.getUint8(at)],
    INT8: [1, (at) => view.getInt8(at)],
    BOOL: [1, (at) => view.getUint8(at)],
    INT16: [2, (at) => view.getInt16(at, true)],
    UINT16: [2, (at) => view.getUint16(at, true)],
    UINT32: [4, (at) => view.getUint32(at, true)],
    INT64: [8, (at) => Number(view.getBigInt64(at, true))],
    FLOAT64: [8, (at) => view.getFloat64(at, true)],
  };
  const reader = read[tensor.type];
  if (reader === undefined) return undefined;
  const [size, get] = reader;
  const count = Math.floor(data.length / size);
  if (count > MAX_VALUES) return undefined;
  return Array.from({ length: count }, (_, i) => get(i * size));
}

function attributeOf(v: number | boolean | string | number[]): ModelAttribute {
  // ModelAttribute has no boolean: flags become 0/1 as ONNX stores them.
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}

function convertSubgraph(
  model: TfliteModel,
  index: number,
  stack: number[],
  memo: Map<number, ModelGraph>,
): ModelGraph {
  const done = memo.get(index);
  if (done !== undefined) return done;
  const sg: TfliteSubgraph = model.subgraphs[index]!;
  const used = new Map<string, number>();
  const tensors: ModelTensor[] = sg.tensors.map((t) => {
    // Names must be unique in a ModelGraph (the checker links producers to consumers by name).
    let name = t.name === '' ? `tensor_${t.index}` : t.name;
    const seen = used.get(name) ?? 0;
    used.set(name, seen + 1);
    if (seen > 0) name = `${name}#${t.index}`;
    const buffer = model.buffers[t.buffer];
    const constant = t.buffer !== 0 && buffer !== undefined && buffer.length > 0;
    const dims = t.shapeSignature ?? t.shape;
    const shape: ModelDim[] = dims.map((d) => (d < 0 ? null : d));
    const out: {
      name: string;
      dtype: ElementType;
      shape: ModelDim[];
      constant: boolean;
      values?: number[];
      quantization?: TensorQuantization;
    } = { name, dtype: elementTypeOfTflite(t.type), shape, constant };
    if (constant) {
      const values = constantValues(t, buffer.data);
      if (values !== undefined) out.values = values;
    }
    if (t.quantization !== undefined && t.quantization.scale.length > 0) {
      const q = t.quantization;
      out.quantization =
        q.scale.length > 1
          ? { scale: q.scale, zeroPoint: q.zeroPoint, axis: q.quantizedDimension }
          : { scale: q.scale, zeroPoint: q.zeroPoint };
    }
    return out;
  });
  const ops: ModelOp[] = sg.operators.map((op) => {
    const attributes: Record<string, ModelAttribute> = {};
    if (op.options !== undefined) {
      for (const [k, v] of Object.entries(op.options.values)) attributes[k] = attributeOf(v);
    }
    const outputs = op.outputs.filter((i) => i >= 0).map((i) => tensors[i]!);
    const first = outputs[0]?.name;
    const node: {
      index: number;
      name: string;
      opType: string;
      domain: string;
      version: number;
      attributes: Record<string, ModelAttribute>;
      inputs: (ModelTensor | null)[];
      outputs: ModelTensor[];
      subgraphs?: ModelGraph[];
    } = {
      index: op.index,
      name: first !== undefined && !first.startsWith('tensor_') ? first : `${op.opType}_${op.index}`,
      opType: op.opType,
      domain: op.custom ? TFLITE_CUSTOM_DOMAIN : TFLITE_DOMAIN,
      version: op.version,
      attributes,
      inputs: op.inputs.map((i) => (i < 0 ? null : tensors[i]!)),
      outputs,
    };
    const bodies = [
      'then_subgraph_index',
      'else_subgraph_index',
      'cond_subgraph_index',
      'body_subgraph_index',
    ]
      .concat(['init_subgraph_index', 'subgraph'])
      .map((k) => op.options?.values[k])
      .filter((v): v is number => typeof v === 'number' && v > 0 && v < model.subgraphs.length);
    // A body that calls back into a subgraph on the stack would recurse forever: cut the cycle.
    const nested = bodies.filter((b) => !stack.includes(b));
    if (nested.length > 0) node.subgraphs = nested.map((b) => convertSubgraph(model, b, [...stack, b], memo));
    return node;
  });
  const graph: ModelGraph = {
    format: 'tflite',
    name: sg.name !== '' ? sg.name : index === 0 ? model.description || 'main' : `subgraph_${index}`,
    opsets: { tflite: model.version },
    inputs: sg.inputs.map((i) => tensors[i]!),
    outputs: sg.outputs.map((i) => tensors[i]!),
    ops,
  };
  memo.set(index, graph);
  return graph;
}

/**
 * Converts a decoded .tflite model into the neutral {@link ModelGraph} that rule tables read.
 * Builtin operators get domain `tflite` and their builtin name as op type (`CONV_2D`); custom
 * operators get domain `tflite.custom` and their custom code (`Convolution2DTransposeBias`).
 * Options become attributes under their schema.fbs names (`stride_w`, `fused_activation_function`);
 * constants of up to 4096 elements carry their values; `shape_signature` -1 becomes a null dimension.
 *
 * @param model - A model from {@link readTflite} or {@link readTfliteFile}.
 * @param options - `subgraph`: which subgraph is the graph (default 0).
 * @returns The neutral graph; control-flow operators carry the subgraphs they run.
 * @throws {@link ArgumentError} when `options.subgraph` is not a subgraph index of the model.
 */
export function modelGraphFromTflite(model: TfliteModel, options: FromTfliteOptions = {}): ModelGraph {
  const index = options.subgraph ?? 0;
  if (!Number.isInteger(index) || index < 0 || index >= model.subgraphs.length) {
    throw invalidArgument('options.subgraph', index, `integer between 0 and ${model.subgraphs.length - 1}`);
  }
  return convertSubgraph(model, index, [index], new Map());
}

/**
 * The TFLite {@link ModelGraphReader} (the one @edge/check uses): reads the model (from its path, or
 * its bytes) and converts its main subgraph with {@link modelGraphFromTflite}.
 *
 * @throws {@link ArgumentError} when `source` is not a TFLite model, or when `options.inputShapes`
 *   is given: a .tflite file fixes its tensors' shapes, and there is no shape inference here to
 *   carry new input shapes through the graph.
 * @throws {@link ModelParseError} / {@link FileIOError} when the model cannot be read.
 */
export const readTfliteGraph: ModelGraphReader = (source, options = {}) => {
  const usable = sourceAvailability('the TFLite graph reader', 'tflite', source);
  if (!usable.ok)
    throw new ArgumentError(`Expected a TFLite model with a path or bytes for source: ${usable.reason}`);
  if (options.inputShapes !== undefined && Object.keys(options.inputShapes).length > 0) {
    throw new ArgumentError(
      `Expected no inputShapes for the TFLite model ${source.name}: its tensor shapes are fixed in the file (export the model with the shape you want)`,
    );
  }
  const model =
    source.path !== undefined
      ? readTfliteFile(source.path)
      : readTflite(source.bytes!, { label: source.name });
  return modelGraphFromTflite(model);
};
