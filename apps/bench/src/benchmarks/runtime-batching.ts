// `runtime-batching`: 64 concurrent single-image requests to the PaddleOCR detector, with dynamic
// batching off and on (a few maximum batch sizes), each mode on its own model of the same options,
// timed round-robin. A wave is the 64 requests sent at once and awaited together; throughput is
// 64 images over the wave's time. Every wave's outputs are checked against the unbatched ones.

import { Tensor } from '@edge/core';
import { loadModel, type Model } from '@edge/runtime';
import { timeEachAsync } from '../harness/async-timing.js';
import { ratio } from '../harness/ratio.js';
import { timingFigure } from '../harness/timing.js';
import type { Baseline, BenchContext, Benchmark, BenchResult, Figure, Ratio } from '../harness/types.js';
import { noise, ppocrModelPath } from '../models/ppocr.js';

const REQUESTS = 64;
const SIZE = 320;
const SHAPE = [1, 3, SIZE, SIZE];
const MAX_BATCHES = [4, 8, 16] as const;
const GROUP = `ppocr-det-${SIZE}`;

async function wave(model: Model, inputs: readonly Tensor[]): Promise<Tensor[]> {
  const results = await Promise.all(inputs.map((x) => model.run({ x })));
  return results.map((r) => Object.values(r)[0]!);
}

function maxAbsDiff(a: readonly Tensor[], b: readonly Tensor[]): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!.data as Float32Array;
    const y = b[i]!.data as Float32Array;
    if (x.length !== y.length) return Number.POSITIVE_INFINITY;
    for (let j = 0; j < x.length; j++) max = Math.max(max, Math.abs(x[j]! - y[j]!));
  }
  return max;
}

async function run(ctx: BenchContext): Promise<BenchResult> {
  const path = ppocrModelPath('det');
  const backendOptions = { onnxruntime: { executionProviders: ['cpu'], intraOpNumThreads: 2 } };
  const size = SHAPE.reduce((a, b) => a * b, 1);
  const inputs = Array.from(
    { length: REQUESTS },
    (_, i) => new Tensor('float32', SHAPE, noise(size, 1000 + i)),
  );

  ctx.progress(
    `loading the detector ${1 + MAX_BATCHES.length} times (batching off, maxBatch ${MAX_BATCHES.join(', ')})`,
  );
  const off = await loadModel(path, { backends: ['onnxruntime'], backendOptions });
  const on = new Map<number, Model>();
  try {
    for (const maxBatch of MAX_BATCHES) {
      on.set(
        maxBatch,
        await loadModel(path, { backends: ['onnxruntime'], backendOptions, batching: { maxBatch } }),
      );
    }
    ctx.progress('checking that batched requests get the outputs of unbatched ones');
    const reference = await wave(off, inputs);
    const diffs: Record<string, number> = {};
    for (const [maxBatch, model] of on)
      diffs[`maxBatch ${maxBatch}`] = maxAbsDiff(reference, await wave(model, inputs));

    const { warmup, runs } = ctx.repetitions;
    ctx.progress(`timing waves of ${REQUESTS} requests round-robin: ${warmup} warmup + ${runs} of each mode`);
    const fns: Record<string, () => Promise<unknown>> = { off: () => wave(off, inputs) };
    for (const [maxBatch, model] of on) fns[`on${maxBatch}`] = () => wave(model, inputs);
    const t = await timeEachAsync(fns, { warmup, runs, signal: ctx.signal });

    const offFigure: Baseline = {
      ...timingFigure(
        `batching off: ${REQUESTS} concurrent requests`,
        GROUP,
        t.off!,
        'one engine run per request',
      ),
      source: 'same runtime, batching off',
    };
    const figures: Figure[] = [
      {
        name: 'batching off: throughput (images/s)',
        value: (REQUESTS * 1000) / t.off!.median,
        unit: 'count',
        group: GROUP,
      },
    ];
    const ratios: Ratio[] = [];
    for (const [maxBatch, model] of on) {
      const timing = t[`on${maxBatch}`]!;
      const stats = model.stats();
      const f = timingFigure(
        `batching on, maxBatch ${maxBatch}: ${REQUESTS} concurrent requests`,
        GROUP,
        timing,
        `${(stats.rows / stats.runs).toFixed(1)} images per engine run on average`,
      );
      figures.push(f, {
        name: `batching on, maxBatch ${maxBatch}: throughput (images/s)`,
        value: (REQUESTS * 1000) / timing.median,
        unit: 'count',
        group: GROUP,
      });
      ratios.push(ratio(`throughput on (maxBatch ${maxBatch}) / off`, offFigure, f));
    }
    return {
      groups: [
        {
          name: GROUP,
          description: `PaddleOCR v4 text detector, ${REQUESTS} requests of [${SHAPE.join(',')}] float32 sent at once, cpu, 2 intra-op threads (${path})`,
        },
      ],
      figures,
      baselines: [offFigure],
      ratios,
      notes: [
        `largest |batched - unbatched| output difference per mode: ${Object.entries(diffs)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
        'each mode has its own model (same options); modes timed round-robin so drift falls on all; medians of wave times',
        'onnxruntime-node runs synchronously on the main thread, so batching can only gain from the engine itself (larger GEMMs, fewer calls), not from overlap',
      ],
      details: { diffs, stats: Object.fromEntries([...on].map(([k, m]) => [k, m.stats()])) },
    };
  } finally {
    await off.dispose();
    for (const model of on.values()) await model.dispose();
  }
}

/** The `runtime-batching` benchmark (see the file header). */
export const runtimeBatchingBenchmark: Benchmark = {
  name: 'runtime-batching',
  description: `throughput of ${REQUESTS} concurrent single-image requests to the PaddleOCR detector (${SIZE}x${SIZE}), dynamic batching on vs off`,
  acceptsModel: false,
  repetitions: { warmup: 1, runs: 5 },
  run,
};
