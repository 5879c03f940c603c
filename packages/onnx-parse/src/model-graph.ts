// ONNX model -> the neutral ModelGraph the rule tables read. Constant nodes become constant
// tensors rather than ops, as every engine treats them (TensorRT turns them into weights), so
// tables never see them; shapes come from onnx-parse's inference, small constants carry values.

import {
  ArgumentError,
  type ElementType,
  type ModelAttribute,
  type ModelGraph,
  type ModelGraphOptions,
  type ModelGraphReader,
  type ModelOp,
  type ModelTensor,
  sourceAvailability,
} from '@edge/core';
import { attributeValue } from './attributes.js';
import { DataType } from './data-type.js';
import { buildGraph, constantTensor, isDefaultDomain } from './graph.js';
import { readModel, readModelFile } from './reader.js';
import { inferShapes, type ValueType } from './shape-inference/index.js';
import { tensorElementCount, tensorValues } from './tensor-data.js';
import {
  AttributeType,
  type GraphProto,
  type NodeProto,
  type OnnxModel,
  type TensorProto,
  type TypeProto,
} from './types.js';

const ELEMENT: Record<number, ElementType> = {
  [DataType.FLOAT]: 'float32',
  [DataType.UINT8]: 'uint8',
  [DataType.INT8]: 'int8',
  [DataType.UINT16]: 'uint16',
  [DataType.INT16]: 'int16',
  [DataType.INT32]: 'int32',
  [DataType.INT64]: 'int64',
  [DataType.STRING]: 'string',
  [DataType.BOOL]: 'bool',
  [DataType.FLOAT16]: 'float16',
  [DataType.DOUBLE]: 'float64',
  [DataType.UINT32]: 'uint32',
  [DataType.UINT64]: 'uint64',
  [DataType.COMPLEX64]: 'complex64',
  [DataType.COMPLEX128]: 'complex128',
  [DataType.BFLOAT16]: 'bfloat16',
  [DataType.FLOAT8E4M3FN]: 'float8',
  [DataType.FLOAT8E4M3FNUZ]: 'float8',
  [DataType.FLOAT8E5M2]: 'float8',
  [DataType.FLOAT8E5M2FNUZ]: 'float8',
  [DataType.UINT4]: 'uint4',
  [DataType.INT4]: 'int4',
};

/** Constants up to this many elements carry their values (shape vectors, axes, scales, K...). */
const MAX_VALUES = 4096;

/** The neutral element type of an ONNX `TensorProto.DataType` code. */
export function elementTypeOf(dataType: number | undefined): ElementType {
  return dataType === undefined ? 'unknown' : (ELEMENT[dataType] ?? 'unknown');
}

function valuesOf(t: TensorProto): number[] | undefined {
  if (t.dataType === DataType.STRING || tensorElementCount(t) > MAX_VALUES) return undefined;
  if (t.dataType === DataType.FLOAT16 || t.dataType === DataType.BFLOAT16) return undefined;
  try {
    return Array.from(tensorValues(t) as ArrayLike<number | bigint>, Number);
  } catch {
    return undefined;
  }
}

function constantOf(name: string, t: TensorProto): ModelTensor {
  const values = valuesOf(t);
  return {
    name,
    dtype: elementTypeOf(t.dataType),
    shape: [...t.dims],
    constant: true,
    ...(values ? { values } : {}),
  };
}

function typeOf(type: TypeProto | undefined): ValueType | undefined {
  if (type?.kind !== 'tensor') return undefined;
  return {
    elemType: type.elemType,
    shape: type.shape ? type.shape.map((d) => d.value ?? d.param ?? null) : null,
  };
}

interface Scope {
  tensors: Map<string, ModelTensor>;
  types: ReadonlyMap<string, ValueType>;
  constants: Map<string, TensorProto>;
  outer?: Scope;
}

function lookup(scope: Scope, name: string): ModelTensor {
  for (let s: Scope | undefined = scope; s; s = s.outer) {
    const known = s.tensors.get(name);
    if (known) return known;
    const c = s.constants.get(name);
    if (c) {
      const t = constantOf(name, c);
      s.tensors.set(name, t);
      return t;
    }
    const vt = s.types.get(name);
    if (vt) {
      const t: ModelTensor = {
        name,
        dtype: elementTypeOf(vt.elemType),
        shape: vt.shape ? [...vt.shape] : null,
        constant: false,
      };
      s.tensors.set(name, t);
      return t;
    }
  }
  const t: ModelTensor = { name, dtype: 'unknown', shape: null, constant: false };
  scope.tensors.set(name, t);
  return t;
}

function attributesOf(node: NodeProto): { attrs: Record<string, ModelAttribute>; subs: GraphProto[] } {
  const attrs: Record<string, ModelAttribute> = {};
  const subs: GraphProto[] = [];
  for (const a of node.attributes) {
    if (a.type === AttributeType.GRAPH || a.g) {
      if (a.g) subs.push(a.g);
      continue;
    }
    if (a.type === AttributeType.GRAPHS) {
      subs.push(...a.graphs);
      continue;
    }
    let v: ReturnType<typeof attributeValue>;
    try {
      v = attributeValue(a);
    } catch {
      continue;
    }
    if (typeof v === 'number' || typeof v === 'string') attrs[a.name] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'number' || typeof x === 'string')) {
      attrs[a.name] = v as number[] | string[];
    } else if (a.t) attrs[a.name] = constantOf(a.name, a.t);
  }
  return { attrs, subs };
}

