// The benchmarks `pnpm bench` knows. To add one: write src/benchmarks/<name>.ts exporting a
// `Benchmark`, and list it here.

import type { Benchmark } from '../harness/types.js';
import { parseBenchmark } from './parse.js';
import { peakRssBenchmark } from './peak-rss.js';
import { preprocessBenchmark } from './preprocess.js';
import { quantizeBenchmark } from './quantize.js';
import { runtimeBatchingBenchmark } from './runtime-batching.js';
import { runtimeOverheadBenchmark } from './runtime-overhead.js';
import { runtimeSoakBenchmark } from './runtime-soak.js';
import { tfliteReadBenchmark } from './tflite-read.js';

/** Every registered benchmark, in the order `--help` lists them. */
export const BENCHMARKS: readonly Benchmark[] = [
  parseBenchmark,
  preprocessBenchmark,
  runtimeOverheadBenchmark,
  runtimeBatchingBenchmark,
  runtimeSoakBenchmark,
  quantizeBenchmark,
  tfliteReadBenchmark,
  peakRssBenchmark,
];
