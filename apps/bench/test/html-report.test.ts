// The HTML report as a browser draws it: edge bench runs on the bundled PaddleOCR detector (every
// scenario, batch 1 and 2, baselines), writes its three files, and headless Chromium (Debian's,
// through playwright-core) opens the page offline. The charts must be drawn from the report's
// numbers, the tables must show the JSON's figures, and the page must log no error and ask for
// nothing but itself. The screenshot lands in .bench-out/report.png (the README's comes from
// `pnpm readme:figures`, which renders the same page the same way).
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />

import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchRecord } from '@edge/core';
import { requires, scratchDir } from '@edge/test-utils';
import { type Browser, launchChromium, openHtmlFile, type Page } from '@edge/tooling/chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchPackageDir } from '../src/harness/paths.js';
import { runBench } from '../src/measure/run-bench.js';
import { ppocrModelPath } from '../src/models/ppocr.js';
import type { BenchReport } from '../src/report/bench-report.js';
import { writeReports } from '../src/report/write.js';

const dir = scratchDir('edge-bench-html-');

/** A number as the tables print it ("12.3 ms", "0.483 ms", "7.27"), back to a number. */
function parseCell(text: string): number {
  return Number(text.replace(/ ms$|x$| %$/, ''));
}

/** Equal to 3 significant digits (the tables' precision). */
function printedAs(cell: string, value: number): void {
  const shown = parseCell(cell);
  expect(Math.abs(shown - value), `${cell} against ${value}`).toBeLessThanOrEqual(
    Math.max(Math.abs(value) * 0.005, 5e-4),
  );
}

