// INT8 QDQ rewriting, in the form TensorRT's explicit quantization and onnxruntime's QDQ
// transformers both read: a QuantizeLinear -> DequantizeLinear pair on every activation that
// enters or leaves a quantized node, int8 weights per output channel behind a DequantizeLinear,
// int32 biases at input scale x weight scale, every zero point 0. Consumers of a quantized tensor
// read its DequantizeLinear output; the tensor itself keeps its name, so graph outputs and
// comparisons by name still find it.

import { ArgumentError, checkOneOf, GraphError, invalidArgument } from '@edge/core';
import {
  attrInt,
  DataType,
  foldForQuantization,
  Graph,
  inferShapes,
  isDefaultDomain,
  type NodeProto,
  type OnnxModel,
  onnxBuilder,
  removeUnused,
  type TensorProto,
  tensorFromArray,
  tensorValues,
  upgradeOpset,
} from '@edge/onnx-parse';
import { perChannelScales } from './weights.js';

/** Op types quantized by default: the heavy ones, and those that keep INT8 runs unbroken. */
export const DEFAULT_QDQ_OPS: readonly string[] = Object.freeze([
  'Conv',
  'ConvTranspose',
  'Gemm',
  'MatMul',
  'Add',
  'Concat',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'Mul',
]);

/** Options of {@link quantizeQdq}. */
export interface QdqOptions {
  /** Op types to quantize; default {@link DEFAULT_QDQ_OPS}. */
  readonly ops?: readonly string[];
  /**
   * Nodes kept in float32 by node name; a tensor name keeps that tensor in float32, and with it
   * every node that reads or writes it (so the tensors an accuracy report blames can be passed as
   * they are).
   */
  readonly excludeNodes?: readonly string[];
  /**
   * Biases of Conv, ConvTranspose and Gemm: `int32` at input scale x weight scale (default; what
   * onnxruntime needs to fuse QLinearConv), or `float` (left as they are, as TensorRT prefers).
   */
  readonly bias?: 'int32' | 'float';
  /**
   * Fold BatchNormalization and per-channel Mul/Add into the Conv before them, and rewrite
   * spelled-out hard-swish, before quantizing (see {@link foldForQuantization}); default true.
   */
  readonly fold?: boolean;
  /**
   * Storage of activations (and of constants that enter a node beside an activation): `int8`
   * with zero point 0 (default; what TensorRT requires), or `uint8` with zero point 128, the same
   * 256-level grid shifted, which onnxruntime's x86 kernels run without conversion. Weights
   * stay int8 with zero point 0 either way.
   */
  readonly activationType?: 'int8' | 'uint8';
  /**
   * Weights in 7 bits (-63..63) instead of 8: onnxruntime's u8s8 kernels on x86 CPUs without
   * VNNI add pairs of products in 16 bits, which saturate with full-range weights (onnxruntime's
   * own quantizer has the same switch). Default false.
   */
  readonly reduceRange?: boolean;
  /**
   * With `uint8` activations: the smallest value each tensor took during calibration
   * ({@link TensorStatistics.min}). A tensor then gets the asymmetric range [max(min, -amax),
   * amax] over all 256 levels instead of [-amax, amax]: twice the resolution for a tensor that is
   * never negative (after Relu, Sigmoid, HardSigmoid) and nearly so after hard-swish (at least
   * -3/8), as onnxruntime's own quantizer does. Ignored with `int8` activations (TensorRT wants
   * zero point 0).
   */
  readonly minimums?: Readonly<Record<string, number>>;
}

/** A node left in float32, and why. */
export interface KeptNode {
  readonly node: string;
  readonly op: string;
  readonly reason: string;
}

/** What {@link quantizeQdq} did. */
export interface QdqResult {
  /** The QDQ model (default-domain opset raised to 13 when older, for per-channel axes). */
  readonly model: OnnxModel;
  /** Names of the nodes that now run on INT8 inputs. */
  readonly quantized: readonly string[];
  /** Nodes of a quantizable op type left in float32, with the reason. */
  readonly kept: readonly KeptNode[];
  /**
   * Activation tensors that got a QuantizeLinear/DequantizeLinear pair (a graph output that no
   * node reads gets none: the quantized node writes it in float32).
   */
  readonly activations: number;
  /** Weight tensors stored as int8. */
  readonly weights: number;
  /** Nodes folded into a Conv, and hard-swish patterns rewritten, before quantizing. */
  readonly folded: number;
}

const INT8_MAX = 127;
const INT32_MAX = 2 ** 31 - 1;

