// Timed samples into BenchRecords: latency statistics, histogram, throughput, stage statistics,
// ratios against a baseline, and the warning when a figure is too noisy to compare.

import {
  BENCH_RECORD_SCHEMA_VERSION,
  type BenchConfig,
  type BenchMachine,
  type BenchRatio,
  type BenchRecord,
  type LatencyStats,
} from '@edge/core';
import { STAGES } from './pipeline.js';
import type { RunnerSamples } from './scenarios.js';
import { latencyHistogram, latencyStats } from './stats.js';

/** How the noise warning of a record starts. */
export const NOISY = 'latency is noisy';

/** What every record of one run shares. */
export interface RecordSource {
  readonly producer: string;
  readonly machine: BenchMachine;
  readonly warmupMs: number;
  /** Coefficient of variation above which a figure gets the noise warning. */
  readonly maxCv: number;
}

/** Timed queries as {@link record} counts them. */
export interface Timed {
  /** Per-query latency, the record's `latency`. */
  readonly latencies: readonly number[];
  /** Time the runner had the machine (throughput = count / busy); 0: throughput given in `extra`. */
  readonly busyMs: number;
  readonly count: number;
  readonly samplesPerQuery: number;
  /** Wall time of the timed part. */
  readonly wallMs: number;
  readonly interrupted: boolean;
}

/** Fields of a record beyond what {@link record} computes. */
export type RecordExtra = Partial<Omit<BenchRecord, 'schemaVersion' | 'producer' | 'machine' | 'config'>>;

/** The noise warning, when the coefficient of variation of `stats` is over `maxCv`. */
export function noiseWarning(stats: LatencyStats | undefined, maxCv: number): string[] {
  if (stats?.cv === undefined || stats.cv <= maxCv) return [];
  return [
    `${NOISY}: coefficient of variation ${(stats.cv * 100).toFixed(1)} % > ${(maxCv * 100).toFixed(0)} %, so differences of that size between runs are noise`,
  ];
}

/** A record of timed queries: latency statistics, histogram, throughput, the noise warning. */
export function record(
  source: RecordSource,
  config: BenchConfig,
  timed: Timed,
  extra: RecordExtra = {},
): BenchRecord {
  const latency = latencyStats(timed.latencies);
  const qps = timed.busyMs > 0 ? (timed.count * 1000) / timed.busyMs : undefined;
  const histogram = latencyHistogram(timed.latencies);
  return {
    schemaVersion: BENCH_RECORD_SCHEMA_VERSION,
    producer: source.producer,
    machine: source.machine,
    config,
    ...(qps === undefined ? {} : { throughputQps: qps, samplesPerS: qps * timed.samplesPerQuery }),
    ...(latency ? { latency } : {}),
    stages: {},
    queries: timed.latencies.length,
    warmupMs: source.warmupMs,
    durationS: timed.wallMs / 1000,
    ...(histogram ? { histogram } : {}),
    ...(timed.interrupted ? { interrupted: true } : {}),
    ...extra,
    warnings: [...noiseWarning(latency, source.maxCv), ...(extra.warnings ?? [])],
  };
}

/** Statistics of every stage that has samples, and of the whole query. */
export function stageStats(samples: Pick<RunnerSamples, 'stages' | 'latencies'>): BenchRecord['pipeline'] {
  const out: Record<string, LatencyStats> = {};
  for (const stage of STAGES) {
    const s = samples.stages[stage];
    const stats = s && latencyStats(s);
    if (stats) out[stage] = stats;
  }
  const total = latencyStats(samples.latencies);
  if (total) out.total = total;
  return out;
}

/** `value / of` as a ratio against `baseline`, or nothing when either is missing. */
export function ratio(
  name: string,
  value: number | undefined,
  of: number | undefined,
  baseline: string,
): BenchRatio[] {
  return value !== undefined && of !== undefined && of > 0 ? [{ name, value: value / of, baseline }] : [];
}
