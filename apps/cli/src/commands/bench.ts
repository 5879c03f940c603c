import { basename } from 'node:path';
import {
  type BenchOptions,
  type BenchProgress,
  type BenchReport,
  compareRecords,
  formatText,
  includeRecords,
  type Precision,
  readBenchRecords,
  runBench,
  writeReports,
} from '@edge/bench';
import type { BackendName, BenchScenario } from '@edge/core';
import type { PresetName } from '@edge/preprocess';
import type { TaskName } from '@edge/runtime';
import { type Command, type Io, parse, UsageError } from '../command.js';
import { interruptible } from '../interrupt.js';
import { parseShapeFlags } from './shape-flags.js';

const USAGE = `usage: edge bench <model> [options]

Measures a model as MLPerf Inference's scenarios and trtexec's timing define it, over a matrix
of configurations, with baselines in the same run (a bare onnxruntime-node session; OpenCV
preprocessing through python3-opencv), and prints the tables. --out writes the report as JSON
(the BenchRecord shape of 'edge trt parse-log'), Markdown and one self-contained HTML page.
Lists are comma-separated; each combination is one configuration.

  --scenario LIST        single-stream, multi-stream, server, offline (default single-stream,offline)
  --backend LIST         onnxruntime, tflite, trt (default onnxruntime; tflite for a .tflite model)
  --precision LIST       fp32, fp16, int8 (default fp32; int8 is built from --calibration)
  --batch LIST           rows per run (offline); most rows dynamic batching gathers (server,
                         multi-stream; 1 = off) (default 1)
  --threads LIST         intra-op threads (default: the engine's choice)
  --shape n=DIMS         shape of input n, like x=1x3x640x640 (repeatable; a bare DIMS names the
                         first input): needed for free dimensions; --batch sets dimension 0
  --calibration FILE     calibration cache written by 'edge calibrate', for --precision int8

  --warmUp MS            untimed queries first, for this long (default 200)
  --duration S           time each configuration for at least S seconds (default 3)...
  --iterations N         ...and at least N queries (default 10)
  --max-cv PCT           flag figures whose coefficient of variation is over PCT % (default 10)

  --image FILE           single-stream decodes and preprocesses this image each query (default: a
                         synthetic 1280x720 JPEG), for the stage breakdown
  --task T               task head timed as the postprocess stage (classify, detect, segment, text, face)
  --preset NAME          preprocessing preset instead of the task's
  --no-pipeline          single-stream times model.run alone
  --qps Q                server: Poisson arrival rate (default: half the rate of one query at a time)
  --latency-bound MS     server, multi-stream: bound on the 99th percentile latency
  --samples-per-query N  multi-stream: samples in each query (default 8)
  --no-baselines         skip the bare onnxruntime-node session and OpenCV

  --out DIR              write bench.json, bench.md and bench.html into DIR
  --json                 print the report as JSON instead of tables (no progress bar)
  --include FILE         show the records of FILE beside this run's (repeatable): an earlier
                         bench.json, or 'edge trt parse-log' records of a trtexec run on a Jetson
  --compare FILE         mark each figure better or worse than in FILE (an earlier bench.json, or
                         records of 'edge trt parse-log')
  --fail-on-regression PCT
                         exit with code 3 when a figure is worse than in --compare by more than PCT %

Ctrl-C stops after the query in flight and still prints and writes what was measured (exit 130).`;

/** Exit code when a figure regressed past --fail-on-regression. */
export const EXIT_REGRESSION = 3;

function list(flag: string, text: unknown): string[] | undefined {
  if (text === undefined) return undefined;
  const items = String(text)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError(`--${flag} expects a comma-separated list, got '${text}'`);
  return items;
}

function number(flag: string, text: unknown, integer: boolean, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (String(text).trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n)))
    throw new UsageError(
      `--${flag} expects ${integer ? 'an integer' : 'a number'} of at least ${min}, got '${text}'`,
    );
  return n;
}

function numbers(flag: string, text: unknown): number[] | undefined {
  return list(flag, text)?.map((t) => number(flag, t, true, 1)!);
}

/** A bar with ETA on a terminal's stderr, redrawn at most ten times a second. */
function progressBar(io: Io): { update(p: BenchProgress): void; finish(): void } {
  let last = 0;
  let drawn = false;
  return {
    update(p) {
      const t = performance.now();
      if (t - last < 100) return;
      last = t;
      const f = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
      const full = Math.round(f * 20);
      const eta = p.etaMs === undefined ? '' : `, ETA ${Math.ceil(p.etaMs / 1000)} s`;
      io.stderr.write(
        `\r\x1b[K[${'#'.repeat(full)}${'.'.repeat(20 - full)}] ${(f * 100).toFixed(0)}%  ${p.label}  ${(p.elapsedMs / 1000).toFixed(0)} s${eta}`,
      );
      drawn = true;
    },
    finish() {
      if (drawn) io.stderr.write('\r\x1b[K');
    },
  };
}

