// Each range algorithm against a numpy reference written independently here, on known
// distributions streamed in batches whose last one widens the range (the histogram must grow).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError } from '@edge/core';
import { python, scratchDir } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import {
  computeRange,
  entropyThreshold,
  Histogram,
  minMaxRange,
  mseRange,
  percentileRange,
  TensorStatistics,
} from '../src/index.js';

const dir = scratchDir('edge-calibrate-');

interface Reference {
  batches: number[];
  counts: number[];
  width: number;
  amax: number;
  entropyBin: number;
  entropyBin2: number;
  percentile: number;
  percentile999: number;
  mseBin: number;
  mseRawRatio: number;
}

const REFERENCE = `
import json, sys, os
import numpy as np
out = sys.argv[1]
rng = np.random.default_rng(20261)
def batches(name):
    if name == 'normal':
        b = [rng.normal(0, 1, 50000) for _ in range(3)] + [rng.normal(0, 1.6, 50000)]
    elif name == 'uniform':
        b = [rng.uniform(-2, 2, 50000) for _ in range(3)] + [rng.uniform(-3, 3, 50000)]
    else:
        b = [rng.laplace(0, 0.5, 50000) for _ in range(3)]
        last = rng.laplace(0, 0.5, 50000)
        last[:40] = rng.choice([-1, 1], 40) * rng.uniform(20, 40, 40)
        b.append(last)
    return [x.astype(np.float32) for x in b]

def histogram(bs, nbins=2048):
    width = float(np.abs(bs[0]).max()) / nbins
    counts = np.zeros(nbins)
    for x in bs:
        a = np.abs(x.astype(np.float64))
        m = a.max()
        if m > width * len(counts):
            counts = np.concatenate([counts, np.zeros(int(np.ceil(m / width)) - len(counts))])
        k = np.minimum(np.floor(a * (1.0 / width)), len(counts) - 1).astype(np.int64)
        counts += np.bincount(k, minlength=len(counts))
    return counts, width

def stride_of(n):
    return 1 if n <= 8192 else int(np.ceil(n / 8192))

def entropy(counts, start=128, levels=128):
    n = len(counts); best = np.inf; besti = start
    suffix = np.concatenate([np.cumsum(counts[::-1])[::-1], [0.0]])
    for i in range(start, n + 1, stride_of(n)):
        p = counts[:i].copy(); p[i - 1] += suffix[i]
        m = i // levels
        g = np.minimum(np.arange(i) // m, levels - 1)
        nz = p != 0
        sums = np.bincount(g, weights=counts[:i], minlength=levels)
        cnt = np.bincount(g, weights=nz.astype(np.float64), minlength=levels)
        q = np.zeros(i)
        q[nz] = sums[g[nz]] / cnt[g[nz]]
        p = p / p.sum(); q = q / q.sum()
        with np.errstate(divide='ignore'):
            kl = float(np.sum(p[nz] * np.log(p[nz] / q[nz])))
        if kl < best * (1 - 1e-12):
            best = kl; besti = i
    return besti

def mse_bin(counts, w):
    n = len(counts); x = (np.arange(n) + 0.5) * w; best = np.inf; besti = n
    for i in range(1, n + 1, stride_of(n)):
        s = (i * w) / 127
        level = np.minimum(np.floor(x / s + 0.5), 127)
        err = float(np.sum(counts * (x - level * s) ** 2))
        if err < best * (1 - 1e-12):
            best = err; besti = i
    return besti

def raw_mse(a, t):
    s = t / 127
    return float(np.mean((a - np.clip(np.round(a / s), -127, 127) * s) ** 2))

res = {}
for name in ['normal', 'uniform', 'laplace']:
    bs = batches(name)
    allx = np.concatenate(bs)
    allx.tofile(os.path.join(out, name + '.f32'))
    counts, w = histogram(bs)
    a = np.abs(allx.astype(np.float64))
    mb = mse_bin(counts, w)
    grid = np.linspace(a.max() / 200, a.max(), 2000)
    best_raw = min(raw_mse(a, t) for t in grid)
    res[name] = dict(batches=[len(x) for x in bs], counts=counts.tolist(), width=w, amax=float(a.max()),
        entropyBin=entropy(counts), entropyBin2=entropy(counts, 256, 64),
        percentile=float(np.percentile(a, 99.99)), percentile999=float(np.percentile(a, 99.9)),
        mseBin=mb, mseRawRatio=raw_mse(a, mb * w) / best_raw)
print(json.dumps(res))
`;

