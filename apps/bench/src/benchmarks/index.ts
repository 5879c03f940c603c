// The benchmarks `pnpm bench` knows. To add one: write src/benchmarks/<name>.ts exporting a
// `Benchmark`, and list it here.

import type { Benchmark } from '../harness/types.js';
import { parseBenchmark } from './parse.js';

/** Every registered benchmark, in the order `--help` lists them. */
export const BENCHMARKS: readonly Benchmark[] = [parseBenchmark];
