// loadModel: try the backends in the preference order, skip each one that is not installed, not
// available here, does not take the model or fails to load it, keep every reason, and either
// return the model with its explanation or throw one error that lists them all (as
// onnxruntime-common's resolver does for its backends).

import {
  AbortedError,
  BACKEND_NAMES,
  type Backend,
  type BackendLoadOptions,
  type BackendName,
  type BackendSkip,
  backendPackage,
  checkBoolean,
  checkOneOf,
  checkPositiveInteger,
  invalidArgument,
  isEdgeError,
  type ModelSource,
  NoBackendError,
  type Session,
  toModelSource,
} from '@edge/core';
import type { BatchingSettings } from '../queue/model-queue.js';
import { DEFAULT_BACKEND_ORDER, findBackend } from './backends.js';
import { hasFreeBatch } from './input-spec.js';
import { checkTimeout, Model } from './model.js';

/** Dynamic batching as `loadModel` takes it. */
export interface BatchingOptions {
  /** Most rows (summed dimension 0 of the requests) in one engine run; default 8. */
  readonly maxBatch?: number;
  /**
   * How long a request waits on an idle device for others to join it, in ms; default 0. Requests
   * that arrive while the device is busy, or in the same tick, are batched whatever this is.
   */
  readonly maxDelayMs?: number;
}

/** Options of {@link loadModel}. */
export interface LoadModelOptions {
  /**
   * Backends to try, in order: names of known backends (core's `BACKEND_NAMES`) or `Backend`
   * objects (your own engine). Default `['trt', 'onnxruntime', 'tflite']`.
   */
  readonly backends?: readonly (BackendName | Backend)[];
  /** Options for each known backend's `createBackend`, e.g. `{ onnxruntime: { executionProviders: ['cpu'] } }`. */
  readonly backendOptions?: Readonly<Partial<Record<BackendName, unknown>>>;
  /** Threads one inference may use; default: the engine's choice. */
  readonly threads?: number;
  /**
   * Dynamic batching, for models whose inputs and outputs all have a free dimension 0: `true` for
   * the defaults, or settings. Default off. Ignored (with a note in `explanation`) for a model
   * with a fixed batch.
   */
  readonly batching?: boolean | BatchingOptions;
  /** Most requests waiting (not running) before `run` rejects with QueueFullError; default 256. */
  readonly maxQueue?: number;
  /** Default timeout of each request in ms, queue wait included; default none. */
  readonly timeoutMs?: number;
  /** Cancels the load. */
  readonly signal?: AbortSignal;
}

const DEFAULT_BATCHING: BatchingSettings = Object.freeze({ maxBatch: 8, maxDelayMs: 0 });

function isBackend(value: unknown): value is Backend {
  const b = value as Partial<Backend> | null;
  return (
    typeof b === 'object' &&
    b !== null &&
    typeof b.name === 'string' &&
    typeof b.available === 'function' &&
    typeof b.canLoad === 'function' &&
    typeof b.load === 'function'
  );
}

function checkBatching(value: unknown): BatchingSettings | null {
  if (value === undefined || value === false) return null;
  if (value === true) return DEFAULT_BATCHING;
  if (typeof value !== 'object' || value === null) {
    checkBoolean('options.batching', value);
  }
  const o = value as BatchingOptions;
  const maxBatch =
    o.maxBatch === undefined
      ? DEFAULT_BATCHING.maxBatch
      : checkPositiveInteger('options.batching.maxBatch', o.maxBatch);
  let maxDelayMs = DEFAULT_BATCHING.maxDelayMs;
  if (o.maxDelayMs !== undefined) {
    if (typeof o.maxDelayMs !== 'number' || !Number.isFinite(o.maxDelayMs) || o.maxDelayMs < 0) {
      throw invalidArgument(
        'options.batching.maxDelayMs',
        o.maxDelayMs,
        'non-negative number of milliseconds',
      );
    }
    maxDelayMs = o.maxDelayMs;
  }
  return Object.freeze({ maxBatch, maxDelayMs });
}

