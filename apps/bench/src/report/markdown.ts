// A report as Markdown: the machine, every table, the warnings and the notes.

import type { BenchReport } from './bench-report.js';
import { machineLine, type ReportTable, reportTables, reportWarnings } from './tables.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** One table as GitHub Markdown, numeric columns right-aligned. */
export function markdownTable(t: Pick<ReportTable, 'header' | 'rows' | 'numeric'>): string {
  const align = t.header.map((_, i) => (t.numeric.includes(i) ? '---:' : '---'));
  return [t.header, align, ...t.rows].map((row) => `| ${row.map(cell).join(' | ')} |`).join('\n');
}

/** The report as a Markdown document. */
export function formatMarkdown(report: BenchReport): string {
  const out: string[] = [
    `# ${report.producer}: ${report.model.split(/[\\/]/).pop()}`,
    '',
    `${report.createdAt.slice(0, 10)}, ${report.elapsedS.toFixed(0)} s${report.interrupted ? ', **interrupted**: figures of what was measured until Ctrl-C' : ''}. Machine: ${machineLine(report)}.`,
  ];
  for (const t of reportTables(report)) out.push('', `## ${t.title}`, '', markdownTable(t));
  const warnings = reportWarnings(report);
  if (warnings.length > 0) out.push('', '## Warnings', '', ...warnings.map((w) => `- ${w}`));
  if (report.notes.length > 0) out.push('', '## Notes', '', ...report.notes.map((n) => `- ${n}`));
  return `${out.join('\n')}\n`;
}
