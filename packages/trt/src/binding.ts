// The native addon's surface (native/src/*.cc), described once as a typed interface, as
// onnxruntime's js/node/lib/binding.ts does for its addon. Everything else in the package talks
// to this interface: the builder, the engine runner and the CUDA kernel are TypeScript over it,
// and tests can hand a double of it to the same code. Arguments reaching it are already
// validated; the C++ repeats only the checks memory safety depends on.

import type { LibraryKind } from './library-search.js';

/** The addon ABI this package speaks; the addon exports the number it was built with. */
export const BINDING_ABI = 1;

/** Result of trying to open one library. */
export interface NativeOpenResult {
  /** The candidate that dlopen accepted, or null. */
  readonly path: string | null;
  /** One `path: dlerror()` line per candidate that failed, in order. */
  readonly errors: readonly string[];
}

/** Version numbers the opened libraries report (null: not opened, or the call failed). */
export interface NativeVersions {
  /** getInferLibVersion(): 8601 for 8.6.1, 100300 for 10.3.0. */
  readonly tensorrt: number | null;
  /** getNvOnnxParserVersion(). */
  readonly onnxParser: number | null;
  /** cudaRuntimeGetVersion(): 12060 for 12.6. */
  readonly cudaRuntime: number | null;
  /** cuDriverGetVersion(): the CUDA version the driver supports, same encoding. */
  readonly cudaDriver: number | null;
}

/** One GPU as the CUDA driver describes it. */
export interface NativeDevice {
  readonly index: number;
  readonly name: string;
  readonly major: number;
  readonly minor: number;
  readonly totalMemory: number;
  /** True for a GPU sharing memory with the CPU (every Jetson). */
  readonly integrated: boolean;
}

/** Element types of TensorRT tensors, as the addon names them. */
export type NativeDataType =
  | 'float32'
  | 'float16'
  | 'int8'
  | 'int32'
  | 'bool'
  | 'uint8'
  | 'int64'
  | 'bfloat16';

/** One optimisation-profile entry for a dynamic input. */
export interface NativeProfileInput {
  readonly name: string;
  readonly min: readonly number[];
  readonly opt: readonly number[];
  readonly max: readonly number[];
}

/** What the addon needs to build one engine; every field already validated. */
export interface NativeBuildRequest {
  readonly onnx: Uint8Array;
  readonly device: number;
  /** BuilderFlag::kFP16 (never set with stronglyTyped). */
  readonly fp16: boolean;
  /** BuilderFlag::kINT8 (never set with stronglyTyped). */
  readonly int8: boolean;
  /** NetworkDefinitionCreationFlag::kSTRONGLY_TYPED (TensorRT 10 only): precisions from the model. */
  readonly stronglyTyped: boolean;
  /** MemoryPoolType::kWORKSPACE limit in bytes; 0: TensorRT's default. */
  readonly workspaceBytes: number;
  /** DLA core, or -1 for the GPU. */
  readonly dlaCore: number;
  /** BuilderFlag::kGPU_FALLBACK with a DLA core. */
  readonly gpuFallback: boolean;
  /** The optimisation profile: an entry per dynamic input (empty when nothing is dynamic). */
  readonly profile: readonly NativeProfileInput[];
  /** Copies of the profile to add, one per execution context that will run at once. */
  readonly profileCopies: number;
  /** A serialised timing cache to start from, or null. */
  readonly timingCache: Uint8Array | null;
  /** TensorRT calibration cache text replayed by the calibrator (8.x INT8), or null. */
  readonly calibrationCache: Uint8Array | null;
  /** Forward kVERBOSE messages too. */
  readonly verbose: boolean;
}

/** A message or a step of the build, delivered on the main thread while the build runs. */
export type NativeBuildEvent =
  | {
      readonly kind: 'log';
      readonly severity: 'error' | 'warning' | 'info' | 'verbose';
      readonly message: string;
    }
  | {
      readonly kind: 'phase';
      /** The phase name TensorRT's IProgressMonitor gives (10.x) or the addon's own step (8.x). */
      readonly name: string;
      /** Steps done and the phase's total number of steps. */
      readonly step: number;
      readonly steps: number;
      /** Nesting depth: 0 for the top-level phases. */
      readonly depth: number;
    };