function checkBackends(value: unknown): readonly (BackendName | Backend)[] {
  if (value === undefined) return DEFAULT_BACKEND_ORDER;
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidArgument(
      'options.backends',
      value,
      `non-empty array of backend names (${BACKEND_NAMES.join(', ')}) or Backend objects`,
    );
  }
  value.forEach((entry: unknown, i) => {
    if (!isBackend(entry)) checkOneOf(`options.backends[${i}]`, entry, BACKEND_NAMES);
  });
  return value as (BackendName | Backend)[];
}

function aborted(signal: AbortSignal, source: string): AbortedError {
  return new AbortedError(`loading ${source} was aborted`, { cause: signal.reason });
}

async function askBackend(
  backend: Backend,
  source: ModelSource,
  options: BackendLoadOptions,
): Promise<{ session: Session } | { skip: BackendSkip }> {
  const name = backend.name;
  let availability: Awaited<ReturnType<Backend['available']>>;
  try {
    availability = await backend.available();
  } catch (e) {
    availability = { ok: false, reason: `available() threw: ${(e as Error)?.message ?? String(e)}` };
  }
  if (!availability.ok) return { skip: { backend: name, kind: 'unavailable', reason: availability.reason } };
  let can: ReturnType<Backend['canLoad']>;
  try {
    can = backend.canLoad(source);
  } catch (e) {
    can = { ok: false, reason: `canLoad() threw: ${(e as Error)?.message ?? String(e)}` };
  }
  if (!can.ok) return { skip: { backend: name, kind: 'cannot-load', reason: can.reason } };
  try {
    return { session: await backend.load(source, options) };
  } catch (e) {
    if (isEdgeError(e, 'EDGE_ARGUMENT')) throw e;
    return { skip: { backend: name, kind: 'load-failed', reason: (e as Error)?.message ?? String(e) } };
  }
}

/**
 * Loads a model (a path or the file's bytes) on the first backend, in preference order, that is
 * installed, available on this machine, takes the model's format and loads it. The returned
 * model's `explanation` says which backend and device run it and why each earlier one was
 * skipped; its `inputSpecs` give the input layout and size read from the model.
 *
 * @throws {@link NoBackendError} listing every backend tried and its reason, when none can.
 * @throws {@link ArgumentError} when `model` or an option is invalid (a backend's own options too).
 * @throws {@link FileIOError} when the model file cannot be read.
 * @throws {@link AbortedError} when `options.signal` aborts.
 */
export async function loadModel(model: string | Uint8Array, options: LoadModelOptions = {}): Promise<Model> {
  if (typeof options !== 'object' || options === null) throw invalidArgument('options', options, 'object');
  const order = checkBackends(options.backends);
  const batching = checkBatching(options.batching);
  const maxQueue =
    options.maxQueue === undefined ? 256 : checkPositiveInteger('options.maxQueue', options.maxQueue);
  const timeoutMs = checkTimeout('options.timeoutMs', options.timeoutMs);
  const loadOptions: BackendLoadOptions =
    options.threads === undefined
      ? {}
      : { threads: checkPositiveInteger('options.threads', options.threads) };
  const { signal } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw invalidArgument('options.signal', signal, 'AbortSignal');
  }
  const source = toModelSource(model);

  const skipped: BackendSkip[] = [];
  for (const entry of order) {
    if (signal?.aborted) throw aborted(signal, source.name);
    let backend: Backend;
    if (typeof entry === 'string') {
      const found = await findBackend(entry, backendPackage(entry), options.backendOptions?.[entry]);
      if ('skip' in found) {
        skipped.push(found.skip);
        continue;
      }
      backend = found.backend;
    } else {
      backend = entry;
    }
    const answer = await askBackend(backend, source, loadOptions);
    if ('skip' in answer) {
      skipped.push(answer.skip);
      continue;
    }
    const { session } = answer;
    if (signal?.aborted) {
      await session.dispose();
      throw aborted(signal, source.name);
    }
    let effective = batching;
    let batchingNote: string | undefined;
    if (batching !== null && !hasFreeBatch(session.inputs, session.outputs)) {
      effective = null;
      batchingNote = 'asked for, but not every input and output of the model has a free dimension 0';
    }
    return new Model({
      session,
      source: source.name,
      format: source.format,
      skipped,
      batching: effective,
      batchingNote,
      maxQueue,
      timeoutMs,
    });
  }
  throw new NoBackendError(source.name, skipped);
}
