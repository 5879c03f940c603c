// The contract between an engine (onnxruntime, TFLite, TensorRT) and everything that runs models.
// A backend says whether it can run here and why not, which model formats it reads, and loads a
// model into a session; a session describes its inputs and outputs and runs feeds to outputs.
// The runtime finds backends by package (each exports `createBackend`), so nothing here imports
// an engine.

import { describeValue } from './checks.js';
import { type DType, isDType, typedArrayName } from './dtype.js';
import { ArgumentError, FeedError } from './errors.js';
import type { ModelDim } from './rules.js';
import type { Tensor } from './tensor.js';

/** Model file formats a backend may read. */
export type ModelFormat = 'onnx' | 'tflite';

/** A model handed to a backend: its format, and its file or its bytes (at least one of the two). */
export interface ModelSource {
  readonly format: ModelFormat;
  /** For messages: the path, or `<bytes>` for a model given in memory. */
  readonly name: string;
  /** Absolute path of the model file, when it came from one (lets an engine find external data). */
  readonly path?: string;
  /** The model file's bytes, when it was given in memory. */
  readonly bytes?: Uint8Array;
}

/** Whether something can be used, and if not, why (in words, with the fix where one exists). */
export type Availability = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** One input or output of a session, read from the model. */
export interface TensorInfo {
  readonly name: string;
  readonly dtype: DType;
  /**
   * Dimensions, outermost first: a number when fixed, the model's symbol (`N`, `batch_size`) when
   * free, null when free and unnamed.
   */
  readonly shape: readonly ModelDim[];
}

/** Options every backend's `load` accepts; backend-specific settings go to its `createBackend`. */
export interface BackendLoadOptions {
  /** Threads the engine may use for one inference (intra-op); default: the engine's choice. */
  readonly threads?: number;
}

/** Options of {@link Session.run}. */
export interface SessionRunOptions {
  /** Outputs to compute and return; default: every output. */
  readonly outputs?: readonly string[];
}

/** Feeds or results of a session: tensors by input or output name. */
export type TensorMap = Record<string, Tensor>;

/**
 * A model loaded by a backend. Dispose it explicitly, or with `await using`: it holds native memory
 * that the garbage collector does not see.
 */