/** Round half to even, as QuantizeLinear does. */
function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Which input positions of a quantized node are weights, and their output-channel axis. */
function weightAxis(node: NodeProto, index: number, rank: number): number | undefined {
  switch (node.opType) {
    case 'Conv':
      return index === 1 ? 0 : undefined;
    case 'ConvTranspose':
      return index === 1 ? 1 : undefined;
    case 'Gemm':
      return index === 1 ? (attrInt(node, 'transB', 0) ? 0 : 1) : undefined;
    case 'MatMul':
      return index === 1 && rank >= 2 ? rank - 1 : undefined;
    default:
      return undefined;
  }
}

function isBias(node: NodeProto, index: number): boolean {
  return index === 2 && (node.opType === 'Conv' || node.opType === 'ConvTranspose' || node.opType === 'Gemm');
}

/** Ops whose inputs after the first are parameters (sizes, scales, axes), not data. */
const FIRST_INPUT_ONLY = new Set([
  'Resize',
  'Upsample',
  'Reshape',
  'Pad',
  'Slice',
  'Expand',
  'Tile',
  'Squeeze',
  'Unsqueeze',
]);

/**
 * Ops whose output stays within their input's range: the output takes the input's scale, so the
 * Q/DQ pairs around them cancel and the op runs on 8-bit data (onnxruntime drops them).
 */
const SAME_SCALE = new Set([
  'Resize',
  'MaxPool',
  'Reshape',
  'Transpose',
  'Flatten',
  'Squeeze',
  'Unsqueeze',
  'Slice',
]);

/** Whether input `k` of a quantized node is data that gets a Q/DQ pair (or a quantized constant). */
function quantizedInput(node: NodeProto, k: number): boolean {
  return !!node.inputs[k] && !isBias(node, k) && (k === 0 || !FIRST_INPUT_ONLY.has(node.opType));
}

function checkNames(label: string, value: unknown): readonly string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw invalidArgument(label, value, 'array of strings');
  }
  return value;
}

/**
 * Rewrites an FP32 model into a QDQ INT8 model from calibrated thresholds (amax per tensor, as a
 * calibration cache holds them). A node is quantized when its op type is in `options.ops`, its
 * float inputs and outputs all have a threshold (or are constants), and it is not excluded; the
 * others stay float32 and are listed in {@link QdqResult.kept} with the reason.
 *
 * @throws ArgumentError on bad options or a negative or non-finite threshold.
 * @throws GraphError when the model cannot be raised to opset 13 (see `upgradeOpset`), or is
 *   structurally invalid.
 */