/** Where the builder placed one layer. */
export interface NativeLayerPlacement {
  readonly name: string;
  readonly device: 'gpu' | 'dla';
}

/** A finished build. */
export interface NativeBuildResult {
  /** The serialised engine (TensorRT's plan). */
  readonly plan: Uint8Array;
  /** The timing cache after the build, for reuse, or null. */
  readonly timingCache: Uint8Array | null;
  /** Layer placement when a DLA core was asked for (empty otherwise). */
  readonly layers: readonly NativeLayerPlacement[];
  /** Tensors produced on one device and consumed on the other. */
  readonly transitions: number;
  /** TensorRT's and the parser's whole log, in order. */
  readonly log: readonly {
    readonly severity: 'error' | 'warning' | 'info' | 'verbose';
    readonly message: string;
  }[];
}

/** A build running on a worker thread. */
export interface NativeBuildJob {
  /** Resolves with the engine; rejects with an Error whose message names the failed step. */
  readonly promise: Promise<NativeBuildResult>;
  /**
   * Asks the build to stop: TensorRT 10 stops at its next progress step; TensorRT 8 has no way to
   * stop a build, so the result is discarded when it ends.
   */
  cancel(): void;
}

/** One input or output of a deserialised engine. */
export interface NativeTensorDesc {
  readonly name: string;
  readonly mode: 'input' | 'output';
  readonly dtype: NativeDataType;
  /** Dimensions with -1 where dynamic. */
  readonly dims: readonly number[];
  /** Profile 0's bounds, for dynamic inputs only. */
  readonly min?: readonly number[];
  readonly opt?: readonly number[];
  readonly max?: readonly number[];
}

/** A tensor handed to or returned from {@link NativeContext.run}. */
export interface NativeTensorData {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: ArrayBufferView;
}

/** One execution context with its own CUDA stream and its reused pinned and device buffers. */
export interface NativeContext {
  /**
   * Sets the input shapes, copies the inputs into pinned memory, then on a worker thread copies
   * host to device, enqueues, copies back and waits for the stream. Outputs come back as new
   * arrays of their dtype. One run at a time per context.
   */
  run(inputs: readonly NativeTensorData[]): Promise<NativeTensorData[]>;
  /** Frees the stream and buffers; safe to call twice. */
  dispose(): void;
}

/** A deserialised engine. */
export interface NativeEngine {
  readonly tensors: readonly NativeTensorDesc[];
  /** Layers in the engine. */
  readonly layers: number;
  /** Optimisation profiles; context k uses profile k. */
  readonly profiles: number;
  createContext(profile: number): NativeContext;
  dispose(): void;
}

/** The CUDA preprocessing module loaded from PTX. */
export interface NativeCudaModule {
  /**
   * Copies `src` to the device, runs the kernel with `params` (packed as cuda/preprocess.cu reads
   * them) and copies the output slot back into `dst`.
   */
  preprocess(src: Uint8Array, dst: ArrayBufferView, ints: Int32Array, floats: Float64Array): Promise<void>;
  dispose(): void;
}

/** The addon. */
export interface TrtBinding {
  readonly abi: number;
  /**
   * TensorRT version of the headers the TensorRT part was compiled against (`10.16.0`), or null
   * when the addon was built without TensorRT headers: then only the library and device queries
   * and the CUDA kernel are compiled in.
   */
  readonly tensorrtHeaders: string | null;
  /** Tries dlopen on each candidate in order and keeps the first that loads. */
  openLibrary(kind: LibraryKind, candidates: readonly string[]): NativeOpenResult;
  versions(): NativeVersions;
  /** GPUs through the driver API; throws an Error naming the CUDA error when the driver fails. */
  devices(): NativeDevice[];
  /** DLA cores TensorRT sees (IRuntime::getNbDLACores); TensorRT part only. */
  dlaCores?(): number;
  /** Starts a build on a worker thread; TensorRT part only. */
  build?(request: NativeBuildRequest, onEvent: (event: NativeBuildEvent) => void): NativeBuildJob;
  /** Deserialises a plan on a worker thread; TensorRT part only. */
  deserialize?(plan: Uint8Array, device: number, dlaCore: number): Promise<NativeEngine>;
  /** Loads a PTX module through the driver API (cuModuleLoadData) on `device`. */
  loadCudaModule(ptx: string, device: number): NativeCudaModule;
}
