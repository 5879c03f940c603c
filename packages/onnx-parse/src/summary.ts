// What is in a model, in one plain object: its graph inputs and outputs (dtype and shape), opsets,
// producer, sizes, MACs, op histogram and heaviest layers. `edge inspect` prints it; code can use it
// as it is. Only the structure is read (see modelStats), so a lazily read model stays unread.

import { dataTypeName } from './data-type.js';
import { type Dim, inferShapes } from './shape-inference/index.js';
import { heaviestNodes, modelStats } from './stats.js';
import type { OnnxModel, TypeProto, ValueInfo } from './types.js';

/** A graph input or output as {@link summarizeModel} reports it. */
export interface SummaryValue {
  name: string;
  /** Element type name (`float`, `int64`, ...), or the kind of a non-tensor value; `?` when undeclared. */
  dtype: string;
  /** The given input shape, else the inferred one, else the declared one; null when unknown. */
  shape: Dim[] | null;
}

/** One of the heaviest nodes. */
export interface SummaryLayer {
  name: string;
  op: string;
  macs: number;
  parameters: number;
  /** Inferred shape of the node's first output; null when unknown. */
  outputShape: Dim[] | null;
}

/** What {@link summarizeModel} returns. */
export interface ModelSummary {
  irVersion: number;
  /** Opset imports; the default domain is named `ai.onnx`. */
  opsets: { domain: string; version: number }[];
  producer: { name: string; version: string };
  /** Graph inputs that are not initializers. */
  inputs: SummaryValue[];
  outputs: SummaryValue[];
  nodes: number;
  parameters: number;
  weightParameters: number;
  weightBytes: Record<string, number>;
  macs: number;
  /** True when symbolic dims were counted as 1: give `inputShapes` for exact MACs. */
  macsApproximate: boolean;
  symbolicDims: string[];
  /** Node count per op, most frequent first. */
  ops: Record<string, number>;
  /** The `top` nodes with the most MACs. */
  heaviest: SummaryLayer[];
}

/** Options of {@link summarizeModel}. */
export interface SummaryOptions {
  /** Shapes to assume for graph inputs, by name (fixes symbolic dims, so MACs are exact). */
  inputShapes?: Record<string, Dim[]>;
  /** How many heaviest layers to list. Default 10. */
  top?: number;
}

function dtypeOf(t: TypeProto | undefined): string {
  if (!t) return '?';
  if (t.kind === 'tensor' || t.kind === 'sparseTensor') return dataTypeName(t.elemType);
  return t.kind;
}

function declaredShape(t: TypeProto | undefined): Dim[] | null {
  if (t?.kind !== 'tensor' || !t.shape) return null;
  return t.shape.map((d) => d.value ?? d.param ?? null);
}

/**
 * Summarises a model: inputs and outputs, opsets, producer, parameters, weight bytes, MACs, the op
 * histogram and the heaviest layers, with shapes from shape inference.
 *
 * @throws {@link ArgumentError} when `inputShapes` names something that is not a graph input, or
 * `top` is not a non-negative integer.
 * @throws {@link GraphError} when the graph is structurally invalid.
 */
export function summarizeModel(model: OnnxModel, options: SummaryOptions = {}): ModelSummary {
  const inputShapes = options.inputShapes ?? {};
  const stats = modelStats(model, { inputShapes });
  const heaviest = heaviestNodes(stats, options.top ?? 10);
  const types = inferShapes(model, { inputShapes });
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  const value = (v: ValueInfo): SummaryValue => ({
    name: v.name,
    dtype: dtypeOf(v.type),
    shape: inputShapes[v.name] ?? types.get(v.name)?.shape ?? declaredShape(v.type),
  });
  return {
    irVersion: stats.irVersion,
    opsets: stats.opsetImports.map((o) => ({ domain: o.domain || 'ai.onnx', version: o.version })),
    producer: { name: stats.producerName, version: stats.producerVersion },
    inputs: model.graph.inputs.filter((i) => !inits.has(i.name)).map(value),
    outputs: model.graph.outputs.map(value),
    nodes: stats.nodeCount,
    parameters: stats.parameters,
    weightParameters: stats.weightParameters,
    weightBytes: stats.weightBytes,
    macs: stats.macs,
    macsApproximate: stats.macsApproximate,
    symbolicDims: stats.symbolicDims,
    ops: stats.opHistogram,
    heaviest: heaviest.map((n) => ({
      name: n.name,
      op: n.op,
      macs: n.macs,
      parameters: n.parameters,
      outputShape: types.get(n.node.outputs[0] ?? '')?.shape ?? null,
    })),
  };
}
