// Streamed activation statistics against a direct run of the same model with its tensors exposed,
// with progress, cancellation (no session left open) and memory that does not grow with feeds.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createBackend } from '@edge/backends-onnxruntime';
import { AbortedError, ArgumentError, FeedError, Tensor, type TensorMap } from '@edge/core';
import {
  onnxBuilder as B,
  DataType,
  exposeTensors,
  type OnnxModel,
  readModelFile,
  tensorFromArray,
  writeModel,
} from '@edge/onnx-parse';
import { OCR_MODELS, random } from '@edge/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type ActivationStatistics,
  calibrationTensors,
  collectStatistics,
  computeRange,
  computeRanges,
  minMaxRange,
  type Progress,
  quantizationTensors,
  quantizeQdq,
  RANGE_METHODS,
} from '../src/index.js';

const backend = createBackend();

afterAll(() => {
  // Every job below, finished, failed or aborted, disposed its session.
  expect(backend.openSessions()).toBe(0);
});

const rnd = random(11);
const weight = (name: string, dims: number[], scale = 1) =>
  tensorFromArray(
    name,
    DataType.FLOAT,
    dims,
    Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rnd() * scale),
  );

/**
 * x -> Conv 3x3 -> Relu -> Conv 1x1 -> + (Constant k x initializer h) -> + residual -> y, and
 * Shape(y) as a second, int64, output. `kh` is computed from constants alone; `z` is x x 0.
 */
function convModel(size: number): OnnxModel {
  return B.model(
    B.graph({
      nodes: [
        B.node('Conv', ['x', 'w1', 'b1'], ['c1'], { pads: [1, 1, 1, 1] }),
        B.node('Relu', ['c1'], ['r1']),
        B.node('Conv', ['r1', 'w2'], ['c2']),
        B.constant('k', B.floats('', [1], 0.5)),
        B.node('Mul', ['k', 'h'], ['kh']),
        B.node('Add', ['c2', 'kh'], ['s']),
        B.node('Mul', ['x', 'zero'], ['z']),
        B.node('Add', ['s', 'r1'], ['y0']),
        B.node('Add', ['y0', 'z'], ['y']),
        B.node('Shape', ['y'], ['shape']),
      ],
      inputs: [B.value('x', [1, 3, size, size])],
      outputs: [B.value('y', [1, 3, size, size]), B.value('shape', [4], DataType.INT64)],
      initializers: [
        weight('w1', [3, 3, 3, 3]),
        weight('b1', [3], 0.2),
        weight('w2', [3, 3, 1, 1]),
        weight('h', [1, 3, 1, 1]),
        B.floats('zero', [1], 0),
      ],
    }),
  );
}

const FLOAT_TENSORS = ['x', 'c1', 'r1', 'c2', 's', 'z', 'y0', 'y'];

/** `n` feeds of uniform noise in [-2, 2), a fresh generator each call. */
function* noise(n: number, size: number, seed: number): Generator<TensorMap> {
  const r = random(seed);
  for (let k = 0; k < n; k++) {
    const data = Float32Array.from({ length: 3 * size * size }, () => r() * 4);
    yield { x: new Tensor('float32', [1, 3, size, size], data) };
  }
}

async function* asyncNoise(n: number, size: number, seed: number): AsyncGenerator<TensorMap> {
  for (const feed of noise(n, size, seed)) {
    await new Promise((resolve) => setImmediate(resolve));
    yield feed;
  }
}

/** Runs the model with `tensors` exposed, feed by feed: the direct computation to compare with. */
async function extremes(
  model: OnnxModel,
  feeds: Iterable<TensorMap>,
  tensors: string[],
): Promise<Map<string, { min: number; max: number; count: number }>> {
  const produced = tensors.filter((t) => t !== 'x');
  const session = await backend.load({
    format: 'onnx',
    name: 'exposed',
    bytes: writeModel(exposeTensors(model, produced).model),
  });
  const out = new Map(tensors.map((t) => [t, { min: Infinity, max: -Infinity, count: 0 }]));
  try {
    for (const feed of feeds) {
      const result = await session.run(feed);
      for (const t of tensors) {
        const v = (t === 'x' ? feed.x! : result[t]!).toFloat32();
        const e = out.get(t)!;
        for (const a of v) {
          e.min = Math.min(e.min, a);
          e.max = Math.max(e.max, a);
        }
        e.count += v.length;
      }
    }
  } finally {
    await session.dispose();
  }
  return out;
}

