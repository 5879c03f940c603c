// The timing loops of the MLPerf Inference scenarios, with trtexec's meaning of the limits:
// warm up for `warmupMs`, then time until both `durationMs` has passed and `minQueries` queries
// have finished. Single-stream, offline and multi-stream issue one query after another
// (`runSequential`); server issues queries at Poisson arrival times whatever is still running
// (`runServer`). A Ctrl-C (the signal) ends a loop after the query in flight; what was measured is
// kept and flagged as interrupted.

import type { Stage, StageTimes } from './pipeline.js';

/** How long a scenario runs (trtexec's --warmUp, --duration and --iterations). */
export interface Schedule {
  /** Untimed queries first, for this long (at least one round). */
  readonly warmupMs: number;
  /** The timed part lasts at least this long... */
  readonly durationMs: number;
  /** ...and times at least this many queries (of each runner). */
  readonly minQueries: number;
  /** Stops the loop after the query in flight. */
  readonly signal?: AbortSignal;
  /** Called after each query with the share of the planned time done so far (0 to 1). */
  readonly onTick?: (fraction: number) => void;
}

/** Something timed one query after another: a model run, a bare session run, a pipeline query. */
export interface Runner {
  readonly name: string;
  /** One query; may report the time of each stage. */
  query(): Promise<StageTimes | undefined>;
}

/** What {@link runSequential} measured for one runner. */
export interface RunnerSamples {
  readonly name: string;
  /** Milliseconds of each timed query, in order. */
  readonly latencies: number[];
  /** Milliseconds of each stage, per timed query, where the runner reported them. */
  readonly stages: Partial<Record<Stage, number[]>>;
  /** Sum of `latencies`: the time this runner had the machine. */
  busyMs: number;
}

/** Result of a timing loop. */
export interface LoopResult<T> {
  readonly runs: T;
  /** Wall time of the timed part. */
  readonly wallMs: number;
  /** True when the signal ended the loop before its limits. */
  readonly interrupted: boolean;
}

const now = (): number => performance.now();

/**
 * Times `runners` one query at a time, round-robin (round i runs every runner once, starting from
 * runner i mod n), so that drift in the machine's speed falls on all of them alike: a model and
 * its baseline timed this way can be divided.
 */
export async function runSequential(
  runners: readonly Runner[],
  schedule: Schedule,
): Promise<LoopResult<RunnerSamples[]>> {
  const planned = schedule.warmupMs + schedule.durationMs;
  const start = now();
  const tick = () => schedule.onTick?.(Math.min(1, (now() - start) / planned));
  const aborted = () => schedule.signal?.aborted === true;
  do {
    for (const r of runners) {
      if (aborted()) return { runs: runners.map(empty), wallMs: 0, interrupted: true };
      await r.query();
      tick();
    }
  } while (now() - start < schedule.warmupMs);

  const runs = runners.map(empty);
  const t0 = now();
  let interrupted = false;
  for (let round = 0; ; round++) {
    const done =
      now() - t0 >= schedule.durationMs && runs.every((r) => r.latencies.length >= schedule.minQueries);
    if (done) break;
    for (let j = 0; j < runners.length; j++) {
      if (aborted()) {
        interrupted = true;
        break;
      }
      const k = (round + j) % runners.length;
      const q0 = now();
      const stages = await runners[k]!.query();
      const ms = now() - q0;
      const out = runs[k]!;
      out.latencies.push(ms);
      out.busyMs += ms;
      for (const [stage, t] of Object.entries(stages ?? {}) as [Stage, number][]) {
        const list = out.stages[stage] ?? [];
        list.push(t);
        out.stages[stage] = list;
      }
      tick();
    }
    if (interrupted) break;
  }
  return { runs, wallMs: now() - t0, interrupted };
}

function empty(r: Runner): RunnerSamples {
  return { name: r.name, latencies: [], stages: {}, busyMs: 0 };
}

/** What {@link runServer} measured. */
export interface ServerRuns {
  /** Milliseconds from each query's scheduled arrival to its result, for the queries that finished. */
  readonly latencies: number[];
  /** Queries issued. */
  readonly issued: number;
  /** Rate the arrivals actually had: issued over their span (plus one mean gap). */
  readonly offeredQps: number;
  /** Queries that failed (first error kept in `error`). */
  readonly failed: number;
  readonly error?: string;
}

/**
 * Warm-up of the server scenario: queries one after another for `schedule.warmupMs` (at least
 * one). Returns the mean latency, from which a target rate can be chosen.
 */
export async function warmUpServer(query: () => Promise<unknown>, schedule: Schedule): Promise<number> {
  const start = now();
  let n = 0;
  do {
    if (schedule.signal?.aborted) break;
    await query();
    n++;
  } while (now() - start < schedule.warmupMs);
  return n === 0 ? Number.NaN : (now() - start) / n;
}

/**
 * The server scenario: queries arrive as a Poisson process of rate `qps` (seeded, so two runs see
 * the same arrivals) for `schedule.durationMs`, at least `schedule.minQueries` of them, each issued
 * at its arrival time whatever is still running. Latency counts from the scheduled arrival, so time
 * spent waiting for the event loop or the device is in it, as MLPerf's load generator counts it.
 */
export async function runServer(
  query: () => Promise<unknown>,
  qps: number,
  schedule: Schedule,
  seed = 1,
): Promise<LoopResult<ServerRuns>> {
  const count = Math.max(schedule.minQueries, Math.round((qps * schedule.durationMs) / 1000));
  const arrivals = poissonArrivals(count, qps, seed);
  const span = arrivals[count - 1]!;
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  let failed = 0;
  let error: string | undefined;
  let issued = 0;
  let interrupted = false;
  const t0 = now();
  while (issued < count) {
    if (schedule.signal?.aborted) {
      interrupted = true;
      break;
    }
    const elapsed = now() - t0;
    while (issued < count && arrivals[issued]! <= elapsed) {
      const arrival = arrivals[issued++]!;
      pending.push(
        query().then(
          () => {
            latencies.push(now() - t0 - arrival);
            schedule.onTick?.(Math.min(1, (now() - t0) / span));
          },
          (e: unknown) => {
            failed++;
            error ??= (e as Error)?.message ?? String(e);
          },
        ),
      );
    }
    if (issued < count) await sleep(arrivals[issued]! - (now() - t0));
  }
  await Promise.all(pending);
  return {
    runs: {
      latencies,
      issued,
      offeredQps: issued > 0 ? (issued * 1000) / (arrivals[issued - 1]! + 1000 / qps) : 0,
      failed,
      ...(error === undefined ? {} : { error }),
    },
    wallMs: now() - t0,
    interrupted,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));
}

/** `count` arrival times in ms of a Poisson process of rate `qps`, the first at 0 (xorshift32). */
export function poissonArrivals(count: number, qps: number, seed = 1): number[] {
  // A small seed gives xorshift32 a run of tiny outputs (long first gaps): scramble it, skip a few.
  let s = (Math.imul(seed >>> 0, 0x9e3779b9) ^ 0x5bd1e995) >>> 0 || 1;
  const next = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
  for (let i = 0; i < 8; i++) next();
  const out: number[] = [];
  let t = 0;
  for (let i = 0; i < count; i++) {
    out.push(t);
    const u = (next() + 1) / (2 ** 32 + 1);
    t += (-Math.log(u) / qps) * 1000;
  }
  return out;
}
