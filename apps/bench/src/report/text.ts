// A report as plain text for the terminal (core's formatTable), the default of `edge bench`.

import { formatTable } from '@edge/core';
import type { BenchReport } from './bench-report.js';
import { machineLine, reportTables, reportWarnings } from './tables.js';

/** The report as aligned text tables, then warnings and notes. */
export function formatText(report: BenchReport): string {
  const out: string[] = [
    `${report.producer}: ${report.model}`,
    `${machineLine(report)}`,
    report.interrupted ? 'INTERRUPTED: figures of what was measured until Ctrl-C' : '',
  ].filter((l) => l !== '');
  for (const t of reportTables(report))
    out.push('', t.title, formatTable([t.header, ...t.rows], { right: [...t.numeric], indent: '  ' }));
  const warnings = reportWarnings(report);
  if (warnings.length > 0) out.push('', 'warnings:', ...warnings.map((w) => `  - ${w}`));
  if (report.notes.length > 0) out.push('', 'notes:', ...report.notes.map((n) => `  - ${n}`));
  return `${out.join('\n')}\n`;
}