function tensorMinimumsOf(stats: ActivationStatistics): Record<string, number> {
  return Object.fromEntries([...stats.tensors].map(([n, t]) => [n, t.min]));
}

function histogramBytes(stats: ActivationStatistics): number {
  let bytes = 0;
  for (const s of stats.tensors.values()) bytes += s.histogram.counts.byteLength;
  return bytes;
}

describe('calibrationTensors', () => {
  it('lists float graph inputs and float node outputs in graph order; constants, their folds and int tensors are left out', () => {
    expect(calibrationTensors(convModel(8))).toEqual(FLOAT_TENSORS);
  });

  it('leaves out a graph input that is not float', () => {
    const model = B.model(
      B.graph({
        nodes: [B.node('Gather', ['x', 'i'], ['g']), B.node('Relu', ['g'], ['y'])],
        inputs: [B.value('x', [4, 2]), B.value('i', [3], DataType.INT64)],
        outputs: [B.value('y', [3, 2])],
      }),
    );
    expect(calibrationTensors(model)).toEqual(['x', 'g', 'y']);
  });
});

describe('quantizationTensors', () => {
  it('PaddleOCR classifier: the tensors the QDQ rewrite pairs, fewer than every float tensor, and calibrating only them gives the same INT8 model', async () => {
    const model = readModelFile(OCR_MODELS.cls);
    const all = calibrationTensors(model);
    const needed = quantizationTensors(model);
    expect(needed.length).toBeLessThan(all.length);
    // In graph order, a subset; hard-swish parts (x + 3, its Clip) are not read.
    expect(all.filter((t) => needed.includes(t))).toEqual(needed);
    const producers = new Map(model.graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n.opType] as const)));
    expect(needed.some((t) => producers.get(t) === 'Clip')).toBe(false);
    const feeds = Array.from({ length: 3 }, (_, k) => ({
      x: new Tensor('float32', [1, 3, 48, 192], Float32Array.from({ length: 3 * 48 * 192 }, random(k + 1))),
    }));
    const full = await collectStatistics(model, feeds, { backend, tensors: all });
    const part = await collectStatistics(model, feeds, { backend });
    expect([...part.tensors.keys()]).toEqual(needed);
    // The same ranges (onnxruntime fuses more when fewer tensors are outputs, so the values may
    // differ in the last bits: within two histogram bins) ...
    const [rPart, rFull] = [computeRanges(part, 'percentile'), computeRanges(full, 'percentile')];
    for (const t of needed) {
      expect(Math.abs(rPart[t]! - rFull[t]!), t).toBeLessThanOrEqual(
        2 * full.tensors.get(t)!.histogram.binWidth,
      );
      expect(part.tensors.get(t)!.min, t).toBeCloseTo(full.tensors.get(t)!.min, 4);
    }
    // ... so the same INT8 model, node for node.
    const quantize = (stats: ActivationStatistics) =>
      quantizeQdq(model, computeRanges(stats, 'percentile'), {
        activationType: 'uint8',
        minimums: tensorMinimumsOf(stats),
      });
    const [qPart, qFull] = [quantize(part), quantize(full)];
    expect(qPart.quantized).toEqual(qFull.quantized);
    expect(qPart.model.graph.nodes.map((n) => n.name)).toEqual(qFull.model.graph.nodes.map((n) => n.name));
  });
});

