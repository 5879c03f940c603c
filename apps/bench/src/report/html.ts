// A report as one self-contained HTML page: the tables (the same cells as the terminal and
// Markdown outputs), and four charts drawn by Chart.js, whose UMD build is inlined with the page's
// own script and styles, so the file opens offline and can be mailed or attached to a CI run.
// The report's JSON is embedded too, for anyone who wants the raw figures from the page.

import { STAGES } from '../measure/pipeline.js';
import { type BenchReport, recordLabel } from './bench-report.js';
import { escapeHtml, inlineScript, scriptJson } from './html-parts.js';
import {
  latencyRecords,
  machineLine,
  offlineRecords,
  type ReportTable,
  reportTables,
  reportWarnings,
} from './tables.js';

/** What the page's script draws; computed here so the page holds no report logic. */
export interface ChartData {
  readonly histograms: { label: string; startMs: number; binMs: number; counts: readonly number[] }[];
  /** Axis labels are configuration names wrapped into lines. */
  readonly percentiles: { labels: string[][]; median: number[]; p90: number[]; p95: number[]; p99: number[] };
  readonly stages: { labels: string[][]; series: { stage: string; values: (number | null)[] }[] };
  readonly throughput: { label: string; points: { x: number; y: number }[] }[];
}

/** The data of the four charts of a report. */
export function chartData(report: BenchReport): ChartData {
  const timed = latencyRecords(report);
  const staged = report.records.filter((r) => r.pipeline !== undefined);
  const lines = new Map<string, { x: number; y: number }[]>();
  for (const r of offlineRecords(report)) {
    const label = recordLabel({ config: { ...r.config, batchSize: undefined } });
    const points = lines.get(label) ?? [];
    points.push({ x: r.config.batchSize ?? r.config.batch ?? 1, y: r.samplesPerS! });
    lines.set(label, points);
  }
  return {
    histograms: timed
      .filter((r) => r.histogram !== undefined)
      .map((r) => ({ label: recordLabel(r), ...r.histogram! })),
    percentiles: {
      labels: timed.map((r) => wrap(recordLabel(r))),
      median: timed.map((r) => r.latency!.median),
      p90: timed.map((r) => r.latency!.percentiles['90'] ?? Number.NaN),
      p95: timed.map((r) => r.latency!.percentiles['95'] ?? Number.NaN),
      p99: timed.map((r) => r.latency!.percentiles['99'] ?? Number.NaN),
    },
    stages: {
      labels: staged.map((r) => wrap(recordLabel(r))),
      series: STAGES.map((stage) => ({
        stage,
        values: staged.map((r) => r.pipeline?.[stage]?.median ?? null),
      })),
    },
    throughput: [...lines].map(([label, points]) => ({ label, points: points.sort((a, b) => a.x - b.x) })),
  };
}

/** Words of `text` in lines of at most `width` characters (longer words stay whole). */
export function wrap(text: string, width = 24): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last]!.length + 1 + word.length <= width) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}

/**
 * Chart.js's UMD build (it defines `window.Chart`), ready to inline.
 *
 * @throws {@link UnavailableError} when chart.js is not installed.
 */
export function chartJsSource(): string {
  return inlineScript('chart.js', 'dist/chart.umd.min.js');
}

function tableHtml(t: ReportTable): string {
  const head = t.header
    .map((h, i) => `<th${t.numeric.includes(i) ? ' class="num"' : ''}>${escapeHtml(h)}</th>`)
    .join('');
  const rows = t.rows
    .map((row) => {
      const cls = row.some((c) => c.includes('REGRESSION'))
        ? ' class="regression"'
        : row.some((c) => c.startsWith('▲'))
          ? ' class="better"'
          : row.some((c) => c.startsWith('▼'))
            ? ' class="worse"'
            : '';
      const cells = row.map(
        (c, i) => `<td${t.numeric.includes(i) ? ' class="num"' : ''}>${escapeHtml(c)}</td>`,
      );
      return `<tr${cls}>${cells.join('')}</tr>`;
    })
    .join('\n');
  return `<section class="table" id="table-${t.id}"><h2>${escapeHtml(t.title)}</h2>
<table><thead><tr>${head}</tr></thead><tbody>
${rows}
</tbody></table></section>`;
}

function chartFigure(id: string, title: string, extra = ''): string {
  return `<figure class="chart" id="chart-${id}"><figcaption>${escapeHtml(title)}${extra}</figcaption><div class="box"><canvas></canvas></div><p class="empty" hidden></p></figure>`;
}

const STYLE = `
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --better: #1a7f37; --worse: #cf222e; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 0; padding: 24px 32px; max-width: 1400px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
.machine, .meta { color: var(--muted); margin: 2px 0; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; margin-top: 16px; }
figure.chart { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 12px; }
figcaption { font-weight: 600; margin-bottom: 8px; display: flex; gap: 8px; align-items: center; justify-content: space-between; }
.box { position: relative; height: 300px; }
.empty { color: var(--muted); }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.better td:last-child { color: var(--better); }
tr.worse td:last-child, tr.regression td { color: var(--worse); }
tr.regression td { font-weight: 600; }
ul { padding-left: 20px; }
.interrupted { color: var(--worse); font-weight: 600; }
`;

