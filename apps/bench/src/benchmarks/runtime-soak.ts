// `runtime-soak`: 10,000 inferences of the PaddleOCR classifier through loadModel, on two models
// at once (batching off and on), eight requests in flight, with extra requests cancelled through
// their AbortSignal to exercise that path too. Resident memory is taken after a warmup and at the
// end, each once garbage and native finalizers have settled; then both models are disposed and
// every native session must be closed. A second phase loads and disposes the model repeatedly,
// against the same churn on bare onnxruntime-node, since session create/release is where native
// memory is most likely to stay behind.

import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sessionCounts } from '@edge/backends-onnxruntime';
import { AbortedError, Tensor } from '@edge/core';
import { loadModel, type Model } from '@edge/runtime';
import { ratio } from '../harness/ratio.js';
import type { Baseline, BenchContext, Benchmark, BenchResult, Figure } from '../harness/types.js';
import { noise, ppocrModelPath } from '../models/ppocr.js';

const TARGETS = {
  rssGrowth: { op: '<', value: 5 },
  openSessions: { op: '<=', value: 0 },
} as const;
const CONCURRENT = 8;
/** After every this many requests, one extra request is sent and aborted at once. */
const ABORT_EVERY = 97;
const SAMPLES = 10;
const CHURN_CYCLES = 20;
const CHURN_RUNS = 10;
const SHAPE = [1, 3, 48, 192];
const GROUP = 'ppocr-cls-soak';

/**
 * A full collection that also lets native finalizers run: onnxruntime output buffers are freed
 * by weak callbacks after a GC, so one `gc()` right after a burst still counts them.
 */
