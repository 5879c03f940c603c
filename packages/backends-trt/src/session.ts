// A TensorRT engine behind the core Session contract: a pool of execution contexts (one per
// optimisation profile the engine was built with), each run taking a free one. The runtime's
// device queue decides how many runs reach the session at once: one per device (`gpu:0`,
// `dla:1`) unless the user raises that device's concurrency.

import {
  BaseSession,
  checkOutputNames,
  DisposedError,
  type Session,
  type SessionRunOptions,
  type TensorInfo,
  type TensorMap,
} from '@edge/core';
import type { ExecutionContext, TrtEngine } from '@edge/trt';

/** A model running on TensorRT. Created by the trt backend's `load`. */
export class TrtSession extends BaseSession implements Session {
  /** Always `trt`. */
  readonly backend: string = 'trt';
  readonly device: string;
  readonly detail: string;
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  /** The engine's header: what it was built with and for. */
  readonly engine: TrtEngine;
  readonly #free: ExecutionContext[] = [];
  readonly #all: ExecutionContext[] = [];
  readonly #waiting: ((c: ExecutionContext) => void)[] = [];

  /** @internal Use the backend's `load`. */
  constructor(engine: TrtEngine, detail: string, onClose: () => void) {
    super(onClose);
    this.engine = engine;
    this.device = engine.device;
    this.detail = detail;
    this.inputs = engine.inputs;
    this.outputs = engine.outputs;
    const contexts = Math.max(1, engine.header.build.contexts);
    for (let i = 0; i < contexts; i++) {
      const c = engine.createContext();
      this.#all.push(c);
      this.#free.push(c);
    }
  }

  #take(): Promise<ExecutionContext> {
    const c = this.#free.pop();
    return c ? Promise.resolve(c) : new Promise((resolve) => this.#waiting.push(resolve));
  }

  #give(c: ExecutionContext): void {
    const next = this.#waiting.shift();
    if (next) next(c);
    else this.#free.push(c);
  }

  /**
   * Runs the engine.
   *
   * @throws {@link FeedError} when a feed is missing, unknown, of the wrong dtype or outside the
   * engine's optimisation profile.
   * @throws {@link ArgumentError} when `options.outputs` names an output the engine lacks.
   * @throws {@link InferenceError} when TensorRT fails.
   * @throws {@link DisposedError} after `dispose`.
   */
  async run(feeds: Readonly<TensorMap>, options: SessionRunOptions = {}): Promise<TensorMap> {
    if (this.isDisposed) throw new DisposedError(`the TensorRT session of ${this.engine.source} is disposed`);
    const wanted = checkOutputNames(this.outputs, options.outputs);
    const context = await this.#take();
    let out: TensorMap;
    try {
      out = await context.run(feeds);
    } finally {
      this.#give(context);
    }
    if (wanted === undefined) return out;
    return Object.fromEntries(wanted.map((n) => [n, out[n]!]));
  }

  /** Frees the contexts once running inferences end, then the engine (`dispose` calls it). */
  protected override async release(): Promise<void> {
    await Promise.all(this.#all.map((c) => c.dispose()));
    this.engine.dispose();
  }
}
