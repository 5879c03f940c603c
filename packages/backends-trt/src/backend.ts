// The TensorRT backend: an ONNX model becomes an engine through @edge/trt's engine cache (built
// once per model, options, GPU and TensorRT version on this machine, reused after), then a
// session over its execution contexts. Where TensorRT is missing, `available()` says what is
// missing and the fix, so `loadModel` can explain why it went on to the next backend.

import {
  type Availability,
  type Backend,
  type BackendLoadOptions,
  invalidArgument,
  type ModelSource,
  SessionCounter,
  sourceAvailability,
  UnavailableError,
} from '@edge/core';
import {
  type BuildOptions,
  buildEngine,
  checkBuildOptions,
  describeJetson,
  detectJetson,
  EngineCache,
  type FileReader,
  type JetsonInfo,
  jetsonCheck,
  TrtEngine,
  trtStatus,
} from '@edge/trt';
import { TrtSession } from './session.js';

/** Options of the trt backend's {@link createBackend}. */
export interface TrtBackendOptions extends Omit<BuildOptions, 'timingCache' | 'verbose'> {
  /** Engine cache folder; default @edge/trt's (EDGE_TRT_CACHE, else ~/.cache/edge/trt). */
  readonly cacheDir?: string;
  /**
   * Reads a Jetson's files (/etc/nv_tegra_release, /proc/device-tree/model, /var/lib/dpkg/status),
   * from which skip reasons and session details name the board, its JetPack and the `edge check`
   * target; default: this machine's files. A container can read the host's mounted elsewhere.
   */
  readonly jetsonFiles?: FileReader;
}

/** The TensorRT {@link Backend}: its `load` returns a {@link TrtSession}. */
export interface TrtBackend extends Backend {
  /**
   * Builds (or takes from the engine cache) an engine for the ONNX model and opens a session.
   *
   * @throws {@link UnavailableError} when TensorRT cannot run here.
   * @throws {@link ModelLoadError} when TensorRT cannot build or load the engine (its log attached).
   */
  load(source: ModelSource, options?: BackendLoadOptions): Promise<TrtSession>;
}

const counts = new SessionCounter();

class TrtBackendImpl implements TrtBackend {
  readonly name: string = 'trt';
  readonly priority: number = 100;
  readonly devices: readonly string[];
  readonly formats: readonly ('onnx' | 'tflite')[] = Object.freeze(['onnx'] as const);
  readonly #options: TrtBackendOptions;
  readonly #sessions = new SessionCounter(counts);
  #jetson: JetsonInfo | null | undefined;

  constructor(options: TrtBackendOptions) {
    this.#options = options;
    this.devices = Object.freeze(options.dlaCore === undefined ? ['gpu'] : ['dla', 'gpu']);
  }

  /** This Jetson, read once; null elsewhere. */
  #board(): JetsonInfo | null {
    this.#jetson ??= detectJetson(this.#options.jetsonFiles);
    return this.#jetson;
  }

  /** On a Jetson, what it is and how to check a model for it without TensorRT; else empty. */
  #boardNote(model?: string): string {
    const board = this.#board();
    if (board === null) return '';
    const check = jetsonCheck(board, model);
    return check === null
      ? ` This is ${describeJetson(board)}, a JetPack release @edge/trt does not know: check a model for it with edge check --target trt-<its TensorRT major.minor>.`
      : ` This is ${describeJetson(board)}: which nodes of a model deploy on it is known without TensorRT: \`${check.command}\`${check.note ? ` (${check.note})` : ''}.`;
  }

  async available(): Promise<Availability> {
    const s = trtStatus();
    return s.available ? { ok: true } : { ok: false, reason: `${s.reason!}${this.#boardNote()}` };
  }

  canLoad(source: ModelSource): Availability {
    return sourceAvailability(this.name, 'onnx', source);
  }

  async load(source: ModelSource, _options: BackendLoadOptions = {}): Promise<TrtSession> {
    const s = trtStatus();
    if (!s.available) {
      throw new UnavailableError(
        `the trt backend cannot load ${source.name}: ${s.reason}${this.#boardNote(source.path ?? undefined)}`,
      );
    }
    const can = this.canLoad(source);
    if (!can.ok) throw new UnavailableError(can.reason);
    const { cacheDir, jetsonFiles, ...build } = this.#options;
    const built = await buildEngine(source.path ?? source.bytes!, {
      ...build,
      cache: new EngineCache(cacheDir !== undefined ? { dir: cacheDir } : {}),
    });
    const engine = await TrtEngine.load(built, build.device !== undefined ? { device: build.device } : {});
    const h = engine.header;
    const board = this.#board();
    const detail = `TensorRT ${h.tensorrt}, ${h.build.precision}, ${engine.device} (${h.gpu.name}, compute capability ${h.gpu.computeCapability}), engine ${built.source === 'built' ? 'built' : `from the cache (${built.path})`}${h.dlaCore !== null ? `, ${h.build.transitions} DLA/GPU transitions` : ''}${board === null ? '' : `, on ${describeJetson(board)}`}`;
    const onClose = this.#sessions.track();
    try {
      return new TrtSession(engine, detail, onClose);
    } catch (e) {
      engine.dispose();
      onClose();
      throw e;
    }
  }

  openSessions(): number {
    return this.#sessions.open;
  }
}

/**
 * The TensorRT backend. Creating it loads nothing; the addon and TensorRT's libraries are opened
 * on the first `available()` or `load()`. Build options (precision, calibration cache, DLA core,
 * shapes, contexts) apply to every model it loads: those that do not depend on the model are
 * checked here, the rest when a model is loaded.
 *
 * @throws {@link ArgumentError} when an option is out of range.
 */
export function createBackend(options: TrtBackendOptions = {}): TrtBackend {
  if (typeof options !== 'object' || options === null) throw invalidArgument('options', options, 'object');
  const { cacheDir, jetsonFiles, ...build } = options;
  checkBuildOptions(build);
  if (jetsonFiles !== undefined && typeof jetsonFiles !== 'function') {
    throw invalidArgument('options.jetsonFiles', jetsonFiles, 'function reading a file path to its text');
  }
  if (cacheDir !== undefined && (typeof cacheDir !== 'string' || cacheDir === '')) {
    throw invalidArgument('options.cacheDir', cacheDir, 'non-empty path');
  }
  return new TrtBackendImpl({ ...options });
}

/** Sessions every trt backend of this process has opened and closed (a leak check). */
export function sessionCounts(): { opened: number; closed: number } {
  return counts.counts();
}