describe('collectStatistics on a small conv model', () => {
  const size = 8;
  const model = convModel(size);
  const numel = 3 * size * size;

  it('gives the extremes of a direct run, over an array and over an async generator alike', async () => {
    const feeds = [...noise(6, size, 1)];
    const direct = await extremes(model, feeds, FLOAT_TENSORS);
    const fromArray = await collectStatistics(model, feeds, { backend });
    const fromGenerator = await collectStatistics(model, asyncNoise(6, size, 1), { backend, threads: 1 });
    for (const stats of [fromArray, fromGenerator]) {
      expect(stats.samples).toBe(6);
      expect([...stats.tensors.keys()]).toEqual(FLOAT_TENSORS);
      for (const t of FLOAT_TENSORS) {
        const s = stats.tensors.get(t)!;
        const d = direct.get(t)!;
        // + 0: the direct loop's Math.min keeps -0 (x x 0), the statistics compare with <.
        expect([s.min + 0, s.max + 0], t).toEqual([d.min + 0, d.max + 0]);
        expect(s.histogram.total, t).toBe(d.count);
        expect(s.nonFinite, t).toBe(0);
      }
    }
    // Same feeds in the same order: the histograms match bin for bin.
    for (const t of FLOAT_TENSORS) {
      const a = fromArray.tensors.get(t)!.histogram;
      const b = fromGenerator.tensors.get(t)!.histogram;
      expect(b.binWidth).toBe(a.binWidth);
      expect(Array.from(b.counts)).toEqual(Array.from(a.counts));
    }
    // The ReLU output is never negative and reaches the Conv's maximum.
    expect(fromArray.tensors.get('r1')!.min).toBe(0);
    expect(fromArray.tensors.get('r1')!.max).toBe(fromArray.tensors.get('c1')!.max);
  });

  it('collects only the tensors asked for', async () => {
    const stats = await collectStatistics(model, noise(2, size, 2), { backend, tensors: ['r1', 'x'] });
    expect([...stats.tensors.keys()]).toEqual(['r1', 'x']);
    expect(stats.tensors.get('x')!.histogram.total).toBe(2 * numel);
  });

  it('calls onProgress once per feed with done and total', async () => {
    const seen: Progress[] = [];
    await collectStatistics(model, [...noise(5, size, 3)], { backend, onProgress: (p) => seen.push(p) });
    expect(seen.map((p) => [p.done, p.total])).toEqual([1, 2, 3, 4, 5].map((d) => [d, 5]));
    for (let k = 1; k < seen.length; k++)
      expect(seen[k]!.elapsedMs).toBeGreaterThanOrEqual(seen[k - 1]!.elapsedMs);

    // A generator has no length: total is unknown unless given.
    const unknown: Progress[] = [];
    await collectStatistics(model, noise(3, size, 3), { backend, onProgress: (p) => unknown.push(p) });
    expect(unknown.map((p) => [p.done, p.total])).toEqual([
      [1, undefined],
      [2, undefined],
      [3, undefined],
    ]);
    const given: Progress[] = [];
    await collectStatistics(model, asyncNoise(2, size, 3), {
      backend,
      total: 2,
      onProgress: (p) => given.push(p),
    });
    expect(given.map((p) => p.total)).toEqual([2, 2]);
  });

  it('EXPECTED FAILURE - a signal aborted before the start: AbortedError, nothing loaded or read', async () => {
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    controller.abort(reason);
    let pulled = 0;
    function* counted() {
      for (const feed of noise(3, size, 4)) {
        pulled++;
        yield feed;
      }
    }
    const error = await collectStatistics(model, counted(), { backend, signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).message).toBe('calibration was aborted after 0 feeds');
    expect((error as AbortedError).cause).toBe(reason);
    expect(pulled).toBe(0);
    expect(backend.openSessions()).toBe(0);
  });

  it('EXPECTED FAILURE - a signal aborted mid-way: AbortedError after that feed, session disposed, generator closed', async () => {
    const controller = new AbortController();
    let pulled = 0;
    let closed = false;
    async function* counted() {
      try {
        for await (const feed of asyncNoise(10, size, 5)) {
          pulled++;
          yield feed;
        }
      } finally {
        closed = true;
      }
    }
    const run = collectStatistics(model, counted(), {
      backend,
      signal: controller.signal,
      onProgress: (p) => {
        expect(backend.openSessions()).toBe(1);
        if (p.done === 3) controller.abort();
      },
    });
    await expect(run).rejects.toThrow(AbortedError);
    await expect(run).rejects.toThrow('calibration was aborted after 3 feeds');
    // The fourth feed was read, then the check before running it stopped the job.
    expect(pulled).toBe(4);
    expect(closed).toBe(true);
    expect(backend.openSessions()).toBe(0);
  });

  it('computeRanges gives computeRange of each tensor, for every method, with the parameters passed on', async () => {
    // 512 bins keep the entropy search short; the methods read the histogram the same way.
    const stats = await collectStatistics(model, noise(4, size, 6), { backend, histogram: { bins: 512 } });
    for (const method of RANGE_METHODS) {
      for (const params of [{}, { percentile: 90, stride: 4 }]) {
        const ranges = computeRanges(stats, method, params);
        expect(Object.keys(ranges)).toEqual(FLOAT_TENSORS);
        for (const [name, s] of stats.tensors)
          expect(ranges[name], `${method} ${name}`).toBe(computeRange(s, method, params));
      }
    }
    const c1 = RANGE_METHODS.map((m) => computeRanges(stats, m).c1!);
    // The methods disagree on a spread-out activation, so a mix-up would show.
    expect(new Set(c1).size).toBe(RANGE_METHODS.length);
    expect(computeRanges(stats, 'minmax').c1).toBe(minMaxRange(stats.tensors.get('c1')!));
    expect(computeRanges(stats, 'percentile', { percentile: 90 }).c1).toBeLessThan(
      computeRanges(stats, 'percentile').c1!,
    );
  });

  it('a tensor that is always zero gets range 0 by every method, without throwing', async () => {
    const stats = await collectStatistics(model, noise(3, size, 7), { backend, histogram: { bins: 512 } });
    const z = stats.tensors.get('z')!;
    expect(z.histogram.binWidth).toBe(0);
    expect(Array.from(z.histogram.counts)).toEqual([3 * numel]);
    for (const method of RANGE_METHODS) {
      expect(computeRanges(stats, method).z, method).toBe(0);
      expect(computeRange(z, method), method).toBe(0);
    }
  });

  it('BAD CALL - a tensor the model lacks: ArgumentError naming it, session disposed', async () => {
    const run = collectStatistics(model, noise(2, size, 8), { backend, tensors: ['y', 'nope'] });
    await expect(run).rejects.toThrow(ArgumentError);
    await expect(run).rejects.toThrow("tensor 'nope' is neither a graph input nor produced by a node");
    expect(backend.openSessions()).toBe(0);
  });

  it('BAD CALL - an int64 tensor: ArgumentError naming it and its type', async () => {
    const run = collectStatistics(model, noise(1, size, 8), { backend, tensors: ['shape'] });
    await expect(run).rejects.toThrow(ArgumentError);
    await expect(run).rejects.toThrow("tensor 'shape' is int64; only float tensors are calibrated");
    expect(backend.openSessions()).toBe(0);
  });

  it('BAD CALL - threads 0', async () => {
    const run = collectStatistics(model, noise(1, size, 8), { backend, threads: 0 });
    await expect(run).rejects.toThrow(ArgumentError);
    await expect(run).rejects.toThrow(
      'Expected positive integer for options.threads but received 0 of type number',
    );
  });

  it('EXPECTED FAILURE - a feed of the wrong shape: FeedError from the backend, session disposed', async () => {
    const feeds = [
      { x: new Tensor('float32', [1, 3, size, size + 1], new Float32Array(3 * size * (size + 1))) },
    ];
    await expect(collectStatistics(model, feeds, { backend })).rejects.toThrow(FeedError);
    expect(backend.openSessions()).toBe(0);
  });
});

