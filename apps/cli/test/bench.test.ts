// `edge bench` as a user runs it: the built CLI in a child process on the bundled PaddleOCR models,
// its tables, JSON and three report files, --compare with a regression exit code, Ctrl-C still
// writing what was measured, and exit code 2 for bad flags. The library is tested in apps/bench.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OCR_MODELS, scratchDir } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { CLI, edge } from './helpers/edge.js';

const DET = OCR_MODELS.det;
const CLS = OCR_MODELS.cls;
const dir = scratchDir('edge-bench-cli-');

/** Few and short runs: the tests check behaviour, not speed. */
const QUICK = ['--warmUp', '20', '--duration', '0.2', '--iterations', '3'];
/** The classifier's input has free sizes too. */
const CLS_SHAPE = ['--shape', 'x=1x3x48x192'];

/** `edge bench ...args`. */
const bench = (...args: string[]) => edge('bench', ...args);

interface Report {
  kind: string;
  interrupted: boolean;
  records: {
    config: { scenario: string; batchSize: number; baseline?: string };
    latency?: { median: number; percentiles: Record<string, number> };
    samplesPerS?: number;
    throughputQps?: number;
  }[];
  comparison?: { regressions: number; rows: { verdict: string; regression: boolean }[] };
}

describe('edge bench', () => {
  it('measures the bundled detector and writes JSON, Markdown and HTML', () => {
    const out = join(dir, 'det');
    const r = bench(
      DET,
      '--shape',
      'x=1x3x160x160',
      '--task',
      'text',
      '--batch',
      '1,2',
      '--out',
      out,
      ...QUICK,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^edge bench \d+\.\d+\.\d+: /);
    expect(r.stdout).toContain('Latency and throughput per configuration');
    expect(r.stdout).toMatch(/onnxruntime fp32 single-stream +\d+ /);
    expect(r.stdout).toMatch(/onnxruntime fp32 offline batch 2 +\d+ /);
    expect(r.stdout).toContain('Stages of one query (medians)');
    expect(r.stderr).toContain(`edge bench: wrote ${join(out, 'bench.json')}`);
    expect(r.stderr).not.toContain('['); // no progress bar without a terminal
    const report = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8')) as Report;
    expect(report.kind).toBe('edge-bench-report');
    expect(report.records.map((x) => `${x.config.scenario} ${x.config.batchSize}`)).toEqual([
      'single-stream 1',
      'single-stream 1',
      'offline 1',
      'offline 1',
      'offline 2',
      'offline 2',
      'single-stream undefined', // OpenCV: decode and preprocess only
    ]);
    expect(readFileSync(join(out, 'bench.md'), 'utf8')).toContain('| configuration | queries | median |');
    const html = readFileSync(join(out, 'bench.html'), 'utf8');
    expect(html).toContain('<canvas>');
    expect(html).toContain('Chart.js v4');
  });

  it('--json prints the report; --compare marks figures and --fail-on-regression exits 3', () => {
    const first = bench(CLS, ...CLS_SHAPE, '--scenario', 'offline', '--no-baselines', '--json', ...QUICK);
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout) as Report;
    expect(report.records).toHaveLength(1);
    // The same run made `factor` times faster: each figure scaled.
    const scaled = (factor: number) => {
      const path = join(dir, `previous-${factor}.json`);
      const records = report.records.map((x) => ({
        ...x,
        latency: {
          ...x.latency!,
          median: x.latency!.median / factor,
          percentiles: { '99': x.latency!.percentiles['99']! / factor },
        },
        samplesPerS: x.samplesPerS! * factor,
      }));
      writeFileSync(path, JSON.stringify({ ...report, records }));
      return path;
    };
    const compare = (previous: string) =>
      bench(
        CLS,
        ...CLS_SHAPE,
        '--scenario',
        'offline',
        '--no-baselines',
        '--compare',
        previous,
        '--fail-on-regression',
        '10',
        ...QUICK,
      );
    // A thousand times faster before (beyond any swing of a loaded machine): all are regressions.
    const r = compare(scaled(1000));
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toContain('Against previous-1000.json (regression: worse by more than 10 %)');
    expect(r.stdout).toContain('▼ worse (REGRESSION)');
    expect(r.stderr).toContain('edge bench: 3 figure(s) worse than previous-1000.json by more than 10 %');
    // A thousand times slower before: every figure is better, and the exit code stays 0.
    const better = compare(scaled(0.001));
    expect(better.code, better.stderr).toBe(0);
    expect(better.stdout.match(/▲ better/g)).toHaveLength(3);
  });

  it('--include shows the records of a trtexec run (edge trt parse-log) beside this run, named by origin', () => {
    const trtexec = join(dir, 'orin-trtexec.json');
    const stats = (median: number) => ({
      min: median * 0.9,
      max: median * 1.5,
      mean: median,
      median,
      percentiles: { '99': median * 1.2 },
    });
    writeFileSync(
      trtexec,
      JSON.stringify({
        schemaVersion: 1,
        producer: 'trtexec 8.6.1',
        machine: { gpu: 'NVIDIA Jetson AGX Orin', tensorrt: '8.6.1', jetpack: '6.0' },
        config: { model: 'cls.onnx', backend: 'tensorrt', precision: 'fp16', shapes: { x: [1, 3, 48, 192] } },
        throughputQps: 2750.5,
        latency: stats(0.364),
        stages: { compute: stats(0.301) },
        warnings: [],
      }),
    );
    const r = bench(
      CLS,
      ...CLS_SHAPE,
      '--scenario',
      'offline',
      '--no-baselines',
      '--include',
      trtexec,
      ...QUICK,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/tensorrt fp16 \[trtexec 8\.6\.1 on NVIDIA Jetson AGX Orin\] +0\.364 ms +/);
    expect(r.stdout).toMatch(/onnxruntime fp32 offline +\d+ /);
    expect(r.stdout).toContain('1 record(s) from orin-trtexec.json (trtexec 8.6.1) shown beside this run');
  });

  it('Ctrl-C stops after the query in flight and still prints and writes what was measured', async () => {
    const out = join(dir, 'interrupted');
    const child = spawn(process.execPath, [
      CLI,
      'bench',
      CLS,
      ...CLS_SHAPE,
      '--scenario',
      'offline',
      '--batch',
      '1,2,4',
      '--duration',
      '60',
      '--no-baselines',
      '--out',
      out,
    ]);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise((r) => setTimeout(r, 3000));
    child.kill('SIGINT');
    const code = await closed;
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('edge bench: interrupted; stopping after the current query');
    expect(stdout).toContain('INTERRUPTED');
    expect(existsSync(join(out, 'bench.html'))).toBe(true);
    const report = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8')) as Report;
    expect(report.interrupted).toBe(true);
    expect(report.records.length).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('BAD CALL - bad flags and inputs: one line, exit code 2', () => {
    const cases: [string[], string][] = [
      [[CLS, ...CLS_SHAPE, '--batch', '0'], "--batch expects an integer of at least 1, got '0'"],
      [[CLS, '--fail-on-regression', '5'], '--fail-on-regression needs --compare FILE'],
      [
        [CLS, ...CLS_SHAPE, '--scenario', 'batch'],
        'Expected one of "single-stream", "multi-stream", "server", "offline" for options.scenarios[0] but received "batch"',
      ],
      [[CLS, '--precision', 'int8'], 'precision int8 needs a calibration result'],
      [[DET, ...QUICK], "input 'x' has free dimensions"],
      [[join(dir, 'none.onnx')], 'cannot read model'],
      [[CLS, '--compare', join(dir, 'none.json')], 'cannot read'],
      [[], 'expected one model file, got 0'],
    ];
    for (const [args, message] of cases) {
      const r = bench(...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });
});
