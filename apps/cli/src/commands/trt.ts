import { readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { type BenchRecord, FileIOError, formatTable, type LatencyStats } from '@edge/core';
import {
  type BuildOptions,
  benchEngine,
  buildEngine,
  EngineCache,
  type EngineHeader,
  fileReaderAt,
  formatDoctor,
  parseTrtexecLog,
  readEngineHeader,
  TrtEngine,
  trtDoctor,
  trtexecCommandForModel,
} from '@edge/trt';
import { type Command, type Flags, type Io, parse, UsageError } from '../command.js';
import { formatBytes } from '../format.js';
import { interruptible } from '../interrupt.js';
import { parseShapeFlags } from './shape-flags.js';

const BUILD_FLAGS = `  --fp16             FP16 (TensorRT 10.12+: the model must be FP16, see edge quantize --fp16)
  --int8 CACHE       INT8 from a TensorRT calibration cache (edge calibrate) on TensorRT 8
  --int8 qdq         INT8 from the model's Q/DQ nodes (edge quantize --int8): TensorRT 10's way
  --best             FP16 and INT8 where each is fastest
  --dla N            build for DLA core N; --gpu-fallback runs what the DLA cannot on the GPU
  --shape n=DIMS     input shape (the profile's opt; a free batch still ranges from 1); repeatable
  --max-batch N      largest batch of a free batch dimension (default: the --shape batch, else 1)
  --contexts N       execution contexts that may run at once (one profile each; default 1)
  --workspace MIB    builder workspace limit in MiB
  --device N         GPU index (default 0)`;

const USAGE = `usage: edge trt <build|info|doctor|exec-cmd|parse-log> ...

  edge trt build MODEL [-o ENGINE] [build flags] [--timing-cache FILE] [--cache] [--bench N] [--verbose]
      builds a TensorRT engine (in @edge/trt's container: its header records TensorRT, GPU, options
      and model hash); --cache takes it from / puts it in the engine cache; --bench N then times N
      runs and prints the bench record
  edge trt info ENGINE [--json]
      what an engine file was built with and for
  edge trt doctor [--root DIR] [--json]
      driver, CUDA, TensorRT, ONNX parser, GPUs, DLA cores, JetPack (and the edge check target of
      its rule tables), and what each missing piece blocks (exit 1 when TensorRT cannot run here);
      --root reads the Jetson's files under DIR (a host's / mounted in a container)
  edge trt exec-cmd MODEL --trt VERSION [-o ENGINE] [build flags] [--trtexec PATH]
      the trtexec command building the same engine on TensorRT VERSION (8.x or 10.x)
  edge trt parse-log LOG [--json]
      a trtexec log (TensorRT 7, 8 or 10) as a bench record

build flags:
${BUILD_FLAGS}`;

const BUILD_OPTIONS: Flags = {
  string: ['int8', 'dla', 'max-batch', 'contexts', 'workspace', 'device', 'output'],
  boolean: ['fp16', 'best', 'gpu-fallback'],
  multiple: ['shape'],
  short: { o: 'output' },
};

function integer(flag: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) {
    throw new UsageError(`--${flag} expects a non-negative integer, got '${String(value)}'`);
  }
  return Number(value);
}

/** Build flags to BuildOptions. */
function buildOptions(values: Record<string, unknown>, model: string): BuildOptions {
  const precisions = (['fp16', 'int8', 'best'] as const).filter(
    (p) => values[p] !== undefined && values[p] !== false,
  );
  if (
    precisions.length > 1 &&
    !(precisions.length === 2 && precisions.includes('best') && precisions.includes('int8'))
  ) {
    throw new UsageError(
      `choose one of --fp16, --int8, --best (got ${precisions.map((p) => `--${p}`).join(' ')})`,
    );
  }
  const cache = typeof values.int8 === 'string' && values.int8 !== 'qdq' ? values.int8 : undefined;
  const workspace = integer('workspace', values.workspace);
  const shapes = parseShapeFlags((values.shape as string[] | undefined) ?? [], model);
  const options: Record<string, unknown> = {
    precision: values.best ? 'best' : values.fp16 ? 'fp16' : values.int8 !== undefined ? 'int8' : 'fp32',
    calibrationCache: cache,
    dlaCore: integer('dla', values.dla),
    gpuFallback: values['gpu-fallback'] === true ? true : undefined,
    shapes,
    maxBatch: integer('max-batch', values['max-batch']),
    contexts: integer('contexts', values.contexts),
    workspaceBytes: workspace === undefined ? undefined : workspace * 2 ** 20,
    device: integer('device', values.device),
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as BuildOptions;
}

function one(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`expected one ${what}, got ${positionals.length}`);
  return positionals[0]!;
}

