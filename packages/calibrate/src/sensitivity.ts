// Which nodes cost accuracy when quantized, and which tensors to keep in float32 to reach a
// target. Each group of consecutive quantizable nodes is quantized alone (everything else
// float32) and the model's first output compared with FP32; then the tensors of the worst groups
// are kept in float32, one group more at a time, until the whole INT8 model meets the target on
// the given feeds. Run it on calibration images and check the result on held-out ones. With
// `rangeMethods`, each group is also quantized alone with the ranges of every candidate method,
// and keeps the method whose output loss is least (the range method chosen per tensor by its
// effect on the output). On the PaddleOCR detector, held out, that lifts the text-map IoU with 0 to
// 9 groups in float32 (all INT8: 0.722 -> 0.875; 3 groups: 0.940 -> 0.963; 12: 0.974 vs 0.972), at
// the price of one sweep per candidate method; it computes the candidates from the calibration
// histograms, so it needs the statistics, not only a cache's ranges.

import { ArgumentError, checkNumber, checkPositiveInteger, invalidArgument, type Tensor } from '@edge/core';
import { Graph, type OnnxModel } from '@edge/onnx-parse';
import {
  type ActivationStatistics,
  computeRanges,
  type FeedSource,
  type RunSetOptions,
  runOverFeeds,
} from './collect.js';
import { type CompareOptions, checkReadOptions, OutputAccumulator, type OutputMetrics } from './compare.js';
import { type QdqOptions, type QdqResult, quantizeQdq } from './qdq.js';
import type { RangeMethod, RangeParams } from './ranges.js';

/** Range methods to choose from per group of nodes, by the output loss of each. */
export interface RangeMethodChoice {
  /** The calibration statistics the candidate ranges are computed from. */
  readonly statistics: ActivationStatistics;
  /** Candidates, in order of preference on a tie; default percentile, MSE and min-max. */
  readonly methods?: readonly RangeMethod[];
  /** Parameters of the candidate methods (the percentile, entropy's bins). */
  readonly params?: RangeParams;
}

/** Options of {@link quantizationSensitivity} and {@link findFloatTensors}. */
export interface SensitivityOptions extends RunSetOptions, Pick<CompareOptions, 'kind' | 'threshold'> {
  /** Consecutive quantizable nodes quantized together in the sweep; default 8. */
  readonly groupSize?: number;
  /** Passed to {@link quantizeQdq} (its `excludeNodes` are kept in float32 throughout). */
  readonly qdq?: QdqOptions;
  /**
   * Quantize each group alone with the ranges of every candidate method as well, and keep the
   * best (each candidate costs one more sweep); default: only the ranges given.
   */
  readonly rangeMethods?: RangeMethodChoice;
}

/** A group of consecutive nodes and what quantizing only them costs. */
export interface TensorGroup {
  /** Names of the nodes (as {@link QdqResult.quantized} lists them). */
  readonly nodes: readonly string[];
  /** Their float inputs and outputs (weights aside): what keeping the group in float32 means. */
  readonly tensors: readonly string[];
  /** 1 - score of the model's first output, with only this group quantized. */
  readonly loss: number;
  /** With {@link SensitivityOptions.rangeMethods}: the method of least loss for this group. */
  readonly method?: RangeMethod;
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
  return (await sweep(model, ranges, feeds, options, await reference(model, feeds, options))).groups;
}

/** A sweep's groups, largest loss first, and the tensors whose ranges each group's method sets. */
interface Sweep {
  readonly groups: TensorGroup[];
  readonly ranged: ReadonlyMap<TensorGroup, readonly string[]>;
  /** The ranges of each candidate method, as the sweep computed them. */
  readonly candidates: ReadonlyMap<RangeMethod | undefined, Readonly<Record<string, number>>>;
}

