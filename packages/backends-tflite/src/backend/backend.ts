// The TFLite backend: the WebAssembly build of @tensorflow/tfjs-tflite (TFLite with XNNPACK),
// loaded on first use with its browser globals shimmed only while it loads; a count of
// interpreters for leak checks.

import { readFile } from 'node:fs/promises';
import {
  type Availability,
  type Backend,
  type BackendLoadOptions,
  checkPositiveInteger,
  invalidArgument,
  ModelLoadError,
  type ModelSource,
  SessionCounter,
  type SessionCounts,
  sourceAvailability,
  type TensorInfo,
  UnavailableError,
} from '@edge/core';

export type { SessionCounts } from '@edge/core';

import { readTflite, type TfliteModel } from '../model.js';
import { deleteHandle, loadTfliteWeb, type TfliteWeb, type TfliteWebRunner } from './engine.js';
import { TfliteSession } from './session.js';
import { tensorInfo } from './tensors.js';

/** Options of {@link createBackend}. */
export interface TfliteBackendOptions {
  /**
   * Threads TFLite may use; default: `threads` of `load`, else 1. The WebAssembly build that runs
   * in Node has no worker threads, so XNNPACK runs on one thread whatever this says.
   */
  readonly numThreads?: number;
}

/** The TFLite {@link Backend}: its `load` returns a {@link TfliteSession}. */
export interface TfliteBackend extends Backend {
  /**
   * Loads a .tflite model into a TFLite interpreter.
   *
   * @throws {@link UnavailableError} when @tensorflow/tfjs-tflite cannot be loaded.
   * @throws {@link ModelLoadError} when the file is not a valid TFLite model, TFLite rejects it
   * (a custom operator it does not have), or an input or output has a dtype core tensors do not hold.
   */
  load(source: ModelSource, options?: BackendLoadOptions): Promise<TfliteSession>;
}

const counts = new SessionCounter();

/**
 * Interpreters every TFLite backend of this process has opened and closed: `opened - closed` is
 * the number still holding wasm memory (a leak check, like tfjs's `numTensors`).
 */
export function sessionCounts(): SessionCounts {
  return counts.counts();
}

const INSTALL =
  'install it with npm install @tensorflow/tfjs-tflite@0.0.1-alpha.10 @tensorflow/tfjs-core@4.9.0';

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

function customOperators(model: TfliteModel): string[] {
  const names = new Set<string>();
  for (const sg of model.subgraphs) for (const op of sg.operators) if (op.custom) names.add(op.opType);
  return [...names].sort();
}

function checkOptions(options: TfliteBackendOptions): void {
  if (typeof options !== 'object' || options === null) throw invalidArgument('options', options, 'object');
  if (options.numThreads !== undefined) checkPositiveInteger('options.numThreads', options.numThreads);
}

class TfliteWebBackend implements TfliteBackend {
  readonly name: string = 'tflite';
  readonly priority: number = 10;
  readonly devices: readonly string[] = Object.freeze(['cpu']);
  readonly formats: readonly ('onnx' | 'tflite')[] = Object.freeze(['tflite'] as const);
  readonly #options: TfliteBackendOptions;
  readonly #sessions = new SessionCounter(counts);

  constructor(options: TfliteBackendOptions) {
    this.#options = { ...options };
  }

  async available(): Promise<Availability> {
    try {
      await loadTfliteWeb();
      return { ok: true };
    } catch (e) {
      return {
        ok: false,
        reason: `@tensorflow/tfjs-tflite cannot be loaded (${firstLine((e as Error).message)}); ${INSTALL}`,
      };
    }
  }

  canLoad(source: ModelSource): Availability {
    return sourceAvailability(this.name, 'tflite', source);
  }

