// Empirical bias correction (Nagel et al., "Data-free quantization through weight equalization and
// bias correction", 2019; AIMET's empirical bias correction): rounding weights and activations
// shifts the mean of a convolution's output, and a shift that every image sees is removed by
// subtracting it from the bias. One pass over calibration feeds runs the QDQ model with a float32
// copy of each quantized Conv beside it, reading the same input before its QuantizeLinear; the
// mean difference per output channel is that Conv's own shift. Comparing with the FP32 model
// instead would count, at every Conv, the drift of all Convs before it, which their own
// corrections already remove: on the PaddleOCR classifier that over-corrects and diverges when
// repeated. The model is then quantized again with the corrected biases.

import { ArgumentError } from '@edge/core';
import {
  DataType,
  foldForQuantization,
  Graph,
  type NodeProto,
  type OnnxModel,
  type TensorProto,
  tensorFromArray,
  tensorValues,
  upgradeOpset,
} from '@edge/onnx-parse';
import { type FeedSource, floatValues, type RunSetOptions, runOverFeeds } from './collect.js';
import { type QdqOptions, type QdqResult, quantizeQdq } from './qdq.js';

/** Options of {@link quantizeWithBiasCorrection}. */
export interface BiasCorrectionOptions extends RunSetOptions {
  /** Passed to {@link quantizeQdq} for every rewrite. */
  readonly qdq?: QdqOptions;
}

/** The shift taken off one Conv's bias. */
export interface BiasShift {
  /** The Conv's name (as {@link QdqResult.quantized} lists it). */
  readonly node: string;
  /**
   * Mean of the INT8 Conv's output minus its float32 copy's, per output channel, over the feeds;
   * subtracted from the bias.
   */
  readonly shift: Float32Array;
}

/** What {@link quantizeWithBiasCorrection} did. */
export interface BiasCorrectionResult {
  /** The QDQ model with corrected biases. */
  readonly result: QdqResult;
  /** The shift measured on each quantized Conv, in graph order. */
  readonly shifts: readonly BiasShift[];
  /** Feeds run. */
  readonly samples: number;
}

/**
 * Quantizes like {@link quantizeQdq}, then corrects the bias of every quantized Conv by the mean
 * shift of its output per channel over `feeds`, against a float32 copy of that Conv reading the
 * same input in the INT8 model, and quantizes again with the corrected biases. The feeds should be
 * calibration images, never evaluation ones.
 *
 * @throws ArgumentError on bad options, or when `feeds` is empty.
 * @throws AbortedError when `options.signal` aborts.
 * @throws GraphError as {@link quantizeQdq}.
 */
export async function quantizeWithBiasCorrection(
  model: OnnxModel,
  thresholds: Readonly<Record<string, number>>,
  feeds: FeedSource,
  options: BiasCorrectionOptions,
): Promise<BiasCorrectionResult> {
  // Folded here, once, so that both rewrites and the float32 copies share the Convs and biases.
  const upgraded = upgradeOpset(model, 13).model;
  const fold = options.qdq?.fold === false ? undefined : foldForQuantization(upgraded);
  const folded = fold?.model ?? upgraded;
  const qdq: QdqOptions = { ...options.qdq, fold: false };
  const graph = new Graph(folded);
  const first = quantizeQdq(folded, thresholds, qdq);
  const quantized = new Set(first.quantized);
  const produced = new Set([
    ...first.model.graph.nodes.flatMap((n) => n.outputs),
    ...first.model.graph.inputs.map((v) => v.name),
  ]);
  // A Conv whose float input the rewrite replaced (an 8-bit HardSigmoid's output) has no twin.
  const convs = graph.nodes.filter(
    (n) =>
      n.opType === 'Conv' &&
      quantized.has(n.name || n.outputs[0]!) &&
      graph.isConstant(n.inputs[1]!) &&
      produced.has(n.inputs[0]!),
  );
  const { model: probe, twins } = withFloatTwins(first.model, graph, convs);
  const tensors = convs.flatMap((n, k) => [n.outputs[0]!, twins[k]!]);
  const sums = convs.map((n) => new Float64Array(graph.constant(n.inputs[1]!)!.dims[0]!));
  const counts = new Float64Array(convs.length);
  const { samples } = await runOverFeeds(
    'bias correction',
    [{ model: probe, tensors }],
    feeds,
    options,
    ([out]) => {
      for (const [k, conv] of convs.entries()) {
        const int8 = out![conv.outputs[0]!]!;
        const a = floatValues(out![twins[k]!]!);
        const b = floatValues(int8);
        const sum = sums[k]!;
        const inner = a.length / (int8.shape[0]! * sum.length);
        for (let i = 0; i < a.length; i++) sum[Math.floor(i / inner) % sum.length]! += b[i]! - a[i]!;
        counts[k]! += a.length / sum.length;
      }
    },
  );
  if (samples === 0)
    throw new ArgumentError('Expected at least one feed for bias correction but received none');
  const shifts: BiasShift[] = convs.map((n, k) => ({
    node: n.name || n.outputs[0]!,
    shift: Float32Array.from(sums[k]!, (v) => v / counts[k]!),
  }));
  const result = quantizeQdq(withBiases(folded, graph, convs, shifts), thresholds, qdq);
  return {
    result: { ...result, folded: fold ? fold.changes.reduce((n, c) => n + c.count, 0) : 0 },
    shifts,
    samples,
  };
}

