// The native statistics kernel against the TypeScript one (the reference), bin for bin, on runs
// that take every path of both: first batches (width fixed), later batches inside the range (one
// pass) and past it (the histogram grows: a second pass over the values past the old range), wide
// histograms and small tensors (counted without sub-histograms), NaN, infinities, -0, all-zero
// tensors, and several tensors of a run shared out over threads. Both are also checked against
// the plain definition: grow first, then bin every finite value.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { requires, rng } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { addRun } from '../src/histogram.js';
import { TensorStatistics } from '../src/index.js';
import { statisticsKernel, statisticsKernelStatus, TYPESCRIPT_KERNEL } from '../src/statistics-kernel.js';

/** Batches of a few tensors: the k-th tensor's scale grows by run for some, so ranges grow. */
function runs(seed: number): Float32Array[][] {
  const r = rng(seed);
  const sizes = [1, 7, 5_000, 300_000, 64, 40_000];
  return Array.from({ length: 5 }, (_, run) =>
    sizes.map((n, k) => {
      const a = new Float32Array(n);
      const scale = k % 2 ? 1 + run * 3 : 1;
      for (let i = 0; i < n; i++) {
        const u = r();
        a[i] = k === 4 && run < 2 ? 0 : (u - 0.3) * scale * (u < 0.001 ? 50 : 1); // tensor 4: zeros first
      }
      if (n > 10) {
        a[3] = Number.NaN;
        a[5] = k === 3 ? Number.POSITIVE_INFINITY : -0;
        a[9] = Number.NEGATIVE_INFINITY;
      }
      return a;
    }),
  );
}

/** The plain definition, one batch at a time (the code before the fused kernel). */
function reference(batches: Float32Array[], bins: number, maxBins: number) {
  let width = 0;
  let counts: number[] = [];
  let zeros = 0;
  let clamped = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const b of batches) {
    const finite = [...b].filter((v) => Number.isFinite(v));
    for (const v of finite) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    const batchMax = finite.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    if (width === 0) {
      if (batchMax === 0) {
        zeros += finite.length;
        continue;
      }
      width = batchMax / bins;
      counts = new Array(bins).fill(0);
      counts[0] = zeros;
    } else if (batchMax > width * counts.length) {
      const wanted = Math.min(maxBins, Math.ceil(batchMax / width));
      while (counts.length < wanted) counts.push(0);
    }
    const limit = width * counts.length;
    for (const v of finite) {
      const a = Math.abs(v);
      if (a > limit) clamped++;
      counts[Math.min(Math.floor(a * (1 / width)), counts.length - 1)]! += 1;
    }
  }
  return { counts: width ? counts : [zeros], clamped, min, max };
}

const status = statisticsKernelStatus();

describe('statistics kernels', () => {
  for (const [bins, maxBins] of [
    [2048, 2048 * 512],
    [8, 20],
    [70_000, 200_000],
  ] as const) {
    it(`TypeScript kernel: the plain definition, ${bins} bins growing to at most ${maxBins}`, () => {
      const all = runs(bins);
      const stats = all[0]!.map(() => new TensorStatistics({ bins, maxBins }));
      for (const run of all) addRun(stats, run, TYPESCRIPT_KERNEL);
      expect(stats.filter((s) => s.histogram.length > bins).length).toBeGreaterThan(0);
      stats.forEach((s, k) => {
        const ref = reference(
          all.map((run) => run[k]!),
          bins,
          maxBins,
        );
        expect(Array.from(s.histogram.counts)).toEqual(ref.counts);
        expect(s.histogram.clamped).toBe(ref.clamped);
        expect([s.min, s.max]).toEqual([ref.min, ref.max]);
      });
    });

    // The package build makes the linux-x64 prebuild with the system's g++, so there it must load.
    it(
      `native kernel: the TypeScript kernel's counts bin for bin, ${bins} bins growing to at most ${maxBins}`,
      requires('linux-x64'),
      () => {
        expect(status.reason).toBeUndefined();
        const all = runs(bins + 1);
        const make = () => all[0]!.map(() => new TensorStatistics({ bins, maxBins }));
        const [native, ts] = [make(), make()];
        for (const run of all) {
          addRun(native, run, statisticsKernel());
          addRun(ts, run, TYPESCRIPT_KERNEL);
        }
        native.forEach((s, k) => {
          const t = ts[k]!;
          expect(Array.from(s.histogram.counts)).toEqual(Array.from(t.histogram.counts));
          expect([s.min, s.max, s.nonFinite, s.histogram.clamped, s.histogram.binWidth]).toEqual([
            t.min,
            t.max,
            t.nonFinite,
            t.histogram.clamped,
            t.histogram.binWidth,
          ]);
        });
        expect(native[3]!.nonFinite).toBe(5 * 3);
      },
    );
  }

  it(
    'says which kernel runs: on linux-x64 the prebuild shipped in the package',
    requires('linux-x64'),
    () => {
      expect(status).toMatchObject({
        kernel: 'native',
        path: expect.stringMatching(/prebuilds\/linux-x64\/node\.napi\.glibc\.node$/),
      });
      expect(status.threads).toBeGreaterThanOrEqual(1);
    },
  );

  it('EXPECTED FAILURE - a file that is not the addon, or EDGE_CALIBRATE_NATIVE=off: the TypeScript kernel, with why and how to build the native one', () => {
    const status = (value: string) => {
      const r = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          "console.log(JSON.stringify((await import('@edge/calibrate')).statisticsKernelStatus()))",
        ],
        { encoding: 'utf8', env: { ...process.env, EDGE_CALIBRATE_NATIVE: value } },
      );
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { kernel: string; reason: string };
    };
    expect(status('off')).toEqual({
      kernel: 'typescript',
      reason: 'the native kernel is disabled by EDGE_CALIBRATE_NATIVE=off',
    });
    const wrong = status(fileURLToPath(import.meta.url));
    expect(wrong.kernel).toBe('typescript');
    expect(wrong.reason).toContain(fileURLToPath(import.meta.url));
    expect(wrong.reason).toContain('pnpm --filter @edge/calibrate build:native');
  });
});
