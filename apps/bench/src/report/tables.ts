// The tables of a report, as rows of formatted cells: the terminal, Markdown and HTML outputs all
// print these, so the three never disagree on a number.

import type { BenchRecord, LatencyStats } from '@edge/core';
import { STAGES } from '../measure/pipeline.js';
import { NOISY } from '../measure/records.js';
import type { BenchReport } from './bench-report.js';
import { recordLabel } from './bench-report.js';
import type { ComparisonRow } from './compare.js';

/** One table: a title, a header and rows of cells; `numeric` columns are right-aligned. */
export interface ReportTable {
  readonly id: string;
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly numeric: readonly number[];
}

/** A number with 3 significant digits (whole numbers from 100 up). */
export function sig(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '';
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  if (a === 0) return '0';
  return v.toPrecision(3);
}

/** Milliseconds, 3 significant digits. */
export const ms = (v: number | undefined): string => (v === undefined ? '' : `${sig(v)} ms`);
/** A factor: `1.23x`. */
export const times = (v: number | undefined): string => (v === undefined ? '' : `${sig(v)}x`);
/** A share (0.05) as `5.0 %`. */
export const share = (v: number | undefined): string => (v === undefined ? '' : `${(v * 100).toFixed(1)} %`);
/** A change in percent with its sign: `+3.2 %`. */
export const change = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(1)} %`;

/** The mark of a comparison verdict, for people: better, worse or within noise. */
export function verdictMark(row: Pick<ComparisonRow, 'verdict' | 'regression'>): string {
  const mark = row.verdict === 'better' ? '▲ better' : row.verdict === 'worse' ? '▼ worse' : '= same';
  return row.regression ? `${mark} (REGRESSION)` : mark;
}

function p(stats: LatencyStats | undefined, key: string): number | undefined {
  return stats?.percentiles[key];
}

function state(r: BenchRecord): string {
  const s: string[] = [];
  if (r.latencyBoundMet !== undefined)
    s.push(`p99 ${r.latencyBoundMet ? '≤' : '>'} ${sig(r.config.latencyBoundMs)} ms bound`);
  if (r.warnings.some((w) => w.startsWith(NOISY))) s.push('noisy');
  if (r.interrupted) s.push('interrupted');
  return s.join(', ');
}

/** The records with timed latency (everything but pipeline-only baselines). */
export function latencyRecords(report: Pick<BenchReport, 'records'>): BenchRecord[] {
  return report.records.filter((r) => r.latency !== undefined);
}

/** Offline records, for throughput against batch size. */
export function offlineRecords(report: Pick<BenchReport, 'records'>): BenchRecord[] {
  return report.records.filter((r) => r.config.scenario === 'offline' && r.samplesPerS !== undefined);
}

/** Every table of a report, in the order the outputs print them; empty tables are left out. */
export function reportTables(report: BenchReport): ReportTable[] {
  const tables: ReportTable[] = [
    {
      id: 'latency',
      title: 'Latency and throughput per configuration',
      header: ['configuration', 'queries', 'median', 'p90', 'p95', 'p99', 'mean', 'CV', 'samples/s', ''],
      numeric: [1, 2, 3, 4, 5, 6, 7, 8],
      rows: latencyRecords(report).map((r) => [
        recordLabel(r),
        String(r.queries ?? ''),
        ms(r.latency?.median),
        ms(p(r.latency, '90')),
        ms(p(r.latency, '95')),
        ms(p(r.latency, '99')),
        ms(r.latency?.mean),
        share(r.latency?.cv),
        sig(r.samplesPerS ?? r.throughputQps),
        state(r),
      ]),
    },
    {
      id: 'stages',
      title: 'Stages of one query (medians)',
      header: ['configuration', ...STAGES, 'total'],
      numeric: [1, 2, 3, 4, 5],
      rows: report.records
        .filter((r) => r.pipeline !== undefined)
        .map((r) => [
          recordLabel(r),
          ...STAGES.map((s) => ms(r.pipeline?.[s]?.median)),
          ms(r.pipeline?.total?.median),
        ]),
    },
    {
      id: 'ratios',
      title: 'Against baselines of the same run',
      header: ['configuration', 'ratio', 'value'],
      numeric: [2],
      rows: report.records.flatMap((r) =>
        (r.ratios ?? []).map((q) => [recordLabel(r), q.name, times(q.value)]),
      ),
    },
    {
      id: 'throughput',
      title: 'Throughput against batch size (offline)',
      header: ['configuration', 'batch', 'samples/s', 'median latency'],
      numeric: [1, 2, 3],
      rows: offlineRecords(report).map((r) => [
        recordLabel({ config: { ...r.config, batchSize: undefined } }),
        String(r.config.batchSize ?? r.config.batch ?? 1),
        sig(r.samplesPerS),
        ms(r.latency?.median),
      ]),
    },
  ];
  const c = report.comparison;
  if (c !== undefined)
    tables.push({
      id: 'comparison',
      title: `Against ${c.previous}${c.thresholdPct === undefined ? '' : ` (regression: worse by more than ${c.thresholdPct} %)`}`,
      header: ['configuration', 'figure', 'previous', 'now', 'change', 'verdict'],
      numeric: [2, 3, 4],
      rows: c.rows.map((r) => {
        const f = r.unit === 'ms' ? ms : sig;
        return [
          r.label,
          r.metric,
          f(r.previous),
          f(r.current),
          change(r.changePct),
          `${verdictMark(r)}${r.noisy ? ', noisy' : ''}`,
        ];
      }),
    });
  tables.push({
    id: 'skipped',
    title: 'Not measured',
    header: ['configuration', 'reason'],
    numeric: [],
    rows: report.skipped.map((s) => [recordLabel(s), s.reason]),
  });
  return tables.filter((t) => t.rows.length > 0);
}

/** One line on the machine: CPU, cores, flags, memory, OS, Node, libraries. */
export function machineLine(report: Pick<BenchReport, 'machine'>): string {
  const m = report.machine;
  const parts = [
    m.cpu,
    m.cores === undefined ? undefined : `${m.cores} cores`,
    m.cpuFlags === undefined
      ? undefined
      : `flags ${m.cpuFlags.length > 0 ? m.cpuFlags.join(' ') : 'none of note'}`,
    m.memoryBytes === undefined ? undefined : `${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB`,
    m.gpu,
    m.os,
    m.node === undefined ? undefined : `Node ${m.node}`,
    ...Object.entries(m.libraries ?? {}).map(([k, v]) => `${k} ${v}`),
  ];
  return parts.filter((x) => x !== undefined && x !== '').join(', ');
}

/** The warnings of every record, each once, prefixed with the configuration. */
export function reportWarnings(report: Pick<BenchReport, 'records'>): string[] {
  return report.records.flatMap((r) => r.warnings.map((w) => `${recordLabel(r)}: ${w}`));
}
