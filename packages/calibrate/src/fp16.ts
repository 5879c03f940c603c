// FP16 rewriting: weights and activations in float16 while the model's inputs and outputs stay
// float32 behind Cast nodes (onnxconverter-common's float16 converter with keep_io_types does the
// same). Each float32 tensor has at most two names: the one consumers in float32 read, and the one
// consumers in float16 read; a Cast (or, for a constant, a float16 copy) joins them, made once per
// tensor whatever the number of consumers.

import { float32ToFloat16Bits, invalidArgument, toFloat16Array } from '@edge/core';
import {
  type AttributeProto,
  buildGraph,
  DataType,
  type GraphProto,
  inferShapes,
  isDefaultDomain,
  type NodeProto,
  type OnnxModel,
  onnxBuilder,
  type TensorProto,
  tensorFromArray,
  tensorValues,
  type ValueInfo,
} from '@edge/onnx-parse';

/**
 * Op types kept in float32 by default (frozen): float16 loses what they compute (boxes, indices,
 * ranks, sampling coordinates, random draws), or their float16 support varies by opset and runtime.
 */
export const DEFAULT_FLOAT16_BLOCK_LIST: readonly string[] = Object.freeze([
  'NonMaxSuppression',
  'TopK',
  'RoiAlign',
  'Range',
  'CumSum',
  'Resize',
  'Upsample',
  'RandomNormal',
  'RandomNormalLike',
  'RandomUniform',
  'RandomUniformLike',
  'Multinomial',
  'Bernoulli',
]);

/** Options of {@link convertToFloat16}. */
export interface Float16Options {
  /** Op types kept in float32 (replaces {@link DEFAULT_FLOAT16_BLOCK_LIST}). */
  readonly blockList?: readonly string[];
  /** Node names (or first output, for unnamed nodes) kept in float32 in addition to the block list. */
  readonly blockNodes?: readonly string[];
}

/** What {@link convertToFloat16} did. */
export interface Float16Result {
  /** The rewritten model; graph inputs and outputs keep their names and float32 type. */
  readonly model: OnnxModel;
  /** Nodes that now compute in float16 (Constant nodes not counted). */
  readonly converted: number;
  /** Nodes that touch float32 tensors but stay float32, and why. */
  readonly kept: readonly { node: string; op: string; reason: string }[];
  /** Cast nodes added. */
  readonly casts: number;
  /** Weight values outside float16's range, clamped to ±65504 (infinities stay infinite). */
  readonly clamped: number;
}

const FLOAT = DataType.FLOAT;
const HALF = DataType.FLOAT16;
const HALF_MAX = 65504;

// Ops with no float16 in any ONNX schema of opsets 7 to 17 (listed with onnx.defs: the float
// tensors they read or write allow tensor(float) but not tensor(float16)). CumSum gains float16 in
// opset 14. They stay float32 whatever the block list says.
const FLOAT32_ONLY: ReadonlySet<string> = new Set([
  'Celu',
  'CumSum',
  'Range',
  'IsInf',
  'TfIdfVectorizer',
  'NonMaxSuppression',
  'QuantizeLinear',
  'DequantizeLinear',
  'DynamicQuantizeLinear',
  'QLinearConv',
  'QLinearMatMul',
]);

// Positions that are tensor(float) only while the node's data may be float16 (same source):
// Resize's scales (input 1 in opset 10, 2 from 11; roi, input 1 from 11, may stay float32),
// Upsample's scales, LayerNormalization's Mean and InvStdDev.
const FLOAT32_INPUTS: Readonly<Record<string, readonly number[]>> = { Resize: [1, 2], Upsample: [1] };
const FLOAT32_OUTPUTS: Readonly<Record<string, readonly number[]>> = { LayerNormalization: [1, 2] };