describe('edge bench HTML report in headless Chromium', requires('chromium'), () => {
  let report: BenchReport;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let requests: string[];
  let url: string;

  beforeAll(async () => {
    report = await runBench(ppocrModelPath('det'), {
      shapes: { x: [1, 3, 256, 256] },
      scenarios: ['single-stream', 'multi-stream', 'server', 'offline'],
      batchSizes: [1, 2],
      samplesPerQuery: 2,
      task: 'text',
      warmupMs: 50,
      durationS: 0.3,
      iterations: 5,
      threads: [2],
    });
    const files = writeReports(report, dir);
    browser = await launchChromium();
    ({ page, errors, requests, url } = await openHtmlFile(browser, files.html));
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('wrote JSON, Markdown and HTML of the same run', () => {
    const json = JSON.parse(readFileSync(join(dir, 'bench.json'), 'utf8')) as BenchReport;
    expect(json).toEqual(JSON.parse(JSON.stringify(report)));
    const md = readFileSync(join(dir, 'bench.md'), 'utf8');
    expect(md).toContain('## Latency and throughput per configuration');
    expect(md).toContain(`| onnxruntime fp32 single-stream threads 2 | ${report.records[0]!.queries} |`);
  });

  it('logs no error and asks for nothing but the page itself', () => {
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    expect(readFileSync(join(dir, 'bench.html'), 'utf8')).not.toMatch(/(src|href)="https?:/);
  });

  it('draws four charts with content on their canvases', async () => {
    for (const id of ['histogram', 'percentiles', 'stages', 'throughput']) {
      const drawn = await page.evaluate((chartId: string) => {
        const canvas = document.querySelector<HTMLCanvasElement>(`#chart-${chartId} canvas`)!;
        const { width, height } = canvas;
        const pixels = canvas.getContext('2d')!.getImageData(0, 0, width, height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) painted++;
        const chart = (
          window as unknown as { Chart: { getChart(c: HTMLCanvasElement): unknown } }
        ).Chart.getChart(canvas) as { data: { datasets: { data: unknown[] }[] } } | undefined;
        return {
          width,
          height,
          painted,
          points: chart?.data.datasets.reduce((n, d) => n + d.data.length, 0) ?? 0,
        };
      }, id);
      expect(drawn.width, id).toBeGreaterThan(200);
      expect(drawn.painted, id).toBeGreaterThan(2000);
      expect(drawn.points, id).toBeGreaterThan(0);
    }
  });

  it("the charts plot the JSON's numbers", async () => {
    const charts = await page.evaluate(() => {
      const get = (id: string) =>
        (
          window as unknown as {
            Chart: {
              getChart(c: Element): {
                data: { labels: unknown[]; datasets: { label: string; data: unknown[] }[] };
              };
            };
          }
        ).Chart.getChart(document.querySelector(`#chart-${id} canvas`)!).data;
      return {
        histogram: get('histogram'),
        percentiles: get('percentiles'),
        stages: get('stages'),
        throughput: get('throughput'),
      };
    });
    const timed = report.records.filter((r) => r.latency !== undefined);
    expect(charts.percentiles.datasets.map((d) => d.label)).toEqual(['median', 'p90', 'p95', 'p99']);
    expect(charts.percentiles.datasets[0]!.data).toEqual(timed.map((r) => r.latency!.median));
    expect(charts.percentiles.datasets[3]!.data).toEqual(timed.map((r) => r.latency!.percentiles['99']));
    expect(charts.histogram.datasets[0]!.data).toEqual(timed[0]!.histogram!.counts);
    const staged = report.records.filter((r) => r.pipeline !== undefined);
    expect(staged.length).toBeGreaterThanOrEqual(1);
    const inference = charts.stages.datasets.find((d) => d.label === 'inference')!;
    expect(inference.data).toEqual(staged.map((r) => r.pipeline!.inference?.median ?? null));
    const offline = report.records.filter((r) => r.config.scenario === 'offline');
    const plotted = charts.throughput.datasets.flatMap(
      (d: { data: unknown[] }) => d.data as { x: number; y: number }[],
    );
    expect(plotted.map((p) => p.y).sort()).toEqual(offline.map((r) => r.samplesPerS!).sort());
    expect(new Set(plotted.map((p) => p.x))).toEqual(new Set([1, 2]));
  });

  it("the tables show the JSON's figures", async () => {
    const rows = await page.$$eval('#table-latency tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );
    const timed: BenchRecord[] = report.records.filter((r) => r.latency !== undefined);
    expect(rows).toHaveLength(timed.length);
    rows.forEach((cells, i) => {
      const r = timed[i]!;
      expect(cells[1]).toBe(String(r.queries));
      printedAs(cells[2]!, r.latency!.median);
      printedAs(cells[5]!, r.latency!.percentiles['99']!);
      printedAs(cells[8]!, r.samplesPerS!);
    });
    const stages = await page.$$eval('#table-stages tbody tr td', (tds) =>
      tds.map((td) => td.textContent ?? ''),
    );
    printedAs(stages[3]!, report.records[0]!.pipeline!.inference!.median);
    const embedded = await page.$eval('#bench-report', (s) => JSON.parse(s.textContent ?? ''));
    expect(embedded).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it('the histogram follows the chosen configuration', async () => {
    const timed = report.records.filter((r) => r.histogram !== undefined);
    await page.selectOption('#histogram-select', String(timed.length - 1));
    const counts = await page.evaluate(
      () =>
        (
          window as unknown as {
            Chart: { getChart(c: Element): { data: { datasets: { data: number[] }[] } } };
          }
        ).Chart.getChart(document.querySelector('#chart-histogram canvas')!).data.datasets[0]!.data,
    );
    expect(counts).toEqual(timed.at(-1)!.histogram!.counts);
    await page.selectOption('#histogram-select', '0');
  });

  it('saves a screenshot of the whole page', async () => {
    const out = join(benchPackageDir(), '.bench-out');
    mkdirSync(out, { recursive: true });
    const png = join(out, 'report.png');
    await page.screenshot({ path: png, fullPage: true });
    expect(statSync(png).size).toBeGreaterThan(50_000);
  });
});