/** `edge bench`: flags to `runBench` options; the report to stdout and files. */
export const benchCommand: Command = {
  name: 'bench',
  usage: USAGE,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parse(args, {
      string: [
        'scenario',
        'backend',
        'precision',
        'batch',
        'threads',
        'calibration',
        'warmUp',
        'warmup',
        'duration',
        'iterations',
        'max-cv',
        'image',
        'task',
        'preset',
        'qps',
        'latency-bound',
        'samples-per-query',
        'out',
        'compare',
        'fail-on-regression',
      ],
      boolean: ['no-pipeline', 'no-baselines', 'json'],
      multiple: ['shape', 'include'],
    });
    if (positionals.length !== 1) throw new UsageError(`expected one model file, got ${positionals.length}`);
    const model = positionals[0]!;
    const threshold = number('fail-on-regression', values['fail-on-regression'], false, 0);
    if (threshold !== undefined && values.compare === undefined)
      throw new UsageError('--fail-on-regression needs --compare FILE');
    const previous = values.compare === undefined ? undefined : readBenchRecords(values.compare as string);
    const included = ((values.include as string[] | undefined) ?? []).map((f) => ({
      from: basename(f),
      records: readBenchRecords(f),
    }));
    const given = parseShapeFlags((values.shape as string[] | undefined) ?? [], model) as
      | Record<string, number[]>
      | undefined;
    const maxCvPct = number('max-cv', values['max-cv'], false, 0);
    const json = values.json === true;
    const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
    const bar = !json && tty ? progressBar(io) : undefined;

    const options: BenchOptions = {
      scenarios: list('scenario', values.scenario) as BenchScenario[] | undefined,
      backends: list('backend', values.backend) as BackendName[] | undefined,
      precisions: list('precision', values.precision) as Precision[] | undefined,
      batchSizes: numbers('batch', values.batch),
      threads: numbers('threads', values.threads),
      shapes: given,
      calibration: values.calibration as string | undefined,
      warmupMs: number('warmUp', values.warmUp ?? values.warmup, false, 0),
      durationS: number('duration', values.duration, false, 0),
      iterations: number('iterations', values.iterations, true, 1),
      maxCv: maxCvPct === undefined ? undefined : maxCvPct / 100,
      image: values.image as string | undefined,
      task: values.task as TaskName | undefined,
      preset: values.preset as PresetName | undefined,
      pipeline: values['no-pipeline'] === true ? false : undefined,
      qps: number('qps', values.qps, false, Number.MIN_VALUE),
      latencyBoundMs: number('latency-bound', values['latency-bound'], false, 0),
      samplesPerQuery: number('samples-per-query', values['samples-per-query'], true, 1),
      baselines: values['no-baselines'] === true ? false : undefined,
      onProgress: bar ? (p) => bar.update(p) : undefined,
    };
    return interruptible(
      io,
      'bench',
      async (signal) => {
        let report: BenchReport;
        try {
          report = await runBench(model, { ...options, signal });
        } finally {
          bar?.finish();
        }
        for (const { from, records } of included) report = includeRecords(report, records, from);
        if (previous !== undefined)
          report = {
            ...report,
            comparison: compareRecords(report.records, previous, {
              previousLabel: basename(values.compare as string),
              ...(threshold === undefined ? {} : { thresholdPct: threshold }),
              maxCv: report.settings.maxCv,
            }),
          };
        io.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatText(report));
        if (values.out !== undefined) {
          const files = writeReports(report, values.out as string);
          io.stderr.write(`edge bench: wrote ${files.json}, ${files.markdown}, ${files.html}\n`);
        }
        if (report.interrupted) {
          io.stderr.write('edge bench: interrupted; the report holds what was measured until then\n');
          return 130;
        }
        const regressions = report.comparison?.regressions ?? 0;
        if (threshold !== undefined && regressions > 0) {
          io.stderr.write(
            `edge bench: ${regressions} figure(s) worse than ${basename(values.compare as string)} by more than ${threshold} %\n`,
          );
          return EXIT_REGRESSION;
        }
        return 0;
      },
      'query',
    );
  },
};
