// Writing a report's three files (JSON, Markdown, HTML) into a folder, each atomically.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FileIOError, writeFileAtomic } from '@edge/core';
import type { BenchReport } from './bench-report.js';
import { renderHtml } from './html.js';
import { formatMarkdown } from './markdown.js';

/** Paths {@link writeReports} wrote. */
export interface ReportFiles {
  readonly json: string;
  readonly markdown: string;
  readonly html: string;
}

/**
 * Writes `<name>.json`, `<name>.md` and `<name>.html` into `dir` (created if missing), each
 * atomically: an interrupted write leaves the previous file, never half of one.
 *
 * @throws {@link FileIOError} naming the path that cannot be written.
 * @throws {@link UnavailableError} when chart.js is not installed (nothing is written then).
 */
export function writeReports(report: BenchReport, dir: string, name = 'bench'): ReportFiles {
  const html = renderHtml(report);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new FileIOError(`cannot create folder ${dir}: ${(e as Error).message}`, dir, { cause: e });
  }
  const files = {
    json: join(dir, `${name}.json`),
    markdown: join(dir, `${name}.md`),
    html: join(dir, `${name}.html`),
  };
  writeFileAtomic(files.json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileAtomic(files.markdown, formatMarkdown(report));
  writeFileAtomic(files.html, html);
  return files;
}