// The attribute that sets the element type of output 0; FLOAT16 on converted nodes.
const DTYPE_ATTRIBUTE: Readonly<Record<string, string>> = {
  Cast: 'to',
  EyeLike: 'dtype',
  Bernoulli: 'dtype',
  RandomNormal: 'dtype',
  RandomNormalLike: 'dtype',
  RandomUniform: 'dtype',
  RandomUniformLike: 'dtype',
  HannWindow: 'output_datatype',
  HammingWindow: 'output_datatype',
  BlackmanWindow: 'output_datatype',
  MelWeightMatrix: 'output_datatype',
};

const outOfRange = (x: number): boolean => Math.abs(x) > HALF_MAX && Number.isFinite(x);

function checkStrings(name: string, value: unknown, what: string): readonly string[] | undefined {
  if (value === undefined || (Array.isArray(value) && value.every((v) => typeof v === 'string'))) {
    return value;
  }
  throw invalidArgument(name, value, `array of ${what} strings`);
}

// Every name in use, subgraphs included, so that new names clash with none.
function allNames(g: GraphProto, out: Set<string>): Set<string> {
  for (const v of [...g.inputs, ...g.outputs, ...g.valueInfo]) out.add(v.name);
  for (const t of g.initializers) out.add(t.name);
  for (const n of g.nodes) {
    out.add(n.name);
    for (const o of n.outputs) out.add(o);
    for (const a of n.attributes) for (const sub of a.g ? [a.g, ...a.graphs] : a.graphs) allNames(sub, out);
  }
  return out;
}

/**
 * Rewrites a float32 model to compute in float16. Float32 weights (initializers and Constant nodes)
 * become float16, clamped to ±65504; float32 activations between converted nodes are float16.
 * Each float32 graph input gets one Cast to float16, and each float32 graph output is written by a
 * Cast to float32 from the producer's output, renamed; names and types of the model's inputs and
 * outputs do not change. Only float32 tensors change: int64 shapes, float64 and the rest are left as
 * they are, as are tensors whose type shape inference cannot tell (their nodes stay float32).
 *
 * Nodes stay float32 when their op type is in the block list, their name is in
 * `options.blockNodes`, they hold subgraphs (If, Loop, Scan: subgraphs are not rewritten, and what
 * they read from the main graph stays float32), they are outside the default domain, or their ONNX
 * schema has no float16. They get Casts to float32 before and to float16 after, one per tensor.
 * Inputs whose schema takes float32 only (Resize and Upsample scales) keep float32 tensors.
 * A BatchNormalization whose running statistics float16 cannot hold stays float32 too: clamping
 * a variance would rescale its output. Cast, EyeLike, ConstantOfShape and the like that made
 * float32 in a converted region make float16. Nodes keep their topological order, each new Cast
 * right after what it reads. The input model is not changed; untouched parts are shared.
 *
 * @throws ArgumentError when `options` is not an object, an option is not an array of strings, or
 *   `options.blockNodes` names a node the graph does not have.
 * @throws GraphError when the graph is structurally invalid (see `Graph` in @edge/onnx-parse).
 */
