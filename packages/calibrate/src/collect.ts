// Running a model with its intermediate tensors exposed as outputs, one feed at a time, and
// handing each result to a callback that folds it into statistics. Nothing of a run is kept after
// its callback returns, so memory does not grow with the number of feeds.

import {
  AbortedError,
  ArgumentError,
  type Backend,
  checkPositiveInteger,
  type Session,
  type Tensor,
  type TensorMap,
} from '@edge/core';
import { DataType, exposeTensors, Graph, inferShapes, type OnnxModel, writeModel } from '@edge/onnx-parse';
import { type HistogramOptions, TensorStatistics } from './histogram.js';
import { computeRange, type RangeMethod, type RangeParams } from './ranges.js';

/** Feeds of a calibration or comparison set: tensors by graph input name, one entry per run. */
export type FeedSource = Iterable<TensorMap> | AsyncIterable<TensorMap>;

/** Where a long job stands, for progress bars. */
export interface Progress {
  /** Feeds done. */
  readonly done: number;
  /** Feeds in all, when known (an array, or `options.total`). */
  readonly total?: number;
  /** Milliseconds since the job started. */
  readonly elapsedMs: number;
}

/** Options shared by the jobs that run a model over a feed set. */
export interface RunSetOptions {
  /** Runs the models: the onnxruntime backend (CPU) or any other that reads ONNX. */
  readonly backend: Backend;
  /** Threads per inference; default: the backend's choice. */
  readonly threads?: number;
  /** Number of feeds, for progress when `feeds` is not an array. */
  readonly total?: number;
  /** Called after each feed. */
  readonly onProgress?: (progress: Progress) => void;
  /** Cancels the job between two feeds. */
  readonly signal?: AbortSignal;
}

/** Options of {@link collectStatistics}. */
export interface CollectOptions extends RunSetOptions {
  /** Tensors to collect; default {@link calibrationTensors} of the model. */
  readonly tensors?: readonly string[];
  /** Histogram settings (2048 bins by default, as TensorRT). */
  readonly histogram?: HistogramOptions;
}

/** What {@link collectStatistics} gathered. */
export interface ActivationStatistics {
  /** Statistics per tensor name, in graph order (graph inputs first). */
  readonly tensors: ReadonlyMap<string, TensorStatistics>;
  /** Feeds run. */
  readonly samples: number;
  /** Wall time of the whole job, in milliseconds. */
  readonly elapsedMs: number;
  /** Shape of each graph input in the first feed (what a later timing run can feed). */
  readonly inputShapes: Readonly<Record<string, readonly number[]>>;
}

const RANDOM_OPS = /^(Random|Multinomial|Bernoulli)/;

/**
 * The tensors a calibration covers, as TensorRT's calibrator does: every float32 graph input and
 * every float32 tensor a node computes from them (constants and their folds excluded), in graph
 * order.
 *
 * @throws GraphError when the graph is structurally invalid.
 */
export function calibrationTensors(model: OnnxModel): string[] {
  const graph = new Graph(model);
  const types = inferShapes(graph);
  const isFloat = (name: string) => types.get(name)?.elemType === DataType.FLOAT;
  const names = graph.inputs.map((v) => v.name).filter(isFloat);
  // A node that reads only constants computes a constant (a fold a builder makes before running),
  // unless it draws random numbers.
  const folded = new Set<string>();
  const fixed = (name: string) => !name || graph.isConstant(name) || folded.has(name);
  for (const node of graph.nodes) {
    if (node.opType === 'Constant') continue;
    if (node.inputs.length > 0 && node.inputs.every(fixed) && !RANDOM_OPS.test(node.opType)) {
      for (const o of node.outputs) if (o) folded.add(o);
      continue;
    }
    for (const o of node.outputs) if (o && isFloat(o) && !graph.isConstant(o)) names.push(o);
  }
  return names;
}

function abortedAfter(what: string, done: number, signal: AbortSignal): AbortedError {
  return new AbortedError(`${what} was aborted after ${done} feeds`, { cause: signal.reason });
}

/** A model to run over a feed set, with intermediate tensors to return beside its outputs. */
export interface ExposedModel {
  readonly model: OnnxModel;
  readonly tensors: readonly string[];
}

/**
 * Loads each model with its tensors exposed as extra outputs, runs every feed through all of them
 * in turn, and calls `visit` with the outputs of each model for that feed. Cancellation is checked
 * before each feed; the sessions are disposed whatever happens.
 *
 * @internal Shared by calibration and comparison.
 * @throws AbortedError when `options.signal` aborts.
 */
