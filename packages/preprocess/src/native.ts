// Loader of the optional native kernel (native/). Nothing is loaded at import: the first
// loadNativeKernel() or nativeKernelStatus() call looks for the addon with @edge/core's
// loadNativeAddon (EDGE_PREPROCESS_NATIVE, then the prebuild for this platform and architecture
// shipped in the package, then a source build), once per process, and remembers either the kernel
// or why there is none, so the caller can fall back to the TypeScript kernel and say how to get
// the fast one.
//
// Jobs are validated by kernel/check-job.ts before anything reaches C++ (the addon keeps its own
// checks only as a last line of defence), then travel packed into one Int32Array and one
// Float64Array, the layout of native/src/addon.cc.

import { loadNativeAddon, type NativeAddonSource } from '@edge/core';
import { checkKernelJob, checkKernelJobs } from './kernel/check-job.js';
import type { Interpolation, KernelJob, OutputArray, OutputDType } from './kernel/job.js';

/** The native kernel: the same contract as the TypeScript `runKernel`, the same output. */
export interface NativeKernel {
  /**
   * Runs one job now, on the calling thread (helped by the kernel's worker threads when the
   * output is large). Meant for small jobs and for callers that want the result synchronously.
   *
   * @throws {@link ArgumentError} naming the first field of `job` that is wrong; nothing is written then.
   */
  run(job: KernelJob): void;
  /**
   * Runs every job off the main thread, output rows split across worker threads; resolves when
   * all are written. The arrays are held until then; do not transfer, detach or resize their
   * buffers before the promise settles.
   *
   * @returns A promise that rejects with {@link ArgumentError} (before anything is written) when a
   *   job is wrong or two jobs write the same elements or one writes what another reads.
   */
  runAsync(jobs: KernelJob[]): Promise<void>;
}

/** Whether the native kernel could be loaded, and if not, why and how to fix it. */
export interface NativeKernelStatus {
  available: boolean;
  /** Why it is not available, with the command that fixes it. */
  reason?: string;
  /** The addon file that was loaded. */
  path?: string;
  /** Where it came from: the package's prebuilt binary, a source build, or EDGE_PREPROCESS_NATIVE. */
  source?: NativeAddonSource;
  /** Threads one call uses, the calling one included. */
  threads?: number;
  /** The vector path the addon runs (`sse4.2 (x86-64-v2)`, `neon (armv8-a)`, or `none (...)` and why). */
  simd?: string;
}

/** The addon's surface (native/src/addon.cc), described once. */
interface Binding {
  run(src: Uint8Array, dst: OutputArray, ints: Int32Array, floats: Float64Array): void;
  runAsync(srcs: Uint8Array[], dsts: OutputArray[], ints: Int32Array, floats: Float64Array): Promise<void>;
  threads: number;
  simd: string;
  intsPerJob: number;
  floatsPerJob: number;
}

const INTS_PER_JOB = 24;
const FLOATS_PER_JOB = 16;
/** Set to a path to load that addon instead; set to `0` or `off` to disable the native kernel. */
const ENV = 'EDGE_PREPROCESS_NATIVE';
const BUILD_HINT =
  'the package ships prebuilt kernels for linux-x64 and linux-arm64; elsewhere build it from source with ' +
  '`npx node-gyp rebuild --directory node_modules/@edge/preprocess/native` (needs node-addon-api, python3, make ' +
  'and a C++17 compiler; in this repository: `pnpm --filter @edge/preprocess build:native`); ' +
  'the TypeScript kernel gives the same output meanwhile';

interface Loaded {
  runner?: NativeRunner;
  kernel?: NativeKernel;
  status: NativeKernelStatus;
}

let loaded: Loaded | undefined;

/**
 * The native kernel, loaded on the first call; `undefined` when it is not built or cannot load
 * here ({@link nativeKernelStatus} says why). Never throws.
 */
export function loadNativeKernel(): NativeKernel | undefined {
  return load().kernel;
}

/** @internal The native kernel without its checks, for callers that ran checkKernelJobs already. */
export function loadNativeRunner(): NativeRunner | undefined {
  return load().runner;
}

/**
 * Whether the native kernel is available (loading it on the first call), and if not, the reason
 * with the command that fixes it.
 */
export function nativeKernelStatus(): NativeKernelStatus {
  return { ...load().status };
}