export function convertToFloat16(model: OnnxModel, options: Float16Options = {}): Float16Result {
  if (typeof options !== 'object' || options === null) throw invalidArgument('options', options, 'object');
  const blockList = new Set(
    checkStrings('options.blockList', options.blockList, 'op type') ?? DEFAULT_FLOAT16_BLOCK_LIST,
  );
  const blockNodes = new Set(checkStrings('options.blockNodes', options.blockNodes, 'node name') ?? []);
  const graph = buildGraph(model);
  const label = (n: NodeProto) => n.name || n.outputs[0] || n.opType;
  const labels = new Set(graph.nodes.map(label));
  options.blockNodes?.forEach((name, k) => {
    if (!labels.has(name))
      throw invalidArgument(`options.blockNodes[${k}]`, name, 'name of a node of the graph');
  });
  const types = inferShapes(graph);
  const isFloat = (t: string) => t !== '' && types.get(t)?.elemType === FLOAT;
  const isConstantNode = (n: NodeProto) => n.opType === 'Constant' && isDefaultDomain(n.domain);
  const weight = (t: string) => (graph.isConstant(t) ? graph.constant(t) : undefined);

  // 1. Which nodes compute in float16.
  const half = new Set<NodeProto>();
  const kept: { node: string; op: string; reason: string }[] = [];
  const keepReason = (node: NodeProto, names: string[]): string | undefined => {
    if (!isDefaultDomain(node.domain)) return `op of domain '${node.domain}'`;
    if (node.attributes.some((a) => a.g || a.graphs.length)) return 'holds subgraphs, which stay float32';
    if (FLOAT32_ONLY.has(node.opType)) return 'no float16 in its ONNX schema';
    if (blockList.has(node.opType)) return 'op type in the block list';
    if (blockNodes.has(label(node))) return 'named in options.blockNodes';
    // Running statistics do not scale like weights: clamping a variance of 1e8 (PP-OCRv4 det has
    // one) to 65504 would scale the layer's output 40-fold, so such a layer stays float32.
    if (node.opType === 'BatchNormalization') {
      const big = node.inputs.slice(1).find((t) => {
        const w = weight(t);
        return w?.dataType === FLOAT && (tensorValues(w) as Float32Array).some(outOfRange);
      });
      if (big !== undefined) return `weight '${big}' is outside the float16 range`;
    }
    const unknown = names.find((t) => !types.has(t));
    return unknown === undefined ? undefined : `type of tensor '${unknown}' unknown`;
  };
  for (const node of graph.nodes) {
    const names = [...node.inputs, ...node.outputs].filter((t) => t !== '');
    if (isConstantNode(node) || !names.some(isFloat)) continue;
    const reason = keepReason(node, names);
    if (reason === undefined) half.add(node);
    else kept.push({ node: label(node), op: node.opType, reason });
  }
  const inHalf = (n: NodeProto, i: number) => half.has(n) && !FLOAT32_INPUTS[n.opType]?.includes(i);
  const outHalf = (n: NodeProto, j: number) => half.has(n) && !FLOAT32_OUTPUTS[n.opType]?.includes(j);

  // 2. Which float32 tensors are read in float16, in float32, or must keep float32 under their
  // name (graph outputs, and what subgraphs read, since they name it).
  const need16 = new Set<string>();
  const need32 = new Set<string>();
  const pinned = new Set(graph.outputs.map((v) => v.name));
  for (const node of graph.nodes) {
    node.inputs.forEach((t, i) => {
      if (isFloat(t)) (inHalf(node, i) ? need16 : need32).add(t);
    });
    for (const t of graph.implicitInputs(node)) pinned.add(t);
  }
  for (const t of pinned) if (isFloat(t)) need32.add(t);

  // 3. Names: to16 / to32 give the name a float16 / float32 reader uses; Casts join them.
  const used = allNames(model.graph, new Set());
  const fresh = (base: string) => {
    let name = base;
    for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  };
  const to16 = new Map<string, string>();
  const to32 = new Map<string, string>();
  const castsAfter = new Map<NodeProto | undefined, NodeProto[]>();
  let casts = 0;
  // Adds a Cast right after `after` (first when undefined) and returns the name it writes.
  const cast = (after: NodeProto | undefined, from: string, to: string, elemType: number): string => {
    const list = castsAfter.get(after) ?? [];
    list.push(onnxBuilder.node('Cast', [from], [to], { to: elemType }, { name: fresh(`${to}_cast`) }));
    castsAfter.set(after, list);
    casts++;
    return to;
  };
  for (const t of need16) {
    if (weight(t)) to16.set(t, need32.has(t) ? fresh(`${t}_fp16`) : t);
    else if (!graph.producer(t)) to16.set(t, cast(undefined, t, fresh(`${t}_fp16`), HALF));
  }
  for (const node of graph.nodes) {
    node.outputs.forEach((t, j) => {
      if (!isFloat(t) || weight(t)) return;
      if (!outHalf(node, j)) {
        if (need16.has(t)) to16.set(t, cast(node, t, fresh(`${t}_fp16`), HALF));
      } else if (pinned.has(t)) {
        // The producer writes a new name; a Cast back to float32 writes the pinned one.
        to16.set(t, fresh(`${t}_fp16`));
        cast(node, to16.get(t)!, t, FLOAT);
      } else {
        to16.set(t, t);
        if (need32.has(t)) to32.set(t, cast(node, t, fresh(`${t}_fp32`), FLOAT));
      }
    });
  }

  // 4. The new nodes, in the old order with each Cast right after what it reads.
  let clamped = 0;
  const halfTensor = (t: TensorProto, name: string): TensorProto => {
    const values = tensorValues(t) as Float32Array;
    const bits = toFloat16Array(values);
    for (let i = 0; i < values.length; i++) {
      if (outOfRange(values[i]!)) {
        bits[i] = float32ToFloat16Bits(Math.sign(values[i]!) * HALF_MAX);
        clamped++;
      }
    }
    return tensorFromArray(name, HALF, t.dims, bits);
  };
  // A converted node whose output 0 was float32 by an attribute now names float16 there.
  const halfAttributes = (node: NodeProto): NodeProto['attributes'] => {
    const set = (name: string, a: AttributeProto) => [...node.attributes.filter((b) => b.name !== name), a];
    const dtype = DTYPE_ATTRIBUTE[node.opType];
    if (dtype) return set(dtype, onnxBuilder.attr(dtype, HALF));
    if (node.opType !== 'ConstantOfShape') return node.attributes;
    const value = node.attributes.find((a) => a.name === 'value')?.t;
    const zero = tensorFromArray('', FLOAT, [1], new Float32Array(1));
    return set('value', onnxBuilder.attr('value', halfTensor(value ?? zero, '')));
  };
  const nodes: NodeProto[] = [...(castsAfter.get(undefined) ?? [])];
  let converted = 0;
  for (const node of graph.nodes) {
    const out = node.outputs[0] ?? '';
    const w = isConstantNode(node) && isFloat(out) ? weight(out) : undefined;
    const name16 = to16.get(out);
    if (w) {
      const value = (t: TensorProto) => [onnxBuilder.attr('value', { ...t, name: '' })];
      if (name16 === out) nodes.push({ ...node, attributes: value(halfTensor(w, out)) });
      else nodes.push(node);
      if (name16 !== undefined && name16 !== out)
        nodes.push(onnxBuilder.constant(name16, halfTensor(w, name16)));
      continue;
    }
    const inputs = node.inputs.map((t, i) =>
      !isFloat(t) ? t : inHalf(node, i) ? to16.get(t)! : (to32.get(t) ?? t),
    );
    const outputs = node.outputs.map((t, j) => (isFloat(t) && outHalf(node, j) ? to16.get(t)! : t));
    if (half.has(node)) {
      converted++;
      nodes.push({
        ...node,
        inputs,
        outputs,
        attributes: isFloat(out) && outHalf(node, 0) ? halfAttributes(node) : node.attributes,
      });
    } else if (inputs.some((t, i) => t !== node.inputs[i])) {
      nodes.push({ ...node, inputs });
    } else {
      nodes.push(node);
    }
    nodes.push(...(castsAfter.get(node) ?? []));
  }

  // 5. Initializers and value_info follow.
  const initializers = model.graph.initializers.flatMap((t) => {
    const name16 = to16.get(t.name);
    if (name16 === undefined) return [t];
    return name16 === t.name ? [halfTensor(t, name16)] : [t, halfTensor(t, name16)];
  });
  const retype = (v: ValueInfo): ValueInfo =>
    to16.get(v.name) === v.name && v.type?.kind === 'tensor'
      ? { ...v, type: { ...v.type, elemType: HALF } }
      : v;
  const g = model.graph;
  return {
    model: {
      ...model,
      graph: { ...g, nodes, initializers, inputs: g.inputs.map(retype), valueInfo: g.valueInfo.map(retype) },
    },
    converted,
    kept,
    casts,
    clamped,
  };
}