export interface Session {
  /** Name of the backend that made it. */
  readonly backend: string;
  /**
   * Where it runs: `cpu`, or an accelerator such as `gpu:0`, `dla:0`, `tpu:0`. The runtime runs one
   * inference at a time on each device other than `cpu`, across every model of the process.
   */
  readonly device: string;
  /** What the engine chose, in words (e.g. `onnxruntime 1.30.0, cpu execution provider`). */
  readonly detail: string;
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  /**
   * Runs the model.
   *
   * @throws {@link FeedError} when a feed is missing, unknown, or of the wrong dtype or shape.
   * @throws {@link InferenceError} when the engine fails on valid feeds.
   * @throws {@link DisposedError} after {@link Session.dispose}.
   */
  run(feeds: Readonly<TensorMap>, options?: SessionRunOptions): Promise<TensorMap>;
  /** Releases the native session; later calls to `run` reject. Calling it again does nothing. */
  dispose(): Promise<void>;
  /** Same as {@link Session.dispose}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * An inference engine. Registration follows onnxruntime-common's resolver: the runtime asks each
 * backend in preference order whether it is available and can take the model, and keeps every
 * refusal's reason to explain its choice.
 */
export interface Backend {
  /** Short stable name used in options and messages: `onnxruntime`, `tflite`, `trt`. */
  readonly name: string;
  /** Higher runs first when the user gives no order. */
  readonly priority: number;
  /** Device kinds it can use, best first, e.g. `['gpu', 'cpu']`. */
  readonly devices: readonly string[];
  /** Model formats it reads. */
  readonly formats: readonly ModelFormat[];
  /** Whether it can run on this machine (its native library loads); never throws. */
  available(): Promise<Availability>;
  /** Whether it takes this model (format, size); cheap, without loading the model; never throws. */
  canLoad(source: ModelSource): Availability;
  /**
   * Loads the model into a session.
   *
   * @throws {@link UnavailableError} when the engine cannot run here.
   * @throws {@link ModelLoadError} when the engine rejects the model.
   */
  load(source: ModelSource, options?: BackendLoadOptions): Promise<Session>;
  /** Sessions made by this backend and not yet disposed: a leak check, like tfjs's `numTensors`. */
  openSessions(): number;
}

/**
 * What a backend package exports for the runtime to find it with `import()`: a factory taking
 * that backend's own options.
 */
export interface BackendModule {
  createBackend(options?: unknown): Backend;
}

const FORMAT_NAMES: Readonly<Record<ModelFormat, string>> = { onnx: 'ONNX', tflite: 'TFLite' };

/**
 * The usual {@link Backend.canLoad} of a backend reading one format: the source is in that format
 * and has a path or bytes.
 */
export function sourceAvailability(backend: string, format: ModelFormat, source: ModelSource): Availability {
  if (source.format !== format) {
    return {
      ok: false,
      reason: `${backend} reads ${FORMAT_NAMES[format]} models, and ${source.name} is ${source.format}`,
    };
  }
  if (source.path === undefined && source.bytes === undefined) {
    return { ok: false, reason: `${source.name} has neither a path nor bytes` };
  }
  return { ok: true };
}

/**
 * A shape for messages: `[N,3,48,192]`; free dimensions show their symbol, unnamed ones `?`, and a
 * shape of unknown rank (null) is `(unknown rank)`.
 */
export function formatShape(shape: readonly ModelDim[] | null): string {
  if (shape === null) return '(unknown rank)';
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}

/** What a model expects for an input, in words: `float32 tensor of shape [N,3,48,192]`. */
export function describeTensorInfo(info: TensorInfo): string {
  return `${info.dtype} tensor of shape ${formatShape(info.shape)}`;
}

/**
 * True when `value` looks like a {@link Tensor} of any copy of `@edge/core`: a known dtype, a shape
 * array and a typed array.
 */
export function isTensorLike(value: unknown): value is Tensor {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as { dtype?: unknown; shape?: unknown; data?: unknown };
  return isDType(t.dtype) && Array.isArray(t.shape) && typedArrayName(t.data) !== undefined;
}

function describeFeed(value: unknown): string {
  if (isTensorLike(value)) return `Tensor<${value.dtype}>[${value.shape.join(',')}]`;
  return `${describeValue(value)} of type ${typeof value}`;
}

function feedError(info: TensorInfo, value: unknown, why: string): FeedError {
  const expected = describeTensorInfo(info);
  const received = describeFeed(value);
  return new FeedError(
    `Expected ${expected} for input '${info.name}' but received ${received}: ${why}`,
    info.name,
    expected,
    received,
  );
}

/**
 * Checks feeds against a session's inputs: every input present, no unknown name, each a tensor of
 * the input's dtype, rank and fixed dimensions. Free dimensions accept any size.
 *
 * @returns `feeds`, typed.
 * @throws {@link FeedError} naming the input, what the model expects and what was received.
 * @throws {@link ArgumentError} when `feeds` is not an object.
 */
export function checkFeeds(inputs: readonly TensorInfo[], feeds: unknown): Readonly<TensorMap> {
  const names = inputs.map((i) => `'${i.name}'`).join(', ');
  if (typeof feeds !== 'object' || feeds === null || Array.isArray(feeds) || isTensorLike(feeds)) {
    throw new ArgumentError(
      `Expected object mapping input names (${names}) to tensors for feeds but received ${describeFeed(feeds)}`,
    );
  }
  const record = feeds as Record<string, unknown>;
  for (const info of inputs) {
    const value = Object.hasOwn(record, info.name) ? record[info.name] : undefined;
    if (value === undefined) {
      const expected = describeTensorInfo(info);
      throw new FeedError(
        `input '${info.name}' is missing in feeds: expected ${expected}`,
        info.name,
        expected,
        'nothing',
      );
    }
    if (!isTensorLike(value)) throw feedError(info, value, 'not a Tensor');
    if (value.dtype !== info.dtype) throw feedError(info, value, `dtype ${value.dtype} is not ${info.dtype}`);
    if (value.shape.length !== info.shape.length) {
      throw feedError(info, value, `rank ${value.shape.length}, the model needs rank ${info.shape.length}`);
    }
    for (let d = 0; d < info.shape.length; d++) {
      const want = info.shape[d];
      if (typeof want === 'number' && value.shape[d] !== want) {
        throw feedError(info, value, `dimension ${d} is ${value.shape[d]}, the model needs ${want}`);
      }
    }
  }
  if (Object.keys(record).length !== inputs.length) {
    for (const key of Object.keys(record)) {
      if (!inputs.some((i) => i.name === key)) {
        throw new FeedError(
          `feeds has '${key}', which is not an input of the model: expected one of ${names}`,
          key,
          `one of ${names}`,
          describeFeed(record[key]),
        );
      }
    }
  }
  return record as Readonly<TensorMap>;
}

/**
 * Checks `SessionRunOptions.outputs` against a session's outputs: every name must be one of them.
 *
 * @returns `wanted`, typed; `undefined` (every output) when it is.
 * @throws {@link ArgumentError} naming the first unknown output and every output the model has.
 */
export function checkOutputNames(
  outputs: readonly TensorInfo[],
  wanted: readonly string[] | undefined,
): readonly string[] | undefined {
  if (wanted === undefined) return undefined;
  for (const name of wanted) {
    if (!outputs.some((o) => o.name === name)) {
      const all = outputs.map((o) => `'${o.name}'`).join(', ');
      throw new ArgumentError(
        `Expected output names (${all}) for options.outputs but received '${String(name)}'`,
      );
    }
  }
  return wanted;
}

/** True for devices the runtime runs one inference at a time on: everything but `cpu`. */
export function isAcceleratorDevice(device: string): boolean {
  return device !== 'cpu' && !device.startsWith('cpu:');
}

/** Sessions opened and closed, for leak checks (like tfjs's `numTensors`). */
export interface SessionCounts {
  readonly opened: number;
  readonly closed: number;
}

/**
 * Counts sessions a backend opens and closes. A counter made with a parent also counts into it,
 * so one backend instance and its whole package keep their tallies with one call.
 */
export class SessionCounter {
  #opened = 0;
  #closed = 0;

  readonly #parent: SessionCounter | undefined;

  constructor(parent?: SessionCounter | undefined) {
    this.#parent = parent;
  }

  /** Counts one opened session; the returned function counts its close, once however often it is called. */
  track(): () => void {
    this.#opened++;
    const parentClose = this.#parent?.track();
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      this.#closed++;
      parentClose?.();
    };
  }

  /** Sessions opened and not yet closed. */
  get open(): number {
    return this.#opened - this.#closed;
  }

  /** The tallies so far. */
  counts(): SessionCounts {
    return { opened: this.#opened, closed: this.#closed };
  }
}