async function sweep(
  model: OnnxModel,
  ranges: Readonly<Record<string, number>>,
  feeds: () => FeedSource,
  options: SensitivityOptions,
  ref: Reference,
): Promise<Sweep> {
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
  // The tensors a group's ranges are read for: its own, and the output of a Relu a Conv is
  // quantized after.
  const rangedOf = (names: readonly string[]) => {
    const own = tensorsOf(names);
    const relus = own.flatMap((t) =>
      graph
        .consumers(t)
        .filter((c) => c.opType === 'Relu')
        .map((c) => c.outputs[0]!),
    );
    return [...own, ...relus];
  };
  const groups: string[][] = [];
  for (let i = 0; i < all.quantized.length; i += size) groups.push(all.quantized.slice(i, i + size));
  const fixed = options.qdq?.excludeNodes ?? [];
  const candidates = candidateRanges(ranges, options.rangeMethods);
  const start = performance.now();
  const result: TensorGroup[] = [];
  // The tensors whose ranges a group's method sets.
  const ranged = new Map<TensorGroup, readonly string[]>();
  for (const [k, group] of groups.entries()) {
    const inGroup = new Set(group);
    const others = all.quantized.filter((n) => !inGroup.has(n));
    let best: TensorGroup | undefined;
    for (const [method, r] of candidates) {
      const q = quantizeQdq(model, withRanges(ranges, r, rangedOf(group)), {
        ...options.qdq,
        excludeNodes: [...fixed, ...others],
      });
      const loss = 1 - (await score(ref, q.model, feeds, options));
      if (!best || loss < best.loss) best = { nodes: group, tensors: tensorsOf(group), loss, method };
    }
    result.push(best!);
    ranged.set(best!, rangedOf(group));
    options.onProgress?.({ done: k + 1, total: groups.length, elapsedMs: performance.now() - start });
  }
  return { groups: result.sort((a, b) => b.loss - a.loss), ranged, candidates: new Map(candidates) };
}

/** `base`, with `tensors` taking their range from `from`. */
function withRanges(
  base: Readonly<Record<string, number>>,
  from: Readonly<Record<string, number>>,
  tensors: readonly string[],
): Record<string, number> {
  const out = { ...base };
  for (const t of tensors) if (from[t] !== undefined) out[t] = from[t]!;
  return out;
}

function candidateRanges(
  ranges: Readonly<Record<string, number>>,
  choice: RangeMethodChoice | undefined,
): [RangeMethod | undefined, Readonly<Record<string, number>>][] {
  if (!choice) return [[undefined, ranges]];
  const methods = choice.methods ?? (['percentile', 'mse', 'minmax'] as const);
  if (methods.length === 0) throw invalidArgument('options.rangeMethods.methods', methods, 'non-empty array');
  return methods.map((m) => [m, computeRanges(choice.statistics, m, choice.params)]);
}

/**
 * The ranges of the groups' chosen methods over `ranges`: a tensor two groups share takes the
 * method of the costlier one.
 */
function chosenRanges(
  ranges: Readonly<Record<string, number>>,
  { groups, ranged, candidates }: Sweep,
  choice: RangeMethodChoice | undefined,
): Readonly<Record<string, number>> {
  if (!choice) return ranges;
  let out: Record<string, number> = { ...ranges };
  for (const g of [...groups].sort((a, b) => a.loss - b.loss)) {
    out = withRanges(out, candidates.get(g.method)!, ranged.get(g)!);
  }
  return out;
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
  /** The ranges `result` was quantized with: `ranges`, or those of each group's chosen method. */
  readonly ranges: Readonly<Record<string, number>>;
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
  const swept = await sweep(model, ranges, feeds, options, ref);
  const { groups } = swept;
  const chosen = chosenRanges(ranges, swept, options.rangeMethods);
  const fixed = options.qdq?.excludeNodes ?? [];
  const steps: number[] = [];
  let floatTensors: string[] = [];
  for (let k = 0; ; k++) {
    const result = quantizeQdq(model, chosen, { ...options.qdq, excludeNodes: [...fixed, ...floatTensors] });
    const s = await score(ref, result.model, feeds, options);
    steps.push(s);
    if (s >= options.target || k >= Math.min(maxGroups, groups.length)) {
      return { floatTensors, result, score: s, steps, groups, ranges: chosen };
    }
    floatTensors = [...new Set([...floatTensors, ...groups[k]!.tensors])];
  }
}