function settler(): () => Promise<void> {
  // The bench runs without --expose-gc; this makes `gc` reachable for this process only.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return async () => {
    for (let i = 0; i < 4; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
}

async function run(ctx: BenchContext): Promise<BenchResult> {
  const path = ppocrModelPath('cls');
  const settle = settler();
  const total = ctx.repetitions.runs;
  const warmup = ctx.repetitions.warmup;
  const size = SHAPE.reduce((a, b) => a * b, 1);
  const pool = Array.from(
    { length: CONCURRENT },
    (_, i) => new Tensor('float32', SHAPE, noise(size, 50 + i)),
  );
  const ortOptions = { executionProviders: ['cpu'], intraOpNumThreads: 2 };
  const backendOptions = { onnxruntime: ortOptions };
  const counts0 = sessionCounts();
  let inferences = 0;
  let aborted = 0;
  let sent = 0;

  async function requests(models: readonly Model[], count: number): Promise<void> {
    for (let done = 0; done < count; done += CONCURRENT) {
      const wave: Promise<unknown>[] = [];
      for (let i = 0; i < Math.min(CONCURRENT, count - done); i++) {
        const model = models[(done / CONCURRENT + i) % models.length]!;
        wave.push(model.run(pool[i]!).then(() => inferences++));
        if (++sent % ABORT_EVERY === 0) {
          // An extra request, cancelled right after it is sent: it must leave no listener,
          // timer or queue entry behind.
          const controller = new AbortController();
          wave.push(
            model.run(pool[i]!, { signal: controller.signal }).then(
              () => inferences++,
              (e: unknown) => {
                if (!(e instanceof AbortedError)) throw e;
                aborted++;
              },
            ),
          );
          controller.abort();
        }
      }
      await Promise.all(wave);
    }
  }

  ctx.progress('loading the classifier twice: batching off and on');
  const models = [
    await loadModel(path, { backends: ['onnxruntime'], backendOptions }),
    await loadModel(path, { backends: ['onnxruntime'], backendOptions, batching: true }),
  ];
  let start: NodeJS.MemoryUsage;
  let end: NodeJS.MemoryUsage;
  const trend: number[] = [];
  let seconds: number;
  let measured: number;
  try {
    ctx.progress(`warmup: ${warmup} inferences`);
    await requests(models, warmup);
    await settle();
    start = process.memoryUsage();
    const before = inferences;
    const t0 = performance.now();
    const step = Math.ceil(total / SAMPLES);
    for (let done = 0; done < total; done += step) {
      ctx.signal.throwIfAborted();
      ctx.progress(`inferences ${done}..${Math.min(total, done + step)} of ${total}`);
      await requests(models, Math.min(step, total - done));
      await settle();
      trend.push(process.memoryUsage().rss);
    }
    seconds = (performance.now() - t0) / 1000;
    measured = inferences - before;
    end = process.memoryUsage();
  } finally {
    for (const m of models) await m.dispose();
  }
  const afterSoak = sessionCounts();

  ctx.progress(
    `churn: ${CHURN_CYCLES} x (load, ${CHURN_RUNS} runs, dispose), then the same on bare onnxruntime-node`,
  );
  const churn = async (cycle: () => Promise<void>): Promise<number> => {
    await cycle();
    await settle();
    const rss0 = process.memoryUsage().rss;
    for (let c = 0; c < CHURN_CYCLES; c++) {
      ctx.signal.throwIfAborted();
      await cycle();
    }
    await settle();
    return process.memoryUsage().rss - rss0;
  };
  const ours = await churn(async () => {
    const model = await loadModel(path, { backends: ['onnxruntime'], backendOptions });
    try {
      for (let i = 0; i < CHURN_RUNS; i++) await model.run(pool[i % CONCURRENT]!);
    } finally {
      await model.dispose();
    }
  });
  const require = createRequire(import.meta.url);
  const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
  const bare = await churn(async () => {
    const session = await ort.InferenceSession.create(path, ortOptions);
    try {
      for (let i = 0; i < CHURN_RUNS; i++) {
        await session.run({
          x: new ort.Tensor('float32', pool[i % CONCURRENT]!.data as Float32Array, SHAPE),
        });
      }
    } finally {
      await session.release();
    }
  });
  const counts = sessionCounts();

  const bytes = (name: string, value: number, detail: string): Figure => ({
    name,
    value,
    unit: 'bytes',
    group: GROUP,
    detail,
  });
  const rssStart = bytes('RSS at start', start.rss, 'after the warmup, garbage and finalizers settled');
  const growth = bytes('RSS growth', end.rss - start.rss, 'RSS at the end minus at start, both settled');
  const opened = counts.opened - counts0.opened;
  const sessionsOpened: Figure = {
    name: 'native sessions opened',
    value: opened,
    unit: 'count',
    group: GROUP,
  };
  const sessionsOpen: Figure = {
    name: 'native sessions still open',
    value: counts.opened - counts.closed,
    unit: 'count',
    group: GROUP,
    detail: 'sessionCounts() of @edge/backends-onnxruntime after every dispose: opened - closed',
  };
  const churnOurs = bytes(
    `RSS growth over ${CHURN_CYCLES} load/run/dispose cycles (loadModel)`,
    ours,
    `each cycle: loadModel, ${CHURN_RUNS} runs, dispose`,
  );
  const churnBare: Baseline = {
    ...bytes(
      `RSS growth over ${CHURN_CYCLES} create/run/release cycles (bare onnxruntime-node)`,
      bare,
      `each cycle: InferenceSession.create, ${CHURN_RUNS} runs, release`,
    ),
    source: `onnxruntime-node ${ort.env.versions.node ?? ''}`.trim(),
  };
  return {
    groups: [
      {
        name: GROUP,
        description: `PaddleOCR classifier [${SHAPE.join(',')}] on two models (batching off and on), ${CONCURRENT} requests in flight, cpu, 2 intra-op threads (${path})`,
      },
    ],
    figures: [
      { name: 'inferences', value: measured, unit: 'count', group: GROUP },
      { name: 'extra requests aborted on purpose', value: aborted, unit: 'count', group: GROUP },
      {
        name: 'time per inference',
        value: (seconds * 1000) / Math.max(1, measured),
        unit: 'ms',
        group: GROUP,
        detail: 'wall time of the measured inferences (settling included) over their count',
      },
      rssStart,
      bytes('RSS at end', end.rss, 'after the last inference, garbage and finalizers settled'),
      growth,
      bytes(
        'JS heap growth',
        end.heapUsed - start.heapUsed,
        'heapUsed at the end minus at start, both settled',
      ),
      bytes(
        'ArrayBuffer growth',
        end.arrayBuffers - start.arrayBuffers,
        'arrayBuffers at the end minus at start',
      ),
      sessionsOpened,
      sessionsOpen,
      churnOurs,
    ],
    baselines: [churnBare],
    ratios: [
      ratio('RSS growth / RSS at start', growth, rssStart, { unit: '%', target: TARGETS.rssGrowth }),
      ratio('native sessions still open / opened', sessionsOpen, sessionsOpened, {
        unit: '%',
        target: TARGETS.openSessions,
      }),
    ],
    notes: [
      `RSS after each ${Math.ceil(total / SAMPLES)} inferences (MB): ${trend.map((b) => (b / 1e6).toFixed(1)).join(', ')}`,
      `every ${ABORT_EVERY}th request is followed by an extra one aborted right after it is sent`,
      `sessions closed right after the soak (before the churn): ${afterSoak.closed - counts0.closed} of ${afterSoak.opened - counts0.opened}`,
      'churn growth is reported beside the same churn on bare onnxruntime-node: create/release of native sessions leaves some allocator growth in both',
    ],
    details: { rssTrend: trend, start, end, sessionCounts: counts, churnBytes: { ours, bare } },
  };
}

/** The `runtime-soak` benchmark (see the file header). */
export const runtimeSoakBenchmark: Benchmark = {
  name: 'runtime-soak',
  description: '10,000 inferences through loadModel: RSS growth under 5%, every native session disposed',
  acceptsModel: false,
  repetitions: { warmup: 1000, runs: 10_000 },
  run,
};