/** The model with each Conv's bias (zeros when it has none) minus its shift, as new initializers. */
function withBiases(
  model: OnnxModel,
  graph: Graph,
  convs: readonly NodeProto[],
  shifts: readonly BiasShift[],
): OnnxModel {
  const taken = new Set(model.graph.initializers.map((t) => t.name));
  const added: TensorProto[] = [];
  const inputs = new Map<string, string[]>();
  for (const [k, conv] of convs.entries()) {
    const shift = shifts[k]!.shift;
    const label = conv.name || conv.outputs[0]!;
    const old = conv.inputs[2] ? graph.constant(conv.inputs[2]) : undefined;
    const bias = old ? Float32Array.from(tensorValues(old) as Float32Array) : new Float32Array(shift.length);
    for (let c = 0; c < bias.length; c++) bias[c]! -= shift[c]!;
    let name = `${label}_corrected_bias`;
    for (let j = 1; taken.has(name); j++) name = `${label}_corrected_bias_${j}`;
    taken.add(name);
    added.push(tensorFromArray(name, DataType.FLOAT, [bias.length], bias));
    inputs.set(conv.outputs[0]!, [conv.inputs[0]!, conv.inputs[1]!, name]);
  }
  return {
    ...model,
    graph: {
      ...model.graph,
      nodes: model.graph.nodes.map((n) => {
        const replaced = inputs.get(n.outputs[0]!);
        return replaced ? { ...n, inputs: replaced } : n;
      }),
      initializers: [...model.graph.initializers, ...added],
    },
  };
}

/**
 * The QDQ model with, beside each quantized Conv, a float32 copy of it (float weights and bias)
 * that reads the same input before its QuantizeLinear: the difference of their outputs is what
 * this Conv's own quantization adds, given the input the INT8 model hands it.
 */
function withFloatTwins(
  model: OnnxModel,
  graph: Graph,
  convs: readonly NodeProto[],
): { model: OnnxModel; twins: string[] } {
  const taken = new Set([
    ...model.graph.nodes.flatMap((n) => [n.name, ...n.outputs]),
    ...model.graph.initializers.map((t) => t.name),
  ]);
  const unique = (base: string) => {
    let name = base;
    for (let j = 1; taken.has(name); j++) name = `${base}_${j}`;
    taken.add(name);
    return name;
  };
  const after = new Map<string, NodeProto>();
  const initializers: TensorProto[] = [];
  const twins = convs.map((conv) => {
    const label = conv.name || conv.outputs[0]!;
    const params = conv.inputs.slice(1).map((name) => {
      const copy = unique(`${name}_float_twin`);
      initializers.push({ ...graph.constant(name)!, name: copy });
      return copy;
    });
    const out = unique(`${label}_float_twin`);
    const twin = {
      ...conv,
      name: unique(`${label}_float_twin_node`),
      inputs: [conv.inputs[0]!, ...params],
      outputs: [out],
    };
    after.set(conv.outputs[0]!, twin);
    return out;
  });
  return {
    model: {
      ...model,
      graph: {
        ...model.graph,
        // Each copy right after its Conv, so the nodes stay in topological order.
        nodes: model.graph.nodes.flatMap((n) => {
          const twin = after.get(n.outputs[0]!);
          return twin ? [n, twin] : [n];
        }),
        initializers: [...model.graph.initializers, ...initializers],
      },
    },
    twins,
  };
}
