// runBench end to end on a generated CNN (microseconds per query, so the whole matrix runs in a few
// seconds): every scenario, precision and baseline lands in the report with the shape edge trt
// parse-log shares, what cannot run here is listed with the reason, and Ctrl-C keeps what was
// measured. The figures themselves are not asserted: tests assert behaviour, benchmarks measure.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CalibrationCacheMismatchError, sha256Hex, writeCalibrationCache } from '@edge/calibrate';
import { ArgumentError, type BenchRecord, FileIOError } from '@edge/core';
import { requires, scratchDir } from '@edge/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BenchOptions, runBench } from '../src/measure/run-bench.js';
import type { BenchReport } from '../src/report/bench-report.js';
import { writeFreeSizeModel, writeTinyCnn } from './helpers/models.js';

const dir = scratchDir('edge-bench-run-');
const CNN = join(dir, 'cnn.onnx');
const FIXED = join(dir, 'fixed.onnx');
const FREE = join(dir, 'free.onnx');
const CACHE = join(dir, 'cnn.calib.cache');
const QUICK: BenchOptions = { warmupMs: 5, durationS: 0.03, iterations: 3 };

beforeAll(() => {
  writeTinyCnn(CNN);
  writeTinyCnn(FIXED, 1);
  writeFreeSizeModel(FREE);
  writeCalibrationCache(CACHE, {
    ranges: { x: 1, c: 2, r: 2, p: 1, y: 1 },
    method: 'minmax',
    modelSha256: sha256Hex(readFileSync(CNN)),
    datasetHash: 'generated',
  });
});

const measured = (r: BenchReport) => r.records.filter((x) => x.config.baseline === undefined);
const find = (r: BenchReport, c: Partial<BenchRecord['config']>) =>
  r.records.filter((x) => Object.entries(c).every(([k, v]) => x.config[k as keyof typeof c] === v));

function checkStats(rec: BenchRecord): void {
  const l = rec.latency!;
  expect(l.min).toBeLessThanOrEqual(l.median);
  expect(l.median).toBeLessThanOrEqual(l.percentiles['90']!);
  expect(l.percentiles['90']!).toBeLessThanOrEqual(l.percentiles['99']!);
  expect(l.percentiles['99']!).toBeLessThanOrEqual(l.max);
  expect(rec.queries).toBeGreaterThanOrEqual(3);
  expect(rec.histogram!.counts.reduce((a, b) => a + b)).toBe(rec.queries);
  expect(rec.samplesPerS! / rec.throughputQps!).toBeCloseTo(
    rec.config.samplesPerQuery ?? (rec.config.scenario === 'offline' ? rec.config.batchSize! : 1),
    9,
  );
}

