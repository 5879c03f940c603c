// The measuring parts of edge bench on their own: statistics, arrivals, the timing loops (with
// fake queries whose times are known), input planning, machine flags, reading and comparing records.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ArgumentError,
  BENCH_RECORD_SCHEMA_VERSION,
  type BenchRecord,
  FileIOError,
  UnavailableError,
} from '@edge/core';
import { scratchDir } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { feedsFor, planInputs } from '../src/measure/inputs.js';
import { cpuSpeedFlags } from '../src/measure/machine.js';
import { poissonArrivals, runSequential, runServer } from '../src/measure/scenarios.js';
import { latencyHistogram, latencyStats } from '../src/measure/stats.js';
import { configKey, readBenchRecords, recordLabel } from '../src/report/bench-report.js';
import { compareRecords } from '../src/report/compare.js';

const dir = scratchDir('edge-bench-measure-');

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('statistics', () => {
  it('median, nearest-rank percentiles, sample standard deviation and CV', () => {
    const s = latencyStats([5, 1, 4, 2, 3, 6, 7, 8, 9, 10])!;
    expect(s.min).toBe(1);
    expect(s.max).toBe(10);
    expect(s.mean).toBe(5.5);
    expect(s.median).toBe(5.5);
    expect(s.percentiles).toEqual({ '90': 9, '95': 10, '99': 10 });
    expect(s.stddev).toBeCloseTo(Math.sqrt(82.5 / 9), 12);
    expect(s.cv).toBeCloseTo(s.stddev! / 5.5, 12);
    expect(latencyStats([7])).toMatchObject({ median: 7, stddev: 0, cv: 0 });
    expect(latencyStats([])).toBeUndefined();
  });

  it('histogram: every sample in one bin, the largest in the last', () => {
    const samples = [1, 1.5, 2, 2, 9.99, 10];
    const h = latencyHistogram(samples, 9)!;
    expect(h.startMs).toBe(1);
    expect(h.binMs).toBe(1);
    expect(h.counts.reduce((a, b) => a + b)).toBe(samples.length);
    expect(h.counts[0]).toBe(2);
    expect(h.counts[8]).toBe(2);
    expect(latencyHistogram([3, 3, 3])!.counts).toEqual([3]);
  });

  it('machine flags: only the speed flags of /proc/cpuinfo, sorted, x86 and Arm', () => {
    const x86 = 'processor\t: 0\nflags\t\t: fpu sse avx2 fma avx512f avx512_vnni amx_int8 amx_tile\n';
    expect(cpuSpeedFlags(x86)).toEqual(['amx_int8', 'avx2', 'avx512_vnni', 'avx512f', 'fma']);
    expect(cpuSpeedFlags('Features\t: fp asimd asimddp i8mm crc32\n')).toEqual(['asimd', 'asimddp', 'i8mm']);
    expect(cpuSpeedFlags('')).toEqual([]);
  });
});

describe('Poisson arrivals', () => {
  it('are seeded, start at 0, and have exponential gaps of mean 1000/qps ms', () => {
    const a = poissonArrivals(20_000, 50, 7);
    expect(poissonArrivals(20_000, 50, 7)).toEqual(a);
    expect(poissonArrivals(100, 50, 8)).not.toEqual(a.slice(0, 100));
    expect(a[0]).toBe(0);
    const gaps = a.slice(1).map((t, i) => t - a[i]!);
    const mean = gaps.reduce((x, y) => x + y) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((x, y) => x + (y - mean) ** 2, 0) / gaps.length);
    expect(mean).toBeGreaterThan(19);
    expect(mean).toBeLessThan(21);
    expect(sd / mean).toBeGreaterThan(0.95); // exponential: standard deviation = mean
    expect(sd / mean).toBeLessThan(1.05);
  });
});