// Draws the charts from the embedded chart data with the inlined Chart.js. Runs in the browser.
const PAGE_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('chart-data').textContent);
  var COLORS = ['#0969da', '#bf3989', '#1a7f37', '#bc4c00', '#8250df', '#1b7c83', '#9a6700', '#cf222e'];
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = 'system-ui, sans-serif';
  function fig(id) { return document.getElementById('chart-' + id); }
  function empty(id, text) {
    var f = fig(id);
    f.querySelector('.box').hidden = true;
    var p = f.querySelector('.empty');
    p.hidden = false;
    p.textContent = text;
  }
  function draw(id, config) { return new Chart(fig(id).querySelector('canvas'), config); }
  var ms = { title: { display: true, text: 'ms' }, beginAtZero: true };

  if (data.histograms.length === 0) empty('histogram', 'no timed queries');
  else {
    var select = document.getElementById('histogram-select');
    var histogram = draw('histogram', { type: 'bar', data: { labels: [], datasets: [] },
      options: { plugins: { legend: { display: false } }, scales: { x: { title: { display: true, text: 'latency, ms (bin start)' } }, y: { title: { display: true, text: 'queries' }, beginAtZero: true } } } });
    var show = function (i) {
      var h = data.histograms[i];
      histogram.data.labels = h.counts.map(function (_, k) { return (h.startMs + k * h.binMs).toPrecision(3); });
      histogram.data.datasets = [{ label: h.label, data: h.counts.slice(), backgroundColor: COLORS[i % COLORS.length], barPercentage: 1, categoryPercentage: 1 }];
      histogram.update();
    };
    select.addEventListener('change', function () { show(Number(select.value)); });
    show(0);
  }

  var pc = data.percentiles;
  if (pc.labels.length === 0) empty('percentiles', 'no timed queries');
  else draw('percentiles', { type: 'bar', data: { labels: pc.labels, datasets: [
      { label: 'median', data: pc.median, backgroundColor: COLORS[0] },
      { label: 'p90', data: pc.p90, backgroundColor: COLORS[1] },
      { label: 'p95', data: pc.p95, backgroundColor: COLORS[2] },
      { label: 'p99', data: pc.p99, backgroundColor: COLORS[3] }] },
    options: { scales: { x: { ticks: { autoSkip: false } }, y: ms } } });

  var st = data.stages;
  if (st.labels.length === 0) empty('stages', 'no image pipeline was timed (single-stream on a model with one image input)');
  else draw('stages', { type: 'bar', data: { labels: st.labels, datasets: st.series.map(function (s, i) {
      return { label: s.stage, data: s.values, backgroundColor: COLORS[i % COLORS.length] }; }) },
    options: { indexAxis: 'y', scales: { x: { stacked: true, title: { display: true, text: 'ms (median per query)' } }, y: { stacked: true } } } });

  if (data.throughput.length === 0) empty('throughput', 'no offline scenario was measured');
  else draw('throughput', { type: 'line', data: { datasets: data.throughput.map(function (t, i) {
      return { label: t.label, data: t.points, borderColor: COLORS[i % COLORS.length], backgroundColor: COLORS[i % COLORS.length], pointRadius: 4 }; }) },
    options: { scales: { x: { type: 'linear', title: { display: true, text: 'batch size' }, ticks: { precision: 0 } }, y: { title: { display: true, text: 'samples/s' }, beginAtZero: true } } } });
})();
`;

/**
 * The report as one HTML page with everything inline (no network): tables, warnings, notes, and
 * charts of the latency histogram, percentiles per configuration, stage breakdown and throughput
 * against batch size.
 *
 * @throws {@link UnavailableError} when chart.js is not installed.
 */
export function renderHtml(report: BenchReport): string {
  const name = report.model.split(/[\\/]/).pop() ?? report.model;
  const data = chartData(report);
  const options = data.histograms
    .map((h, i) => `<option value="${i}">${escapeHtml(h.label)}</option>`)
    .join('');
  const warnings = reportWarnings(report);
  const list = (title: string, items: readonly string[]) =>
    items.length === 0
      ? ''
      : `<h2>${title}</h2><ul>${items.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${report.producer}: ${name}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(`${report.producer}: ${name}`)}</h1>
<p class="meta">${escapeHtml(`${report.createdAt.replace('T', ' ').slice(0, 16)} UTC, ${report.elapsedS.toFixed(0)} s, warm-up ${report.settings.warmupMs} ms, at least ${report.settings.durationS} s and ${report.settings.iterations} queries per configuration`)}</p>
<p class="machine">${escapeHtml(machineLine(report))}</p>
${report.interrupted ? '<p class="interrupted">Interrupted (Ctrl-C): the figures are of what was measured until then.</p>' : ''}
</header>
<section class="charts">
${chartFigure('histogram', 'Latency histogram', `<select id="histogram-select" aria-label="configuration">${options}</select>`)}
${chartFigure('percentiles', 'Latency percentiles per configuration')}
${chartFigure('stages', 'Stages of one query (median ms)')}
${chartFigure('throughput', 'Throughput against batch size (offline)')}
</section>
${reportTables(report).map(tableHtml).join('\n')}
${list('Warnings', warnings)}
${list('Notes', report.notes)}
<script type="application/json" id="chart-data">${scriptJson(data)}</script>
<script type="application/json" id="bench-report">${scriptJson(report)}</script>
<script>${chartJsSource()}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
