// Loader of the optional native kernel (native/, built with node-gyp). Nothing is loaded at
// import: the first loadNativeKernel() or nativeKernelStatus() call looks for the addon, once per
// process, and remembers either the kernel or why there is none, so the caller can fall back to
// the TypeScript kernel and say how to get the fast one.
//
// Jobs are validated by kernel/check-job.ts before anything reaches C++ (the addon keeps its own
// checks only as a last line of defence), then travel packed into one Int32Array and one
// Float64Array, the layout of native/src/addon.cc.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  /** Threads one call uses, the calling one included. */
  threads?: number;
  /** The instruction set the addon was compiled for. */
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
const ADDON = 'edge_preprocess.node';
/** Set to a path to load that addon instead; set to `0` or `off` to disable the native kernel. */
const ENV = 'EDGE_PREPROCESS_NATIVE';
const BUILD_HINT =
  'build it with `pnpm --filter @edge/preprocess build:native` (needs python3, make and a C++17 compiler); ' +
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

function thisFile(): string {
  // This module's own file, never the caller's: under `node -e`, a global __filename of '[eval]'
  // is visible to ES modules too. The CommonJS build gets import.meta.url from tsup's shim.
  return fileURLToPath(import.meta.url);
}

/** The folder of @edge/preprocess's package.json, above this module (src/ or dist/). */
function packageDir(): string | undefined {
  let dir = dirname(thisFile());
  for (;;) {
    const pkg = join(dir, 'package.json');
    try {
      if (
        existsSync(pkg) &&
        (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === '@edge/preprocess'
      )
        return dir;
    } catch {
      // An unreadable package.json on the way up is not ours.
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function tryLoad(): Loaded {
  const override = process.env[ENV];
  if (override === '0' || override === 'off') {
    return { status: { available: false, reason: `the native kernel is disabled by ${ENV}=${override}` } };
  }
  const candidates: string[] = [];
  if (override) candidates.push(override);
  else {
    const root = packageDir();
    if (root === undefined) {
      return {
        status: {
          available: false,
          reason: `cannot find @edge/preprocess's package.json above ${thisFile()}`,
        },
      };
    }
    // The copy the package build puts in dist first (what a build, or turbo's cache, made last),
    // then node-gyp's own output (a source build alone, or a dist cleaned by tsup).
    candidates.push(join(root, 'dist', 'native', ADDON), join(root, 'native', 'build', 'Release', ADDON));
  }
  const failures: string[] = [];
  const req = createRequire(thisFile());
  for (const path of candidates) {
    if (!existsSync(path)) {
      failures.push(`${path}: not found`);
      continue;
    }
    try {
      const binding = req(path) as Partial<Binding>;
      if (
        typeof binding.run !== 'function' ||
        typeof binding.runAsync !== 'function' ||
        binding.intsPerJob !== INTS_PER_JOB ||
        binding.floatsPerJob !== FLOATS_PER_JOB
      ) {
        failures.push(`${path}: built from other sources than this loader (rebuild it)`);
        continue;
      }
      const b = binding as Binding;
      const runner = makeRunner(b);
      return {
        runner,
        kernel: makeKernel(runner),
        status: { available: true, path, threads: b.threads, simd: b.simd },
      };
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      failures.push(`${path}: failed to load (${message}); rebuild it for this Node and platform`);
    }
  }
  return {
    status: {
      available: false,
      reason: `the native preprocessing kernel is not available: ${failures.join('; ')}; ${BUILD_HINT}`,
    },
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
