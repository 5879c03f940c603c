// Loader of the optional native kernel (native/, built with node-gyp). Nothing is loaded at
// import: the first loadNativeKernel() or nativeKernelStatus() call looks for the addon, once per
// process, and remembers either the kernel or why there is none, so the caller can fall back to
// the TypeScript kernel and say how to get the fast one.
//
// Every job is validated here, field by field, before anything reaches C++ (the addon repeats the
// checks that memory safety depends on, as a second line). Jobs then travel packed into one
// Int32Array and one Float64Array, the layout of native/src/addon.cc.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as types from 'node:util/types';
import {
  ArgumentError,
  checkInteger,
  checkOneOf,
  checkPositiveInteger,
  describeValue,
  invalidArgument,
} from '@edge/core';
import type { Interpolation, KernelJob, Layout, OutputArray, OutputDType, Rect } from './kernel/job.js';

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
/** The kernel's limit on any width or height (kMaxImageSide in native/src/kernel.h). */
const MAX_SIDE = 1 << 20;
const ADDON = 'edge_preprocess.node';
/** Set to a path to load that addon instead; set to `0` or `off` to disable the native kernel. */
const ENV = 'EDGE_PREPROCESS_NATIVE';
const BUILD_HINT =
  'build it with `pnpm --filter @edge/preprocess build:native` (needs python3, make and a C++17 compiler); ' +
  'the TypeScript kernel gives the same output meanwhile';

const INTERPOLATIONS: readonly Interpolation[] = ['bilinear', 'nearest', 'area'];
const LAYOUTS: readonly Layout[] = ['nchw', 'nhwc'];
const DTYPES: readonly OutputDType[] = ['float32', 'float16', 'uint8', 'int8'];
const DST_CHECK: Record<OutputDType, [string, (v: unknown) => boolean]> = {
  float32: ['Float32Array', types.isFloat32Array],
  float16: ['Uint16Array', types.isUint16Array],
  uint8: ['Uint8Array', types.isUint8Array],
  int8: ['Int8Array', types.isInt8Array],
};

let loaded: { kernel?: NativeKernel; status: NativeKernelStatus } | undefined;

/**
 * The native kernel, loaded on the first call; `undefined` when it is not built or cannot load
 * here ({@link nativeKernelStatus} says why). Never throws.
 */
export function loadNativeKernel(): NativeKernel | undefined {
  return load().kernel;
}

/**
 * Whether the native kernel is available (loading it on the first call), and if not, the reason
 * with the command that fixes it.
 */
export function nativeKernelStatus(): NativeKernelStatus {
  return { ...load().status };
}

function load(): { kernel?: NativeKernel; status: NativeKernelStatus } {
  if (loaded === undefined) loaded = tryLoad();
  return loaded;
}