describe('timing loops', () => {
  it('runSequential: round-robin, the iteration floor past the duration, stage times kept', async () => {
    const order: string[] = [];
    const runner = (name: string, ms: number) => ({
      name,
      query: async () => {
        order.push(name);
        await sleep(ms);
        return name === 'a' ? { decode: 1, inference: 2 } : undefined;
      },
    });
    const r = await runSequential([runner('a', 2), runner('b', 1)], {
      warmupMs: 0,
      durationMs: 1,
      minQueries: 6,
    });
    expect(r.interrupted).toBe(false);
    expect(r.runs.map((x) => x.latencies.length)).toEqual([6, 6]);
    // One warm-up round, then rounds alternate which runner goes first.
    expect(order.slice(2, 6)).toEqual(['a', 'b', 'b', 'a']);
    expect(r.runs[0]!.stages).toEqual({ decode: [1, 1, 1, 1, 1, 1], inference: [2, 2, 2, 2, 2, 2] });
    expect(r.runs[1]!.stages).toEqual({});
    expect(r.runs[0]!.busyMs).toBeCloseTo(
      r.runs[0]!.latencies.reduce((x, y) => x + y),
      9,
    );
    expect(Math.min(...r.runs[0]!.latencies)).toBeGreaterThanOrEqual(1); // timers may fire 1 ms early
  });

  it('runSequential: the duration holds past the iteration floor', async () => {
    const r = await runSequential([{ name: 'a', query: () => sleep(5).then(() => undefined) }], {
      warmupMs: 20,
      durationMs: 100,
      minQueries: 1,
    });
    expect(r.wallMs).toBeGreaterThanOrEqual(100);
    expect(r.runs[0]!.latencies.length).toBeGreaterThan(5);
  });

  it('runSequential: an abort ends the loop after the query in flight and keeps what was timed', async () => {
    const controller = new AbortController();
    let n = 0;
    const r = await runSequential(
      [
        {
          name: 'a',
          query: async () => {
            if (++n === 8) controller.abort();
            await sleep(1);
            return undefined;
          },
        },
      ],
      { warmupMs: 0, durationMs: 60_000, minQueries: 1, signal: controller.signal },
    );
    expect(r.interrupted).toBe(true);
    expect(r.runs[0]!.latencies.length).toBe(7); // the first query was warm-up
  });

  it('runServer: latency from the scheduled arrival, queries overlap, an abort stops arrivals', async () => {
    let running = 0;
    let most = 0;
    const query = async () => {
      most = Math.max(most, ++running);
      await sleep(30);
      running--;
    };
    const r = await runServer(query, 200, { warmupMs: 0, durationMs: 200, minQueries: 10 });
    expect(r.runs.issued).toBe(40);
    expect(r.runs.latencies.length).toBe(40);
    expect(Math.min(...r.runs.latencies)).toBeGreaterThanOrEqual(29);
    expect(most).toBeGreaterThan(1); // arrivals do not wait for earlier queries
    expect(r.runs.offeredQps).toBeGreaterThan(100);

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const cut = await runServer(query, 100, {
      warmupMs: 0,
      durationMs: 60_000,
      minQueries: 1,
      signal: controller.signal,
    });
    expect(cut.interrupted).toBe(true);
    expect(cut.runs.issued).toBeLessThan(100);
    expect(cut.runs.latencies.length).toBe(cut.runs.issued);
  });
});

describe('inputs', () => {
  const free = [{ name: 'x', dtype: 'float32' as const, shape: ['N', 3, 'H', 'W'] }];
  const fixed = [{ name: 'x', dtype: 'float32' as const, shape: [1, 3, 8, 8] }];

  it('fixes free dimensions from the shapes, dimension 0 from each batch, noise in the data', () => {
    const plans = planInputs(free, { x: [1, 3, 16, 24] });
    expect(plans).toEqual([{ name: 'x', dtype: 'float32', dims: [1, 3, 16, 24], fixedBatch: null }]);
    const feeds = feedsFor(plans, 4);
    expect(feeds.x!.shape).toEqual([4, 3, 16, 24]);
    expect(new Set(feeds.x!.data as Float32Array).size).toBeGreaterThan(1000);
    expect(planInputs(fixed)[0]).toMatchObject({ dims: [1, 3, 8, 8], fixedBatch: 1 });
  });

  it('BAD CALL - free dimensions without a shape, a wrong rank or an unknown input', () => {
    expect(() => planInputs(free)).toThrow(ArgumentError);
    expect(() => planInputs(free)).toThrow(
      "input 'x' has free dimensions [N,3,H,W]: give its shape (edge bench --shape x=1x3x640x640)",
    );
    expect(() => planInputs(fixed, { x: [1, 3, 8] })).toThrow(
      "shape [1,3,8] for input 'x' does not fit the model's [1,3,8,8]",
    );
    expect(() => planInputs(fixed, { x: [1, 3, 9, 8] })).toThrow(ArgumentError);
    expect(() => planInputs(fixed, { y: [1] })).toThrow(
      "shapes names input 'y', which the model does not have (inputs: 'x')",
    );
  });

  it('EXPECTED FAILURE - a batch the model fixes otherwise is unavailable, with the fix', () => {
    const plans = planInputs(fixed);
    expect(() => feedsFor(plans, 2)).toThrow(UnavailableError);
    expect(() => feedsFor(plans, 2)).toThrow(
      "input 'x' has a fixed batch of 1, so batch 2 cannot run (free it with edge convert --batch dynamic)",
    );
  });
});

function rec(config: BenchRecord['config'], median: number, extra: Partial<BenchRecord> = {}): BenchRecord {
  return {
    schemaVersion: BENCH_RECORD_SCHEMA_VERSION,
    producer: 'edge bench test',
    machine: {},
    config,
    latency: {
      min: median,
      max: median,
      mean: median,
      median,
      percentiles: { '99': median * 1.5 },
      cv: 0.02,
    },
    samplesPerS: 1000 / median,
    queries: 400,
    stages: {},
    warnings: [],
    ...extra,
  };
}

