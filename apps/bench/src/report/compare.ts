// A run against a previous one: each configuration measured in both, by median and 99th
// percentile latency and by throughput, with a better/worse verdict that ignores differences
// within the runs' own noise, and regressions past a threshold counted (for CI).

import type { BenchRecord } from '@edge/core';
import { configKey, recordLabel } from './bench-report.js';

/** What a change is: better, worse, or within the noise of the two runs. */
export type Verdict = 'better' | 'worse' | 'same';

/** One figure of one configuration in both runs. */
export interface ComparisonRow {
  /** The configuration, as {@link recordLabel} names it. */
  readonly label: string;
  readonly metric: 'median latency' | 'p99 latency' | 'throughput';
  /** `ms`, or `samples/s` for throughput. */
  readonly unit: 'ms' | 'samples/s';
  readonly previous: number;
  readonly current: number;
  /** `(current - previous) / previous` in percent. */
  readonly changePct: number;
  readonly verdict: Verdict;
  /** Worse by more than the threshold. */
  readonly regression: boolean;
  /** Either run's coefficient of variation is over the run's limit: the verdict is weak. */
  readonly noisy: boolean;
}

/** The comparison of a run with a previous one. */
export interface Comparison {
  /** Where the previous figures came from (a file name). */
  readonly previous: string;
  /** `--fail-on-regression`: worse by more than this many percent is a regression. */
  readonly thresholdPct?: number;
  readonly rows: readonly ComparisonRow[];
  /** Configurations measured in only one of the runs. */
  readonly onlyCurrent: readonly string[];
  readonly onlyPrevious: readonly string[];
  /** Rows that are regressions. */
  readonly regressions: number;
}

/** Options of {@link compareRecords}. */
export interface CompareOptions {
  /** Names the previous run in the report. */
  readonly previousLabel: string;
  /** Worse by more than this percentage counts as a regression. */
  readonly thresholdPct?: number;
  /** Coefficient of variation above which a row is marked noisy; default 0.1. */
  readonly maxCv?: number;
}

interface Metric {
  readonly name: ComparisonRow['metric'];
  readonly unit: ComparisonRow['unit'];
  readonly higherIsBetter: boolean;
  value(r: BenchRecord): number | undefined;
}

const METRICS: readonly Metric[] = [
  { name: 'median latency', unit: 'ms', higherIsBetter: false, value: (r) => r.latency?.median },
  { name: 'p99 latency', unit: 'ms', higherIsBetter: false, value: (r) => r.latency?.percentiles['99'] },
  {
    name: 'throughput',
    unit: 'samples/s',
    higherIsBetter: true,
    value: (r) => r.samplesPerS ?? r.throughputQps,
  },
];

// Relative standard error of a median, in percent: about 1.25 sigma / sqrt(n).
function standardErrorPct(r: BenchRecord): number {
  const cv = r.latency?.cv;
  const n = r.queries;
  return cv === undefined || n === undefined || n === 0 ? 0 : (125 * cv) / Math.sqrt(n);
}

/**
 * Pairs the records of two runs by configuration ({@link configKey}) and compares each figure
 * both have. A change within two standard errors of the two runs is `same`; otherwise it is
 * better or worse, and worse by more than `thresholdPct` is a regression.
 */
export function compareRecords(
  current: readonly BenchRecord[],
  previous: readonly BenchRecord[],
  options: CompareOptions,
): Comparison {
  const maxCv = options.maxCv ?? 0.1;
  const before = new Map(previous.map((r) => [configKey(r), r]));
  const now = new Set(current.map(configKey));
  const rows: ComparisonRow[] = [];
  const onlyCurrent: string[] = [];
  for (const cur of current) {
    const prev = before.get(configKey(cur));
    if (prev === undefined) {
      onlyCurrent.push(recordLabel(cur));
      continue;
    }
    const band = 2 * Math.hypot(standardErrorPct(cur), standardErrorPct(prev));
    const noisy = (cur.latency?.cv ?? 0) > maxCv || (prev.latency?.cv ?? 0) > maxCv;
    for (const m of METRICS) {
      const a = m.value(prev);
      const b = m.value(cur);
      if (a === undefined || b === undefined || !(a > 0)) continue;
      const changePct = ((b - a) / a) * 100;
      const gain = m.higherIsBetter ? changePct : -changePct;
      const verdict: Verdict = Math.abs(changePct) <= band ? 'same' : gain > 0 ? 'better' : 'worse';
      const regression =
        verdict === 'worse' && options.thresholdPct !== undefined && -gain > options.thresholdPct;
      rows.push({
        label: recordLabel(cur),
        metric: m.name,
        unit: m.unit,
        previous: a,
        current: b,
        changePct,
        verdict,
        regression,
        noisy,
      });
    }
  }
  return {
    previous: options.previousLabel,
    ...(options.thresholdPct === undefined ? {} : { thresholdPct: options.thresholdPct }),
    rows,
    onlyCurrent,
    onlyPrevious: previous.filter((r) => !now.has(configKey(r))).map(recordLabel),
    regressions: rows.filter((r) => r.regression).length,
  };
}