export function quantizeQdq(
  model: OnnxModel,
  thresholds: Readonly<Record<string, number>>,
  options: QdqOptions = {},
): QdqResult {
  let ranges: Record<string, number> = { ...thresholds };
  const ops = new Set(checkNames('options.ops', options.ops ?? DEFAULT_QDQ_OPS));
  const excluded = new Set(checkNames('options.excludeNodes', options.excludeNodes ?? []));
  const bias = checkOneOf('options.bias', options.bias ?? 'int32', ['int32', 'float'] as const);
  const unsigned =
    checkOneOf('options.activationType', options.activationType ?? 'int8', ['int8', 'uint8'] as const) ===
    'uint8';
  const ACT = unsigned ? DataType.UINT8 : DataType.INT8;
  const ZERO = unsigned ? 128 : 0;
  const minimums: Record<string, number> = unsigned ? { ...options.minimums } : {};
  const WEIGHT_MAX = options.reduceRange ? 63 : INT8_MAX;
  for (const [name, amax] of Object.entries(thresholds)) {
    if (typeof amax !== 'number' || !Number.isFinite(amax) || amax < 0) {
      throw new ArgumentError(
        `Expected finite non-negative threshold for thresholds[${JSON.stringify(name)}] but received ${String(amax)}`,
      );
    }
  }
  // Raised first, so that Clip bounds are inputs by the time hard-swish is looked for.
  const upgraded = upgradeOpset(model, 13).model;
  const fold = options.fold === false ? undefined : foldForQuantization(upgraded);
  const source = fold?.model ?? upgraded;
  const graph = new Graph(source);
  // Outputs of bounded activations need no calibration (those made by folding have none).
  const bounded: Record<string, number> = {};
  for (const n of graph.nodes) {
    if (n.opType !== 'HardSigmoid' && n.opType !== 'Sigmoid') continue;
    // Never clipped below 1: a range method fed maps that are almost all zero (a detector's text
    // probability) would otherwise saturate the one output that carries the answer.
    bounded[n.outputs[0]!] = 1;
    if (unsigned) minimums[n.outputs[0]!] = 0;
  }
  ranges = { ...ranges, ...bounded };
  const types = inferShapes(graph);
  const isFloat = (name: string) => types.get(name)?.elemType === DataType.FLOAT;
  const taken = new Set<string>([
    ...graph.nodes.flatMap((n) => [n.name, ...n.outputs]),
    ...graph.initializers.keys(),
    ...graph.inputs.map((v) => v.name),
  ]);
  const unique = (base: string) => {
    let name = base;
    for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
    taken.add(name);
    return name;
  };

  // 1. Choose the nodes.
  const quantized: NodeProto[] = [];
  const kept: KeptNode[] = [];
  for (const node of graph.nodes) {
    if (!isDefaultDomain(node.domain) || !ops.has(node.opType)) continue;
    const label = node.name || node.outputs[0]!;
    const keep = (reason: string) => kept.push({ node: label, op: node.opType, reason });
    if (excluded.has(label)) {
      keep('excluded by options.excludeNodes');
      continue;
    }
    const floatTensor = [...node.inputs, ...node.outputs].find((t) => excluded.has(t));
    if (floatTensor !== undefined) {
      keep(`tensor '${floatTensor}' is kept in float32 by options.excludeNodes`);
      continue;
    }
    const input = node.inputs[0]!;
    if (SAME_SCALE.has(node.opType) && ranges[input]! > 0) {
      ranges[node.outputs[0]!] = ranges[input]!;
      if (minimums[input] !== undefined) minimums[node.outputs[0]!] = minimums[input]!;
      else delete minimums[node.outputs[0]!];
    }
    const missing = [
      ...node.inputs.filter((_, k) => quantizedInput(node, k)),
      ...node.outputs.slice(0, 1),
    ].find((t) => !isFloat(t) || (!graph.isConstant(t) && !(ranges[t]! > 0)));
    if (missing !== undefined) {
      keep(
        isFloat(missing)
          ? `no calibrated range for tensor '${missing}'`
          : `tensor '${missing}' is not float32`,
      );
      continue;
    }
    quantized.push(node);
  }

  // 2. Activation pairs, weights, biases.
  const added: NodeProto[] = [];
  const initializers: TensorProto[] = [];
  const dequantized = new Map<string, string>();
  const scaleOf = new Map<string, number>();
  const { node: makeNode } = onnxBuilder;
  const scalar = (base: string, dataType: number, value: number) => {
    const name = unique(base);
    const data =
      dataType === DataType.FLOAT
        ? Float32Array.of(value)
        : dataType === DataType.UINT8
          ? Uint8Array.of(value)
          : Int8Array.of(value);
    initializers.push(tensorFromArray(name, dataType, [], data));
    return name;
  };
  const dequantize = (stored: string, scale: string, zero: string, axis?: number) => {
    const out = unique(`${stored}_dequantized`);
    const attrs: Record<string, number> = axis === undefined ? {} : { axis };
    added.push(
      makeNode('DequantizeLinear', [stored, scale, zero], [out], attrs, { name: unique(`${out}_node`) }),
    );
    return out;
  };

  const activationPair = (tensor: string) => {
    if (dequantized.has(tensor)) return;
    const amax = ranges[tensor]!;
    const low = minimums[tensor];
    let scale = Math.fround(amax / INT8_MAX);
    let zero = ZERO;
    if (low !== undefined && low > -amax) {
      // [lo, amax] over 0..255 with 0 exactly representable (zero padding, Relu).
      const lo = Math.min(0, low);
      scale = Math.fround((amax - lo) / 255);
      zero = Math.min(255, Math.max(0, rint(-lo / scale)));
    }
    scaleOf.set(tensor, scale);
    const s = scalar(`${tensor}_scale`, DataType.FLOAT, scale);
    const z = scalar(`${tensor}_zero_point`, ACT, zero);
    const q = unique(`${tensor}_quantized`);
    added.push(
      makeNode('QuantizeLinear', [tensor, s, z], [q], {}, { name: unique(`${tensor}_QuantizeLinear`) }),
    );
    dequantized.set(tensor, dequantize(q, s, z));
  };

  const constant8 = (name: string, axis: number | undefined): { out: string; scales: Float32Array } => {
    const t = graph.constant(name)!;
    const w = tensorValues(t) as Float32Array;
    const dims = t.dims;
    const scales =
      axis === undefined
        ? Float32Array.of(Math.fround(w.reduce((m, v) => Math.max(m, Math.abs(v)), 0) / INT8_MAX) || 1)
        : perChannelScales(w, dims, axis, WEIGHT_MAX);
    const q = new Int8Array(w.length);
    let inner = 1;
    for (let d = (axis ?? dims.length) + 1; d < dims.length; d++) inner *= dims[d]!;
    for (let i = 0; i < w.length; i++) {
      const s = axis === undefined ? scales[0]! : scales[Math.floor(i / inner) % scales.length]!;
      const limit = axis === undefined ? INT8_MAX : WEIGHT_MAX;
      q[i] = Math.max(-limit, Math.min(limit, rint(w[i]! / s)));
    }
    const stored = unique(`${name}_quantized`);
    const n = scales.length;
    const scaleName = unique(`${name}_scale`);
    const zeroName = unique(`${name}_zero_point`);
    initializers.push(tensorFromArray(scaleName, DataType.FLOAT, axis === undefined ? [] : [n], scales));
    if (axis === undefined && unsigned) {
      // A constant beside an activation is stored like the activation, so binary ops see one type.
      initializers.push(
        tensorFromArray(
          stored,
          DataType.UINT8,
          dims,
          Uint8Array.from(q, (v) => v + ZERO),
        ),
      );
      initializers.push(tensorFromArray(zeroName, DataType.UINT8, [], Uint8Array.of(ZERO)));
    } else {
      initializers.push(tensorFromArray(stored, DataType.INT8, dims, q));
      initializers.push(
        tensorFromArray(zeroName, DataType.INT8, axis === undefined ? [] : [n], new Int8Array(n)),
      );
    }
    return { out: dequantize(stored, scaleName, zeroName, axis), scales };
  };

  const biasInt32 = (name: string, inputScale: number, weightScales: Float32Array): string | undefined => {
    const t = graph.constant(name);
    if (t?.dims.length !== 1) return undefined;
    const b = tensorValues(t) as Float32Array;
    const scales = Float32Array.from(b, (_, c) => inputScale * weightScales[c % weightScales.length]!);
    const values = Array.from(b, (v, c) => rint(v / scales[c]!));
    // A near-dead channel (tiny weights) can put b / scale past int32: that bias stays float32.
    if (values.some((v) => !(Math.abs(v) <= INT32_MAX))) return undefined;
    const q = Int32Array.from(values);
    const stored = unique(`${name}_quantized`);
    const scaleName = unique(`${name}_scale`);
    const zeroName = unique(`${name}_zero_point`);
    initializers.push(tensorFromArray(stored, DataType.INT32, t.dims, q));
    initializers.push(tensorFromArray(scaleName, DataType.FLOAT, [b.length], scales));
    initializers.push(tensorFromArray(zeroName, DataType.INT32, [b.length], new Int32Array(b.length)));
    return dequantize(stored, scaleName, zeroName, 0);
  };

  const rewired = new Map<NodeProto, NodeProto>();
  const weightCache = new Map<string, { out: string; scales: Float32Array }>();
  let weights = 0;
  for (const node of quantized) {
    for (const t of [
      ...node.inputs.filter((i, k) => quantizedInput(node, k) && !graph.isConstant(i)),
      node.outputs[0]!,
    ])
      activationPair(t);
  }
  for (const node of quantized) {
    const inputs = [...node.inputs];
    let weightScales: Float32Array | undefined;
    for (let k = 0; k < inputs.length; k++) {
      const name = inputs[k]!;
      if (!quantizedInput(node, k) || !graph.isConstant(name)) continue;
      const axis = weightAxis(node, k, graph.constant(name)!.dims.length);
      const key = `${name}@${axis ?? 'tensor'}`;
      let w = weightCache.get(key);
      if (!w) {
        w = constant8(name, axis);
        weightCache.set(key, w);
        weights++;
      }
      inputs[k] = w.out;
      if (axis !== undefined) weightScales = w.scales;
    }
    const b = inputs[2];
    if (bias === 'int32' && b && isBias(node, 2) && weightScales) {
      const inputScale = scaleOf.get(node.inputs[0]!);
      const q = inputScale === undefined ? undefined : biasInt32(b, inputScale, weightScales);
      if (q) inputs[2] = q;
    }
    rewired.set(node, { ...node, inputs });
  }

  // 3. Every reader of a quantized activation reads its DequantizeLinear output.
  const nodes = graph.nodes.map((n) => {
    const base = rewired.get(n) ?? n;
    const inputs = base.inputs.map((i) => dequantized.get(i) ?? i);
    return inputs.some((v, k) => v !== base.inputs[k]) ? { ...base, inputs } : base;
  });
  const unsorted: OnnxModel = {
    ...source,
    graph: {
      ...source.graph,
      nodes: [...added, ...nodes],
      initializers: [...source.graph.initializers, ...initializers],
    },
  };
  // The pair on a graph output that no node reads is dropped with the other unread nodes.
  const quantizers = new Set(added.filter((n) => n.opType === 'QuantizeLinear').map((n) => n.name));
  let sorted: OnnxModel;
  try {
    // Sorts the nodes and drops the float weights now stored as int8.
    sorted = removeUnused(unsorted).model;
  } catch (e) {
    throw new GraphError(`the QDQ rewrite made an invalid graph: ${(e as Error).message}`, { cause: e });
  }
  return {
    model: sorted,
    quantized: quantized.map((n) => n.name || n.outputs[0]!),
    kept,
    activations: sorted.graph.nodes.filter((n) => quantizers.has(n.name)).length,
    weights,
    folded: fold ? fold.changes.reduce((n, c) => n + c.count, 0) : 0,
  };
}