describe('records', () => {
  const cfg = {
    model: '/a/det.onnx',
    backend: 'onnxruntime',
    precision: 'fp32',
    scenario: 'offline' as const,
  };

  it('reads a report, one record (edge trt parse-log), or an array of records', () => {
    const one = rec(cfg, 10);
    const paths = {
      report: join(dir, 'report.json'),
      record: join(dir, 'record.json'),
      array: join(dir, 'array.json'),
    };
    writeFileSync(paths.report, JSON.stringify({ kind: 'edge-bench-report', records: [one, one] }));
    writeFileSync(paths.record, JSON.stringify(one));
    writeFileSync(paths.array, JSON.stringify([one]));
    expect(readBenchRecords(paths.report)).toHaveLength(2);
    expect(readBenchRecords(paths.record)).toEqual([one]);
    expect(readBenchRecords(paths.array)).toEqual([one]);
  });

  it('BAD CALL - a missing file, not JSON, not records, another schema version', () => {
    const bad = (name: string, text: string) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    expect(() => readBenchRecords(join(dir, 'none.json'))).toThrow(FileIOError);
    const notJson = bad('a.json', '{');
    expect(() => readBenchRecords(notJson)).toThrow(`${notJson} is not JSON`);
    const notRecord = bad('b.json', '[{"x": 1}]');
    expect(() => readBenchRecords(notRecord)).toThrow(FileIOError);
    expect(() => readBenchRecords(notRecord)).toThrow(
      `${notRecord}: expected an edge bench report, a BenchRecord or an array of them, but element 0 is not a BenchRecord`,
    );
    const v2 = bad('c.json', JSON.stringify({ ...rec(cfg, 1), schemaVersion: 2 }));
    expect(() => readBenchRecords(v2)).toThrow(
      `${v2}: BenchRecord schema version 2, this SDK reads version 1`,
    );
  });

  it('labels and keys: the same configuration of another folder matches, another batch does not', () => {
    expect(recordLabel({ config: { ...cfg, batchSize: 4, threads: 2 } })).toBe(
      'onnxruntime fp32 offline batch 4 threads 2',
    );
    expect(recordLabel({ config: { ...cfg, baseline: 'bare onnxruntime-node session' } })).toBe(
      'bare onnxruntime-node session offline',
    );
    expect(recordLabel({ config: cfg, producer: 'edge bench 0.1.0', machine: { cpu: 'x' } })).toBe(
      'onnxruntime fp32 offline',
    );
    expect(
      recordLabel({
        config: { backend: 'tensorrt', precision: 'fp16' },
        producer: 'trtexec 8.6.1',
        machine: { gpu: 'NVIDIA Jetson AGX Orin', cpu: 'ARMv8' },
      }),
    ).toBe('tensorrt fp16 [trtexec 8.6.1 on NVIDIA Jetson AGX Orin]');
    expect(configKey({ config: { ...cfg, model: '/b/det.onnx' } })).toBe(configKey({ config: cfg }));
    expect(configKey({ config: { ...cfg, batchSize: 2 } })).not.toBe(configKey({ config: cfg }));
  });

  it('compare: better, worse and same (within two standard errors), regressions past the threshold', () => {
    const b1 = { ...cfg, batchSize: 1 };
    const b2 = { ...cfg, batchSize: 2 };
    const b4 = { ...cfg, batchSize: 4 };
    const previous = [rec(b1, 10), rec(b2, 10), rec(b4, 10), rec({ ...cfg, batchSize: 8 }, 10)];
    const current = [rec(b1, 12), rec(b2, 8), rec(b4, 10.03), rec({ ...cfg, batchSize: 16 }, 1)];
    const c = compareRecords(current, previous, { previousLabel: 'old.json', thresholdPct: 15 });
    const row = (batch: number, metric: string) =>
      c.rows.find(
        (r) => r.label === recordLabel({ config: { ...cfg, batchSize: batch } }) && r.metric === metric,
      )!;
    expect(row(1, 'median latency')).toMatchObject({ verdict: 'worse', changePct: 20, regression: true });
    expect(row(1, 'throughput').verdict).toBe('worse');
    expect(row(1, 'throughput').changePct).toBeCloseTo(-100 / 6, 9);
    expect(row(1, 'throughput').regression).toBe(true);
    expect(row(2, 'median latency')).toMatchObject({ verdict: 'better', regression: false });
    expect(row(2, 'throughput')).toMatchObject({ verdict: 'better', changePct: 25 });
    // CV 2 % over 400 queries: a median's standard error is 0.125 %, the band 0.35 %.
    expect(row(4, 'median latency').verdict).toBe('same');
    expect(c.regressions).toBe(3); // batch 1: median, p99 and throughput
    expect(c.onlyCurrent).toEqual(['onnxruntime fp32 offline batch 16']);
    expect(c.onlyPrevious).toEqual(['onnxruntime fp32 offline batch 8']);
    expect(compareRecords(current, previous, { previousLabel: 'x' }).regressions).toBe(0);
  });
});