export async function runOverFeeds(
  what: string,
  models: readonly ExposedModel[],
  feeds: FeedSource,
  options: RunSetOptions,
  visit: (outputs: TensorMap[], feed: TensorMap, index: number) => void,
): Promise<{ samples: number; elapsedMs: number }> {
  if (options.threads !== undefined) checkPositiveInteger('options.threads', options.threads);
  const start = performance.now();
  const total = options.total ?? (Array.isArray(feeds) ? feeds.length : undefined);
  const signal = options.signal;
  if (signal?.aborted) throw abortedAfter(what, 0, signal);
  const sessions: Session[] = [];
  let done = 0;
  try {
    for (const [k, { model, tensors }] of models.entries()) {
      const produced = new Set(new Graph(model).nodes.flatMap((n) => n.outputs));
      const exposed = exposeTensors(
        model,
        tensors.filter((t) => produced.has(t)),
      ).model;
      sessions.push(
        await options.backend.load(
          { format: 'onnx', name: `${what} model ${k + 1}`, bytes: writeModel(exposed) },
          { threads: options.threads },
        ),
      );
    }
    for await (const feed of feeds) {
      if (signal?.aborted) throw abortedAfter(what, done, signal);
      const outputs: TensorMap[] = [];
      for (const session of sessions) outputs.push(await session.run(feed));
      visit(outputs, feed, done);
      done++;
      options.onProgress?.({ done, total, elapsedMs: performance.now() - start });
    }
  } finally {
    for (const session of sessions) await session.dispose();
  }
  return { samples: done, elapsedMs: performance.now() - start };
}

/**
 * The elements as float32, read only: a float32 tensor's own storage (no copy: a run's outputs
 * are hundreds of megabytes when every tensor is exposed), a converted copy otherwise.
 *
 * @internal
 */
export function floatValues(tensor: Tensor): Float32Array {
  return tensor.dtype === 'float32' ? (tensor.data as Float32Array) : tensor.toFloat32();
}

function values(tensor: Tensor, name: string): ArrayLike<number> {
  if (tensor.dtype === 'float32' || tensor.dtype === 'float16') return floatValues(tensor);
  throw new ArgumentError(`tensor '${name}' is ${tensor.dtype}; only float tensors are calibrated`);
}

/**
 * Runs the FP32 model over a calibration set and streams the statistics every range method
 * needs (a histogram of |x| and the extremes) for each tensor. Memory is the model's one run
 * plus the histograms, whatever the number of feeds.
 *
 * @throws ArgumentError when a tensor is unknown or not float, or options are bad.
 * @throws AbortedError when `options.signal` aborts.
 * @throws FeedError / InferenceError from the backend on feeds that do not fit the model.
 */
export async function collectStatistics(
  model: OnnxModel,
  feeds: FeedSource,
  options: CollectOptions,
): Promise<ActivationStatistics> {
  const names = options.tensors ? [...options.tensors] : calibrationTensors(model);
  const stats = new Map(names.map((n) => [n, new TensorStatistics(options.histogram)]));
  const run = [{ model, tensors: names }];
  const inputShapes: Record<string, readonly number[]> = {};
  const { samples, elapsedMs } = await runOverFeeds(
    'calibration',
    run,
    feeds,
    options,
    ([outputs], feed, k) => {
      if (k === 0) for (const [name, t] of Object.entries(feed)) inputShapes[name] = [...t.shape];
      for (const [name, s] of stats) {
        const t = outputs![name] ?? feed[name];
        if (!t) throw new ArgumentError(`tensor '${name}' is neither a graph input nor produced by a node`);
        s.add(values(t, name));
      }
    },
  );
  return { tensors: stats, samples, elapsedMs, inputShapes };
}

/**
 * The threshold (amax) of every tensor by one method: the ranges a calibration cache holds.
 * Tensors that never held a finite non-zero value get 0.
 *
 * @throws ArgumentError on an unknown method or bad parameters.
 */
export function computeRanges(
  statistics: ActivationStatistics,
  method: RangeMethod,
  params: RangeParams = {},
): Record<string, number> {
  const ranges: Record<string, number> = {};
  for (const [name, s] of statistics.tensors) ranges[name] = computeRange(s, method, params);
  return ranges;
}