  async load(source: ModelSource, options: BackendLoadOptions = {}): Promise<TfliteSession> {
    let web: TfliteWeb;
    try {
      web = await loadTfliteWeb();
    } catch (e) {
      throw new UnavailableError(
        `@tensorflow/tfjs-tflite cannot be loaded: ${firstLine((e as Error).message)}; ${INSTALL}`,
        { cause: e },
      );
    }
    const can = this.canLoad(source);
    if (!can.ok) throw new ModelLoadError(can.reason, this.name);
    if (options.threads !== undefined) checkPositiveInteger('options.threads', options.threads);

    let bytes: Uint8Array;
    if (source.bytes !== undefined) bytes = source.bytes;
    else {
      try {
        bytes = await readFile(source.path!);
      } catch (e) {
        throw new ModelLoadError(`cannot read ${source.name}: ${(e as Error).message}`, this.name, {
          cause: e,
        });
      }
    }
    let model: TfliteModel;
    try {
      model = readTflite(bytes, { label: source.name });
    } catch (e) {
      throw new ModelLoadError(
        `${source.name} is not a valid TFLite model: ${(e as Error).message}`,
        this.name,
        {
          cause: e,
        },
      );
    }
    const numThreads = this.#options.numThreads ?? options.threads ?? 1;
    // TFLite keeps its own copy in the wasm heap; hand it exactly the model's bytes.
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    let runner: TfliteWebRunner;
    try {
      runner = await web.createRunner(buffer, { numThreads });
    } catch (e) {
      throw this.#loadError(source, model, e);
    }
    const onClose = this.#sessions.track();
    const runnerInputs = runner.getInputs();
    const runnerOutputs = runner.getOutputs();
    const inputs: TensorInfo[] = [];
    const outputs: TensorInfo[] = [];
    for (const [list, infos, role] of [
      [inputs, runnerInputs, 'input'],
      [outputs, runnerOutputs, 'output'],
    ] as const) {
      for (const meta of infos) {
        const info = tensorInfo(meta, role);
        if (typeof info === 'string') {
          try {
            for (const h of [...runnerInputs, ...runnerOutputs]) deleteHandle(h);
            runner.cleanUp();
          } finally {
            onClose();
          }
          throw new ModelLoadError(`tflite cannot serve ${source.name}: ${info}`, this.name);
        }
        list.push(info);
      }
    }
    return new TfliteSession({
      web,
      runner,
      model: source.name,
      detail: `@tensorflow/tfjs-tflite ${web.version}, WebAssembly ${web.build} with XNNPACK, 1 thread`,
      inputs,
      outputs,
      runnerInputs,
      runnerOutputs,
      onClose,
    });
  }

  openSessions(): number {
    return this.#sessions.open;
  }

  #loadError(source: ModelSource, model: TfliteModel, cause: unknown): ModelLoadError {
    const message = firstLine((cause as Error)?.message ?? String(cause));
    const log = ((cause as { engineLog?: string[] })?.engineLog ?? [])
      .map((l) => l.trim())
      .filter((l) => l.startsWith('ERROR:'));
    const reasons = [...new Set(log)].join(' ');
    const custom = customOperators(model);
    const hint =
      custom.length === 0
        ? ''
        : `; it uses the custom operator${custom.length > 1 ? 's' : ''} ${custom.join(', ')}, which stock TFLite does not have (fix: re-export the model without ${custom.length > 1 ? 'them' : 'it'}, or run it with the runtime that registers ${custom.length > 1 ? 'them' : 'it'}, e.g. MediaPipe)`;
    return new ModelLoadError(
      `TFLite cannot load ${source.name}: ${message}${reasons === '' ? '' : ` (${reasons})`}${hint}`,
      this.name,
      { cause },
    );
  }
}

/**
 * The TFLite backend over @tensorflow/tfjs-tflite's WebAssembly build. Creating it loads nothing;
 * the package and its wasm module load on the first `available()` or `load()`, with the browser
 * globals they need (`self`, `importScripts`) set only during that load and removed afterwards.
 *
 * @throws {@link ArgumentError} when an option is out of range (numThreads < 1).
 */
export function createBackend(options: TfliteBackendOptions = {}): TfliteBackend {
  checkOptions(options);
  return new TfliteWebBackend(options);
}