function ms(v: number): string {
  return v < 1 ? v.toFixed(4) : v.toFixed(3);
}

function statsRow(name: string, s: LatencyStats | undefined): string[] | undefined {
  if (!s) return undefined;
  const p = Object.entries(s.percentiles)
    .map(([k, v]) => `p${k} ${ms(v)}`)
    .join(', ');
  return [name, ms(s.min), ms(s.median), ms(s.mean), ms(s.max), p];
}

/** A bench record as text. */
function renderRecord(r: BenchRecord): string {
  const rows = [
    statsRow('latency (end to end)', r.latency),
    statsRow('host to device', r.stages.hostToDevice),
    statsRow('GPU compute', r.stages.compute),
    statsRow('device to host', r.stages.deviceToHost),
    statsRow('enqueue', r.stages.enqueue),
  ].filter((x): x is string[] => x !== undefined);
  const head = [
    `${r.producer}${r.machine.gpu ? ` on ${r.machine.gpu}` : ''}${r.machine.computeCapability ? ` (compute capability ${r.machine.computeCapability})` : ''}`,
    [
      r.config.precision && `precision ${r.config.precision}`,
      r.config.device,
      r.config.shapes &&
        Object.entries(r.config.shapes)
          .map(([k, v]) => `${k}=${v.join('x')}`)
          .join(' '),
      r.queries !== undefined && `${r.queries} queries`,
      r.durationS !== undefined && `${r.durationS.toFixed(2)} s`,
    ]
      .filter(Boolean)
      .join(', '),
    r.throughputQps !== undefined
      ? `throughput ${r.throughputQps.toFixed(2)} qps`
      : 'throughput not reported',
  ];
  return [
    ...head,
    '',
    formatTable([['ms', 'min', 'median', 'mean', 'max', 'percentiles'], ...rows]),
    ...r.warnings.map((w) => `warning: ${w}`),
    '',
  ].join('\n');
}

function renderHeader(path: string, h: EngineHeader, fileBytes: number): string {
  const b = h.build;
  const rows = [
    ['file', `${path} (${formatBytes(fileBytes)}, container format ${h.format})`],
    ['TensorRT', h.tensorrt],
    ['GPU', `${h.gpu.name} (compute capability ${h.gpu.computeCapability})`],
    [
      'device',
      h.dlaCore === null
        ? 'GPU'
        : `DLA core ${h.dlaCore}${b.gpuFallback ? ' with GPU fallback' : ''}, ${b.transitions} DLA/GPU transitions`,
    ],
    [
      'precision',
      `${b.precision}${b.stronglyTyped ? ' (strongly typed)' : ''}${b.int8 && b.calibrationCacheSha256 ? `, calibration cache sha256 ${b.calibrationCacheSha256.slice(0, 12)}…` : ''}`,
    ],
    [
      'profile',
      b.profile.length === 0
        ? 'static shapes'
        : b.profile
            .map((p) => `${p.name} min ${p.min.join('x')} opt ${p.opt.join('x')} max ${p.max.join('x')}`)
            .join('; '),
    ],
    ['contexts', String(b.contexts)],
    ['workspace', b.workspaceBytes === null ? 'TensorRT default' : formatBytes(b.workspaceBytes)],
    ['model', `${h.model.name} (sha256 ${h.model.sha256})`],
    ['plan', `${formatBytes(h.plan.bytes)}, sha256 ${h.plan.sha256}`],
    ['built', h.createdAt],
  ];
  return `${formatTable(rows)}\n`;
}

