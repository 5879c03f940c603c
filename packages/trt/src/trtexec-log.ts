// Reading a trtexec log into a BenchRecord, for every format since TensorRT 7 (FACTS.md, "trtexec
// output"):
//   - 8.x/10.x (and late 7.x): after `=== Performance summary ===`, `Throughput: N qps`, then
//     `Latency:`, `Enqueue Time:`, `H2D Latency:`, `GPU Compute Time:`, `D2H Latency:` as
//     `min = X ms, max = X ms, mean = X ms, median = X ms, percentile(99%) = X ms` (any set of
//     percentiles), `Total Host Walltime: X s`, `Total GPU Compute Time: X s`, and [W] lines;
//   - 7.x: `Host Latency`, `Enqueue Time`, `GPU Compute` blocks of `min: X ms (end to end Y ms)`,
//     `percentile: X ms at 99%`, `throughput: N qps`, `walltime: X s`, `total compute time: X s`.
// Real logs come pasted into issues: without the `[date] [I]` prefixes, with trailing blanks, with
// several lines run together, with `max 6.1 ms` for `max = 6.1 ms`; the reader takes each metric
// wherever its label is, so all of those read the same.

import {
  BENCH_RECORD_SCHEMA_VERSION,
  type BenchRecord,
  type LatencyStats,
  ModelParseError,
} from '@edge/core';
import { formatTensorRTVersion } from './versions.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const PREFIX = /^\s*\[\d{2}\/\d{2}\/\d{4}-\d{2}:\d{2}:\d{2}\]\s*\[([A-Z])\]\s?/;
const NUMBER = String.raw`(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)`;

interface Line {
  /** I, W, E, V or '' for a line without trtexec's prefix. */
  readonly level: string;
  readonly text: string;
}

function lines(log: string): Line[] {
  return log.split(/\r?\n/).map((raw) => {
    const m = PREFIX.exec(raw);
    return m ? { level: m[1]!, text: raw.slice(m[0].length).trim() } : { level: '', text: raw.trim() };
  });
}

