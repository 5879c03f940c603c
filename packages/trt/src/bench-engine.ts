// A quick measurement of a loaded engine in the bench record format: inputs of the profile's opt
// shape (or the fixed shape) filled with a fixed pattern, warm-up runs, then timed runs on one
// execution context, end to end as a caller sees them (copies in and out included).

import {
  AbortedError,
  BENCH_RECORD_SCHEMA_VERSION,
  type BenchRecord,
  checkPositiveInteger,
  type LatencyStats,
  Tensor,
  type TensorMap,
} from '@edge/core';
import type { TrtEngine } from './engine.js';

/** Options of {@link benchEngine}. */
export interface BenchEngineOptions {
  /** Timed runs; default 50. */
  readonly runs?: number;
  /** Untimed runs first; default 5. */
  readonly warmup?: number;
  readonly signal?: AbortSignal;
}

function stats(samples: number[]): LatencyStats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil((q / 100) * s.length) - 1)]!;
  const mid = s.length >> 1;
  return {
    min: s[0]!,
    max: s[s.length - 1]!,
    mean: s.reduce((a, b) => a + b, 0) / s.length,
    median: s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2,
    percentiles: { '90': at(90), '95': at(95), '99': at(99) },
  };
}

/** Feeds of the engine's opt shapes, filled with a repeating ramp (not zeros: no shortcut). */
export function patternFeeds(engine: TrtEngine): TensorMap {
  const feeds: TensorMap = {};
  for (const info of engine.inputs) {
    const shape = engine.ranges.get(info.name)?.opt ?? info.shape.map((d) => (typeof d === 'number' ? d : 1));
    const n = shape.reduce((a, b) => a * b, 1);
    const t = Tensor.zeros(info.dtype, shape);
    const data = t.data as { [i: number]: number | bigint; length: number };
    const big = info.dtype === 'int64';
    for (let i = 0; i < n; i++)
      data[i] = big ? BigInt(i % 7) : info.dtype === 'float16' ? 0x3c00 : (i % 251) / 251;
    feeds[info.name] = t;
  }
  return feeds;
}

/**
 * Times `runs` inferences of `engine` on one execution context and returns a {@link BenchRecord}
 * (producer `@edge/trt`).
 *
 * @throws {@link ArgumentError} when runs or warmup are not positive integers.
 * @throws {@link AbortedError} when `signal` aborts between runs.
 * @throws {@link InferenceError} when TensorRT fails.
 */
export async function benchEngine(engine: TrtEngine, options: BenchEngineOptions = {}): Promise<BenchRecord> {
  const runs = checkPositiveInteger('options.runs', options.runs ?? 50);
  const warmup = options.warmup === 0 ? 0 : checkPositiveInteger('options.warmup', options.warmup ?? 5);
  const feeds = patternFeeds(engine);
  const context = engine.createContext();
  const samples: number[] = [];
  const started = performance.now();
  let warmupMs = 0;
  try {
    for (let i = 0; i < warmup + runs; i++) {
      if (options.signal?.aborted)
        throw new AbortedError('the benchmark was cancelled', { cause: options.signal.reason });
      const t0 = performance.now();
      await context.run(feeds);
      const ms = performance.now() - t0;
      if (i < warmup) warmupMs += ms;
      else samples.push(ms);
    }
  } finally {
    await context.dispose();
  }
  const h = engine.header;
  const latency = stats(samples);
  const total = (performance.now() - started - warmupMs) / 1000;
  return {
    schemaVersion: BENCH_RECORD_SCHEMA_VERSION,
    producer: '@edge/trt',
    machine: { gpu: h.gpu.name, computeCapability: h.gpu.computeCapability, tensorrt: h.tensorrt },
    config: {
      model: h.model.name,
      engine: engine.source,
      backend: 'tensorrt',
      precision: h.build.precision,
      shapes: Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, t.shape])),
      device: engine.device,
      streams: 1,
    },
    throughputQps: runs / total,
    latency,
    stages: {},
    queries: runs,
    warmupMs,
    durationS: total,
    warnings: [],
  };
}
