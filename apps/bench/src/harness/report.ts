// Printing a result: a table per group for people (stdout), or one JSON object for machines.

import { arch, cpus, platform, release, totalmem } from 'node:os';
import { formatTable } from '@edge/core';
import { cpuSpeedFlags } from '../measure/machine.js';
import type { Baseline, Benchmark, BenchResult, Figure, Ratio, Unit } from './types.js';

/** The object `--json` prints: the benchmark, where it ran, and everything it returned. */
export interface JsonReport extends BenchResult {
  benchmark: string;
  description: string;
  /** ISO time the run started. */
  startedAt: string;
  durationMs: number;
  environment: Environment;
  /** True when every ratio with a target passed; absent when no ratio has a target. */
  allTargetsMet?: boolean;
}

/** The machine a run happened on. */
export interface Environment {
  node: string;
  platform: string;
  release: string;
  arch: string;
  cpu: string;
  cpuCount: number;
  /** CPU flags that change speed (see `cpuSpeedFlags`); absent in reports of older versions. */
  cpuFlags?: string[];
  totalMemoryBytes: number;
}

/** Describes this machine and Node version. */
export function environment(): Environment {
  const c = cpus();
  return {
    node: process.version,
    platform: platform(),
    release: release(),
    arch: arch(),
    cpu: c[0]?.model.trim() ?? 'unknown',
    cpuCount: c.length,
    cpuFlags: cpuSpeedFlags(),
    totalMemoryBytes: totalmem(),
  };
}

/** Puts a result together with the benchmark's identity and the environment. */
export function jsonReport(
  bench: Benchmark,
  result: BenchResult,
  startedAt: Date,
  durationMs: number,
): JsonReport {
  const targeted = result.ratios.filter((r) => r.pass !== undefined);
  const report: JsonReport = {
    benchmark: bench.name,
    description: bench.description,
    startedAt: startedAt.toISOString(),
    durationMs,
    environment: environment(),
    ...result,
  };
  if (targeted.length > 0) report.allTargetsMet = targeted.every((r) => r.pass);
  return report;
}

/** Prints a value with its unit: 3 significant digits for times and factors, KB/MB for bytes. */
export function formatValue(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return String(value);
  switch (unit) {
    case 'ms':
      return `${sig(value)} ms`;
    case 'bytes':
      return formatBytes(value);
    case 'x':
      return `${sig(value)}x`;
    case '%':
      return `${sig(value)} %`;
    case 'count':
      return String(Math.round(value));
  }
}

/** Bytes as B, KB or MB (powers of 1000, as file sizes are usually quoted). */
export function formatBytes(bytes: number): string {
  const a = Math.abs(bytes);
  if (a >= 1e6) return `${(bytes / 1e6).toFixed(a >= 1e8 ? 1 : 2)} MB`;
  if (a >= 1e3) return `${(bytes / 1e3).toFixed(1)} KB`;
  return `${Math.round(bytes)} B`;
}

function sig(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

type Row = [kind: string, name: string, value: string, p90: string, target: string, result: string];

function figureRow(kind: string, f: Figure | Baseline): Row {
  const source = 'source' in f ? ` [${f.source}]` : '';
  return [
    kind,
    f.name + source,
    formatValue(f.value, f.unit),
    f.p90 === undefined ? '' : formatValue(f.p90, f.unit),
    '',
    '',
  ];
}

function ratioRow(r: Ratio): Row {
  const target = r.target ? `${r.target.op} ${formatValue(r.target.value, r.unit)}` : '';
  const result = r.pass === undefined ? '' : r.pass ? 'PASS' : 'FAIL';
  return ['ratio', r.name, formatValue(r.value, r.unit), '', target, result];
}

function renderRows(rows: Row[], indent: string): string {
  const header: Row = ['', 'measurement', 'median/value', 'p90', 'target', ''];
  // Text columns left-aligned, numbers right-aligned.
  return formatTable([header, ...rows], { right: [2, 3, 4], indent });
}

/** The groups of a report in order, each with its title; the ungrouped rows last (no title). */
function sections(report: JsonReport): Array<{ title?: string; group?: string }> {
  const groupNames = [
    ...report.groups.map((g) => g.name),
    ...[...report.figures, ...report.baselines, ...report.ratios]
      .map((x) => x.group)
      .filter((g): g is string => g !== undefined && !report.groups.some((k) => k.name === g)),
  ];
  const out: Array<{ title?: string; group?: string }> = [...new Set(groupNames)].map((g) => ({
    title: `${g}: ${report.groups.find((k) => k.name === g)?.description ?? ''}`.replace(/: $/, ''),
    group: g,
  }));
  out.push({});
  return out;
}

function sectionRows(report: JsonReport, group: string | undefined): Row[] {
  const mine = <T extends { group?: string }>(xs: T[]): T[] => xs.filter((x) => x.group === group);
  return [
    ...mine(report.figures).map((f) => figureRow('figure', f)),
    ...mine(report.baselines).map((b) => figureRow('baseline', b)),
    ...mine(report.ratios).map(ratioRow),
  ];
}

/** Renders a result as text: a header, one table per group (ungrouped rows last), then the notes. */
export function formatReport(report: JsonReport): string {
  const lines: string[] = [`${report.benchmark}: ${report.description}`];
  for (const s of sections(report)) {
    const rows = sectionRows(report, s.group);
    if (rows.length === 0) continue;
    lines.push('');
    if (s.title) lines.push(s.title);
    lines.push(renderRows(rows, '  '));
  }
  if (report.notes.length > 0) {
    lines.push('', 'notes:');
    for (const n of report.notes) lines.push(`  - ${n}`);
  }
  const targeted = report.ratios.filter((r) => r.pass !== undefined);
  if (targeted.length > 0) {
    const failed = targeted.filter((r) => !r.pass).length;
    lines.push(
      '',
      failed === 0
        ? `all ${targeted.length} targets met`
        : `${failed} of ${targeted.length} targets NOT met (a benchmark reports; the exit code stays 0)`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Renders a result as Markdown (for the README): per group a bold title and a table of
 * measurement, median/value, p90, target and result; then the notes as a list.
 */
export function formatReportMarkdown(report: JsonReport): string {
  const lines: string[] = [];
  const cell = (t: string) => t.replace(/\|/g, '\\|');
  for (const s of sections(report)) {
    const rows = sectionRows(report, s.group);
    if (rows.length === 0) continue;
    if (lines.length > 0) lines.push('');
    if (s.title) lines.push(`**${cell(s.title)}**`, '');
    lines.push(
      '| | measurement | median/value | p90 | target | result |',
      '| --- | --- | ---: | ---: | ---: | --- |',
    );
    for (const r of rows) lines.push(`| ${r.map(cell).join(' | ')} |`);
  }
  if (report.notes.length > 0) lines.push('', ...report.notes.map((n) => `- ${n}`));
  return `${lines.join('\n')}\n`;
}