/** `min = 1 ms, max = 2 ms, ..., percentile(99%) = 3 ms` (with or without `=`). */
function statsOf(text: string): LatencyStats | undefined {
  const get = (key: string): number | undefined => {
    const m = new RegExp(String.raw`\b${key}\s*=?\s*${NUMBER}\s*ms`).exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const min = get('min');
  const max = get('max');
  const mean = get('mean');
  const median = get('median');
  if (min === undefined || max === undefined || mean === undefined || median === undefined) return undefined;
  const percentiles: Record<string, number> = {};
  for (const m of text.matchAll(
    new RegExp(String.raw`percentile\((\d+(?:\.\d+)?)%\)\s*=?\s*${NUMBER}\s*ms`, 'g'),
  )) {
    percentiles[m[1]!] = Number(m[2]);
  }
  return { min, max, mean, median, percentiles };
}

const SUMMARY_LABELS = [
  'End-to-End Host Latency',
  'Enqueue Time',
  'H2D Latency',
  'GPU Compute Time',
  'D2H Latency',
  'Total Host Walltime',
  'Total GPU Compute Time',
  'Throughput',
  'Latency',
] as const;
type SummaryLabel = (typeof SUMMARY_LABELS)[number];

/** Each label of the summary with the text up to the next label (lines run together included). */
function summaryFields(text: string): Map<SummaryLabel, string> {
  const re = new RegExp(`(?:^|\\s)(${SUMMARY_LABELS.join('|')}):`, 'g');
  const marks = [...text.matchAll(re)].map((m) => ({
    label: m[1] as SummaryLabel,
    start: m.index! + m[0].length,
    at: m.index!,
  }));
  const out = new Map<SummaryLabel, string>();
  marks.forEach((m, i) => {
    if (!out.has(m.label)) out.set(m.label, text.slice(m.start, marks[i + 1]?.at ?? text.length));
  });
  return out;
}

function num(text: string | undefined, unit: string): number | undefined {
  if (text === undefined) return undefined;
  const m = new RegExp(`${NUMBER}\\s*${unit}`).exec(text);
  return m ? Number(m[1]) : undefined;
}

/** The TensorRT 7 block `name` followed by `min: X ms (end to end Y ms)` lines. */
function legacyBlock(all: Line[], name: string): { stats?: LatencyStats; extra: Map<string, string> } {
  const start = all.findIndex((l) => l.text === name);
  const extra = new Map<string, string>();
  if (start < 0) return { extra };
  const values: Record<string, number> = {};
  const percentiles: Record<string, number> = {};
  for (let i = start + 1; i < all.length; i++) {
    const t = all[i]!.text;
    const m = /^(min|max|mean|median|percentile|throughput|walltime|total compute time):\s*(.*)$/.exec(t);
    if (!m) break;
    const key = m[1]!;
    if (key === 'percentile') {
      const p = new RegExp(`^${NUMBER}\\s*ms at (\\d+(?:\\.\\d+)?)%`).exec(m[2]!);
      if (p) percentiles[p[2]!] = Number(p[1]);
    } else if (key === 'min' || key === 'max' || key === 'mean' || key === 'median') {
      const v = num(m[2], 'ms');
      if (v !== undefined) values[key] = v;
    } else {
      extra.set(key, m[2]!);
    }
  }
  const { min, max, mean, median } = values;
  if (min === undefined || max === undefined || mean === undefined || median === undefined) return { extra };
  return { stats: { min, max, mean, median, percentiles }, extra };
}

function after(all: Line[], pattern: RegExp): RegExpExecArray | undefined {
  for (const l of all) {
    const m = pattern.exec(l.text);
    if (m) return m;
  }
  return undefined;
}

/** Version from `[TensorRT v100200]` (10.2.0) or `[TensorRT v8601]` (8.6.1) or `TensorRT version: 8.6.3`. */
function producerVersion(all: Line[]): string | undefined {
  const tag = after(all, /\[TensorRT v(\d+)\]/);
  if (tag) return formatTensorRTVersion(Number(tag[1]));
  return after(all, /^TensorRT version:\s*([\d.]+)/)?.[1];
}

function parseShapes(all: Line[]): Record<string, number[]> | undefined {
  const shapes: Record<string, number[]> = {};
  for (const l of all) {
    const m = /^Input inference shapes?\s*:\s*(.+?)=(\d+(?:x\d+)*)$/.exec(l.text);
    if (m) shapes[m[1]!.trim()] = m[2]!.split('x').map(Number);
  }
  return Object.keys(shapes).length > 0 ? shapes : undefined;
}

function precisionOf(all: Line[]): string | undefined {
  const p = after(all, /^Precision:\s*(.+)$/)?.[1]?.trim();
  if (p === undefined) return undefined;
  if (/INT8/i.test(p) && /FP16/i.test(p)) return 'best';
  if (/INT8/i.test(p)) return 'int8';
  if (/FP16/i.test(p)) return 'fp16';
  return /FP32/i.test(p) ? 'fp32' : p;
}

function warningsOf(all: Line[], from: number): string[] {
  const out: string[] = [];
  for (let i = Math.max(0, from); i < all.length; i++) {
    const l = all[i]!;
    if (l.level !== 'W' || l.text === '') continue;
    // A warning continues on the next [W] lines that do not start a new '*' item.
    if (!l.text.startsWith('*') && out.length > 0 && i > 0 && all[i - 1]!.level === 'W') {
      out[out.length - 1] += ` ${l.text}`;
    } else {
      out.push(l.text.replace(/^\*\s*/, ''));
    }
  }
  return out;
}

/**
 * Reads the performance figures of a trtexec log (TensorRT 7, 8 or 10 format) into a
 * {@link BenchRecord}: throughput, end-to-end latency, H2D / GPU compute / D2H / enqueue
 * statistics, warm-up and timed duration, the machine and configuration lines trtexec printed,
 * and its warnings.
 *
 * @param source - Path or label of the log, for messages.
 * @throws {@link ModelParseError} when the text holds no performance summary of either format.
 */
export function parseTrtexecLog(log: string, source = '<log>'): BenchRecord {
  const all = lines(typeof log === 'string' ? log : '');
  const version = producerVersion(all);
  const summaryAt = all.findIndex((l) => /=== Performance summary ===/.test(l.text));
  const legacyHost = legacyBlock(all, 'Host Latency');
  const stages: Mutable<BenchRecord['stages']> = {};
  const warnings: string[] = [];
  const record: Mutable<Omit<BenchRecord, 'schemaVersion' | 'producer' | 'machine' | 'config' | 'stages'>> = {
    warnings,
  };
  let warningsFrom = summaryAt;
  if (summaryAt >= 0) {
    const end = all.findIndex((l, i) => i > summaryAt && /^===.*===$/.test(l.text));
    const body = all
      .slice(summaryAt + 1, end < 0 ? all.length : end)
      .filter((l) => l.level !== 'W')
      .map((l) => l.text)
      .join('\n');
    const f = summaryFields(body);
    const throughput = num(f.get('Throughput'), 'qps');
    if (throughput !== undefined) record.throughputQps = throughput;
    const latency = statsOf(f.get('Latency') ?? '');
    if (latency) record.latency = latency;
    const h2d = statsOf(f.get('H2D Latency') ?? '');
    const compute = statsOf(f.get('GPU Compute Time') ?? '');
    const d2h = statsOf(f.get('D2H Latency') ?? '');
    const enqueue = statsOf(f.get('Enqueue Time') ?? '');
    if (h2d) stages.hostToDevice = h2d;
    if (compute) stages.compute = compute;
    if (d2h) stages.deviceToHost = d2h;
    if (enqueue) stages.enqueue = enqueue;
    const wall = num(f.get('Total Host Walltime'), 's');
    const total = num(f.get('Total GPU Compute Time'), 's');
    if (wall !== undefined) record.durationS = wall;
    if (total !== undefined) record.totalComputeS = total;
    if (!latency && !compute) {
      throw new ModelParseError('the performance summary has neither a Latency nor a GPU Compute Time line', {
        source,
        offset: 0,
        fieldPath: 'trtexec performance summary',
      });
    }
  } else if (legacyHost.stats) {
    record.latency = legacyHost.stats;
    const enqueue = legacyBlock(all, 'Enqueue Time').stats;
    const gpu = legacyBlock(all, 'GPU Compute');
    if (enqueue) stages.enqueue = enqueue;
    if (gpu.stats) stages.compute = gpu.stats;
    const throughput = num(legacyHost.extra.get('throughput'), 'qps');
    if (throughput !== undefined && throughput > 0) record.throughputQps = throughput;
    else if (throughput === 0) {
      warnings.push(
        'trtexec printed throughput 0 qps (a reporting bug of some TensorRT 7 releases); left out',
      );
    }
    const wall = num(legacyHost.extra.get('walltime'), 's');
    if (wall !== undefined) record.durationS = wall;
    const total = num(gpu.extra.get('total compute time'), 's');
    if (total !== undefined) record.totalComputeS = total;
    warningsFrom = all.findIndex((l) => l.text === 'Host Latency');
  } else {
    throw new ModelParseError(
      "no trtexec performance summary: expected '=== Performance summary ===' with 'Latency: min = X ms, ...' lines (TensorRT 8 and later) or a 'Host Latency' block of 'min: X ms' lines (TensorRT 7)",
      { source, offset: 0, fieldPath: 'trtexec log' },
    );
  }
  const warmup = after(all, new RegExp(`^Warmup completed (\\d+) queries over ${NUMBER} ms`));
  if (warmup) record.warmupMs = Number(warmup[2]);
  const trace = after(all, new RegExp(`^Timing trace has (\\d+) queries over ${NUMBER} s`));
  if (trace) {
    record.queries = Number(trace[1]);
    record.durationS ??= Number(trace[2]);
  }
  warnings.push(...warningsOf(all, warningsFrom));

  const machine: Mutable<BenchRecord['machine']> = {};
  const gpu = after(all, /^Selected Device:\s*(.+)$/)?.[1]?.trim();
  if (gpu) machine.gpu = gpu;
  const cc = after(all, /^Compute Capability:\s*([\d.]+)/)?.[1];
  if (cc) machine.computeCapability = cc;
  if (version) machine.tensorrt = version;
  const cuda = after(all, /^CUDA (?:runtime )?version:\s*([\d.]+)/i)?.[1];
  if (cuda) machine.cuda = cuda;

  const config: Mutable<BenchRecord['config']> = { backend: 'tensorrt' };
  const command = after(all, /^&&&& RUNNING TensorRT\.trtexec(?: \[TensorRT v\d+\])? # (.+)$/)?.[1];
  if (command) config.command = command.trim();
  const model = after(all, /^(?:Model|ONNX):\s*(\S.*)$/)?.[1] ?? /--onnx=(\S+)/.exec(command ?? '')?.[1];
  if (model) config.model = model;
  const engine = /--loadEngine=(\S+)/.exec(command ?? '')?.[1];
  if (engine) config.engine = engine;
  const precision = precisionOf(all);
  if (precision) config.precision = precision;
  const shapes = parseShapes(all);
  if (shapes) config.shapes = shapes;
  const dla = after(all, /^DLACore:\s*(\d+)$/)?.[1];
  config.device = dla !== undefined ? `dla:${dla}` : `gpu:${after(all, /^Device:\s*(\d+)$/)?.[1] ?? 0}`;
  const streams = after(all, /^Streams:\s*(\d+)$/)?.[1];
  if (streams) config.streams = Number(streams);
  const batch = after(all, /^Batch:\s*(\d+)$/)?.[1];
  if (batch) config.batch = Number(batch);

  return {
    schemaVersion: BENCH_RECORD_SCHEMA_VERSION,
    producer: version ? `trtexec ${version}` : 'trtexec',
    machine,
    config,
    ...record,
    stages,
  };
}
