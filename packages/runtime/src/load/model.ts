// A loaded model: the backend session behind a queue on its device, the input spec read from the
// model, and the explanation of why this backend runs it.

import {
  type BackendSkip,
  checkFeeds,
  DisposedError,
  FeedError,
  invalidArgument,
  isTensorLike,
  type ModelFormat,
  type Session,
  type Tensor,
  type TensorInfo,
  type TensorMap,
} from '@edge/core';
import type { ImageInput } from '@edge/preprocess';
import type { TaskName } from '../heads/head.js';
import { type InferOptions, type InferResult, inferImages } from '../infer/infer.js';
import { deviceScheduler } from '../queue/device-scheduler.js';
import {
  type BatchingSettings,
  ModelQueue,
  type QueueRequest,
  type QueueStats,
} from '../queue/model-queue.js';
import { type InputSpec, inputSpec } from './input-spec.js';

/** Options of {@link Model.run}. */
export interface RunOptions {
  /** Cancels this request: it leaves the queue, or its result is dropped if it already runs. */
  readonly signal?: AbortSignal;
  /** Rejects this request after this many ms, queue wait included; default: the model's `timeoutMs`. */
  readonly timeoutMs?: number;
  /** Outputs to return; default all. */
  readonly outputs?: readonly string[];
}

/** @internal What `loadModel` hands a new model. */
export interface ModelParts {
  session: Session;
  source: string;
  format: ModelFormat;
  skipped: readonly BackendSkip[];
  batching: BatchingSettings | null;
  batchingNote: string | undefined;
  maxQueue: number;
  timeoutMs: number | undefined;
}

/** @internal Checks a timeout option: a positive finite number of milliseconds. */
export function checkTimeout(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  throw invalidArgument(name, value, 'positive number of milliseconds');
}

function explain(parts: ModelParts): string {
  const s = parts.session;
  const lines = [`${parts.source}: ${s.backend} on ${s.device} (${s.detail})`];
  for (const skip of parts.skipped) lines.push(`  skipped ${skip.backend} (${skip.kind}): ${skip.reason}`);
  const b = parts.batching;
  lines.push(
    b === null
      ? `  batching: off${parts.batchingNote === undefined ? '' : ` (${parts.batchingNote})`}`
      : `  batching: up to ${b.maxBatch} rows per run, waiting at most ${b.maxDelayMs} ms for company`,
  );
  return lines.join('\n');
}

/**
 * A model loaded by `loadModel`. Every `run` goes through the model's queue and its device's
 * scheduler. Dispose it (or `await using` it) to free the engine's native session.
 */
export class Model {
  /** The path given to `loadModel`, or `<bytes>`. */
  readonly source: string;
  readonly format: ModelFormat;
  /** Name of the backend running it, e.g. `onnxruntime`. */
  readonly backend: string;
  /** Device it runs on: `cpu`, `gpu:0`... */
  readonly device: string;
  /** What the backend chose inside itself (e.g. the execution provider and the ones it skipped). */
  readonly detail: string;
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  /** Each input with its image layout, batch, channels and size as far as the model states them. */
  readonly inputSpecs: readonly InputSpec[];
  /** Backends tried before the chosen one, with why each was skipped. */
  readonly skipped: readonly BackendSkip[];
  /** Dynamic batching in force, or null when off. */
  readonly batching: BatchingSettings | null;
  /** Why this backend and device, in a few lines: chosen, skipped (with reasons), batching. */
  readonly explanation: string;
  readonly #session: Session;
  readonly #queue: ModelQueue;
  readonly #outputNames: ReadonlySet<string>;
  #disposing: Promise<void> | undefined;

