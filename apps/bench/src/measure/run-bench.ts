// `edge bench`: one model measured over a matrix (backends x precisions x threads x scenarios x
// batch sizes), with baselines in the same run, into one BenchReport. Each configuration loads its
// own model, runs its scenario's loop and is disposed before the next; a configuration that cannot
// run here (a backend not installed, INT8 without a calibration result, a fixed batch) is listed
// with the reason instead. Ctrl-C ends the run after the query in flight and the report holds
// what was measured.

import { readFileSync } from 'node:fs';
import {
  ArgumentError,
  BACKEND_NAMES,
  type BackendName,
  BENCH_RECORD_SCHEMA_VERSION,
  type BenchConfig,
  type BenchRecord,
  type BenchScenario,
  checkNumber,
  checkOneOf,
  checkPositiveInteger,
  FileIOError,
  NoBackendError,
  UnavailableError,
} from '@edge/core';
import { PRESET_NAMES, type PresetName } from '@edge/preprocess';
import { loadModel, type Model, TASK_NAMES, type TaskName } from '@edge/runtime';
import { pythonInterpreter } from '../harness/python.js';
import { type BenchReport, configKey, type SkippedConfig } from '../report/bench-report.js';
import { opencvBaseline } from './baselines.js';
import { feedsFor, type InputPlan, planInputs, shapesOf } from './inputs.js';
import { benchMachine } from './machine.js';
import { measureSequential, measureServer } from './measure-config.js';
import { ModelVariants, PRECISIONS, type Precision, readModelBytes } from './model-variants.js';
import { packageDir, packageVersion } from './packages.js';
import { type PipelineSetup, pipelineSetup, syntheticImage } from './pipeline.js';
import { NOISY, noiseWarning, type RecordSource, ratio } from './records.js';
import type { Schedule } from './scenarios.js';
import { latencyStats } from './stats.js';

/** The MLPerf Inference scenarios, in the order a run measures them. */
export const SCENARIOS: readonly BenchScenario[] = ['single-stream', 'multi-stream', 'server', 'offline'];

/** Where a run stands, for a progress bar. Times in ms; `total` is the planned measuring time. */
export interface BenchProgress {
  /** The configuration being measured. */
  readonly label: string;
  readonly done: number;
  readonly total: number;
  readonly elapsedMs: number;
  /** Estimated time left: the planned time left, scaled by how the run kept to plan so far. */
  readonly etaMs: number | undefined;
}