function thisFile(): string {
  // The CommonJS build has __filename; the ES module build (and the tests) have import.meta.
  return typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
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

function tryLoad(): { kernel?: NativeKernel; status: NativeKernelStatus } {
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
    // node-gyp's output first (a fresh local build), then the copy the package build puts in dist.
    candidates.push(join(root, 'native', 'build', 'Release', ADDON), join(root, 'dist', 'native', ADDON));
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
      return {
        kernel: makeKernel(b),
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

function makeKernel(binding: Binding): NativeKernel {
  return {
    run(job: KernelJob): void {
      const slot = checkJob(job, 'job');
      checkSharing([slot], false);
      const ints = new Int32Array(INTS_PER_JOB);
      const floats = new Float64Array(FLOATS_PER_JOB);
      pack(job, ints, floats, 0);
      binding.run(job.src, job.dst, ints, floats);
    },
    runAsync(jobs: KernelJob[]): Promise<void> {
      try {
        if (!Array.isArray(jobs)) throw invalidArgument('jobs', jobs, 'array of KernelJob');
        const slots = jobs.map((job, i) => checkJob(job, `jobs[${i}]`));
        checkSharing(slots, true);
        if (jobs.length === 0) return Promise.resolve();
        const ints = new Int32Array(INTS_PER_JOB * jobs.length);
        const floats = new Float64Array(FLOATS_PER_JOB * jobs.length);
        for (let i = 0; i < jobs.length; i++) pack(jobs[i]!, ints, floats, i);
        return binding.runAsync(
          jobs.map((j) => j.src),
          jobs.map((j) => j.dst),
          ints,
          floats,
        );
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}

/** The bytes one job reads and the bytes it writes, for the overlap checks. */
interface Slot {
  name: string;
  src: Uint8Array;
  dst: OutputArray;
  /** Byte range of `src` and of the written part of `dst`, relative to their ArrayBuffers. */
  read: [number, number];
  write: [number, number];
}

function checkObject(name: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) throw invalidArgument(name, value, 'object');
  return value as Record<string, unknown>;
}

function checkNumbers(name: string, value: unknown, length: number): number[] {
  if (!Array.isArray(value) || value.length !== length) {
    throw invalidArgument(name, value, `array of ${length} finite numbers (one per output channel)`);
  }
  value.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw invalidArgument(`${name}[${i}]`, v, 'finite number');
  });
  return value as number[];
}

function checkRect(name: string, value: unknown, inside?: { width: number; height: number }): Rect {
  const r = checkObject(name, value);
  if (inside) {
    const x = checkInteger(`${name}.x`, r.x, { min: 0, max: inside.width - 1 });
    const y = checkInteger(`${name}.y`, r.y, { min: 0, max: inside.height - 1 });
    const width = checkPositiveInteger(`${name}.width`, r.width, { max: inside.width - x });
    const height = checkPositiveInteger(`${name}.height`, r.height, { max: inside.height - y });
    return { x, y, width, height };
  }
  // dstRect may hang over the output on any side (a crop after the resize).
  const x = checkInteger(`${name}.x`, r.x, { min: -MAX_SIDE, max: MAX_SIDE });
  const y = checkInteger(`${name}.y`, r.y, { min: -MAX_SIDE, max: MAX_SIDE });
  const width = checkPositiveInteger(`${name}.width`, r.width, { max: MAX_SIDE });
  const height = checkPositiveInteger(`${name}.height`, r.height, { max: MAX_SIDE });
  return { x, y, width, height };
}

/** Validates every field of `value` as a KernelJob; `name` is how messages refer to it. */
function checkJob(value: unknown, name: string): Slot {
  const job = checkObject(name, value);
  const src = job.src;
  if (!types.isUint8Array(src)) throw invalidArgument(`${name}.src`, src, 'Uint8Array');
  const width = checkPositiveInteger(`${name}.srcWidth`, job.srcWidth, { max: MAX_SIDE });
  const height = checkPositiveInteger(`${name}.srcHeight`, job.srcHeight, { max: MAX_SIDE });
  const cn = checkOneOf(`${name}.srcChannels`, job.srcChannels, [1, 3, 4] as const);
  const stride = checkInteger(`${name}.srcStride`, job.srcStride, { min: width * cn, max: 2 ** 31 - 1 });
  const need = (height - 1) * stride + width * cn;
  if (src.length < need) {
    throw invalidArgument(
      `${name}.src.length`,
      src.length,
      `at least ${need} (srcHeight ${height} rows of srcStride ${stride} bytes)`,
    );
  }
  const map = job.channelMap;
  if (!Array.isArray(map) || map.length < 1 || map.length > 4) {
    throw invalidArgument(`${name}.channelMap`, map, 'array of 1 to 4 source channel indices');
  }
  map.forEach((c, i) => {
    checkInteger(`${name}.channelMap[${i}]`, c, { min: 0, max: cn - 1 });
  });
  const channels = map.length;
  checkRect(`${name}.srcRect`, job.srcRect, { width, height });
  checkRect(`${name}.dstRect`, job.dstRect);
  const outWidth = checkPositiveInteger(`${name}.outWidth`, job.outWidth, { max: MAX_SIDE });
  const outHeight = checkPositiveInteger(`${name}.outHeight`, job.outHeight, { max: MAX_SIDE });
  checkOneOf(`${name}.interpolation`, job.interpolation, INTERPOLATIONS);
  checkNumbers(`${name}.mul`, job.mul, channels);
  checkNumbers(`${name}.add`, job.add, channels);
  checkNumbers(`${name}.pad`, job.pad, channels);
  checkOneOf(`${name}.layout`, job.layout, LAYOUTS);
  const dtype = checkOneOf(`${name}.dtype`, job.dtype, DTYPES);
  const q = job.quantScale;
  if (typeof q !== 'number' || !Number.isFinite(q) || q <= 0) {
    throw invalidArgument(`${name}.quantScale`, q, 'positive finite number');
  }
  checkInteger(`${name}.quantZeroPoint`, job.quantZeroPoint, {
    min: Number.MIN_SAFE_INTEGER,
    max: Number.MAX_SAFE_INTEGER,
  });
  const [arrayName, isExpected] = DST_CHECK[dtype];
  const dst = job.dst;
  if (!isExpected(dst)) throw invalidArgument(`${name}.dst`, dst, `${arrayName} (the storage of ${dtype})`);
  const out = dst as OutputArray;
  const size = channels * outWidth * outHeight;
  const offset = checkInteger(`${name}.dstOffset`, job.dstOffset, { min: 0, max: Number.MAX_SAFE_INTEGER });
  if (offset + size > out.length) {
    throw invalidArgument(
      `${name}.dstOffset`,
      offset,
      `offset with room for ${size} elements (${channels}x${outHeight}x${outWidth}) in dst of length ${out.length}`,
    );
  }
  const e = out.BYTES_PER_ELEMENT;
  return {
    name,
    src,
    dst: out,
    read: [src.byteOffset, src.byteOffset + src.length],
    write: [out.byteOffset + offset * e, out.byteOffset + (offset + size) * e],
  };
}

function intersects(a: [number, number], b: [number, number]): boolean {
  return a[0] < b[1] && b[0] < a[1];
}

function isResizable(buffer: ArrayBufferLike): boolean {
  return (buffer as { resizable?: boolean }).resizable === true;
}

/**
 * The kernel reads every source while threads write the outputs: a job must not write what it or
 * another job reads, and two jobs must not write the same elements. Off the main thread, a buffer
 * that can shrink could also pull memory from under a worker.
 */
function checkSharing(slots: Slot[], async: boolean): void {
  for (let i = 0; i < slots.length; i++) {
    const a = slots[i]!;
    if (async && (isResizable(a.src.buffer) || isResizable(a.dst.buffer))) {
      throw new ArgumentError(
        `Expected fixed-length buffers for ${a.name}.src and ${a.name}.dst in runAsync but received a resizable ArrayBuffer`,
      );
    }
    for (let k = 0; k < slots.length; k++) {
      const b = slots[k]!;
      if (a.dst.buffer === b.src.buffer && intersects(a.write, b.read)) {
        throw new ArgumentError(
          `${a.name}.dst overlaps ${b.name}.src: the output slot (bytes ${a.write[0]} to ${a.write[1]}) shares memory with the source (bytes ${b.read[0]} to ${b.read[1]}) of one ${describeValue(a.dst.buffer)}`,
        );
      }
      if (k > i && a.dst.buffer === b.dst.buffer && intersects(a.write, b.write)) {
        throw new ArgumentError(
          `${a.name} and ${b.name} write overlapping elements of the same dst (bytes ${a.write[0]} to ${a.write[1]} and ${b.write[0]} to ${b.write[1]})`,
        );
      }
    }
  }
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
