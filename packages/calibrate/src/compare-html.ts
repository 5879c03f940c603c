// A comparison report as one self-contained HTML page: the output metrics, the relative error of
// every compared layer in graph order as a chart (uPlot, inlined with its stylesheet, so the page
// opens offline and from a CI artefact), and the layers whose error grew most.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { checkString, writeFileAtomic } from '@edge/core';
import { type ComparisonReport, confidenceLines, outputRows } from './compare.js';

declare const require: NodeRequire | undefined;

function uplotFile(name: string): string {
  // ESM: import.meta.url; the CJS build has no import.meta (esbuild leaves it empty) but a require.
  const url = (import.meta as { url?: string }).url;
  const req = url !== undefined ? createRequire(url) : require!;
  return readFileSync(req.resolve(`uplot/dist/${name}`), 'utf8');
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** JSON that cannot close the script element it sits in. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

function row(cells: readonly string[], tag = 'td'): string {
  return `<tr>${cells.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join('')}</tr>`;
}

/** Options of {@link comparisonHtml}. */
export interface ComparisonHtmlOptions {
  /** Page title; default "Reduced-precision comparison". */
  readonly title?: string;
  /** Lines shown under the title (the models compared, the images). */
  readonly notes?: readonly string[];
}

/**
 * The report as a self-contained HTML page with the relative error per layer, in graph order, as
 * a chart. Needs the layer comparison (`layers` not 0) for the chart; without it the page has the
 * output table only.
 */
export function comparisonHtml(report: ComparisonReport, options: ComparisonHtmlOptions = {}): string {
  const title = options.title ?? 'Reduced-precision comparison';
  const outputs = outputRows(report)
    .map((cells, k) => row(cells, k === 0 ? 'th' : 'td'))
    .join('\n');
  const worst = [
    row(['tensor', 'op', 'relative error', 'growth'], 'th'),
    ...report.layers.map((l) => row([l.tensor, l.op, l.error.toFixed(5), l.growth.toFixed(5)])),
  ].join('\n');
  const all = report.allLayers;
  const chart = all.length
    ? `<h2>Relative error per layer, in graph order</h2>
<p>‖candidate − reference‖ / ‖reference‖ of each tensor both models compute, over every image; growth is
that minus the largest error of the node's inputs. Hover for the tensor's name.</p>
<div id="chart"></div>
<style>${uplotFile('uPlot.min.css')}</style>
<script>${uplotFile('uPlot.iife.min.js')}</script>
<script>
const layers = ${scriptJson(all.map((l) => [l.tensor, l.op, l.error, l.growth]))};
const x = layers.map((_, i) => i);
const name = (i) => (layers[i] ? layers[i][0] + ' (' + layers[i][1] + ')' : '');
new uPlot({
  width: Math.max(800, Math.min(1600, window.innerWidth - 40)),
  height: 420,
  scales: { x: { time: false } },
  axes: [{ label: 'layer (graph order)' }, { label: 'relative error' }],
  series: [
    { label: 'layer', value: (u, i) => (i == null ? '' : name(i)) },
    { label: 'relative error', stroke: '#c0392b', fill: 'rgba(192,57,43,0.25)', paths: uPlot.paths.bars({ size: [0.9, 12] }) },
    { label: 'growth', stroke: '#2c3e50', width: 1 },
  ],
}, [x, layers.map((l) => l[2]), layers.map((l) => l[3])], document.getElementById('chart'));
</script>`
    : '<p>No layer comparison in this report (it was run with layers: 0).</p>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 20px; color: #222; }
table { border-collapse: collapse; margin: 8px 0 20px; }
td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
td:first-child, th:first-child { text-align: left; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${(options.notes ?? []).map((n) => `<p>${escapeHtml(n)}</p>`).join('\n')}
<p>${report.samples} images compared in ${(report.elapsedMs / 1000).toFixed(1)} s.</p>
<h2>Outputs</h2>
<table>
${outputs}
</table>
${confidenceLines(report)
  .map((l) => `<p>${escapeHtml(l)}</p>`)
  .join('\n')}
${chart}
<h2>Layers whose relative error grew most</h2>
<table>
${worst}
</table>
</body>
</html>
`;
}

/**
 * Writes {@link comparisonHtml} to `path` atomically.
 *
 * @throws ArgumentError when `path` is not a string.
 * @throws FileIOError when the file cannot be written.
 */
export function writeComparisonHtml(
  path: string,
  report: ComparisonReport,
  options: ComparisonHtmlOptions = {},
): void {
  checkString('path', path, { nonEmpty: true });
  writeFileAtomic(path, comparisonHtml(report, options));
}
