// The part of @tensorflow/tfjs-tflite this package uses, described once as a typed interface, and
// its lazy loader. tfjs-tflite is written for browsers and web workers; in Node it needs a
// worker-like scope while it loads: a global `self` with a `location` (where its wasm folder is)
// and a global `importScripts`. The shim below provides exactly that, only while the package
// loads, then removes every global that loading created or replaced. The emscripten script runs
// inside a function whose parameters shadow `self`, `importScripts` and `fetch`, and it gets its
// wasm bytes handed over, so it never needs a global `fetch` nor a file:// URL fetch.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runInThisContext } from 'node:vm';

/** Element types the TFLite web runner reports. */
export type TfliteWebDataType =
  | 'int8'
  | 'uint8'
  | 'bool'
  | 'int16'
  | 'int32'
  | 'uint32'
  | 'float32'
  | 'float64';

/** One input or output of a TFLite web runner; `data()` is a view into the wasm heap. */
export interface TfliteWebTensorInfo {
  readonly id: number;
  readonly dataType: TfliteWebDataType;
  readonly name: string;
  /** Comma-separated dimensions, e.g. `1,128,128,3`. */
  readonly shape: string;
  data(): Int8Array | Uint8Array | Int16Array | Int32Array | Uint32Array | Float32Array | Float64Array;
}

/** Frees an embind handle the wasm module gave out (tensor infos are C++ objects); no-op otherwise. */
export function deleteHandle(value: unknown): void {
  const handle = value as { delete?: unknown; isDeleted?: () => boolean };
  if (typeof handle.delete !== 'function') return;
  if (typeof handle.isDeleted === 'function' && handle.isDeleted()) return;
  (handle.delete as () => void)();
}

/** The interpreter of one model, inside the shared wasm module. */
export interface TfliteWebRunner {
  getInputs(): TfliteWebTensorInfo[];
  getOutputs(): TfliteWebTensorInfo[];
  /** Runs the model on what the inputs' views hold; false when TFLite reports a failure. */
  infer(): boolean;
  /** Frees the interpreter and the model bytes copied into the wasm heap. */
  cleanUp(): void;
}

/** Options of the runner's `create`. */
export interface TfliteWebRunnerOptions {
  numThreads?: number;
  enableProfiling?: boolean;
}

/** The module `@tensorflow/tfjs-tflite` as this package uses it. */
interface TfliteModule {
  loadTFLiteModel(model: ArrayBuffer, options: TfliteWebRunnerOptions): Promise<{ modelRunner?: unknown }>;
}

/** What {@link loadTfliteWeb} resolves to. */
export interface TfliteWeb {
  /** Version of @tensorflow/tfjs-tflite. */
  readonly version: string;
  /** The wasm build in use, e.g. `tflite_web_api_cc_simd.wasm`. */
  readonly build: string;
  /**
   * Creates a runner for a model. The lines the engine printed while it failed to load the model
   * (TFLite's `ERROR: ...` reasons) come with the error as its `engineLog` property.
   *
   * @throws Error with an `engineLog: string[]` property when TFLite rejects the model.
   */
  createRunner(model: ArrayBuffer, options: TfliteWebRunnerOptions): Promise<TfliteWebRunner>;
  /** Lines the engine printed since the last call (TFLite's `ERROR: ...` reasons), oldest first. */
  drainLog(): string[];
  /** Bytes of the wasm heap (it only grows): a leak check across load/dispose cycles. */
  heapBytes(): number;
}

const PACKAGE = '@tensorflow/tfjs-tflite';
/** Globals the shim sets, and those the package's import leaves behind (tfjs-core's engine, closure's export root). */
const SHIM_GLOBALS = ['self', 'importScripts'] as const;
const LEFTOVER_GLOBALS = ['tfweb', '_tfGlobals', '_tfengine'] as const;

interface WasmModule {
  readonly HEAPU8: Uint8Array;
}

type Factory = (options: Record<string, unknown>) => Promise<WasmModule>;

const START_TIMEOUT_MS = 60_000;
const MAX_LOG_LINES = 100;

let loading: Promise<TfliteWeb> | undefined;
// Lines the wasm module prints; load() reads those a failed model load produced.
let engineLog: string[] = [];
let wasmModule: WasmModule | undefined;

function req(): NodeJS.Require {
  // ESM: import.meta.url; the CJS build has no import.meta (esbuild leaves it empty) but a require.
  const url = (import.meta as { url?: string }).url;
  return url !== undefined ? createRequire(url) : require;
}

function logLine(text: string): void {
  // XNNPACK's "INFO: Created TensorFlow Lite XNNPACK delegate for CPU." on every load is noise.
  if (text.startsWith('INFO:')) return;
  engineLog.push(text);
  if (engineLog.length > MAX_LOG_LINES) engineLog.splice(0, engineLog.length - MAX_LOG_LINES);
}

function drainLog(): string[] {
  const lines = engineLog;
  engineLog = [];
  return lines;
}

