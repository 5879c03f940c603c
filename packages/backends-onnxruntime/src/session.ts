// One onnxruntime inference session behind the core Session contract.

import {
  BaseSession,
  checkFeeds,
  checkOutputNames,
  DisposedError,
  InferenceError,
  type Session,
  type SessionRunOptions,
  type TensorInfo,
  type TensorMap,
} from '@edge/core';
import type { OrtModule, OrtSession, OrtTensor } from './ort.js';
import { fromOrtTensor, toOrtTensor } from './tensors.js';

/** Execution providers this backend knows, best first. */
export type ExecutionProvider = 'tensorrt' | 'cuda' | 'cpu';

/** An execution provider that was tried and skipped for a session, with the reason. */
export interface ProviderSkip {
  readonly provider: ExecutionProvider;
  readonly reason: string;
}

/** @internal What the backend hands a new session. */
export interface SessionParts {
  ort: OrtModule;
  native: OrtSession;
  model: string;
  provider: ExecutionProvider;
  device: string;
  detail: string;
  skipped: readonly ProviderSkip[];
  inputs: readonly TensorInfo[];
  outputs: readonly TensorInfo[];
  onClose: () => void;
}

/**
 * A model loaded into onnxruntime-node. Created by the backend's `load`; implements the core
 * `Session` contract and says which execution provider it got and which it skipped.
 */
export class OnnxruntimeSession extends BaseSession implements Session {
  /** Always `onnxruntime`. */
  readonly backend: string = 'onnxruntime';
  readonly device: string;
  readonly detail: string;
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  /** The execution provider the session runs on. */
  readonly provider: ExecutionProvider;
  /** Providers tried before it, each with why it was skipped. */
  readonly skippedProviders: readonly ProviderSkip[];
  readonly #ort: OrtModule;
  readonly #native: OrtSession;
  readonly #model: string;
  #inflight = 0;
  #idle: (() => void) | undefined;

  /** @internal Use the backend's `load`. */
  constructor(parts: SessionParts) {
    super(parts.onClose);
    this.#ort = parts.ort;
    this.#native = parts.native;
    this.#model = parts.model;
    this.device = parts.device;
    this.detail = parts.detail;
    this.provider = parts.provider;
    this.skippedProviders = Object.freeze([...parts.skipped]);
    this.inputs = Object.freeze([...parts.inputs]);
    this.outputs = Object.freeze([...parts.outputs]);
  }

  /**
   * Runs the model on `feeds` (tensors by input name).
   *
   * @throws {@link FeedError} when a feed is missing, unknown, or of the wrong dtype or shape.
   * @throws {@link ArgumentError} when `options.outputs` names an output the model does not have.
   * @throws {@link InferenceError} when onnxruntime fails; `cause` holds its error.
   * @throws {@link DisposedError} after {@link OnnxruntimeSession.dispose}.
   */
  async run(feeds: Readonly<TensorMap>, options: SessionRunOptions = {}): Promise<TensorMap> {
    if (this.isDisposed) throw new DisposedError(`the onnxruntime session of ${this.#model} is disposed`);
    checkFeeds(this.inputs, feeds);
    const fetches = checkOutputNames(this.outputs, options.outputs);
    const ortFeeds: Record<string, OrtTensor> = {};
    for (const info of this.inputs) ortFeeds[info.name] = toOrtTensor(this.#ort, feeds[info.name]!);
    this.#inflight++;
    let results: Record<string, OrtTensor>;
    try {
      results = await (fetches ? this.#native.run(ortFeeds, fetches) : this.#native.run(ortFeeds));
    } catch (e) {
      throw new InferenceError(`onnxruntime failed to run ${this.#model}: ${(e as Error).message}`, {
        cause: e,
      });
    } finally {
      if (--this.#inflight === 0) this.#idle?.();
    }
    const out: TensorMap = {};
    for (const name of Object.keys(results)) out[name] = fromOrtTensor(name, results[name]!);
    return out;
  }

  /** Releases the native session once the runs already started have finished (`dispose` calls it). */
  protected override async release(): Promise<void> {
    // Releasing under a run that onnxruntime has queued (it runs on setImmediate) would free the
    // session beneath it.
    if (this.#inflight > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
    await this.#native.release();
  }

  /** A short summary such as `OnnxruntimeSession(cpu, model.onnx)`. */
  override toString(): string {
    return `OnnxruntimeSession(${this.provider}, ${this.#model})`;
  }
}