async function build(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, BUILD_OPTIONS, {
    string: ['timing-cache', 'bench'],
    boolean: ['cache', 'verbose', 'json'],
  });
  const model = one(positionals, 'model');
  const options = buildOptions(values, model);
  const output =
    (values.output as string | undefined) ??
    (values.cache ? undefined : join(dirname(model), `${basename(model, extname(model))}.engine`));
  const runs = integer('bench', values.bench);
  return interruptible(io, 'trt build', async (signal) => {
    let shown = 0;
    const built = await buildEngine(model, {
      ...options,
      ...(output !== undefined ? { output } : {}),
      ...(values['timing-cache'] ? { timingCache: values['timing-cache'] as string } : {}),
      ...(values.cache ? { cache: new EngineCache() } : {}),
      verbose: values.verbose === true,
      signal,
      onProgress: (p) => {
        // Top-level phases only, at most one line a second.
        if (p.depth === 0 && (p.step === 0 || p.elapsedMs - shown >= 1000)) {
          shown = p.elapsedMs;
          io.stderr.write(`build: ${p.phase} ${p.step}/${p.steps} (${(p.elapsedMs / 1000).toFixed(1)} s)\n`);
        }
      },
      onLog: (l) => {
        if (l.severity === 'error' || l.severity === 'warning' || values.verbose)
          io.stderr.write(`[${l.severity}] ${l.message}\n`);
      },
      onCacheEvent: (e) => io.stderr.write(`cache: ${e.kind} ${e.path}\n`),
    });
    for (const n of built.notes) io.stderr.write(`note: ${n}\n`);
    const record = runs ? await benchEngine(await TrtEngine.load(built), { runs, signal }) : undefined;
    if (values.json) {
      io.stdout.write(
        `${JSON.stringify({ path: built.path, source: built.source, header: built.header, layers: built.layers, bench: record }, null, 2)}\n`,
      );
    } else {
      io.stdout.write(`${built.source} ${built.path ?? '(not written)'}\n`);
      if (record) io.stdout.write(renderRecord(record));
    }
    return 0;
  });
}

async function run(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'build':
      return build(rest, io);
    case 'info': {
      const { values, positionals } = parse(rest, { boolean: ['json'] });
      const path = one(positionals, 'engine file');
      const info = readEngineHeader(path);
      io.stdout.write(
        values.json
          ? `${JSON.stringify(info.header, null, 2)}\n`
          : renderHeader(path, info.header, info.fileBytes),
      );
      return 0;
    }
    case 'doctor': {
      const { values, positionals } = parse(rest, { string: ['root'], boolean: ['json'] });
      if (positionals.length > 0) throw new UsageError('doctor takes no arguments');
      const report = trtDoctor(values.root ? { read: fileReaderAt(values.root as string) } : {});
      io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctor(report));
      return report.status.available ? 0 : 1;
    }
    case 'exec-cmd': {
      const { values, positionals } = parse(rest, BUILD_OPTIONS, { string: ['trt', 'trtexec'] });
      const model = one(positionals, 'model');
      if (typeof values.trt !== 'string')
        throw new UsageError('--trt VERSION is required (e.g. --trt 8.6 or --trt 10.3)');
      const cmd = trtexecCommandForModel(model, values.trt, buildOptions(values, model), {
        ...(values.output ? { engine: values.output as string } : {}),
        ...(values.trtexec ? { trtexec: values.trtexec as string } : {}),
      });
      io.stdout.write(`${cmd.line}\n`);
      return 0;
    }
    case 'parse-log': {
      const { values, positionals } = parse(rest, { boolean: ['json'] });
      const path = one(positionals, 'log file');
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (e) {
        throw new FileIOError(`cannot read ${path}: ${(e as Error).message}`, path, { cause: e });
      }
      const record = parseTrtexecLog(text, path);
      io.stdout.write(values.json ? `${JSON.stringify(record, null, 2)}\n` : renderRecord(record));
      return 0;
    }
    default:
      throw new UsageError(
        `expected a subcommand build, info, doctor, exec-cmd or parse-log, got '${sub ?? ''}'`,
      );
  }
}

/** `edge trt`: TensorRT engines built, inspected, diagnosed, and trtexec both ways. */
export const trtCommand: Command = { name: 'trt', usage: USAGE, run };
