// Model statistics: parameters, weight bytes, MACs per node, op histogram. Works on a lazily read
// model: tensor sizes come from dims and stored lengths, never from reading payloads.

import { ArgumentError } from '@edge/core';
import { attrInt, nodeLabel } from './attributes.js';
import { dataTypeName } from './data-type.js';
import { Graph, isDefaultDomain } from './graph.js';
import { runInference } from './shape-inference/infer.js';
import type { Dim, ValueType } from './shape-inference/types.js';
import { tensorElementCount, tensorPayloadLength } from './tensor-data.js';
import type { NodeProto, OnnxModel, OperatorSetId, TensorProto } from './types.js';

/** Per-node figures of {@link modelStats}. */
export interface NodeStats {
  /** The node itself. */
  node: NodeProto;
  /** The node's name, or its op and first output when it has none. */
  name: string;
  /** `opType`, prefixed with `domain:` outside the default domain. */
  op: string;
  /** Multiply-accumulates of Conv, ConvTranspose, Gemm and MatMul (and their quantized forms); 0 for other ops. */
  macs: number;
  /** True when a symbolic or unknown dim was counted as 1, or the shapes were unknown (then `macs` is 0). */
  macsApproximate: boolean;
  /** Elements of the constant inputs (initializers, Constant outputs) the node reads; a shared tensor counts for each reader. */
  parameters: number;
  /** Stored bytes of those constant inputs. */
  parameterBytes: number;
}

/** What {@link modelStats} reports. */
export interface ModelStats {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  opsetImports: OperatorSetId[];
  nodeCount: number;
  /** Node count per op (`domain:op` outside the default domain), most frequent first. */
  opHistogram: Record<string, number>;
  /** Elements of all initializers and Constant-node tensors, shape constants included. */
  parameters: number;
  /**
   * Elements of the constant tensors read as weights: the weight/bias inputs of Conv, ConvTranspose,
   * Gemm, MatMul, the normalizations and PRelu (each tensor once). A bias added by a separate Add
   * is not counted.
   */
  weightParameters: number;
  /** Stored bytes of all initializers and Constant tensors, by data type name (`float`, `int64`, ...). */
  weightBytes: Record<string, number>;
  /** Sum of `weightBytes`. */
  totalWeightBytes: number;
  /** Sum of the nodes' MACs. */
  macs: number;
  /** True when any node's MACs are approximate; see `symbolicDims`. */
  macsApproximate: boolean;
  /** Symbolic dims (such as a free batch) that were counted as 1. */
  symbolicDims: string[];
  /** One entry per node, in topological order. */
  nodes: NodeStats[];
}

/** Options of {@link modelStats}. */
export interface StatsOptions {
  /** Input shapes to assume, as for {@link inferShapes} (fix the batch or the image size to get exact MACs). */
  inputShapes?: Record<string, Dim[]>;
}

// Which inputs hold weights, by op; only constant ones count.
const WEIGHT_INPUTS: Record<string, readonly number[]> = {
  Conv: [1, 2],
  ConvTranspose: [1, 2],
  ConvInteger: [1],
  QLinearConv: [3, 8],
  Gemm: [0, 1, 2],
  MatMul: [0, 1],
  MatMulInteger: [0, 1],
  QLinearMatMul: [0, 3],
  BatchNormalization: [1, 2, 3, 4],
  InstanceNormalization: [1, 2],
  LayerNormalization: [1, 2],
  PRelu: [1],
};

interface Count {
  n: number;
  approximate: boolean;
}

function product(shape: readonly Dim[], symbols: Set<string>): Count {
  let n = 1;
  let approximate = false;
  for (const d of shape) {
    if (typeof d === 'number') n *= d;
    else {
      approximate = true;
      if (typeof d === 'string') symbols.add(d);
    }
  }
  return { n, approximate };
}

function macsOf(node: NodeProto, types: Map<string, ValueType>, symbols: Set<string>): Count {
  const shapeOf = (name: string | undefined) => (name ? types.get(name)?.shape : undefined);
  const mul = (...cs: Count[]): Count => ({
    n: cs.reduce((a, c) => a * c.n, 1),
    approximate: cs.some((c) => c.approximate),
  });
  const unknown = { n: 0, approximate: true };
  const op = isDefaultDomain(node.domain) ? node.opType : '';
  const [x, w] = op === 'QLinearConv' || op === 'QLinearMatMul' ? [0, 3] : [0, 1];
  const xs = shapeOf(node.inputs[x]);
  const ws = shapeOf(node.inputs[w]);
  const ys = shapeOf(node.outputs[0]);
  switch (op) {
    case 'Conv':
    case 'ConvInteger':
    case 'QLinearConv':
      // Each output element is a dot product over Cin/group * kernel: W's dims after the first.
      return ys && ws ? mul(product(ys, symbols), product(ws.slice(1), symbols)) : unknown;
    case 'ConvTranspose':
      // Each input element scatters into Cout/group * kernel outputs.
      return xs && ws ? mul(product(xs, symbols), product(ws.slice(1), symbols)) : unknown;
    case 'Gemm': {
      if (!ys || !xs || xs.length !== 2) return unknown;
      const transA = attrInt(node, 'transA', 0);
      return mul(product(ys, symbols), product([xs[transA ? 0 : 1]!], symbols));
    }
    case 'MatMul':
    case 'MatMulInteger':
    case 'QLinearMatMul':
      if (!ys || !xs || xs.length === 0) return unknown;
      return mul(product(ys, symbols), product([xs[xs.length - 1]!], symbols));
  }
  return { n: 0, approximate: false };
}

