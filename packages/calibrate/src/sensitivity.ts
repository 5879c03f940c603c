// Which nodes cost accuracy when quantized, and which tensors to keep in float32 to reach a
// target. Each group of consecutive quantizable nodes is quantized alone (everything else
// float32) and the model's first output compared with FP32; then the tensors of the worst groups
// are kept in float32, one group more at a time, until the whole INT8 model meets the target on
// the given feeds. Run it on calibration images and check the result on held-out ones.

import { ArgumentError, checkNumber, checkPositiveInteger, type Tensor } from '@edge/core';
import { Graph, type OnnxModel } from '@edge/onnx-parse';
import { type FeedSource, type RunSetOptions, runOverFeeds } from './collect.js';
import { type CompareOptions, checkReadOptions, OutputAccumulator, type OutputMetrics } from './compare.js';
import { type QdqOptions, type QdqResult, quantizeQdq } from './qdq.js';

/** Options of {@link quantizationSensitivity} and {@link findFloatTensors}. */
export interface SensitivityOptions extends RunSetOptions, Pick<CompareOptions, 'kind' | 'threshold'> {
  /** Consecutive quantizable nodes quantized together in the sweep; default 8. */
  readonly groupSize?: number;
  /** Passed to {@link quantizeQdq} (its `excludeNodes` are kept in float32 throughout). */
  readonly qdq?: QdqOptions;
}

/** A group of consecutive nodes and what quantizing only them costs. */
export interface TensorGroup {
  /** Names of the nodes (as {@link QdqResult.quantized} lists them). */
  readonly nodes: readonly string[];
  /** Their float inputs and outputs (weights aside): what keeping the group in float32 means. */
  readonly tensors: readonly string[];
  /** 1 - score of the model's first output, with only this group quantized. */
  readonly loss: number;
}

/**
 * The score of an output: IoU for a map (mean IoU for a segmentation), top-1 agreement for class
 * scores, cosine otherwise.
 *
 * @internal
 */
export function outputScore(m: OutputMetrics): number {
  if (m.kind === 'map' || m.kind === 'segmentation') return m.iou ?? 1;
  return m.kind === 'classification' ? (m.top1Agreement ?? 1) : m.cosine;
}

/** The first output of the FP32 model on every feed: computed once, scored against many times. */
interface Reference {
  readonly name: string;
  readonly outputs: readonly Tensor[];
  readonly threshold: number;
}

async function reference(
  model: OnnxModel,
  feeds: () => FeedSource,
  options: SensitivityOptions,
): Promise<Reference> {
  const threshold = checkReadOptions(options);
  const name = new Graph(model).outputs[0]!.name;
  const outputs: Tensor[] = [];
  await runOverFeeds(
    'sensitivity',
    [{ model, tensors: [] }],
    feeds(),
    { ...options, onProgress: undefined },
    ([o]) => {
      outputs.push(o![name]!);
    },
  );
  return { name, outputs, threshold };
}

async function score(
  ref: Reference,
  candidate: OnnxModel,
  feeds: () => FeedSource,
  options: SensitivityOptions,
): Promise<number> {
  const acc = new OutputAccumulator(ref.name, options.kind, ref.threshold);
  const run = [{ model: candidate, tensors: [] }];
  await runOverFeeds('sensitivity', run, feeds(), { ...options, onProgress: undefined }, ([o], _, i) => {
    const out = o![ref.name];
    if (!out)
      throw new ArgumentError(
        `output '${ref.name}' of the reference model is not an output of the candidate`,
      );
    acc.add(ref.outputs[i]!, out);
  });
  return outputScore(acc.metrics());
}

/**
 * Quantizes each group of `groupSize` consecutive quantizable nodes alone and measures the loss
 * of the model's first output against FP32 on `feeds` (called once for the FP32 model, whose
 * outputs are kept, then once per group: give a few images). Largest loss first. Progress counts
 * groups.
 *
 * @throws ArgumentError on bad options; AbortedError when `options.signal` aborts.
 */
export async function quantizationSensitivity(
  model: OnnxModel,
  ranges: Readonly<Record<string, number>>,
  feeds: () => FeedSource,
  options: SensitivityOptions,
): Promise<TensorGroup[]> {
  const size = options.groupSize ?? 8;
  checkPositiveInteger('options.groupSize', size);
  return sweep(model, ranges, feeds, options, await reference(model, feeds, options));
}