  /** @internal Use `loadModel`. */
  constructor(parts: ModelParts) {
    const s = parts.session;
    this.#session = s;
    this.source = parts.source;
    this.format = parts.format;
    this.backend = s.backend;
    this.device = s.device;
    this.detail = s.detail;
    this.inputs = s.inputs;
    this.outputs = s.outputs;
    this.inputSpecs = Object.freeze(s.inputs.map(inputSpec));
    this.skipped = Object.freeze([...parts.skipped]);
    this.batching = parts.batching;
    this.explanation = explain(parts);
    this.#outputNames = new Set(s.outputs.map((o) => o.name));
    this.#queue = new ModelQueue(s, deviceScheduler(s.device), {
      name: parts.source,
      batching: parts.batching,
      maxQueue: parts.maxQueue,
      timeoutMs: parts.timeoutMs,
    });
  }

  /**
   * Runs the model on tensors: `feeds` maps input names to tensors, or is one tensor for a model
   * with one input. Resolves to the outputs by name; with batching on, each request gets exactly
   * its own rows back.
   *
   * @throws {@link FeedError} when a feed is missing, unknown, or of the wrong dtype or shape
   * (naming the input, what the model expects and what it got).
   * @throws {@link ArgumentError} when an option is invalid.
   * @throws {@link QueueFullError} when `maxQueue` requests are already waiting.
   * @throws {@link AbortedError} when `options.signal` aborts before the result.
   * @throws {@link TimeoutError} when the timeout expires before the result.
   * @throws {@link InferenceError} when the engine fails.
   * @throws {@link DisposedError} after {@link Model.dispose}.
   */
  run(feeds: Readonly<TensorMap> | Tensor, options: RunOptions = {}): Promise<TensorMap> {
    try {
      return this.#queue.submit(this.#request(feeds, options));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Runs the model on images (paths, encoded buffers, raw frames or uint8 HWC tensors) with pre-
   * and post-processing: each image is preprocessed by the model's input spec under the task
   * head's recipe and `options.preprocess`, run, and decoded by the task head into results on the
   * original image (classes, boxes, masks, text polygons, faces, landmarks). Without
   * `options.task` the head is the first whose layout the outputs have; a model none fits gives
   * its raw outputs, with why each head did not fit.
   *
   * @example
   * const [page] = await model.infer('page.png', { task: 'text' });
   * for (const line of page.boxes) console.log(line.box, line.score);
   *
   * @throws {@link ArgumentError} for a bad option, a model without exactly one image input, or a
   * free input size with no spec that sets one.
   * @throws {@link FileIOError} for an image that cannot be read or decoded.
   * @throws the errors of {@link Model.run}.
   */
  infer<T extends TaskName = TaskName>(
    images: ImageInput | readonly ImageInput[],
    options: InferOptions<T> = {},
  ): Promise<InferResult<T>[]> {
    try {
      return inferImages(this, images, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Counters since load: requests, engine runs, rows, largest batch, cancellations, waiting now. */
  stats(): QueueStats {
    return this.#queue.stats();
  }

  /**
   * Rejects the requests still waiting with {@link DisposedError}, lets the running ones finish,
   * then disposes the session. Calling it again returns the same promise.
   */
  dispose(): Promise<void> {
    this.#disposing ??= this.#queue.close().then(() => this.#session.dispose());
    return this.#disposing;
  }

  /** Same as {@link Model.dispose}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  /** A short summary such as `Model(model.onnx, onnxruntime on cpu)`. */
  toString(): string {
    return `Model(${this.source}, ${this.backend} on ${this.device})`;
  }

  #request(feeds: Readonly<TensorMap> | Tensor, options: RunOptions): QueueRequest {
    if (this.#disposing) throw new DisposedError(`${this.source} is disposed`);
    if (typeof options !== 'object' || options === null) throw invalidArgument('options', options, 'object');
    let map: Readonly<TensorMap>;
    if (isTensorLike(feeds)) {
      if (this.inputs.length !== 1) {
        const names = this.inputs.map((i) => `'${i.name}'`).join(', ');
        throw invalidArgument('feeds', feeds, `object mapping input names (${names}) to tensors`);
      }
      map = { [this.inputs[0]!.name]: feeds };
    } else {
      map = feeds;
    }
    checkFeeds(this.inputs, map);
    const { signal, outputs } = options;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw invalidArgument('options.signal', signal, 'AbortSignal');
    }
    const timeoutMs = checkTimeout('options.timeoutMs', options.timeoutMs);
    if (outputs !== undefined) {
      if (!Array.isArray(outputs) || outputs.some((o) => !this.#outputNames.has(o))) {
        const all = [...this.#outputNames].map((n) => `'${n}'`).join(', ');
        throw invalidArgument('options.outputs', outputs, `array of output names (${all})`);
      }
    }
    let rows = 1;
    let key = '';
    if (this.batching !== null) {
      const first = this.inputs[0]!;
      rows = map[first.name]!.shape[0]!;
      const parts: string[] = [];
      for (const info of this.inputs) {
        const t = map[info.name]!;
        if (t.shape[0] !== rows) {
          const expected = `${rows} rows in dimension 0, as input '${first.name}' has`;
          const received = `Tensor<${t.dtype}>[${t.shape.join(',')}]`;
          throw new FeedError(
            `Expected ${expected} for input '${info.name}' but received ${received}`,
            info.name,
            expected,
            received,
          );
        }
        parts.push(t.shape.slice(1).join('x'));
      }
      if (outputs !== undefined) parts.push(outputs.join(','));
      key = parts.join('|');
    }
    return { feeds: map, rows, key, outputs, signal, timeoutMs };
  }
}
