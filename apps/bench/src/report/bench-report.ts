// The document `edge bench` writes: every record of one run, what was skipped and why, and the
// machine. Readers also take a bare BenchRecord or an array of them (what `edge trt parse-log`
// writes), so a trtexec run on a Jetson and an `edge bench` run sit in one table.

import { readFileSync } from 'node:fs';
import {
  BENCH_RECORD_SCHEMA_VERSION,
  type BenchConfig,
  type BenchMachine,
  type BenchRecord,
  FileIOError,
} from '@edge/core';
import type { Comparison } from './compare.js';

/** A configuration of the matrix that was not measured, and why. */
export interface SkippedConfig {
  readonly config: BenchConfig;
  readonly reason: string;
}

/** The settings a run was made with (trtexec's names where it has them). */
export interface BenchSettings {
  readonly warmupMs: number;
  readonly durationS: number;
  readonly iterations: number;
  /** Coefficient of variation above which a figure is flagged as too noisy to compare. */
  readonly maxCv: number;
  /** The image of the pipeline, when one ran. */
  readonly image?: string;
  readonly task?: string;
}

/** Everything one `edge bench` run measured. */
export interface BenchReport {
  readonly kind: 'edge-bench-report';
  readonly schemaVersion: typeof BENCH_RECORD_SCHEMA_VERSION;
  /** e.g. `edge bench 0.1.0`. */
  readonly producer: string;
  /** ISO time the run started. */
  readonly createdAt: string;
  /** Wall time of the whole run, in seconds. */
  readonly elapsedS: number;
  readonly model: string;
  readonly machine: BenchMachine;
  readonly settings: BenchSettings;
  /** Measured configurations and baselines, in the order they ran. */
  readonly records: readonly BenchRecord[];
  readonly skipped: readonly SkippedConfig[];
  /** How the figures were taken, where the records alone do not say. */
  readonly notes: readonly string[];
  /** True when Ctrl-C stopped the run: the records are what was measured until then. */
  readonly interrupted: boolean;
  /** Against a previous run, when one was given. */
  readonly comparison?: Comparison;
}

/** Whether `value` is a {@link BenchReport} (by its `kind`). */
export function isBenchReport(value: unknown): value is BenchReport {
  return (value as { kind?: unknown } | null)?.kind === 'edge-bench-report';
}

function isRecord(value: unknown): value is BenchRecord {
  const r = value as Partial<BenchRecord> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.schemaVersion === 'number' &&
    typeof r.config === 'object' &&
    Array.isArray(r.warnings)
  );
}

/**
 * Reads the records of a file: an `edge bench` report, one BenchRecord (`edge trt parse-log`), or
 * an array of records.
 *
 * @throws {@link FileIOError} naming the file when it cannot be read, is not JSON, holds none of
 *   those shapes, or has a schema version this SDK does not know.
 */
export function readBenchRecords(path: string): BenchRecord[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new FileIOError(`cannot read ${path}: ${(e as Error).message}`, path, { cause: e });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new FileIOError(`${path} is not JSON: ${(e as Error).message}`, path, { cause: e });
  }
  const list = isBenchReport(value) ? value.records : Array.isArray(value) ? value : [value];
  list.forEach((r, i) => {
    if (!isRecord(r))
      throw new FileIOError(
        `${path}: expected an edge bench report, a BenchRecord or an array of them, but ${Array.isArray(value) ? `element ${i}` : 'the file'} is not a BenchRecord (schemaVersion, config, warnings)`,
        path,
      );
    if (r.schemaVersion !== BENCH_RECORD_SCHEMA_VERSION)
      throw new FileIOError(
        `${path}: BenchRecord schema version ${r.schemaVersion}, this SDK reads version ${BENCH_RECORD_SCHEMA_VERSION}`,
        path,
      );
  });
  return list as BenchRecord[];
}

/**
 * A short name of a record's configuration: `onnxruntime fp32 offline batch 4 threads 2`; a record
 * another producer measured (`edge trt parse-log` of a trtexec run) also names its origin:
 * `tensorrt fp16 [trtexec 8.6.1 on NVIDIA Jetson AGX Orin]`.
 */
export function recordLabel(
  r: Pick<BenchRecord, 'config'> & Partial<Pick<BenchRecord, 'producer' | 'machine'>>,
): string {
  const c = r.config;
  const name =
    c.baseline !== undefined
      ? `${c.baseline}${suffix(c)}`
      : [c.backend ?? '?', c.precision, c.device && c.device !== 'cpu' ? c.device : undefined]
          .filter(Boolean)
          .join(' ')
          .concat(suffix(c));
  if (r.producer === undefined || r.producer.startsWith('edge bench')) return name;
  const where = r.machine?.gpu ?? r.machine?.cpu;
  return `${name} [${r.producer}${where ? ` on ${where}` : ''}]`;
}

/**
 * The report with `records` measured elsewhere (another machine, trtexec through `edge trt
 * parse-log`) added to its tables, and a note naming where they came from.
 */
export function includeRecords(
  report: BenchReport,
  records: readonly BenchRecord[],
  from: string,
): BenchReport {
  const producers = [...new Set(records.map((r) => r.producer))].join(', ');
  return {
    ...report,
    records: [...report.records, ...records],
    notes: [
      ...report.notes,
      `${records.length} record(s) from ${from} (${producers}) shown beside this run's, as measured there`,
    ],
  };
}

function suffix(c: BenchConfig): string {
  const parts: string[] = [];
  if (c.scenario !== undefined) parts.push(c.scenario);
  if (c.batchSize !== undefined && c.batchSize > 1) parts.push(`batch ${c.batchSize}`);
  if (c.batch !== undefined) parts.push(`batch ${c.batch}`);
  if (c.samplesPerQuery !== undefined) parts.push(`${c.samplesPerQuery} samples/query`);
  if (c.targetQps !== undefined) parts.push(`${round(c.targetQps)} qps`);
  if (c.threads !== undefined) parts.push(`threads ${c.threads}`);
  return parts.length === 0 ? '' : ` ${parts.join(' ')}`;
}

function round(v: number): string {
  return v >= 10 ? v.toFixed(0) : v.toPrecision(2);
}

/**
 * The identity of a configuration across runs: model file name, backend, precision, scenario,
 * batch, samples per query, threads, shapes and baseline. Two records with the same key measured
 * the same thing.
 */
export function configKey(r: Pick<BenchRecord, 'config'>): string {
  const c = r.config;
  const model = c.model?.split(/[\\/]/).pop();
  return JSON.stringify([
    model,
    c.engine?.split(/[\\/]/).pop(),
    c.backend,
    c.precision,
    c.device,
    c.scenario,
    c.batchSize ?? c.batch,
    c.samplesPerQuery,
    c.threads,
    c.shapes,
    c.baseline,
  ]);
}