/** A raw little-endian float32 file as an array. */
function readF32(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

const refs = python<Record<string, Reference>>(REFERENCE, [dir]);

describe.each(['normal', 'uniform', 'laplace'])('%s distribution against numpy', (name) => {
  const ref = refs[name]!;
  const all = readF32(join(dir, `${name}.f32`));
  const stats = new TensorStatistics();
  let at = 0;
  for (const size of ref.batches) {
    stats.add(all.subarray(at, at + size));
    at += size;
  }
  const hist = stats.histogram;

  it('builds the same histogram, grown at the first batch width', () => {
    expect(hist.binWidth).toBe(ref.width);
    expect(hist.length).toBe(ref.counts.length);
    expect(hist.length).toBeGreaterThan(2048);
    expect(Array.from(hist.counts)).toEqual(ref.counts);
    expect(hist.total).toBe(all.length);
  });

  it('min-max is max|x|', () => {
    expect(minMaxRange(stats)).toBe(ref.amax);
    expect(computeRange(stats, 'minmax')).toBe(ref.amax);
  });

  it('entropy picks the same bin as the numpy KL search', () => {
    expect(ref.entropyBin).toBeGreaterThan(128);
    expect(entropyThreshold(hist)).toBe((ref.entropyBin + 0.5) * ref.width);
    expect(entropyThreshold(hist, { startBin: 256, levels: 64 })).toBe((ref.entropyBin2 + 0.5) * ref.width);
    expect(computeRange(stats, 'entropy')).toBe((ref.entropyBin + 0.5) * ref.width);
  });

  it('percentile is within one bin of numpy.percentile of |x|', () => {
    expect(Math.abs(percentileRange(hist) - ref.percentile)).toBeLessThanOrEqual(ref.width);
    expect(Math.abs(percentileRange(hist, 99.9) - ref.percentile999)).toBeLessThanOrEqual(ref.width);
    expect(computeRange(stats, 'percentile', { percentile: 99.9 })).toBe(percentileRange(hist, 99.9));
  });

  it('mse picks the numpy bin, within 5% of the raw-data optimum', () => {
    expect(mseRange(hist)).toBe(ref.mseBin * ref.width);
    expect(computeRange(stats, 'mse')).toBe(ref.mseBin * ref.width);
    expect(ref.mseRawRatio).toBeLessThan(1.05);
  });
});

describe('Histogram', () => {
  it('counts zeros before the first non-zero batch, then fixes the width', () => {
    const h = new Histogram({ bins: 4 });
    h.add([0, 0, 0]);
    expect(h.binWidth).toBe(0);
    expect(Array.from(h.counts)).toEqual([3]);
    h.add([1, -2, 4]);
    expect(h.binWidth).toBe(1);
    expect(Array.from(h.counts)).toEqual([3, 1, 1, 1]);
    h.add([-6.5]);
    expect(h.binWidth).toBe(1);
    expect(Array.from(h.counts)).toEqual([3, 1, 1, 1, 0, 0, 1]);
  });

  it('skips NaN and infinities; the extremes count them apart', () => {
    const s = new TensorStatistics({ bins: 2 });
    s.add([Number.NaN, 1, Number.NEGATIVE_INFINITY, -3]);
    expect(s.min).toBe(-3);
    expect(s.max).toBe(1);
    expect(s.nonFinite).toBe(2);
    expect(s.histogram.total).toBe(2);
  });

  it('clamps into the last bin past maxBins', () => {
    const h = new Histogram({ bins: 2, maxBins: 4 });
    h.add([2]);
    h.add([100]);
    expect(h.length).toBe(4);
    expect(h.clamped).toBe(1);
    expect(Array.from(h.counts)).toEqual([0, 1, 0, 1]);
  });

  it('ranges of an all-zero tensor are 0', () => {
    const s = new TensorStatistics();
    s.add(new Float32Array(10));
    for (const m of ['entropy', 'minmax', 'percentile', 'mse'] as const) expect(computeRange(s, m)).toBe(0);
  });

  it('BAD CALL - Histogram with 0 bins', () => {
    expect(() => new Histogram({ bins: 0 })).toThrow(ArgumentError);
    expect(() => new Histogram({ bins: 0 })).toThrow(
      'Expected positive integer for options.bins but received 0 of type number',
    );
  });

  it('BAD CALL - percentileRange above 100', () => {
    expect(() => percentileRange(new Histogram(), 101)).toThrow(ArgumentError);
    expect(() => percentileRange(new Histogram(), 101)).toThrow(/for percentile but received 101/);
  });

  it('BAD CALL - computeRange with an unknown method', () => {
    const call = () => computeRange(new TensorStatistics(), 'kl' as 'entropy');
    expect(call).toThrow(ArgumentError);
    expect(call).toThrow(/Expected one of .*entropy.* for method but received "kl" of type string/);
  });

  it('BAD CALL - entropyThreshold with levels above startBin', () => {
    const call = () => entropyThreshold(new Histogram(), { startBin: 64 });
    expect(call).toThrow(ArgumentError);
    expect(call).toThrow(/for options.startBin but received 64 of type number/);
  });
});