/** Options of {@link runBench}. Defaults follow trtexec (200 ms warm-up, 3 s, 10 iterations). */
export interface BenchOptions {
  /** Default `['single-stream', 'offline']`. */
  readonly scenarios?: readonly BenchScenario[];
  /** Default `['onnxruntime']` for ONNX, `['tflite']` for TFLite. */
  readonly backends?: readonly BackendName[];
  /** Default `['fp32']`; `int8` needs `calibration`. */
  readonly precisions?: readonly Precision[];
  /** Rows per run (offline) or the dynamic-batching limit (server, multi-stream); default `[1]`. */
  readonly batchSizes?: readonly number[];
  /** Intra-op threads, one configuration each; default: the engine's choice. */
  readonly threads?: readonly number[];
  /** Shapes of inputs with free dimensions, e.g. `{ x: [1, 3, 640, 640] }`. */
  readonly shapes?: Readonly<Record<string, readonly number[]>>;
  /** Untimed queries first, for this long; default 200. */
  readonly warmupMs?: number;
  /** Timed part of each configuration at least this long, in seconds; default 3. */
  readonly durationS?: number;
  /** ...and at least this many queries; default 10. */
  readonly iterations?: number;
  /** Calibration cache (from `edge calibrate`) INT8 is built from. */
  readonly calibration?: string;
  /**
   * Time single-stream as an image pipeline (decode, preprocess, inference, postprocess); default
   * true for a model with one 4-D input, on `image` or a synthetic 1280x720 JPEG.
   */
  readonly pipeline?: boolean;
  /** Image file of the pipeline. */
  readonly image?: string;
  /** Task head of the postprocess stage; without it the pipeline has no postprocess. */
  readonly task?: TaskName;
  /** Preprocessing preset instead of the task head's. */
  readonly preset?: PresetName;
  /** Server: Poisson arrival rate; default half the rate one query at a time reaches in warm-up. */
  readonly qps?: number;
  /** Server and multi-stream: bound on the 99th percentile latency, in ms. */
  readonly latencyBoundMs?: number;
  /** Multi-stream: samples per query; default 8 (MLPerf's). */
  readonly samplesPerQuery?: number;
  /** Measure the bare onnxruntime-node session and OpenCV beside the SDK; default true. */
  readonly baselines?: boolean;
  /** Coefficient of variation above which a figure is flagged too noisy to compare; default 0.1. */
  readonly maxCv?: number;
  /** Interpreter of the OpenCV baseline; default `$EDGE_BENCH_PYTHON` or /usr/bin/python3. */
  readonly python?: string;
  /** Ends the run after the query in flight; the report keeps what was measured. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: BenchProgress) => void;
}

interface Settings {
  scenarios: BenchScenario[];
  backends: BackendName[] | undefined;
  precisions: Precision[];
  batchSizes: number[];
  threads: (number | undefined)[];
  warmupMs: number;
  durationMs: number;
  iterations: number;
  maxCv: number;
  samplesPerQuery: number;
}

function list<T>(
  name: string,
  value: readonly T[] | undefined,
  fallback: T[],
  check: (n: string, v: unknown) => T,
): T[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.length === 0)
    throw new ArgumentError(`Expected a non-empty array for ${name} but received ${JSON.stringify(value)}`);
  return [...new Set(value.map((v, i) => check(`${name}[${i}]`, v)))];
}

function checkSettings(o: BenchOptions): Settings {
  if (o.precisions?.includes('int8') && o.calibration === undefined)
    throw new ArgumentError(
      'precision int8 needs a calibration result: pass options.calibration (the cache `edge calibrate` writes; edge bench --calibration FILE)',
    );
  if (o.task !== undefined) checkOneOf('options.task', o.task, TASK_NAMES);
  if (o.preset !== undefined) checkOneOf('options.preset', o.preset, PRESET_NAMES);
  if (o.qps !== undefined) checkNumber('options.qps', o.qps, { min: Number.MIN_VALUE });
  if (o.latencyBoundMs !== undefined) checkNumber('options.latencyBoundMs', o.latencyBoundMs, { min: 0 });
  const scenarios = list('options.scenarios', o.scenarios, ['single-stream', 'offline'], (n, v) =>
    checkOneOf(n, v, SCENARIOS),
  );
  return {
    scenarios: SCENARIOS.filter((s) => scenarios.includes(s)),
    backends:
      o.backends === undefined
        ? undefined
        : list('options.backends', o.backends, [], (n, v) => checkOneOf(n, v, BACKEND_NAMES)),
    precisions: list('options.precisions', o.precisions, ['fp32'], (n, v) => checkOneOf(n, v, PRECISIONS)),
    batchSizes: list('options.batchSizes', o.batchSizes, [1], checkPositiveInteger).sort((a, b) => a - b),
    threads:
      o.threads === undefined ? [undefined] : list('options.threads', o.threads, [], checkPositiveInteger),
    warmupMs: o.warmupMs === undefined ? 200 : checkNumber('options.warmupMs', o.warmupMs, { min: 0 }),
    durationMs:
      (o.durationS === undefined ? 3 : checkNumber('options.durationS', o.durationS, { min: 0 })) * 1000,
    iterations: o.iterations === undefined ? 10 : checkPositiveInteger('options.iterations', o.iterations),
    maxCv: o.maxCv === undefined ? 0.1 : checkNumber('options.maxCv', o.maxCv, { min: 0 }),
    samplesPerQuery:
      o.samplesPerQuery === undefined
        ? 8
        : checkPositiveInteger('options.samplesPerQuery', o.samplesPerQuery),
  };
}

/** One configuration to measure. */
interface Planned {
  readonly backend: BackendName;
  readonly precision: Precision;
  readonly threads: number | undefined;
  readonly scenario: BenchScenario;
  readonly batch: number;
}

function plan(s: Settings, backends: readonly BackendName[]): Planned[] {
  const out: Planned[] = [];
  for (const backend of backends)
    for (const precision of s.precisions)
      for (const threads of s.threads)
        for (const scenario of s.scenarios)
          for (const batch of scenario === 'single-stream' ? [1] : s.batchSizes)
            out.push({ backend, precision, threads, scenario, batch });
  return out;
}

function configOf(
  p: Planned,
  model: string,
  settings: Settings,
  extra: Partial<BenchConfig> = {},
): BenchConfig {
  return {
    model,
    backend: p.backend,
    precision: p.precision,
    device: 'cpu',
    scenario: p.scenario,
    batchSize: p.batch,
    ...(p.scenario === 'multi-stream' ? { samplesPerQuery: settings.samplesPerQuery } : {}),
    ...(p.threads === undefined ? {} : { threads: p.threads }),
    ...extra,
  };
}

function reasonOf(e: unknown): string {
  if (e instanceof NoBackendError) return e.skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ');
  return ((e as Error)?.message ?? String(e)).split('\n')[0]!;
}

/**
 * Measures `modelPath` over the matrix the options describe and returns the report (nothing is
 * written: see `writeReports`). Configurations that cannot run here are in `report.skipped` with
 * the reason; when the signal aborts, the run stops after the query in flight and the report
 * (with `interrupted: true`) holds what was measured.
 *
 * @throws {@link ArgumentError} for an invalid option, or shapes that do not fit the model.
 * @throws {@link FileIOError} when the model, image or calibration cache cannot be read.
 * @throws {@link CalibrationCacheMismatchError} (from `@edge/calibrate`) for a calibration cache
 *   of another model.
 */
export async function runBench(modelPath: string, options: BenchOptions = {}): Promise<BenchReport> {
  const settings = checkSettings(options);
  const started = new Date();
  const t0 = performance.now();
  const file = readModelBytes(modelPath);
  const variants = new ModelVariants(file, options.calibration);
  const backends = settings.backends ?? [file.format === 'tflite' ? 'tflite' : 'onnxruntime'];
  const runs = plan(settings, backends);
  const image =
    options.image === undefined ? undefined : { bytes: readImage(options.image), label: options.image };

  const libraries: Record<string, string> = {};
  for (const [name, from] of [
    ['onnxruntime-node', import.meta.url],
    ['sharp', packageDir('@edge/preprocess', import.meta.url)],
  ] as const) {
    const v =
      from === undefined ? undefined : packageVersion(name, from.startsWith('file:') ? from : `${from}/`);
    if (v !== undefined) libraries[name] = v;
  }
  const machine = benchMachine(libraries);
  const producer = `edge bench ${packageVersion('@edge/bench') ?? ''}`.trim();
  const records: BenchRecord[] = [];
  const skipped: SkippedConfig[] = [];
  const notes: string[] = [];
  const signal = options.signal;
  const aborted = () => signal?.aborted === true;

  const perRun = settings.warmupMs + settings.durationMs;
  // The OpenCV baseline, after the runs, takes about as long as one configuration.
  const opencvPlanned =
    options.baselines !== false && options.pipeline !== false && settings.scenarios.includes('single-stream');
  const total = (runs.length + (opencvPlanned ? 1 : 0)) * perRun;
  let done = 0;
  const progress = (label: string, fraction: number) => {
    if (!options.onProgress) return;
    const d = done + fraction * perRun;
    const elapsedMs = performance.now() - t0;
    options.onProgress({
      label,
      done: d,
      total,
      elapsedMs,
      etaMs: d > 0 ? (Math.max(0, total - d) * elapsedMs) / d : undefined,
    });
  };
  const schedule = (label: string): Schedule => ({
    warmupMs: settings.warmupMs,
    durationMs: settings.durationMs,
    minQueries: settings.iterations,
    ...(signal === undefined ? {} : { signal }),
    onTick: (f) => progress(label, f),
  });

  let plans: InputPlan[] | undefined;
  let serverQps = options.qps;
  let pipeline: PipelineSetup | null | undefined;
  const pipelineRecords: BenchRecord[] = [];
  const source = { producer, machine, warmupMs: settings.warmupMs, maxCv: settings.maxCv };

  for (const p of runs) {
    if (aborted()) break;
    const label = `${p.backend} ${p.precision} ${p.scenario}${p.batch > 1 ? ` batch ${p.batch}` : ''}${p.threads === undefined ? '' : ` threads ${p.threads}`}`;
    progress(label, 0);
    const base = configOf(p, modelPath, settings);
    let model: Model | undefined;
    try {
      const bytes = variants.bytes(p.precision, p.backend);
      const batching =
        (p.scenario === 'server' || p.scenario === 'multi-stream') && p.batch > 1
          ? { maxBatch: p.batch }
          : false;
      model = await loadModel(p.precision === 'fp32' ? modelPath : bytes, {
        backends: [p.backend],
        ...(p.threads === undefined ? {} : { threads: p.threads }),
        batching,
        maxQueue: 1_000_000,
        ...(signal === undefined ? {} : { signal }),
      });
      if (batching !== false && model.batching === null)
        throw new UnavailableError(
          `dynamic batching needs a free dimension 0 on every input and output of ${modelPath} (free it with edge convert --batch dynamic)`,
        );
      plans ??= planInputs(model.inputs, options.shapes);
      const rows = p.scenario === 'offline' ? p.batch : 1;
      const feeds = feedsFor(plans, rows);
      const loaded = {
        model,
        feeds,
        config: { ...base, shapes: shapesOf(feeds) },
        schedule: schedule(label),
        source,
      };
      if (p.scenario === 'server') {
        // One rate for every server configuration, so they are compared under the same load.
        const r = await measureServer(loaded, serverQps, options.latencyBoundMs);
        serverQps = r.qps;
        if (r.record) records.push(r.record);
      } else {
        // Chosen once: null when the model has no image input to run the pipeline on.
        if (p.scenario === 'single-stream' && options.pipeline !== false && pipeline === undefined)
          pipeline = await choosePipeline(model, plans, options, image);
        const withBare =
          options.baselines !== false &&
          p.backend === 'onnxruntime' &&
          p.precision === 'fp32' &&
          file.format === 'onnx' &&
          p.scenario !== 'multi-stream';
        const measured = await measureSequential(loaded, {
          samplesPerQuery: p.scenario === 'multi-stream' ? settings.samplesPerQuery : 1,
          rows,
          pipeline: p.scenario === 'single-stream' ? (pipeline ?? null) : null,
          bare: withBare ? file.bytes : undefined,
          threads: p.threads,
          latencyBoundMs: p.scenario === 'multi-stream' ? options.latencyBoundMs : undefined,
        });
        records.push(...measured);
        if (measured[0]?.pipeline) pipelineRecords.push(measured[0]);
      }
    } catch (e) {
      if (aborted()) break;
      // Bad shapes, task or preset are the caller's mistake in every configuration: stop.
      if (e instanceof ArgumentError) throw e;
      skipped.push({ config: base, reason: reasonOf(e) });
    } finally {
      await model?.dispose();
    }
    done += perRun;
  }

  addPrecisionRatios(records);
  if (pipeline && pipelineRecords.length > 0 && options.baselines !== false && !aborted()) {
    progress('OpenCV baseline', 0);
    await addOpencvBaseline(pipeline, settings, options, records, pipelineRecords, source, notes);
  }
  if (pipeline)
    notes.push(
      `single-stream queries run the image pipeline on ${pipeline.imageLabel}: decode, preprocess, inference (the record's latency)${pipeline.task ? `, postprocess (${pipeline.task} head)` : '; give a task to time postprocess too'}`,
    );
  if (pipeline === null && options.pipeline !== false && settings.scenarios.includes('single-stream'))
    notes.push(
      'single-stream timed model.run alone: the model has no single 4-D image input for the image pipeline',
    );
  if (records.some((r) => r.warnings.some((w) => w.startsWith(NOISY))))
    notes.push(
      'noisy figures: close other programs, fix the threads (--threads), or time longer (--duration) before comparing them',
    );
  notes.push(
    `timing: ${settings.warmupMs} ms warm-up, then at least ${settings.durationMs / 1000} s and ${settings.iterations} queries per configuration (trtexec's --warmUp, --duration, --iterations); the SDK and its baseline alternate query by query`,
    'enqueue and compute are not split: onnxruntime-node reports no per-stage times',
  );
  return {
    kind: 'edge-bench-report',
    schemaVersion: BENCH_RECORD_SCHEMA_VERSION,
    producer,
    createdAt: started.toISOString(),
    elapsedS: (performance.now() - t0) / 1000,
    model: modelPath,
    machine,
    settings: {
      warmupMs: settings.warmupMs,
      durationS: settings.durationMs / 1000,
      iterations: settings.iterations,
      maxCv: settings.maxCv,
      ...(pipeline ? { image: pipeline.imageLabel } : {}),
      ...(pipeline?.task ? { task: pipeline.task } : {}),
    },
    records,
    skipped,
    notes,
    interrupted: aborted(),
  };
}

/**
 * FP16 and INT8 records against the FP32 record of the same backend, scenario, batch and threads
 * (measured in the same run, not interleaved): the speed of reduced precision as a ratio.
 */
function addPrecisionRatios(records: BenchRecord[]): void {
  const key = (r: BenchRecord) => configKey({ config: { ...r.config, precision: 'fp32' } });
  const fp32 = new Map(
    records
      .filter((r) => r.config.precision === 'fp32' && r.config.baseline === undefined)
      .map((r) => [key(r), r]),
  );
  records.forEach((r, i) => {
    if (r.config.precision === 'fp32' || r.config.baseline !== undefined) return;
    const base = fp32.get(key(r));
    if (!base) return;
    const extra = [
      ...ratio('median latency / fp32', r.latency?.median, base.latency?.median, 'fp32'),
      ...ratio('throughput / fp32', r.samplesPerS, base.samplesPerS, 'fp32'),
    ];
    if (extra.length > 0) records[i] = { ...r, ratios: [...(r.ratios ?? []), ...extra] };
  });
}

function readImage(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new FileIOError(`cannot read image ${path}: ${(e as Error).message}`, path, { cause: e });
  }
}

