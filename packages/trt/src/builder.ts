// Engine build as a chain of small steps, after Polygraphy's loaders: model facts (readModelFacts)
// -> this machine (hostOf) -> plan (planBuild) -> native build off the main thread (runNativeBuild)
// -> engine container (header) -> cache or file. Each step is a function of the previous one's
// result; `buildEngine` only composes them.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { AbortedError, ModelLoadError, UnavailableError, writeFileAtomic } from '@edge/core';
import type { NativeBuildEvent, NativeBuildRequest, NativeLayerPlacement, TrtBinding } from './binding.js';
import { type BuildOptions, type BuildPlan, parseTensorRTVersion, planBuild } from './build-plan.js';
import { EngineCache, type EngineCacheEvent, engineCacheKey } from './engine-cache.js';
import {
  type EngineHeader,
  type EngineHeaderFields,
  type EngineHost,
  encodeEngineFile,
} from './engine-file.js';
import { defaultRuntime, type LoadedRuntime } from './loader.js';
import { type ModelFacts, readModelFacts } from './model-facts.js';
import { requireTensorRT } from './status.js';
import { formatTensorRTVersion } from './versions.js';

/** A step of a running build. */
export interface BuildProgress {
  /** `parse`, `configure`, `build` (ours), or TensorRT's own phase name (10.x). */
  readonly phase: string;
  readonly step: number;
  readonly steps: number;
  /** 0 for top-level phases, more for TensorRT's nested ones. */
  readonly depth: number;
  readonly elapsedMs: number;
}

/** One message of TensorRT's or its parser's log. */
export interface BuildLogLine {
  readonly severity: 'error' | 'warning' | 'info' | 'verbose';
  readonly message: string;
}

/** Options of {@link buildEngine}. */
export interface BuildEngineOptions extends BuildOptions {
  /** Write the engine file here (atomically). */
  readonly output?: string;
  /** Use (and fill) this engine cache; `true` for the default folder. Default: no cache. */
  readonly cache?: EngineCache | boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: BuildProgress) => void;
  /** Every log message as it comes (warnings and errors always; info and verbose too). */
  readonly onLog?: (line: BuildLogLine) => void;
  /** Cache events: waiting for another process, a damaged entry rebuilt. */
  readonly onCacheEvent?: (event: EngineCacheEvent) => void;
}

/** A built (or cached) engine. */
export interface BuiltEngine {
  readonly header: EngineHeader;
  readonly plan: Uint8Array;
  /** The file written or read from the cache, when there is one. */
  readonly path?: string;
  /** `built`, or where a cached engine came from. */
  readonly source: 'built' | 'cache' | 'waited' | 'rebuilt';
  /** Layer placement of a DLA build (empty for GPU builds and cached engines). */
  readonly layers: readonly NativeLayerPlacement[];
  /** How precision and profile were decided. */
  readonly notes: readonly string[];
  /** TensorRT's log of the build (empty for cached engines). */
  readonly log: readonly BuildLogLine[];
}

/** TensorRT refused to parse or build a model; the message and `log` carry its own words. */
export class EngineBuildError extends ModelLoadError {
  /** The step that failed: `ONNX parser`, `build`, `optimisation profile`... */
  readonly step: string;
  /** TensorRT's and the parser's messages up to the failure. */
  readonly log: readonly BuildLogLine[];

  constructor(message: string, step: string, log: readonly BuildLogLine[], options?: { cause?: unknown }) {
    super(message, 'trt', options);
    this.step = step;
    this.log = log;
  }
}