describe('runBench on a generated CNN', () => {
  let report: BenchReport;
  const progress: number[] = [];
  beforeAll(async () => {
    report = await runBench(CNN, {
      ...QUICK,
      scenarios: ['offline', 'server', 'single-stream', 'multi-stream'],
      backends: ['onnxruntime', 'trt'],
      precisions: ['fp32', 'fp16', 'int8'],
      batchSizes: [2, 1],
      calibration: CACHE,
      task: 'classify',
      samplesPerQuery: 2,
      latencyBoundMs: 10_000,
      onProgress: (p) => progress.push(p.done / p.total),
    });
  }, 120_000);

  it('measures every scenario x batch x precision on onnxruntime, in MLPerf order', () => {
    const ort = measured(report).filter((r) => r.config.backend === 'onnxruntime');
    // Per precision: single-stream once, then multi-stream, server, offline at batch 1 and 2.
    expect(ort.map((r) => `${r.config.precision} ${r.config.scenario} ${r.config.batchSize}`)).toEqual(
      ['fp32', 'fp16', 'int8'].flatMap((p) => [
        `${p} single-stream 1`,
        `${p} multi-stream 1`,
        `${p} multi-stream 2`,
        `${p} server 1`,
        `${p} server 2`,
        `${p} offline 1`,
        `${p} offline 2`,
      ]),
    );
    for (const r of ort) {
      expect(r).toMatchObject({ schemaVersion: 1, stages: {}, warmupMs: 5 });
      expect(r.producer).toMatch(/^edge bench \d+\.\d+\.\d+$/);
      expect(r.config.model).toBe(CNN);
      checkStats(r);
    }
    expect(report.interrupted).toBe(false);
    expect(progress.at(-1)).toBeGreaterThan(0.9);
  });

  it('records the machine: CPU, speed flags, cores, memory, OS, Node, onnxruntime', () => {
    const m = report.machine;
    expect(m.cpu).toBeTruthy();
    expect(Array.isArray(m.cpuFlags)).toBe(true);
    expect(m.cores).toBeGreaterThan(0);
    expect(m.memoryBytes).toBeGreaterThan(0);
    expect(m.node).toBe(process.version);
    expect(m.os).toMatch(/Linux|Darwin|Windows/);
    expect(m.libraries?.['onnxruntime-node']).toMatch(/^\d+\.\d+\.\d+/);
    expect(report.records[0]!.machine).toEqual(m);
  });

  it('single-stream runs the image pipeline: decode, preprocess, inference, postprocess', () => {
    const [ss] = find(report, { scenario: 'single-stream', precision: 'fp32', backend: 'onnxruntime' });
    const p = ss!.pipeline!;
    expect(Object.keys(p)).toEqual(['decode', 'preprocess', 'inference', 'postprocess', 'total']);
    expect(ss!.latency).toEqual(p.inference);
    expect(p.total!.median).toBeGreaterThanOrEqual(p.inference!.median);
    expect(report.settings).toMatchObject({ image: 'synthetic 1280x720 JPEG', task: 'classify' });
  });

  it('offline feeds batches; server and multi-stream go through dynamic batching at one target rate', () => {
    const [off2] = find(report, {
      scenario: 'offline',
      batchSize: 2,
      precision: 'fp32',
      backend: 'onnxruntime',
    });
    expect(off2!.config.shapes).toEqual({ x: [2, 3, 32, 32] });
    const servers = find(report, { scenario: 'server', backend: 'onnxruntime' });
    expect(new Set(servers.map((s) => s.config.targetQps)).size).toBe(1);
    for (const s of servers) {
      expect(s.config.shapes).toEqual({ x: [1, 3, 32, 32] });
      expect(s.config.latencyBoundMs).toBe(10_000);
      expect(s.latencyBoundMet).toBe(true);
    }
    const [ms] = find(report, { scenario: 'multi-stream', batchSize: 2, precision: 'fp32' });
    expect(ms!.config.samplesPerQuery).toBe(2);
    expect(ms!.latencyBoundMet).toBe(true);
  });

  it('baselines: a bare onnxruntime-node session beside fp32 single-stream and offline, as ratios', () => {
    const bare = report.records.filter((r) => r.config.backend === 'onnxruntime-node');
    expect(bare.map((r) => `${r.config.scenario} ${r.config.batchSize}`)).toEqual([
      'single-stream 1',
      'offline 1',
      'offline 2',
    ]);
    expect(bare[0]!.config.baseline).toMatch(/^bare onnxruntime-node \d+\.\d+\.\d+ session$/);
    const [off1] = find(report, {
      scenario: 'offline',
      batchSize: 1,
      precision: 'fp32',
      backend: 'onnxruntime',
    });
    const ratio = off1!.ratios!.find((q) => q.name === 'median latency / bare onnxruntime-node session')!;
    expect(ratio.value).toBeCloseTo(off1!.latency!.median / bare[1]!.latency!.median, 12);
    expect(off1!.ratios!.map((q) => q.name)).toContain('throughput / bare onnxruntime-node session');
    // Reduced precisions are divided by FP32 of the same configuration, not by the bare session.
    const [fp16] = find(report, { scenario: 'offline', batchSize: 1, precision: 'fp16' });
    const [fp32] = find(report, {
      scenario: 'offline',
      batchSize: 1,
      precision: 'fp32',
      backend: 'onnxruntime',
    });
    expect(fp16!.ratios!.map((q) => `${q.name} (${q.baseline})`)).toEqual([
      'median latency / fp32 (fp32)',
      'throughput / fp32 (fp32)',
    ]);
    expect(fp16!.ratios![0]!.value).toBeCloseTo(fp16!.latency!.median / fp32!.latency!.median, 12);
    const [int8] = find(report, { scenario: 'server', batchSize: 2, precision: 'int8' });
    expect(int8!.ratios!.map((q) => q.name)).toEqual(['median latency / fp32', 'throughput / fp32']);
  });

  it(
    'baselines: OpenCV decode and preprocessing, divided into the pipeline stages',
    requires('python-opencv'),
    () => {
      const cv = report.records.find((r) => r.config.backend === 'opencv');
      // With python3-opencv here the baseline ran; a note would say why it did not.
      expect(
        cv,
        report.notes.find((n) => n.startsWith('no OpenCV baseline')),
      ).toBeDefined();
      expect(cv!.config.baseline).toMatch(/^OpenCV decode \+ blobFromImage \(python3-opencv \d/);
      expect(Object.keys(cv!.pipeline!)).toEqual(['decode', 'preprocess', 'total']);
      const [ss] = find(report, { scenario: 'single-stream', precision: 'fp32', backend: 'onnxruntime' });
      const decode = ss!.ratios!.find((q) => q.name === 'median decode / OpenCV')!;
      expect(decode.value).toBeCloseTo(ss!.pipeline!.decode!.median / cv!.pipeline!.decode!.median, 12);
    },
  );

  it('what cannot run here is listed with the reason: TensorRT without its library', () => {
    expect(report.skipped.length).toBe(21);
    for (const s of report.skipped) {
      expect(s.config.backend).toBe('trt');
      expect(s.reason).toMatch(/^trt: /);
    }
  });
});

describe('runBench: limits and bad calls', () => {
  it('a fixed batch: batch 2 offline and dynamic batching are skipped with the fix', async () => {
    const r = await runBench(FIXED, {
      ...QUICK,
      scenarios: ['offline', 'server'],
      batchSizes: [1, 2],
      qps: 50,
      baselines: false,
    });
    expect(measured(r).map((x) => `${x.config.scenario} ${x.config.batchSize}`)).toEqual([
      'server 1',
      'offline 1',
    ]);
    expect(r.skipped.map((s) => `${s.config.scenario} ${s.config.batchSize}: ${s.reason}`)).toEqual([
      `server 2: dynamic batching needs a free dimension 0 on every input and output of ${FIXED} (free it with edge convert --batch dynamic)`,
      "offline 2: input 'x' has a fixed batch of 1, so batch 2 cannot run (free it with edge convert --batch dynamic)",
    ]);
    expect(find(r, { scenario: 'server' })[0]!.config.targetQps).toBe(50);
  });

  it('Ctrl-C (the signal) stops after the query in flight; the report keeps what was measured', async () => {
    const controller = new AbortController();
    const r = await runBench(CNN, {
      warmupMs: 5,
      durationS: 60,
      iterations: 3,
      scenarios: ['offline'],
      batchSizes: [1, 2, 4],
      baselines: false,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.elapsedMs > 300) controller.abort();
      },
    });
    expect(r.interrupted).toBe(true);
    expect(r.records).toHaveLength(1);
    expect(r.records[0]!.interrupted).toBe(true);
    expect(r.records[0]!.queries).toBeGreaterThan(0);
    expect(r.elapsedS).toBeLessThan(30);
  });

  it('BAD CALL - unknown scenario, zero batch, int8 without calibration, a free size without shapes', async () => {
    await expect(runBench(CNN, { scenarios: ['batch' as never] })).rejects.toThrow(
      'Expected one of "single-stream", "multi-stream", "server", "offline" for options.scenarios[0] but received "batch"',
    );
    await expect(runBench(CNN, { batchSizes: [0] })).rejects.toThrow(
      'Expected positive integer for options.batchSizes[0] but received 0 of type number',
    );
    await expect(runBench(CNN, { precisions: ['int8'] })).rejects.toThrow(ArgumentError);
    await expect(runBench(CNN, { precisions: ['int8'] })).rejects.toThrow(
      'precision int8 needs a calibration result: pass options.calibration',
    );
    await expect(runBench(FREE, QUICK)).rejects.toThrow(
      "input 'x' has free dimensions [N,3,H,W]: give its shape (edge bench --shape x=1x3x640x640)",
    );
    await expect(runBench(join(dir, 'none.onnx'))).rejects.toThrow(FileIOError);
  });

  it('EXPECTED FAILURE - a calibration cache of another model is refused before anything runs', async () => {
    const started = performance.now();
    const run = runBench(FIXED, { ...QUICK, precisions: ['fp32', 'int8'], calibration: CACHE });
    await expect(run).rejects.toThrow(CalibrationCacheMismatchError);
    await expect(run).rejects.toThrow(`calibration cache ${CACHE} was computed for modelSha256 `);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
