// A loaded engine and its execution contexts, over the binding. The engine is checked against
// this machine from its header before TensorRT deserialises it; every run's inputs are checked
// against the engine's optimisation profile before anything is enqueued, so a shape TensorRT
// would refuse (with a terse "setInputShape failed") is an error naming the input and its range.
// Each context owns a CUDA stream and one optimisation profile, and keeps its pinned and device
// buffers between runs; runs on one context are serialised, contexts run concurrently.

import { readFileSync } from 'node:fs';
import {
  ArgumentError,
  checkFeeds,
  DisposedError,
  type DType,
  describeTensorInfo,
  FeedError,
  FileIOError,
  InferenceError,
  isDType,
  ModelLoadError,
  Tensor,
  type TensorInfo,
  type TensorMap,
} from '@edge/core';
import type { NativeContext, NativeEngine, NativeTensorDesc } from './binding.js';
import { hostOf } from './builder.js';
import { checkEngineHost, decodeEngineFile, type EngineHeader } from './engine-file.js';
import { defaultRuntime, type LoadedRuntime } from './loader.js';
import { requireTensorRT } from './status.js';

/** Options of {@link TrtEngine.load}. */
export interface LoadEngineOptions {
  /** GPU index; default 0. */
  readonly device?: number;
  /** DLA core to run on; default: the one the engine was built for. */
  readonly dlaCore?: number;
  /** Refuse the engine unless it was built from this model (hex SHA-256). */
  readonly modelSha256?: string;
}

/** An engine as a file path, or its header and plan (a `BuiltEngine`). */
export type EngineSource = string | { readonly header: EngineHeader; readonly plan: Uint8Array };

/** The profile bounds of a dynamic input. */
export interface InputRange {
  readonly min: readonly number[];
  readonly opt: readonly number[];
  readonly max: readonly number[];
}

function toInfo(t: NativeTensorDesc): TensorInfo | string {
  if (!isDType(t.dtype)) {
    return `${t.mode} '${t.name}' has dtype ${t.dtype}, which @edge/core tensors do not hold`;
  }
  return { name: t.name, dtype: t.dtype, shape: Object.freeze(t.dims.map((d) => (d < 0 ? null : d))) };
}

function view(dtype: DType, bytes: Uint8Array): Tensor['data'] {
  const { buffer, byteOffset, byteLength } = bytes;
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, byteOffset, byteLength / 4);
    case 'float16':
      return new Uint16Array(buffer, byteOffset, byteLength / 2);
    case 'int32':
      return new Int32Array(buffer, byteOffset, byteLength / 4);
    case 'int64':
      return new BigInt64Array(buffer, byteOffset, byteLength / 8);
    case 'int8':
      return new Int8Array(buffer, byteOffset, byteLength);
    default:
      return new Uint8Array(buffer, byteOffset, byteLength);
  }
}

/**
 * Checks each dynamic dimension of `feeds` against the engine's profile range.
 *
 * @throws {@link FeedError} naming the input, the dimension and the range it must be in.
 */
export function checkProfileRanges(
  inputs: readonly TensorInfo[],
  ranges: ReadonlyMap<string, InputRange>,
  feeds: Readonly<TensorMap>,
): void {
  for (const info of inputs) {
    const range = ranges.get(info.name);
    if (range === undefined) continue;
    const t = feeds[info.name]!;
    for (let d = 0; d < t.shape.length; d++) {
      const v = t.shape[d]!;
      if (v < range.min[d]! || v > range.max[d]!) {
        const expected = `${describeTensorInfo(info)} with dimension ${d} in ${range.min[d]}..${range.max[d]} (the engine's optimisation profile: min [${range.min.join(',')}], max [${range.max.join(',')}])`;
        const received = `Tensor<${t.dtype}>[${t.shape.join(',')}]`;
        throw new FeedError(
          `Expected ${expected} for input '${info.name}' but received ${received}: rebuild the engine with a profile covering it (--shape, maxBatch)`,
          info.name,
          expected,
          received,
        );
      }
    }
  }
}

/** One execution context: a CUDA stream, an optimisation profile, reused buffers. */
export class ExecutionContext {
  readonly #engine: TrtEngine;
  readonly #native: NativeContext;
  readonly #release: () => void;
  #tail: Promise<unknown> = Promise.resolve();
  #disposed = false;

  /** @internal Use {@link TrtEngine.createContext}. */
  constructor(engine: TrtEngine, native: NativeContext, release: () => void) {
    this.#engine = engine;
    this.#native = native;
    this.#release = release;
  }