async function sweep(
  model: OnnxModel,
  ranges: Readonly<Record<string, number>>,
  feeds: () => FeedSource,
  options: SensitivityOptions,
  ref: Reference,
): Promise<TensorGroup[]> {
  const size = options.groupSize ?? 8;
  const all = quantizeQdq(model, ranges, options.qdq);
  const graph = new Graph(all.model);
  // Tensors of the model itself: not those the rewrite adds (a hard-swish's scaled input).
  const produced = new Set(new Graph(model).nodes.flatMap((n) => n.outputs));
  // A quantized node reads DequantizeLinear outputs: follow them back to the tensor quantized.
  const source = (name: string): string | undefined => {
    const dq = graph.producer(name);
    const q = dq?.opType === 'DequantizeLinear' ? graph.producer(dq.inputs[0]!) : undefined;
    if (q?.opType === 'QuantizeLinear') return q.inputs[0]!;
    return dq?.opType === 'DequantizeLinear' ? undefined : name; // a quantized weight
  };
  const byName = new Map(graph.nodes.map((n) => [n.name || n.outputs[0]!, n]));
  const tensorsOf = (names: readonly string[]) => [
    ...new Set(
      names.flatMap((n) => {
        const node = byName.get(n)!;
        return [...node.inputs.map(source), node.outputs[0]!].filter(
          (t): t is string => !!t && (produced.has(t) || ranges[t] !== undefined),
        );
      }),
    ),
  ];
  const groups: string[][] = [];
  for (let i = 0; i < all.quantized.length; i += size) groups.push(all.quantized.slice(i, i + size));
  const fixed = options.qdq?.excludeNodes ?? [];
  const start = performance.now();
  const result: TensorGroup[] = [];
  for (const [k, group] of groups.entries()) {
    const inGroup = new Set(group);
    const others = all.quantized.filter((n) => !inGroup.has(n));
    const q = quantizeQdq(model, ranges, { ...options.qdq, excludeNodes: [...fixed, ...others] });
    const loss = 1 - (await score(ref, q.model, feeds, options));
    result.push({ nodes: group, tensors: tensorsOf(group), loss });
    options.onProgress?.({ done: k + 1, total: groups.length, elapsedMs: performance.now() - start });
  }
  return result.sort((a, b) => b.loss - a.loss);
}

/** Result of {@link findFloatTensors}. */
export interface FloatTensorChoice {
  /** Tensors to keep in float32: pass them as `excludeNodes` to {@link quantizeQdq}. */
  readonly floatTensors: readonly string[];
  /** The INT8 model with those tensors in float32. */
  readonly result: QdqResult;
  /** Score of the first output on the feeds given (IoU, top-1 agreement or cosine). */
  readonly score: number;
  /** Score after each step: 0 groups kept in float32, then 1, 2, ... */
  readonly steps: readonly number[];
  /** The sweep, largest loss first. */
  readonly groups: readonly TensorGroup[];
}

/**
 * Accuracy-driven mixed precision: runs {@link quantizationSensitivity}, then keeps the costliest
 * groups in float32, one more at a time, until the whole model's score on `feeds` reaches
 * `target` (or `maxGroups` groups are float32).
 *
 * @throws ArgumentError on bad options; AbortedError when `options.signal` aborts.
 */
export async function findFloatTensors(
  model: OnnxModel,
  ranges: Readonly<Record<string, number>>,
  feeds: () => FeedSource,
  options: SensitivityOptions & { readonly target: number; readonly maxGroups?: number },
): Promise<FloatTensorChoice> {
  checkNumber('options.target', options.target, { min: 0, max: 1 });
  const maxGroups = options.maxGroups ?? 8;
  checkPositiveInteger('options.maxGroups', maxGroups);
  checkPositiveInteger('options.groupSize', options.groupSize ?? 8);
  const ref = await reference(model, feeds, options);
  const groups = await sweep(model, ranges, feeds, options, ref);
  const fixed = options.qdq?.excludeNodes ?? [];
  const steps: number[] = [];
  let floatTensors: string[] = [];
  for (let k = 0; ; k++) {
    const result = quantizeQdq(model, ranges, { ...options.qdq, excludeNodes: [...fixed, ...floatTensors] });
    const s = await score(ref, result.model, feeds, options);
    steps.push(s);
    if (s >= options.target || k >= Math.min(maxGroups, groups.length)) {
      return { floatTensors, result, score: s, steps, groups };
    }
    floatTensors = [...new Set([...floatTensors, ...groups[k]!.tensors])];
  }
}