describe('memory does not grow with the number of feeds', () => {
  it('histogram sizes follow the range alone: 10 and 200 feeds', async () => {
    const model = convModel(8);
    const few = await collectStatistics(model, noise(10, 8, 9), { backend });
    const many = await collectStatistics(model, noise(200, 8, 9), { backend });
    for (const stats of [few, many]) {
      for (const [name, s] of stats.tensors) {
        const h = s.histogram;
        if (h.binWidth === 0) {
          expect(h.length, name).toBe(1);
          continue;
        }
        // Bins beyond the first batch's 2048 only where a later value went past that range.
        expect(h.length, name).toBe(Math.max(h.initialBins, Math.ceil(minMaxRange(s) / h.binWidth)));
        expect(h.total, name).toBe(stats.samples * 3 * 8 * 8);
      }
    }
    // Twenty times the feeds: the same order of size (ranges widen a little), far from 20x.
    expect(histogramBytes(many)).toBeGreaterThanOrEqual(histogramBytes(few));
    expect(histogramBytes(many)).toBeLessThan(2 * histogramBytes(few));
  });

  it('the heap after GC grows by far less than the outputs of 200 feeds would take', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const used = () => {
      gc();
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const size = 48;
    const model = convModel(size);
    // Each feed is 27 KB, and its run returns 8 more float32 tensors of that size.
    await collectStatistics(model, noise(10, size, 10), { backend });
    const before = used();
    const stats = await collectStatistics(model, noise(200, size, 10), { backend });
    const growth = used() - before;
    expect(stats.samples).toBe(200);
    // Keeping the 200 feeds alone would take 5.5 MB, their outputs 44 MB more; measured here: 0.1 MB.
    expect(growth).toBeLessThan(2 * 1024 * 1024);
    expect(histogramBytes(stats)).toBeLessThan(1024 * 1024);
  });
});