function load(): Loaded {
  if (loaded === undefined) loaded = tryLoad();
  return loaded;
}

function checkBinding(binding: unknown): string | undefined {
  const b = binding as Partial<Binding>;
  if (
    typeof b.run !== 'function' ||
    typeof b.runAsync !== 'function' ||
    b.intsPerJob !== INTS_PER_JOB ||
    b.floatsPerJob !== FLOATS_PER_JOB
  )
    return 'built from other sources than this loader (rebuild it)';
  return undefined;
}

function tryLoad(): Loaded {
  // import.meta.url: this module's own file, never the caller's (under `node -e`, a global
  // __filename of '[eval]' is visible to ES modules too); the CommonJS build gets it from tsup's shim.
  const addon = loadNativeAddon<Binding>({
    packageName: '@edge/preprocess',
    from: import.meta.url,
    name: 'edge_preprocess',
    envVar: ENV,
    check: checkBinding,
  });
  if (addon.binding === undefined) {
    const reason = addon.disabled
      ? `the native kernel is disabled by ${ENV}=${process.env[ENV]}`
      : `the native preprocessing kernel is not available: ${addon.reason}; ${BUILD_HINT}`;
    return { status: { available: false, reason } };
  }
  const b = addon.binding;
  const runner = makeRunner(b);
  return {
    runner,
    kernel: makeKernel(runner),
    status: { available: true, path: addon.path, source: addon.source, threads: b.threads, simd: b.simd },
  };
}

/** @internal The addon's two entry points for jobs that {@link checkKernelJobs} has passed. */
export interface NativeRunner {
  run(jobs: readonly KernelJob[]): void;
  runAsync(jobs: readonly KernelJob[]): Promise<void>;
}

function packAll(jobs: readonly KernelJob[]): [Int32Array, Float64Array] {
  const ints = new Int32Array(INTS_PER_JOB * jobs.length);
  const floats = new Float64Array(FLOATS_PER_JOB * jobs.length);
  for (let i = 0; i < jobs.length; i++) pack(jobs[i]!, ints, floats, i);
  return [ints, floats];
}

function makeRunner(binding: Binding): NativeRunner {
  return {
    run(jobs) {
      for (const job of jobs) binding.run(job.src, job.dst, ...packAll([job]));
    },
    runAsync(jobs) {
      if (jobs.length === 0) return Promise.resolve();
      return binding.runAsync(
        jobs.map((j) => j.src),
        jobs.map((j) => j.dst),
        ...packAll(jobs),
      );
    },
  };
}

function makeKernel(runner: NativeRunner): NativeKernel {
  return {
    run(job: KernelJob): void {
      checkKernelJob(job);
      runner.run([job]);
    },
    runAsync(jobs: KernelJob[]): Promise<void> {
      try {
        checkKernelJobs(jobs, true);
        return runner.runAsync(jobs);
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}

const INTERPOLATION_CODE: Record<Interpolation, number> = { bilinear: 0, nearest: 1, area: 2 };
const DTYPE_CODE: Record<OutputDType, number> = { float32: 0, float16: 1, uint8: 2, int8: 3 };

/** Writes job `k` into the packed arrays (layout: native/src/addon.cc). */
function pack(job: KernelJob, ints: Int32Array, floats: Float64Array, k: number): void {
  const i = k * INTS_PER_JOB;
  const f = k * FLOATS_PER_JOB;
  const s = job.srcRect;
  const d = job.dstRect;
  ints.set(
    [
      job.srcWidth,
      job.srcHeight,
      job.srcStride,
      job.srcChannels,
      s.x,
      s.y,
      s.width,
      s.height,
      d.x,
      d.y,
      d.width,
      d.height,
      job.outWidth,
      job.outHeight,
      INTERPOLATION_CODE[job.interpolation],
      job.layout === 'nchw' ? 0 : 1,
      DTYPE_CODE[job.dtype],
      job.channelMap.length,
    ],
    i,
  );
  for (let c = 0; c < job.channelMap.length; c++) {
    ints[i + 18 + c] = job.channelMap[c]!;
    floats[f + c] = job.mul[c]!;
    floats[f + 4 + c] = job.add[c]!;
    floats[f + 8 + c] = job.pad[c]!;
  }
  floats[f + 12] = job.quantScale;
  floats[f + 13] = job.dstOffset;
  floats[f + 14] = job.quantZeroPoint;
}