function convert(
  nodes: readonly NodeProto[],
  scope: Scope,
  opsets: Readonly<Record<string, number>>,
  name: string,
  inputs: readonly string[],
  outputs: readonly string[],
): ModelGraph {
  const ops: ModelOp[] = [];
  for (const node of nodes) {
    if (node.opType === 'Constant' && isDefaultDomain(node.domain)) {
      let t: TensorProto | undefined;
      try {
        t = constantTensor(node);
      } catch {
        t = undefined;
      }
      if (t && node.outputs[0]) {
        scope.constants.set(node.outputs[0], t);
        continue;
      }
    }
    const domain = isDefaultDomain(node.domain) ? '' : node.domain;
    const { attrs, subs } = attributesOf(node);
    const index = ops.length;
    const op: ModelOp = {
      index,
      name: node.name || `${node.opType}_${index}`,
      opType: node.opType,
      domain,
      version: opsets[domain] ?? 1,
      attributes: attrs,
      inputs: node.inputs.map((i) => (i === '' ? null : lookup(scope, i))),
      outputs: node.outputs.filter((o) => o !== '').map((o) => lookup(scope, o)),
      ...(subs.length ? { subgraphs: subs.map((g) => convertSubgraph(g, scope, opsets)) } : {}),
    };
    ops.push(op);
  }
  return {
    format: 'onnx',
    name,
    opsets,
    inputs: inputs.map((i) => lookup(scope, i)),
    outputs: outputs.map((o) => lookup(scope, o)),
    ops,
  };
}

// Bodies of If/Loop/Scan: no inference there, the declared types only; outer names resolve through the scope chain.
function convertSubgraph(g: GraphProto, outer: Scope, opsets: Readonly<Record<string, number>>): ModelGraph {
  const types = new Map<string, ValueType>();
  for (const v of [...g.inputs, ...g.outputs, ...g.valueInfo]) {
    const t = typeOf(v.type);
    if (t) types.set(v.name, t);
  }
  const constants = new Map<string, TensorProto>();
  for (const t of g.initializers) constants.set(t.name, t);
  const scope: Scope = { tensors: new Map(), types, constants, outer };
  return convert(
    g.nodes,
    scope,
    opsets,
    g.name,
    g.inputs.map((v) => v.name),
    g.outputs.map((v) => v.name),
  );
}

/**
 * Converts an ONNX model into the neutral {@link ModelGraph} that rule tables read: ops in
 * topological order, tensor types from shape inference, Constant nodes folded into constant tensors.
 * `options.inputShapes` replaces the shapes of the inputs it names before inference.
 *
 * @throws GraphError when the graph is structurally invalid (a cycle, a dangling reference).
 */
export function modelGraphFromOnnx(model: OnnxModel, options: ModelGraphOptions = {}): ModelGraph {
  const graph = buildGraph(model);
  let types: ReadonlyMap<string, ValueType>;
  try {
    types = inferShapes(graph, options.inputShapes ? { inputShapes: options.inputShapes } : {});
  } catch {
    types = new Map();
  }
  const declared = new Map<string, ValueType>();
  for (const v of [...model.graph.valueInfo, ...model.graph.inputs, ...model.graph.outputs]) {
    const t = typeOf(v.type);
    if (t) declared.set(v.name, t);
  }
  for (const [k, v] of types) declared.set(k, v);
  if (options.inputShapes) {
    for (const [k, shape] of Object.entries(options.inputShapes)) {
      const t = declared.get(k);
      if (t) declared.set(k, { ...t, shape: [...shape] });
    }
  }
  const opsets: Record<string, number> = {};
  for (const o of model.opsetImports) opsets[isDefaultDomain(o.domain) ? '' : o.domain] = o.version;
  const scope: Scope = { tensors: new Map(), types: declared, constants: new Map(graph.initializers) };
  return convert(
    graph.nodes,
    scope,
    opsets,
    model.graph.name,
    graph.inputs.map((v) => v.name),
    graph.outputs.map((v) => v.name),
  );
}

/**
 * The ONNX {@link ModelGraphReader}: reads the model (from its path, or its bytes) and converts it
 * with {@link modelGraphFromOnnx}.
 *
 * @throws ArgumentError when `source` is not an ONNX model or has neither a path nor bytes.
 * @throws FileIOError / ModelParseError when the model cannot be read.
 * @throws GraphError when the graph is structurally invalid.
 */
export const readOnnxGraph: ModelGraphReader = (source, options = {}) => {
  const usable = sourceAvailability('the ONNX graph reader', 'onnx', source);
  if (!usable.ok)
    throw new ArgumentError(`Expected an ONNX model with a path or bytes for source: ${usable.reason}`);
  const model =
    source.path !== undefined ? readModelFile(source.path) : readModel(source.bytes!, { label: source.name });
  return modelGraphFromOnnx(model, options);
};
