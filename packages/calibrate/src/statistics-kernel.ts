// The two passes that fold a run's tensors into their statistics, behind one interface with two
// implementations: the native addon (native/, C++ on a few threads, reading the arrays in place)
// and this TypeScript one, the reference the tests compare it with and the fallback where the
// addon is not built. Both take every tensor of a run at once, so the native one can share them
// out over threads.

import { loadNativeAddon } from '@edge/core';

/**
 * A statistics kernel: one pass over each array of a run. For `arrays[k]`, with
 * `params[3k..3k+2]` = (inv, limit, fromBin), it returns 6 numbers at `6k`: the smallest and
 * largest finite value (±Infinity when none), the largest finite |x| (0 when none), the count of
 * NaN and infinite values, and, of the finite values binned, how many had |x| > limit and how
 * many had a bin past the last one. When `counts[k]` is not empty, every finite value whose bin
 * `floor(|x| * inv)` is at least fromBin is added to `counts[k][min(bin, counts[k].length - 1)]`.
 *
 * @internal
 */
export interface StatisticsKernel {
  accumulate(
    arrays: readonly ArrayLike<number>[],
    counts: readonly Float64Array[],
    params: Float64Array,
  ): Float64Array;
  /** The same off the main thread; the arrays and counts must be left alone until it settles. */
  accumulateAsync?(
    arrays: readonly ArrayLike<number>[],
    counts: readonly Float64Array[],
    params: Float64Array,
  ): Promise<Float64Array>;
}

/** Numbers per array in a kernel's params and results. */
export const PARAMS = 3;
export const RESULTS = 6;

/** Which statistics kernel {@link collectStatistics} uses, and why not the native one. */
export interface StatisticsKernelStatus {
  /** `native` (the addon built from native/) or `typescript`. */
  readonly kernel: 'native' | 'typescript';
  /** Threads a native call uses, the calling one included. */
  readonly threads?: number;
  /** The addon file loaded. */
  readonly path?: string;
  /** Why the native kernel is not used, with the command that builds it. */
  readonly reason?: string;
}

function accumulateOne(
  values: ArrayLike<number>,
  bins: Float64Array,
  p: Float64Array,
  k: number,
  out: Float64Array,
): void {
  const [inv, limit, fromBin] = [p[PARAMS * k]!, p[PARAMS * k + 1]!, p[PARAMS * k + 2]!];
  const last = bins.length - 1;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let bad = 0;
  let clamped = 0;
  let over = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) {
      bad++;
      continue;
    }
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (last < 0) continue;
    const a = Math.abs(v);
    const bin = Math.floor(a * inv);
    if (bin < fromBin) continue;
    if (a > limit) clamped++;
    if (bin > last) over++;
    bins[Math.min(bin, last)]!++;
  }
  out.set([lo, hi, bad < values.length ? Math.max(-lo, hi) : 0, bad, clamped, over], RESULTS * k);
}

/** @internal The TypeScript kernel. */
export const TYPESCRIPT_KERNEL: StatisticsKernel = {
  accumulate(arrays, counts, params) {
    const out = new Float64Array(RESULTS * arrays.length);
    for (const [k, a] of arrays.entries()) accumulateOne(a, counts[k]!, params, k, out);
    return out;
  },
};

/** The addon's surface (native/src/addon.cc). */
interface Binding {
  accumulate(
    arrays: readonly Float32Array[],
    counts: readonly Float64Array[],
    params: Float64Array,
  ): Float64Array;
  accumulateAsync(
    arrays: readonly Float32Array[],
    counts: readonly Float64Array[],
    params: Float64Array,
  ): Promise<Float64Array>;
  threads: number;
  version: number;
}

const VERSION = 1;
/** Set to a path to load that addon instead; `0` or `off` disables the native kernel. */
const ENV = 'EDGE_CALIBRATE_NATIVE';
const BUILD_HINT =
  'build it with `pnpm --filter @edge/calibrate build:native` (needs python3, make and a C++17 compiler)';

let loaded: { kernel?: StatisticsKernel; status: StatisticsKernelStatus } | undefined;

function checkBinding(b: unknown): string | undefined {
  const binding = b as Partial<Binding>;
  return typeof binding.accumulate === 'function' &&
    typeof binding.accumulateAsync === 'function' &&
    binding.version === VERSION
    ? undefined
    : 'built from other sources than this loader (rebuild it)';
}

function tryLoad(): NonNullable<typeof loaded> {
  const addon = loadNativeAddon<Binding>({
    packageName: '@edge/calibrate',
    from: import.meta.url,
    name: 'edge_calibrate',
    envVar: ENV,
    check: checkBinding,
  });
  const binding = addon.binding;
  if (binding === undefined) {
    const reason = addon.disabled
      ? `the native kernel is disabled by ${ENV}=${process.env[ENV]}`
      : `${addon.reason}; ${BUILD_HINT}`;
    return { status: { kernel: 'typescript', reason } };
  }
  const f32 = (arrays: readonly ArrayLike<number>[]) =>
    arrays.every((a) => a instanceof Float32Array) ? (arrays as Float32Array[]) : undefined;
  const kernel: StatisticsKernel = {
    // Arrays of another type (plain numbers in a test) take the TypeScript path.
    accumulate: (arrays, counts, params) => {
      const f = f32(arrays);
      return f ? binding.accumulate(f, counts, params) : TYPESCRIPT_KERNEL.accumulate(arrays, counts, params);
    },
    accumulateAsync: async (arrays, counts, params) => {
      const f = f32(arrays);
      return f
        ? binding.accumulateAsync(f, counts, params)
        : TYPESCRIPT_KERNEL.accumulate(arrays, counts, params);
    },
  };
  return { kernel, status: { kernel: 'native', threads: binding.threads, path: addon.path } };
}

/** @internal The kernel {@link collectStatistics} uses: the native one when it loads. */
export function statisticsKernel(): StatisticsKernel {
  loaded ??= tryLoad();
  return loaded.kernel ?? TYPESCRIPT_KERNEL;
}

/**
 * Which statistics kernel calibration uses here (the native addon is looked for on the first
 * call, once per process), and why not the native one. Never throws.
 */
export function statisticsKernelStatus(): StatisticsKernelStatus {
  loaded ??= tryLoad();
  return loaded.status;
}
