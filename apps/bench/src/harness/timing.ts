// Wall-clock timing: warmup runs, then timed runs with process.hrtime.bigint; median and p90.

import type { Figure } from './types.js';

/** Summary of timed runs, in milliseconds. */
export interface Timing {
  median: number;
  p90: number;
  min: number;
  max: number;
  runs: number;
  /** Every timed run in the order it ran. */
  samples: number[];
}

/** Options of {@link time} and {@link timeEach}. */
export interface TimingOptions {
  /** Untimed runs first (JIT, page cache, allocator); default 2. */
  warmup?: number;
  /** Timed runs; default 10. */
  runs?: number;
  /**
   * Keep timing past `runs` until the timed runs add up to this many milliseconds (at most 10 000
   * runs): sub-millisecond operations need many runs for a stable median. Default 0.
   */
  minTotalMs?: number;
}

// Results of timed functions land here so the engine cannot drop the work as unused.
const sink: { value: unknown } = { value: undefined };

/** Median (mean of the two middle values for an even count), p90 (nearest rank), min and max. */
export function summarize(samples: readonly number[]): Timing {
  if (samples.length === 0)
    return { median: Number.NaN, p90: Number.NaN, min: Number.NaN, max: Number.NaN, runs: 0, samples: [] };
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const mid = n >> 1;
  const median = n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const p90 = sorted[Math.max(0, Math.ceil(0.9 * n) - 1)]!;
  return { median, p90, min: sorted[0]!, max: sorted[n - 1]!, runs: n, samples: [...samples] };
}

/** A timing as a report figure: its median in ms, with its p90 and run count. */
export function timingFigure(name: string, group: string, t: Timing, detail?: string): Figure {
  const f: Figure = { name, value: t.median, unit: 'ms', group, p90: t.p90, runs: t.runs };
  if (detail) f.detail = detail;
  return f;
}

function once(fn: () => unknown): number {
  const t0 = process.hrtime.bigint();
  sink.value = fn();
  const t1 = process.hrtime.bigint();
  return Number(t1 - t0) / 1e6;
}

/** Times `fn`: `warmup` untimed calls, then `runs` timed calls (more if `minTotalMs` asks). */
export function time(fn: () => unknown, options: TimingOptions = {}): Timing {
  return timeEach({ fn }, options).fn!;
}

/**
 * Times several functions round-robin (run i of each, in rotating order, then run i + 1), so that
 * drift in the machine's speed (thermal, other processes, GC of earlier garbage) falls on all of
 * them alike. Use it for two things whose ratio is reported.
 */
export function timeEach<K extends string>(
  fns: Record<K, () => unknown>,
  options: TimingOptions = {},
): Record<K, Timing> {
  const warmup = options.warmup ?? 2;
  const runs = options.runs ?? 10;
  const minTotalMs = options.minTotalMs ?? 0;
  const names = Object.keys(fns) as K[];
  const samples = new Map<K, number[]>(names.map((k) => [k, []]));
  for (let i = 0; i < warmup; i++) for (const k of names) sink.value = fns[k]();
  for (let i = 0; ; i++) {
    const done = i >= runs && names.every((k) => sum(samples.get(k)!) >= minTotalMs);
    if (done || i >= 10_000) break;
    for (let j = 0; j < names.length; j++) {
      const k = names[(i + j) % names.length]!;
      samples.get(k)!.push(once(fns[k]));
    }
  }
  sink.value = undefined;
  const out = {} as Record<K, Timing>;
  for (const k of names) out[k] = summarize(samples.get(k)!);
  return out;
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
