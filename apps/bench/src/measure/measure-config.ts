// One configuration of the matrix, measured in its scenario on a loaded model: the server's
// Poisson loop, or one query after another (single-stream, offline, multi-stream) with the bare
// onnxruntime-node session alternating with the SDK when it is the baseline of this configuration.

import type { BenchConfig, BenchRecord, TensorMap } from '@edge/core';
import type { Model } from '@edge/runtime';
import { type BareSession, bareOnnxruntime } from './baselines.js';
import { type PipelineSetup, pipelineQuery } from './pipeline.js';
import { type RecordSource, ratio, record, stageStats } from './records.js';
import { type Runner, runSequential, runServer, type Schedule, warmUpServer } from './scenarios.js';
import { latencyStats } from './stats.js';

const BARE = 'bare onnxruntime-node session';

/** A configuration ready to measure. */
export interface LoadedConfig {
  readonly model: Model;
  /** One query's feeds: the batch of an offline run, one row otherwise. */
  readonly feeds: Readonly<TensorMap>;
  readonly config: BenchConfig;
  readonly schedule: Schedule;
  readonly source: RecordSource;
}

/**
 * The server scenario at `qps` (undefined: half the rate one query at a time reached in the
 * warm-up). Returns the record (none when nothing finished) and the rate used.
 */
export async function measureServer(
  c: LoadedConfig,
  qps: number | undefined,
  latencyBoundMs: number | undefined,
): Promise<{ record: BenchRecord | undefined; qps: number }> {
  const run = () => c.model.run(c.feeds);
  const warm = await warmUpServer(run, c.schedule);
  const rate = qps ?? Math.max(0.1, Math.round((500 / warm) * 10) / 10);
  const r = await runServer(run, rate, c.schedule);
  const lat = latencyStats(r.runs.latencies);
  const achieved = (r.runs.latencies.length * 1000) / Math.max(r.wallMs, 1e-9);
  const warnings: string[] = [];
  if (r.runs.failed > 0)
    warnings.push(`${r.runs.failed} of ${r.runs.issued} queries failed: ${r.runs.error}`);
  if (achieved < 0.9 * r.runs.offeredQps && !r.interrupted)
    warnings.push(
      `the system did not keep up: ${achieved.toFixed(1)} queries per second answered of ${r.runs.offeredQps.toFixed(1)} arriving`,
    );
  const rec = record(
    c.source,
    { ...c.config, targetQps: rate, ...(latencyBoundMs === undefined ? {} : { latencyBoundMs }) },
    {
      latencies: r.runs.latencies,
      busyMs: 0,
      count: r.runs.latencies.length,
      samplesPerQuery: 1,
      wallMs: r.wallMs,
      interrupted: r.interrupted,
    },
    {
      throughputQps: achieved,
      samplesPerS: achieved,
      ...(latencyBoundMs !== undefined && lat
        ? { latencyBoundMet: lat.percentiles['99']! <= latencyBoundMs }
        : {}),
      warnings,
    },
  );
  return { record: rec.queries! > 0 ? rec : undefined, qps: rate };
}

/** How {@link measureSequential} builds its queries. */
export interface SequentialPlan {
  /** Samples per query: multi-stream's count of concurrent one-row requests, else 1. */
  readonly samplesPerQuery: number;
  /** Rows of one query's feeds (the offline batch), counted as samples. */
  readonly rows: number;
  /** Single-stream's image pipeline, when one runs. */
  readonly pipeline: PipelineSetup | null;
  /** Model bytes of the bare onnxruntime-node session timed beside the SDK, when it runs. */
  readonly bare: Uint8Array | undefined;
  readonly threads: number | undefined;
  readonly latencyBoundMs: number | undefined;
}

/**
 * Single-stream, offline or multi-stream: one query after another, alternating with the bare
 * session when there is one. Returns the SDK's record (latency of the inference stage when the
 * pipeline ran; throughput of whole queries), then the baseline's.
 */
export async function measureSequential(c: LoadedConfig, plan: SequentialPlan): Promise<BenchRecord[]> {
  const run = () => c.model.run(c.feeds);
  const samplesPerQuery = plan.samplesPerQuery * plan.rows;
  let query: Runner['query'];
  if (plan.pipeline) {
    const setup = plan.pipeline;
    query = () => pipelineQuery(c.model, setup);
  } else if (plan.samplesPerQuery > 1) {
    query = async () => {
      await Promise.all(Array.from({ length: plan.samplesPerQuery }, run));
      return undefined;
    };
  } else {
    query = async () => {
      await run();
      return undefined;
    };
  }
  let bare: BareSession | undefined;
  try {
    const runners: Runner[] = [{ name: 'edge', query }];
    if (plan.bare) {
      bare = await bareOnnxruntime(plan.bare, plan.threads, c.feeds);
      runners.push(bare.runner);
    }
    const r = await runSequential(runners, c.schedule);
    const mine = r.runs[0]!;
    const staged = mine.stages.inference !== undefined;
    const latencies = staged ? mine.stages.inference! : mine.latencies;
    const lat = latencyStats(latencies);
    const timed = { samplesPerQuery, wallMs: r.wallMs, interrupted: r.interrupted };
    const b = r.runs[1];
    const bareRec =
      bare && b && b.latencies.length > 0
        ? record(
            c.source,
            { ...c.config, backend: 'onnxruntime-node', baseline: bare.name },
            { latencies: b.latencies, busyMs: b.busyMs, count: b.latencies.length, ...timed },
          )
        : undefined;
    const ratios = bareRec
      ? [
          ...ratio(`median latency / ${BARE}`, lat?.median, bareRec.latency?.median, bare!.name),
          // A pipeline query is more than the bare session's work: only its inference is compared.
          ...(staged
            ? []
            : ratio(
                `throughput / ${BARE}`,
                (mine.latencies.length * 1000 * samplesPerQuery) / mine.busyMs,
                bareRec.samplesPerS,
                bare!.name,
              )),
        ]
      : [];
    const bound = plan.latencyBoundMs;
    const rec = record(
      c.source,
      { ...c.config, ...(bound === undefined ? {} : { latencyBoundMs: bound }) },
      { latencies, busyMs: mine.busyMs, count: mine.latencies.length, ...timed },
      {
        ...(staged ? { pipeline: stageStats(mine) } : {}),
        ...(bound !== undefined && lat ? { latencyBoundMet: lat.percentiles['99']! <= bound } : {}),
        ...(ratios.length > 0 ? { ratios } : {}),
      },
    );
    return [...(rec.queries! > 0 ? [rec] : []), ...(bareRec ? [bareRec] : [])];
  } finally {
    await bare?.release();
  }
}