/** What this machine is, for the plan and the header. @internal */
export function hostOf(rt: LoadedRuntime): EngineHost {
  const v = rt.binding?.versions().tensorrt;
  let dlaCores = 0;
  try {
    dlaCores = rt.binding?.dlaCores?.() ?? 0;
  } catch {
    dlaCores = 0;
  }
  return {
    tensorrt: v ? formatTensorRTVersion(v) : 'unknown',
    gpus: rt.devices.map((d) => ({ name: d.name, computeCapability: `${d.major}.${d.minor}` })),
    dlaCores,
  };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The native request of a plan. @internal */
export function nativeRequest(
  facts: ModelFacts,
  plan: BuildPlan,
  timingCache: Uint8Array | null,
): NativeBuildRequest {
  return {
    onnx: facts.bytes,
    device: plan.device,
    fp16: plan.fp16,
    int8: plan.int8,
    stronglyTyped: plan.stronglyTyped,
    workspaceBytes: plan.workspaceBytes ?? 0,
    dlaCore: plan.dlaCore ?? -1,
    gpuFallback: plan.gpuFallback,
    profile: plan.profile.map((p) => ({ name: p.name, min: p.min, opt: p.opt, max: p.max })),
    profileCopies: plan.profile.length > 0 ? plan.contexts : 1,
    timingCache,
    calibrationCache: plan.calibrationCache,
    verbose: plan.verbose,
  };
}

/**
 * Runs the native build on its worker thread, forwarding progress and log lines; an abort asks
 * TensorRT to stop (10.x stops at its next step; 8.x cannot, and its result is dropped) and
 * rejects at once. @internal
 */
export function runNativeBuild(
  binding: TrtBinding,
  request: NativeBuildRequest,
  options: Pick<BuildEngineOptions, 'signal' | 'onProgress' | 'onLog'>,
): Promise<{
  plan: Uint8Array;
  timingCache: Uint8Array | null;
  layers: readonly NativeLayerPlacement[];
  transitions: number;
  log: BuildLogLine[];
}> {
  const build = binding.build;
  if (build === undefined) return Promise.reject(new UnavailableError('the addon has no TensorRT part'));
  const signal = options.signal;
  if (signal?.aborted)
    return Promise.reject(new AbortedError('the engine build was cancelled', { cause: signal.reason }));
  const started = Date.now();
  const log: BuildLogLine[] = [];
  const job = build(request, (e: NativeBuildEvent) => {
    if (e.kind === 'log') {
      log.push({ severity: e.severity, message: e.message });
      options.onLog?.({ severity: e.severity, message: e.message });
    } else {
      options.onProgress?.({
        phase: e.name.replace(/^edge:/, ''),
        step: e.step,
        steps: e.steps,
        depth: e.depth,
        elapsedMs: Date.now() - started,
      });
    }
  });
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      job.cancel();
      reject(new AbortedError('the engine build was cancelled', { cause: signal?.reason }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    job.promise.then(
      (r) => {
        signal?.removeEventListener('abort', onAbort);
        // The native result carries the whole log, in order, whatever events were still in flight.
        const full = (r.log ?? log).map((l) => ({ severity: l.severity, message: l.message }));
        resolve({
          plan: r.plan,
          timingCache: r.timingCache,
          layers: r.layers,
          transitions: r.transitions,
          log: full,
        });
      },
      (e: unknown) => {
        signal?.removeEventListener('abort', onAbort);
        const err = e as Error & { step?: string; log?: BuildLogLine[] };
        const lines = err.log ?? log;
        const problems = lines.filter((l) => l.severity === 'error' || l.severity === 'warning');
        const tail =
          problems.length > 0
            ? `\nTensorRT said:\n${problems.map((l) => `  [${l.severity}] ${l.message}`).join('\n')}`
            : '';
        reject(
          new EngineBuildError(
            `TensorRT could not build the engine: ${err.message}${tail}`,
            err.step ?? 'build',
            lines,
            { cause: e },
          ),
        );
      },
    );
  });
}

function readTimingCache(path: string | undefined): Uint8Array | null {
  if (path === undefined || !existsSync(path)) return null;
  return readFileSync(path);
}

/**
 * Builds an engine with a given runtime (the process's one in {@link buildEngine}). @internal
 */
export async function buildEngineWith(
  rt: LoadedRuntime,
  model: string | Uint8Array,
  options: BuildEngineOptions = {},
): Promise<BuiltEngine> {
  requireTensorRT('building an engine', rt);
  const facts = readModelFacts(model);
  const host = hostOf(rt);
  const plan = planBuild(facts, options, parseTensorRTVersion(host.tensorrt));
  const gpu = host.gpus[plan.device];
  if (gpu === undefined) {
    throw new UnavailableError(
      `building an engine on GPU ${plan.device} needs that GPU; this machine has ${host.gpus.length}`,
    );
  }
  const fields = (transitions: number): EngineHeaderFields => ({
    tensorrt: host.tensorrt,
    gpu,
    dlaCore: plan.dlaCore,
    build: {
      precision: plan.precision,
      fp16: plan.fp16,
      int8: plan.int8,
      stronglyTyped: plan.stronglyTyped,
      gpuFallback: plan.gpuFallback,
      workspaceBytes: plan.workspaceBytes,
      contexts: plan.contexts,
      profile: plan.profile,
      calibrationCacheSha256: plan.calibrationCache ? sha256(plan.calibrationCache) : null,
      transitions,
    },
    model: { name: facts.name, sha256: facts.sha256 },
    createdAt: new Date().toISOString(),
  });
  let layers: readonly NativeLayerPlacement[] = [];
  let log: BuildLogLine[] = [];
  const native = async () => {
    const r = await runNativeBuild(
      rt.binding!,
      nativeRequest(facts, plan, readTimingCache(plan.timingCache)),
      options,
    );
    if (plan.timingCache !== undefined && r.timingCache !== null)
      writeFileAtomic(plan.timingCache, r.timingCache);
    layers = r.layers;
    log = r.log;
    return { header: fields(r.transitions), plan: r.plan };
  };
  const cache = options.cache === true ? new EngineCache() : options.cache || undefined;
  let built: BuiltEngine;
  if (cache) {
    const header = fields(0);
    const key = engineCacheKey({
      modelSha256: facts.sha256,
      tensorrt: header.tensorrt,
      gpu: header.gpu,
      build: header.build,
      dlaCore: header.dlaCore,
    });
    const entry = await cache.getOrBuild(key, native, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onCacheEvent ? { onEvent: options.onCacheEvent } : {}),
    });
    built = {
      header: entry.header,
      plan: entry.plan,
      path: entry.path,
      source: entry.source,
      layers,
      notes: plan.notes,
      log,
    };
  } else {
    const r = await native();
    const file = encodeEngineFile(r.header, r.plan);
    built = { header: file.header, plan: r.plan, source: 'built', layers, notes: plan.notes, log };
  }
  if (options.output !== undefined) {
    writeFileAtomic(options.output, encodeEngineFile(built.header, built.plan).chunks);
    built = { ...built, path: options.output };
  }
  return built;
}

/**
 * Builds a TensorRT engine from an ONNX model (a path or its bytes) on a worker thread: explicit
 * batch always, precision as the TensorRT version wants it asked (see {@link planBuild}), the
 * optimisation profile derived from the model and `shapes`, DLA with or without GPU fallback, a
 * timing cache reused and updated. Progress and TensorRT's log come through the callbacks; the
 * result is an engine in @edge/trt's container (its header says what it was built for).
 *
 * @throws {@link UnavailableError} when TensorRT cannot run here (the message names what is
 * missing and the fix).
 * @throws {@link ArgumentError} when an option is out of range or the precision cannot be had on
 * this TensorRT (the message names the fix).
 * @throws {@link EngineBuildError} when TensorRT's parser or builder fails; its log is attached.
 * @throws {@link AbortedError} when `signal` aborts.
 * @throws {@link ModelParseError} / {@link FileIOError} when the model cannot be read.
 */
export function buildEngine(
  model: string | Uint8Array,
  options: BuildEngineOptions = {},
): Promise<BuiltEngine> {
  return buildEngineWith(defaultRuntime(), model, options);
}
