// The onnxruntime-node backend: execution providers tried in preference order (tensorrt, cuda,
// cpu), each skipped with its reason when its library is missing; session options; a count of
// native sessions for leak checks.

import {
  type Availability,
  type Backend,
  type BackendLoadOptions,
  checkInteger,
  checkOneOf,
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

import {
  loadOrt,
  missingProviderLibrary,
  type OrtModule,
  type OrtSession,
  type OrtSessionOptions,
  ortVersion,
} from './ort.js';
import {
  bindingPassesProviderSettings,
  type CudaProviderOptions,
  checkCudaOptions,
  checkTensorRtOptions,
  cudaProviderConfig,
  providerSettings,
  type TensorRtProviderOptions,
  tensorRtProviderConfig,
} from './provider-options.js';
import { type ExecutionProvider, OnnxruntimeSession, type ProviderSkip } from './session.js';
import { tensorInfo } from './tensors.js';

const PROVIDERS: readonly ExecutionProvider[] = ['tensorrt', 'cuda', 'cpu'];
const OPT_LEVELS = ['disabled', 'basic', 'extended', 'all'] as const;

/** Options of {@link createBackend}. */
export interface OnnxruntimeBackendOptions {
  /** Execution providers to try, in order; default `['tensorrt', 'cuda', 'cpu']`. */
  readonly executionProviders?: readonly ExecutionProvider[];
  /** GPU index for cuda and tensorrt; default 0. */
  readonly deviceId?: number;
  /** Threads for one operator; default: `threads` of `load`, else onnxruntime's choice. */
  readonly intraOpNumThreads?: number;
  /** Threads across operators (parallel execution mode only); default: onnxruntime's choice. */
  readonly interOpNumThreads?: number;
  /** Graph optimisation level; default `all`, as onnxruntime's. */
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** TensorRT provider settings: FP16/INT8, TensorRT-format calibration table, engine cache folder. */
  readonly tensorrt?: TensorRtProviderOptions;
  /** CUDA provider settings. */
  readonly cuda?: CudaProviderOptions;
}

/** The onnxruntime {@link Backend}: its `load` returns an {@link OnnxruntimeSession}. */
export interface OnnxruntimeBackend extends Backend {
  /**
   * Loads an ONNX model, trying the execution providers in order.
   *
   * @throws {@link UnavailableError} when onnxruntime-node cannot be loaded.
   * @throws {@link ModelLoadError} when no provider can load the model, or an input or output has a
   * dtype core tensors do not hold.
   */
  load(source: ModelSource, options?: BackendLoadOptions): Promise<OnnxruntimeSession>;
}

const counts = new SessionCounter();

/**
 * Native sessions every onnxruntime backend of this process has opened and closed: `opened -
 * closed` is the number still holding native memory (a leak check, like tfjs's `numTensors`).
 */
export function sessionCounts(): SessionCounts {
  return counts.counts();
}

// A provider whose shared library failed to load will fail the same way for every model: remember
// the reason for the process instead of paying (and logging) the failure again on each load.
const missingProviders = new Map<ExecutionProvider, string>();

function isMissingLibrary(message: string): boolean {
  return /Failed to load (shared )?library|cannot open shared object|not (compiled|built) with|is not supported in this build|no available backend|backend not found/i.test(
    message,
  );
}

const FIXES: Record<ExecutionProvider, string> = {
  tensorrt:
    "fix: install CUDA 12 and TensorRT 10 and let onnxruntime-node's install script fetch its GPU providers, or use the trt backend",
  cuda: "fix: install CUDA 12 and cuDNN 9 and let onnxruntime-node's install script fetch its GPU providers",
  cpu: 'the CPU provider is part of onnxruntime-node itself: reinstall onnxruntime-node',
};

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

function checkOptions(options: OnnxruntimeBackendOptions): void {
  if (typeof options !== 'object' || options === null) throw invalidArgument('options', options, 'object');
  const eps: unknown = options.executionProviders;
  if (eps !== undefined) {
    if (!Array.isArray(eps) || eps.length === 0) {
      throw invalidArgument(
        'options.executionProviders',
        eps,
        'non-empty array of "tensorrt", "cuda", "cpu"',
      );
    }
    eps.forEach((p, i) => {
      checkOneOf(`options.executionProviders[${i}]`, p, PROVIDERS);
    });
  }
  if (options.deviceId !== undefined) checkInteger('options.deviceId', options.deviceId, { min: 0 });
  if (options.intraOpNumThreads !== undefined)
    checkPositiveInteger('options.intraOpNumThreads', options.intraOpNumThreads);
  if (options.interOpNumThreads !== undefined)
    checkPositiveInteger('options.interOpNumThreads', options.interOpNumThreads);
  if (options.graphOptimizationLevel !== undefined)
    checkOneOf('options.graphOptimizationLevel', options.graphOptimizationLevel, OPT_LEVELS);
  if (options.tensorrt !== undefined) checkTensorRtOptions(options.tensorrt);
  if (options.cuda !== undefined) checkCudaOptions(options.cuda);
}

class OrtBackend implements OnnxruntimeBackend {
  readonly name: string = 'onnxruntime';
  readonly priority: number = 50;
  readonly devices: readonly string[];
  readonly formats: readonly ('onnx' | 'tflite')[] = Object.freeze(['onnx'] as const);
  readonly #options: OnnxruntimeBackendOptions;
  readonly #providers: readonly ExecutionProvider[];
  readonly #sessions = new SessionCounter(counts);

  constructor(options: OnnxruntimeBackendOptions) {
    this.#options = { ...options };
    this.#providers = Object.freeze([...(options.executionProviders ?? PROVIDERS)]);
    const gpu = this.#providers.some((p) => p !== 'cpu');
    this.devices = Object.freeze(
      gpu ? (this.#providers.includes('cpu') ? ['gpu', 'cpu'] : ['gpu']) : ['cpu'],
    );
  }

  async available(): Promise<Availability> {
    try {
      await loadOrt();
      return { ok: true };
    } catch (e) {
      return {
        ok: false,
        reason: `onnxruntime-node cannot be loaded (${firstLine((e as Error).message)}); install it with ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node (its CPU binaries ship in the package)`,
      };
    }
  }

  canLoad(source: ModelSource): Availability {
    return sourceAvailability(this.name, 'onnx', source);
  }

  async load(source: ModelSource, options: BackendLoadOptions = {}): Promise<OnnxruntimeSession> {
    let ort: OrtModule;
    try {
      ort = await loadOrt();
    } catch (e) {
      throw new UnavailableError(
        `onnxruntime-node cannot be loaded: ${firstLine((e as Error).message)}; install it with ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node`,
        { cause: e },
      );
    }
    const can = this.canLoad(source);
    if (!can.ok) throw new ModelLoadError(can.reason, this.name);
    if (options.threads !== undefined) checkPositiveInteger('options.threads', options.threads);

    const o = this.#options;
    const base: OrtSessionOptions = {};
    const intra = o.intraOpNumThreads ?? options.threads;
    if (intra !== undefined) base.intraOpNumThreads = intra;
    if (o.interOpNumThreads !== undefined) base.interOpNumThreads = o.interOpNumThreads;
    if (o.graphOptimizationLevel !== undefined) base.graphOptimizationLevel = o.graphOptimizationLevel;
    const deviceId = o.deviceId ?? 0;
    const model = source.path ?? source.bytes!;

    const skipped: ProviderSkip[] = [];
    for (const provider of this.#providers) {
      const config =
        provider === 'tensorrt'
          ? tensorRtProviderConfig(deviceId, o.tensorrt)
          : provider === 'cuda'
            ? cudaProviderConfig(deviceId, o.cuda)
            : undefined;
      const settings = config ? providerSettings(config) : [];
      if (settings.length > 0 && !bindingPassesProviderSettings(ortVersion(ort))) {
        const library =
          missingProviders.get(provider) ?? missingProviderLibrary(provider as 'cuda' | 'tensorrt');
        skipped.push({
          provider,
          reason: `onnxruntime-node ${ortVersion(ort)} passes only deviceId to the ${provider} execution provider, so ${settings.join(', ')} would be dropped and it would run in another precision than asked${library ? ` (and it is not available here: ${library})` : ''}; use the trt backend for these settings`,
        });
        continue;
      }
      const known = missingProviders.get(provider);
      if (known !== undefined) {
        skipped.push({ provider, reason: known });
        continue;
      }
      if (provider !== 'cpu') {
        const missing = missingProviderLibrary(provider);
        if (missing !== undefined) {
          const reason = `Failed to load shared library (${missing} does not exist); ${FIXES[provider]}`;
          missingProviders.set(provider, reason);
          skipped.push({ provider, reason });
          continue;
        }
      }
      const ep = config ?? 'cpu';
      let native: OrtSession;
      try {
        native = await ort.InferenceSession.create(model, { ...base, executionProviders: [ep] });
      } catch (e) {
        const message = firstLine((e as Error).message);
        if (provider !== 'cpu' && isMissingLibrary(message)) {
          const reason = `${message}; ${FIXES[provider]}`;
          missingProviders.set(provider, reason);
          skipped.push({ provider, reason });
          continue;
        }
        if (provider === this.#providers.at(-1)) {
          throw this.#loadError(source, skipped, provider, message, e);
        }
        skipped.push({ provider, reason: message });
        continue;
      }
      const onClose = this.#sessions.track();
      const io = this.#describe(native);
      if (typeof io === 'string') {
        await native.release().finally(onClose);
        throw new ModelLoadError(`onnxruntime cannot serve ${source.name}: ${io}`, this.name);
      }
      const device = provider === 'cpu' ? 'cpu' : `gpu:${deviceId}`;
      const skipText =
        skipped.length === 0
          ? ''
          : `; skipped ${skipped.map((s) => `${s.provider} (${s.reason})`).join(', ')}`;
      return new OnnxruntimeSession({
        ort,
        native,
        model: source.name,
        provider,
        device,
        detail: `onnxruntime-node ${ortVersion(ort)}, ${provider} execution provider${skipText}`,
        skipped,
        inputs: io.inputs,
        outputs: io.outputs,
        onClose,
      });
    }
    throw new ModelLoadError(
      `onnxruntime cannot load ${source.name}: no execution provider is available (${skipped
        .map((s) => `${s.provider}: ${s.reason}`)
        .join('; ')})`,
      this.name,
    );
  }

  openSessions(): number {
    return this.#sessions.open;
  }

  #describe(native: OrtSession): { inputs: TensorInfo[]; outputs: TensorInfo[] } | string {
    const inputs: TensorInfo[] = [];
    const outputs: TensorInfo[] = [];
    for (const [list, metas, role] of [
      [inputs, native.inputMetadata, 'input'],
      [outputs, native.outputMetadata, 'output'],
    ] as const) {
      for (const meta of metas) {
        const info = tensorInfo(meta, role);
        if (typeof info === 'string') return info;
        list.push(info);
      }
    }
    return { inputs, outputs };
  }

  #loadError(
    source: ModelSource,
    skipped: readonly ProviderSkip[],
    provider: ExecutionProvider,
    message: string,
    cause: unknown,
  ): ModelLoadError {
    const before = skipped.length === 0 ? '' : ` (skipped: ${skipped.map((s) => s.provider).join(', ')})`;
    return new ModelLoadError(
      `onnxruntime cannot load ${source.name} with the ${provider} execution provider${before}: ${message}`,
      this.name,
      { cause },
    );
  }
}

/**
 * The onnxruntime-node backend. Creating it loads nothing; onnxruntime-node is imported on the
 * first `available()` or `load()`.
 *
 * @throws {@link ArgumentError} when an option is out of range (an unknown provider, threads < 1).
 */
export function createBackend(options: OnnxruntimeBackendOptions = {}): OnnxruntimeBackend {
  checkOptions(options);
  return new OrtBackend(options);
}