function opKey(node: NodeProto): string {
  return isDefaultDomain(node.domain) ? node.opType : `${node.domain}:${node.opType}`;
}

/**
 * Statistics of a model: parameters, weight bytes by type, MACs per node and in total, the op
 * histogram, opset imports and producer. MACs use inferred shapes; symbolic dims (a free batch)
 * count as 1 and are listed in `symbolicDims` (pass `inputShapes` for exact figures).
 *
 * Payloads are never read for sizes; shape inference reads only the small integer tensors of
 * shape computations (Reshape targets, Resize scales), so a lazily read model stays unread.
 *
 * @throws GraphError when the graph is structurally invalid (see {@link Graph}).
 * @throws ArgumentError when `opts.inputShapes` names something that is not a graph input.
 */
export function modelStats(model: OnnxModel, opts: StatsOptions = {}): ModelStats {
  const graph = new Graph(model);
  const types = runInference(graph, opts).types;
  const symbols = new Set<string>();

  const constants: TensorProto[] = [...graph.initializers.values()];
  for (const n of graph.nodes) {
    if (n.opType === 'Constant' && isDefaultDomain(n.domain)) {
      const t = graph.constant(n.outputs[0] ?? '');
      if (t) constants.push(t);
    }
  }
  const weightBytes: Record<string, number> = {};
  let parameters = 0;
  let totalWeightBytes = 0;
  for (const t of constants) {
    const bytes = tensorPayloadLength(t);
    parameters += tensorElementCount(t);
    totalWeightBytes += bytes;
    const key = dataTypeName(t.dataType);
    weightBytes[key] = (weightBytes[key] ?? 0) + bytes;
  }

  const histogram = new Map<string, number>();
  const weights = new Set<string>();
  let macs = 0;
  let macsApproximate = false;
  const nodes = graph.nodes.map((node): NodeStats => {
    const op = opKey(node);
    histogram.set(op, (histogram.get(op) ?? 0) + 1);
    let params = 0;
    let paramBytes = 0;
    node.inputs.forEach((name, i) => {
      const t = name ? graph.constant(name) : undefined;
      if (!t) return;
      params += tensorElementCount(t);
      paramBytes += tensorPayloadLength(t);
      if (isDefaultDomain(node.domain) && WEIGHT_INPUTS[node.opType]?.includes(i)) weights.add(name);
    });
    let m: Count;
    try {
      m = macsOf(node, types, symbols);
    } catch {
      // A malformed attribute (transA of the wrong type): the count is unknown, the rest stands.
      m = { n: 0, approximate: true };
    }
    macs += m.n;
    macsApproximate ||= m.approximate;
    return {
      node,
      name: node.name || nodeLabel(node),
      op,
      macs: m.n,
      macsApproximate: m.approximate,
      parameters: params,
      parameterBytes: paramBytes,
    };
  });
  let weightParameters = 0;
  for (const name of weights) weightParameters += tensorElementCount(graph.constant(name)!);

  return {
    irVersion: model.irVersion,
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    opsetImports: model.opsetImports.map((o) => ({ ...o })),
    nodeCount: graph.nodes.length,
    opHistogram: Object.fromEntries([...histogram].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))),
    parameters,
    weightParameters,
    weightBytes,
    totalWeightBytes,
    macs,
    macsApproximate,
    symbolicDims: [...symbols].sort(),
    nodes,
  };
}

/**
 * The `k` heaviest nodes: by MACs, then by parameter bytes, then in graph order.
 *
 * @throws ArgumentError when `k` is not a non-negative integer.
 */
export function heaviestNodes(stats: ModelStats, k: number): NodeStats[] {
  if (!Number.isInteger(k) || k < 0) {
    throw new ArgumentError(`Expected non-negative integer for k but received ${k} of type ${typeof k}`);
  }
  return stats.nodes
    .map((n, i) => ({ n, i }))
    .sort((a, b) => b.n.macs - a.n.macs || b.n.parameterBytes - a.n.parameterBytes || a.i - b.i)
    .slice(0, k)
    .map((e) => e.n);
}