  /**
   * Runs the engine on `feeds` (tensors by input name): checks them against the inputs and the
   * profile, then copies, enqueues and waits on a worker thread. Runs on one context queue up.
   *
   * @throws {@link FeedError} when a feed is missing, unknown, of the wrong dtype or rank, or
   * outside the profile.
   * @throws {@link InferenceError} when TensorRT or CUDA fails; `cause` holds the native error.
   * @throws {@link DisposedError} after `dispose`.
   */
  run(feeds: Readonly<TensorMap>): Promise<TensorMap> {
    if (this.#disposed) return Promise.reject(new DisposedError('the execution context is disposed'));
    const engine = this.#engine;
    try {
      checkFeeds(engine.inputs, feeds);
      checkProfileRanges(engine.inputs, engine.ranges, feeds);
    } catch (e) {
      return Promise.reject(e);
    }
    const inputs = engine.inputs.map((i) => {
      const t = feeds[i.name]!;
      return { name: i.name, dims: t.shape, data: t.data as ArrayBufferView };
    });
    const run = this.#tail.then(async () => {
      let out: Awaited<ReturnType<NativeContext['run']>>;
      try {
        out = await this.#native.run(inputs);
      } catch (e) {
        throw new InferenceError(`TensorRT failed to run ${engine.source}: ${(e as Error).message}`, {
          cause: e,
        });
      }
      const result: TensorMap = {};
      for (const o of out) {
        const info = engine.outputs.find((x) => x.name === o.name)!;
        result[o.name] = new Tensor(
          info.dtype,
          o.dims,
          view(info.dtype, o.data as Uint8Array) as Tensor<DType>['data'],
        );
      }
      return result;
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** Frees the stream and buffers once queued runs have finished; calling it again does nothing. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#tail;
    this.#native.dispose();
    this.#release();
  }
}

/** A deserialised engine on this machine. */
export class TrtEngine {
  /** The file or `<memory>`, for messages. */
  readonly source: string;
  readonly header: EngineHeader;
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  /** Profile ranges of the dynamic inputs. */
  readonly ranges: ReadonlyMap<string, InputRange>;
  /** `gpu:0`, or `dla:1` for an engine running on a DLA core. */
  readonly device: string;
  readonly #native: NativeEngine;
  readonly #profilesInUse = new Set<number>();
  readonly #dynamic: boolean;
  #open = 0;
  #disposed = false;

  private constructor(source: string, header: EngineHeader, native: NativeEngine, device: string) {
    this.source = source;
    this.header = header;
    this.#native = native;
    this.device = device;
    const inputs: TensorInfo[] = [];
    const outputs: TensorInfo[] = [];
    const ranges = new Map<string, InputRange>();
    for (const t of native.tensors) {
      const info = toInfo(t);
      if (typeof info === 'string') {
        native.dispose();
        throw new ModelLoadError(`${source}: ${info}`, 'trt');
      }
      (t.mode === 'input' ? inputs : outputs).push(info);
      if (t.min && t.opt && t.max) ranges.set(t.name, { min: t.min, opt: t.opt, max: t.max });
    }
    this.inputs = Object.freeze(inputs);
    this.outputs = Object.freeze(outputs);
    this.ranges = ranges;
    this.#dynamic = ranges.size > 0;
  }

  /**
   * Loads an engine file (or a built engine): its header is checked against this machine first,
   * then TensorRT deserialises the plan on a worker thread.
   *
   * @throws {@link UnavailableError} when TensorRT cannot run here.
   * @throws {@link EngineMismatchError} when the engine was built for another TensorRT, GPU, DLA
   * core or model (both sides named).
   * @throws {@link ModelParseError} when the file is damaged; {@link FileIOError} when unreadable.
   * @throws {@link ModelLoadError} when TensorRT refuses the plan.
   */
  static load(source: EngineSource, options: LoadEngineOptions = {}): Promise<TrtEngine> {
    return TrtEngine.loadWith(defaultRuntime(), source, options);
  }

  /** {@link TrtEngine.load} with a given runtime. @internal */
  static async loadWith(
    rt: LoadedRuntime,
    source: EngineSource,
    options: LoadEngineOptions = {},
  ): Promise<TrtEngine> {
    requireTensorRT('running an engine', rt);
    let name = '<memory>';
    let header: EngineHeader;
    let plan: Uint8Array;
    if (typeof source === 'string') {
      name = source;
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(source);
      } catch (cause) {
        throw new FileIOError(`cannot read engine file ${source}: ${(cause as Error).message}`, source, {
          cause,
        });
      }
      ({ header, plan } = decodeEngineFile(bytes, source));
    } else {
      ({ header, plan } = source);
    }
    const device = options.device ?? 0;
    checkEngineHost(header, hostOf(rt), {
      ...(typeof source === 'string' ? { source } : {}),
      device,
      ...(options.modelSha256 !== undefined ? { modelSha256: options.modelSha256 } : {}),
    });
    const dla = options.dlaCore ?? header.dlaCore;
    let native: NativeEngine;
    try {
      native = await rt.binding!.deserialize!(plan, device, dla ?? -1);
    } catch (cause) {
      throw new ModelLoadError(`TensorRT could not load ${name}: ${(cause as Error).message}`, 'trt', {
        cause,
      });
    }
    return new TrtEngine(name, header, native, dla === null ? `gpu:${device}` : `dla:${dla}`);
  }

  /** Execution contexts open now. */
  get openContexts(): number {
    return this.#open;
  }

  /**
   * A new execution context. An engine with dynamic inputs has one optimisation profile per
   * context that may run at once (`contexts` at build time); each open context holds one.
   *
   * @throws {@link ArgumentError} when every profile is in use.
   * @throws {@link DisposedError} after `dispose`.
   */
  createContext(): ExecutionContext {
    if (this.#disposed) throw new DisposedError(`the engine ${this.source} is disposed`);
    let profile = 0;
    if (this.#dynamic) {
      while (this.#profilesInUse.has(profile)) profile++;
      if (profile >= this.#native.profiles) {
        throw new ArgumentError(
          `Expected at most ${this.#native.profiles} open execution contexts for ${this.source} (one optimisation profile each) but received a request for one more: rebuild with contexts: ${this.#native.profiles + 1} or dispose one`,
        );
      }
      this.#profilesInUse.add(profile);
    }
    let native: NativeContext;
    try {
      native = this.#native.createContext(profile);
    } catch (cause) {
      this.#profilesInUse.delete(profile);
      throw new InferenceError(
        `TensorRT could not create an execution context: ${(cause as Error).message}`,
        { cause },
      );
    }
    this.#open++;
    return new ExecutionContext(this, native, () => {
      this.#open--;
      this.#profilesInUse.delete(profile);
    });
  }

  /** Frees the engine (contexts still open keep it alive until they are disposed). */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#native.dispose();
  }
}