/**
 * Runs `body` with the worker-like globals tfjs-tflite reads, then puts every global back as it
 * was: the shimmed names get their old descriptors (or are deleted), and the names loading added
 * (tfjs-core's `_tfGlobals`/`_tfengine`, closure's `tfweb`) are deleted when they were not there
 * before. tfjs-core keeps its engine in a module variable once imported, so removing the global
 * handle does not break it.
 */
async function withWorkerScope<T>(
  scope: object,
  importScripts: (url: string) => void,
  body: () => Promise<T>,
): Promise<T> {
  const g = globalThis as Record<string, unknown>;
  const saved = new Map<string, PropertyDescriptor | undefined>();
  for (const name of [...SHIM_GLOBALS, ...LEFTOVER_GLOBALS]) {
    saved.set(name, Object.getOwnPropertyDescriptor(globalThis, name));
  }
  const set = (name: string, value: unknown): void => {
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: true });
  };
  set('self', scope);
  set('importScripts', importScripts);
  try {
    return await body();
  } finally {
    for (const [name, descriptor] of saved) {
      if (descriptor === undefined) delete g[name];
      else Object.defineProperty(globalThis, name, descriptor);
    }
  }
}

function packageVersion(entry: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown version';
  } catch {
    return 'unknown version';
  }
}

/**
 * Imports @tensorflow/tfjs-tflite and starts its wasm module, once per process (later calls share
 * the first promise, including its failure).
 *
 * @throws Error when the package is missing or its wasm module does not start.
 */
export function loadTfliteWeb(): Promise<TfliteWeb> {
  loading ??= (async () => {
    const require_ = req();
    const entry = require_.resolve(PACKAGE);
    const wasmDir = join(dirname(entry), '..', 'wasm');
    if (!existsSync(wasmDir)) throw new Error(`${PACKAGE} has no wasm folder at ${wasmDir}`);
    let build = '';
    let started!: (mod: WasmModule) => void;
    let failed!: (error: unknown) => void;
    const ready = new Promise<WasmModule>((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    const scope: Record<string, unknown> = {
      location: { href: `${pathToFileURL(wasmDir).href}/`, origin: 'null', protocol: 'file:' },
    };
    const importScripts = (url: string): void => {
      try {
        // The loader asks for the threaded build when the platform has SharedArrayBuffer; Node
        // has no Worker for emscripten's pthreads, so the same build without threads loads instead.
        const path = fileURLToPath(url).replace(/_threaded\.js$/, '.js');
        const source = readFileSync(path, 'utf8');
        const wrapped = runInThisContext(
          `(function (self, importScripts, fetch) {${source}\n;return tflite_web_api_ModuleFactory;})`,
          { filename: path },
        ) as (self: unknown, importScripts: unknown, fetch: unknown) => Factory;
        const factory = wrapped(scope, importScripts, undefined);
        const wasmPath = path.replace(/\.js$/, '.wasm');
        const wasmBinary = readFileSync(wasmPath);
        build = basename(wasmPath);
        scope.tflite_web_api_ModuleFactory = (options: Record<string, unknown>) => {
          const made = factory({ ...options, wasmBinary, print: logLine, printErr: logLine });
          made.then(started, failed);
          return made;
        };
      } catch (e) {
        failed(e);
        throw e;
      }
    };
    const tflite = await withWorkerScope(scope, importScripts, async () => {
      // A copy already required (by the caller, or by an earlier module graph in this process)
      // has started its wasm module with its own settings: evaluate the package afresh.
      delete require_.cache[entry];
      const mod = require_(PACKAGE) as TfliteModule;
      if (typeof mod.loadTFLiteModel !== 'function') throw new Error(`${PACKAGE} exports no loadTFLiteModel`);
      // Importing starts the wasm module's load, which reads self.location and calls
      // importScripts later: the globals stay until the module has started.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${PACKAGE}'s wasm module did not start within ${START_TIMEOUT_MS} ms`)),
          START_TIMEOUT_MS,
        );
      });
      try {
        wasmModule = await Promise.race([ready, timeout]);
      } finally {
        clearTimeout(timer);
      }
      return mod;
    });
    const web: TfliteWeb = {
      version: packageVersion(entry),
      build,
      async createRunner(model, options) {
        drainLog();
        try {
          // Node 20 has no `navigator`, which the package reads when numThreads is not given.
          const loaded = await tflite.loadTFLiteModel(model, { numThreads: 1, ...options });
          const runner = loaded.modelRunner as TfliteWebRunner | undefined;
          if (runner === undefined || typeof runner.infer !== 'function') {
            throw new Error(
              `${PACKAGE} ${web.version} has no modelRunner on its TFLiteModel (this backend needs 0.0.1-alpha.10)`,
            );
          }
          return runner;
        } catch (e) {
          const error = e instanceof Error ? e : new Error(String(e));
          Object.defineProperty(error, 'engineLog', { value: drainLog(), enumerable: false });
          throw error;
        }
      },
      drainLog,
      heapBytes: () => wasmModule?.HEAPU8.length ?? 0,
    };
    return web;
  })();
  return loading;
}
