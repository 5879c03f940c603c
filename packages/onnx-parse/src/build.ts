// Builders for small in-memory models, so a test (or a tool) states a graph in a few lines.
// Public as the `onnxBuilder` namespace: generic names like `node` and `graph` stay out of the
// package's top level.

import { DataType } from './data-type.js';
import { tensorFromArray } from './tensor-data.js';
import {
  type AttributeProto,
  AttributeType,
  type GraphProto,
  type NodeProto,
  type OnnxModel,
  type TensorProto,
  type ValueInfo,
} from './types.js';

/** Marks a number as a FLOAT attribute even when it is integral. */
export interface FloatAttr {
  float: number | number[];
}

/** Attribute values: integers become INT(S), other numbers FLOAT(S), strings STRING(S). */
export type AttrInput = number | number[] | string | string[] | TensorProto | GraphProto | FloatAttr;

const utf8 = new TextEncoder();

/** A FLOAT(S) attribute value. */
export function float(v: number | number[]): FloatAttr {
  return { float: v };
}

/** An attribute. */
export function attr(name: string, v: AttrInput): AttributeProto {
  const a: AttributeProto = {
    name,
    refAttrName: '',
    docString: '',
    type: AttributeType.UNDEFINED,
    floats: [],
    ints: [],
    strings: [],
    tensors: [],
    graphs: [],
    sparseTensors: [],
    typeProtos: [],
  };
  if (typeof v === 'number') {
    if (Number.isInteger(v)) Object.assign(a, { type: AttributeType.INT, i: v });
    else Object.assign(a, { type: AttributeType.FLOAT, f: v });
  } else if (typeof v === 'string') {
    Object.assign(a, { type: AttributeType.STRING, s: utf8.encode(v) });
  } else if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) {
      Object.assign(a, { type: AttributeType.STRINGS, strings: (v as string[]).map((s) => utf8.encode(s)) });
    } else if ((v as number[]).every(Number.isInteger))
      Object.assign(a, { type: AttributeType.INTS, ints: v });
    else Object.assign(a, { type: AttributeType.FLOATS, floats: v });
  } else if ('float' in v) {
    if (Array.isArray(v.float)) Object.assign(a, { type: AttributeType.FLOATS, floats: v.float });
    else Object.assign(a, { type: AttributeType.FLOAT, f: v.float });
  } else if ('nodes' in v) {
    Object.assign(a, { type: AttributeType.GRAPH, g: v });
  } else {
    Object.assign(a, { type: AttributeType.TENSOR, t: v });
  }
  return a;
}

/** A node; `name` defaults to its first output. */
export function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  attrs: Record<string, AttrInput> = {},
  extra: { name?: string; domain?: string } = {},
): NodeProto {
  return {
    name: extra.name ?? outputs[0] ?? opType,
    opType,
    domain: extra.domain ?? '',
    overload: '',
    inputs,
    outputs,
    attributes: Object.entries(attrs).map(([k, v]) => attr(k, v)),
    docString: '',
    metadataProps: [],
  };
}

/** A tensor value_info; dims are numbers, symbols, or null for unknown. `shape` null: unknown rank. */
export function value(
  name: string,
  shape: (number | string | null)[] | null,
  elemType: number = DataType.FLOAT,
): ValueInfo {
  const dims = shape?.map((d) =>
    typeof d === 'number' ? { value: d } : typeof d === 'string' ? { param: d } : {},
  );
  return {
    name,
    type: dims ? { kind: 'tensor', elemType, shape: dims } : { kind: 'tensor', elemType },
    docString: '',
    metadataProps: [],
  };
}

/** A float tensor filled with `fill` (or 0.5). */
export function floats(name: string, dims: number[], fill = 0.5): TensorProto {
  const n = dims.reduce((a, b) => a * b, 1);
  return tensorFromArray(name, DataType.FLOAT, dims, new Float32Array(n).fill(fill));
}

/** An int64 tensor; 1-D by default. */
export function int64s(name: string, values: number[], dims: number[] = [values.length]): TensorProto {
  return tensorFromArray(
    name,
    DataType.INT64,
    dims,
    BigInt64Array.from(values, (v) => BigInt(v)),
  );
}

/** A Constant node holding `t` under the output name `name`. */
export function constant(name: string, t: TensorProto): NodeProto {
  return node('Constant', [], [name], { value: { ...t, name: '' } });
}

/** A graph. */
export function graph(parts: {
  nodes: NodeProto[];
  inputs?: ValueInfo[];
  outputs?: ValueInfo[];
  initializers?: TensorProto[];
  valueInfo?: ValueInfo[];
  name?: string;
}): GraphProto {
  return {
    name: parts.name ?? 'g',
    docString: '',
    nodes: parts.nodes,
    initializers: parts.initializers ?? [],
    sparseInitializers: [],
    inputs: parts.inputs ?? [],
    outputs: parts.outputs ?? [],
    valueInfo: parts.valueInfo ?? [],
    quantizationAnnotations: [],
    metadataProps: [],
  };
}

/** A model around a graph, importing the default domain at `opset`. */
export function model(g: GraphProto, opset = 13, extra: Partial<OnnxModel> = {}): OnnxModel {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: opset }],
    producerName: 'test',
    producerVersion: '1',
    domain: '',
    modelVersion: 0,
    docString: '',
    graph: g,
    metadataProps: [],
    trainingInfo: [],
    functions: [],
    ...extra,
  };
}

/** A model made of `nodes` with the given inputs; outputs are the last node's outputs, untyped. */
export function chain(
  inputs: ValueInfo[],
  nodes: NodeProto[],
  opts: { opset?: number; initializers?: TensorProto[] } = {},
): OnnxModel {
  const last = nodes[nodes.length - 1]!;
  return model(
    graph({
      nodes,
      inputs,
      initializers: opts.initializers ?? [],
      outputs: last.outputs.map((o) => ({ name: o, docString: '', metadataProps: [] })),
    }),
    opts.opset ?? 13,
  );
}
