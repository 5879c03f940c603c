// One TFLite interpreter (tfjs-tflite's wasm runner) behind the core Session contract.

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
import { deleteHandle, type TfliteWeb, type TfliteWebRunner, type TfliteWebTensorInfo } from './engine.js';
import { copyIn, copyOut } from './tensors.js';

/** @internal What the backend hands a new session. */
export interface TfliteSessionParts {
  web: TfliteWeb;
  runner: TfliteWebRunner;
  model: string;
  detail: string;
  inputs: readonly TensorInfo[];
  outputs: readonly TensorInfo[];
  runnerInputs: readonly TfliteWebTensorInfo[];
  runnerOutputs: readonly TfliteWebTensorInfo[];
  onClose: () => void;
}

/**
 * A model loaded into TFLite (the WebAssembly build of @tensorflow/tfjs-tflite, with XNNPACK).
 * Created by the backend's `load`; implements the core `Session` contract. Inference is
 * synchronous inside the wasm module, so runs of one session never overlap.
 */
export class TfliteSession extends BaseSession implements Session {
  /** Always `tflite`. */
  readonly backend: string = 'tflite';
  /** Always `cpu`. */
  readonly device: string = 'cpu';
  readonly detail: string;
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  readonly #web: TfliteWeb;
  readonly #runner: TfliteWebRunner;
  readonly #model: string;
  readonly #runnerInputs: readonly TfliteWebTensorInfo[];
  readonly #runnerOutputs: readonly TfliteWebTensorInfo[];

  /** @internal Use the backend's `load`. */
  constructor(parts: TfliteSessionParts) {
    super(parts.onClose);
    this.#web = parts.web;
    this.#runner = parts.runner;
    this.#model = parts.model;
    this.detail = parts.detail;
    this.inputs = Object.freeze([...parts.inputs]);
    this.outputs = Object.freeze([...parts.outputs]);
    // Asked once: each call makes new handles in the wasm module. They are in the model's order,
    // as this.inputs and this.outputs are.
    this.#runnerInputs = parts.runnerInputs;
    this.#runnerOutputs = parts.runnerOutputs;
  }

  /**
   * Runs the model on `feeds` (tensors by input name). Results are copies: they stay valid after
   * later runs and after {@link TfliteSession.dispose}.
   *
   * @throws {@link FeedError} when a feed is missing, unknown, or of the wrong dtype or shape.
   * @throws {@link ArgumentError} when `options.outputs` names an output the model does not have.
   * @throws {@link InferenceError} when TFLite fails; the message carries TFLite's own lines.
   * @throws {@link DisposedError} after {@link TfliteSession.dispose}.
   */
  async run(feeds: Readonly<TensorMap>, options: SessionRunOptions = {}): Promise<TensorMap> {
    if (this.isDisposed) throw new DisposedError(`the tflite session of ${this.#model} is disposed`);
    checkFeeds(this.inputs, feeds);
    const wanted = checkOutputNames(this.outputs, options.outputs);
    this.inputs.forEach((info, i) => {
      copyIn(this.#runnerInputs[i]!, feeds[info.name]!);
    });
    let ok: boolean;
    try {
      ok = this.#runner.infer();
    } catch (e) {
      throw new InferenceError(`TFLite failed to run ${this.#model}: ${(e as Error).message}`, { cause: e });
    }
    if (!ok) {
      const log = this.#web.drainLog();
      throw new InferenceError(
        `TFLite failed to run ${this.#model}${log.length > 0 ? `: ${log.join(' ')}` : ' (it gave no reason)'}`,
      );
    }
    const out: TensorMap = {};
    this.outputs.forEach((info, i) => {
      if (wanted === undefined || wanted.includes(info.name))
        out[info.name] = copyOut(this.#runnerOutputs[i]!, info.dtype);
    });
    return out;
  }

  /** Frees the interpreter and its copy of the model in the wasm heap (`dispose` calls it). */
  protected override async release(): Promise<void> {
    for (const info of [...this.#runnerInputs, ...this.#runnerOutputs]) deleteHandle(info);
    this.#runner.cleanUp();
  }

  /** A short summary such as `TfliteSession(cpu, face_detection_short_range.tflite)`. */
  override toString(): string {
    return `TfliteSession(cpu, ${this.#model})`;
  }
}