async function choosePipeline(
  model: Model,
  plans: readonly InputPlan[],
  options: BenchOptions,
  image: { bytes: Uint8Array; label: string } | undefined,
): Promise<PipelineSetup | null> {
  const input = model.inputSpecs[0];
  if (plans.length !== 1 || input === undefined || input.shape.length !== 4 || input.layout === null)
    return null;
  const dims = plans[0]!.dims;
  const size =
    input.layout === 'NCHW' ? { width: dims[3]!, height: dims[2]! } : { width: dims[2]!, height: dims[1]! };
  return pipelineSetup(model, size, image ?? (await syntheticImage()), options.task, options.preset);
}

async function addOpencvBaseline(
  setup: PipelineSetup,
  settings: Settings,
  options: BenchOptions,
  records: BenchRecord[],
  pipelineRecords: BenchRecord[],
  source: RecordSource,
  notes: string[],
): Promise<void> {
  const r = await opencvBaseline(setup.image, setup.spec, {
    warmupMs: settings.warmupMs,
    durationMs: settings.durationMs,
    minQueries: settings.iterations,
    python: options.python ?? pythonInterpreter(process.env),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (!r.ok) {
    notes.push(`no OpenCV baseline: ${r.reason}`);
    return;
  }
  const name = `OpenCV decode + blobFromImage (${r.value.source})`;
  const decode = latencyStats(r.value.decode);
  const pre = latencyStats(r.value.preprocess);
  const totals = r.value.decode.map((d, i) => d + r.value.preprocess[i]!);
  const first = pipelineRecords[0]!;
  records.push({
    schemaVersion: BENCH_RECORD_SCHEMA_VERSION,
    producer: source.producer,
    machine: source.machine,
    config: {
      model: first.config.model,
      backend: 'opencv',
      scenario: 'single-stream',
      baseline: name,
      ...(first.config.shapes ? { shapes: first.config.shapes } : {}),
    },
    stages: {},
    queries: totals.length,
    warmupMs: settings.warmupMs,
    pipeline: {
      ...(decode ? { decode } : {}),
      ...(pre ? { preprocess: pre } : {}),
      ...(latencyStats(totals) ? { total: latencyStats(totals)! } : {}),
    },
    warnings: noiseWarning(latencyStats(totals), settings.maxCv),
  });
  for (const rec of pipelineRecords) {
    const ratios = [
      ...(rec.ratios ?? []),
      ...ratio('median decode / OpenCV', rec.pipeline?.decode?.median, decode?.median, name),
      ...ratio('median preprocess / OpenCV', rec.pipeline?.preprocess?.median, pre?.median, name),
    ];
    records[records.indexOf(rec)] = { ...rec, ratios };
  }
  notes.push(
    `OpenCV baseline: cv2.imdecode, then cv2.dnn.blobFromImage stretched to the tensor size and divided by std, timed in a python process after the SDK's runs (not interleaved)${setup.spec.resize && setup.spec.resize !== 'stretch' ? `; the SDK's resize is '${setup.spec.resize}'` : ''}`,
  );
}
