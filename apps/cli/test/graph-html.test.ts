// `edge inspect --html` and `edge check --html` as a browser draws them: the built CLI writes the
// page for the bundled PaddleOCR detector, and headless Chromium (Debian's, through playwright-core)
// opens it offline. The graph must hold every op with the MACs and parameters of `edge inspect
// --json`, the boxes must take each target's verdict from `edge check --json`, a click must show the
// rule, reason and source, and the page must log no error and ask for nothing but itself.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />

import { join } from 'node:path';
import { OCR_MODELS, requires, scratchDir } from '@edge/test-utils';
import { type Browser, launchChromium, openHtmlFile } from '@edge/tooling/chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edge } from './helpers/edge.js';

const DET = OCR_MODELS.det;
const SHAPE = ['--shape', 'x=1x3x640x640'];
const TARGETS = 'trt-8.6,dla-orin,myriad,ort-cpu';
const dir = scratchDir('edge-graph-html-');

/** What the page's Cytoscape instance holds, read in the browser. */
interface Drawn {
  nodes: { id: string; level: string; color: string }[];
  edges: number;
  painted: number;
}

const RANK: Record<string, number> = { fallback: 1, incompatible: 2, undeployable: 3 };
const COLOR: Record<string, string> = {
  pass: 'rgb(26,127,55)',
  fallback: 'rgb(191,135,0)',
  incompatible: 'rgb(188,76,0)',
  undeployable: 'rgb(207,34,46)',
  none: 'rgb(87,96,106)',
};

async function drawn(page: import('@edge/tooling/chromium').Page): Promise<Drawn> {
  return page.evaluate(() => {
    type Cy = {
      nodes(): {
        map<T>(f: (n: { id(): string; data(k: string): string; style(k: string): string }) => T): T[];
      };
      edges(): { length: number };
    };
    const cy = (window as unknown as { edgeGraph: Cy }).edgeGraph;
    let painted = 0;
    for (const canvas of document.querySelectorAll<HTMLCanvasElement>('#graph canvas')) {
      const ctx = canvas.getContext('2d');
      if (!ctx || canvas.width === 0 || canvas.height === 0) continue;
      const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 3; i < px.length; i += 4) if (px[i]! > 0) painted++;
    }
    return {
      nodes: cy.nodes().map((n) => ({
        id: n.id(),
        level: n.data('level'),
        color: n.style('background-color').replace(/\s/g, ''),
      })),
      edges: cy.edges().length,
      painted,
    };
  });
}

describe('edge inspect --html and edge check --html in headless Chromium', requires('chromium'), () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('inspect: every op a box with the MACs and parameters of inspect --json, drawn offline', async () => {
    const html = join(dir, 'inspect.html');
    const r = edge('inspect', DET, ...SHAPE, '--html', html);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`edge inspect: wrote ${html}`);
    const json = JSON.parse(edge('inspect', DET, ...SHAPE, '--json').stdout) as {
      nodes: number;
      macs: number;
      ops: Record<string, number>;
    };
    const { page, errors, requests, url } = await openHtmlFile(browser, html);
    const d = await drawn(page);
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    expect(d.nodes).toHaveLength(json.nodes - (json.ops.Constant ?? 0));
    expect(d.edges).toBeGreaterThanOrEqual(d.nodes.length - 1);
    expect(d.painted).toBeGreaterThan(5000);
    const data = JSON.parse(await page.$eval('#graph-data', (s) => s.textContent ?? '')) as {
      nodes: { macs: number; parameters: number }[];
    };
    expect(data.nodes.reduce((a, n) => a + n.macs, 0)).toBe(json.macs);
    expect(d.nodes.every((n) => n.level === 'none' && n.color === COLOR.none)).toBe(true);
    await page.close();
  });

  it("check: each target's verdict per op, and a click shows the rule, reason and source", async () => {
    const html = join(dir, 'check.html');
    const r = edge('check', DET, ...SHAPE, '--target', TARGETS, '--html', html);
    expect([0, 1, 2], r.stderr).toContain(r.code);
    const report = JSON.parse(edge('check', DET, ...SHAPE, '--target', TARGETS, '--json').stdout) as {
      targets: {
        target: string;
        issues: { node?: string; level: string; rule: string; reason: string }[];
      }[];
    };
    const { page, errors, requests, url } = await openHtmlFile(browser, html);
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    const options = await page.$$eval('#target option', (o) => o.map((x) => x.textContent ?? ''));
    expect(options.map((o) => o.split(':')[0])).toEqual(report.targets.map((t) => t.target));
    expect(options).toHaveLength(4);
    let withIssues = 0;
    for (const [index, t] of report.targets.entries()) {
      await page.selectOption('#target', String(index));
      const worst = new Map<string, string>();
      for (const i of t.issues) {
        if (i.node === undefined || i.level === 'note') continue;
        const was = worst.get(i.node);
        if (was === undefined || RANK[i.level]! > RANK[was]!) worst.set(i.node, i.level);
      }
      withIssues += worst.size;
      const d = await drawn(page);
      for (const n of d.nodes) {
        const level = worst.get(n.id) ?? 'pass';
        expect(n.level, `${t.target} ${n.id}`).toBe(level);
        expect(n.color, `${t.target} ${n.id}`).toBe(COLOR[level]);
      }
    }
    expect(withIssues, 'the detector fails some rule on some target').toBeGreaterThan(0);
    const index = report.targets.findIndex((t) =>
      t.issues.some((i) => i.node !== undefined && i.level !== 'note'),
    );
    const issue = report.targets[index]!.issues.find((i) => i.node !== undefined && i.level !== 'note')!;
    await page.selectOption('#target', String(index));
    await page.evaluate((id) => {
      (window as unknown as { edgeGraph: { getElementById(i: string): { emit(e: string): void } } }).edgeGraph
        .getElementById(id)
        .emit('tap');
    }, issue.node!);
    const details = await page.$eval('#details', (e) => e.textContent ?? '');
    expect(details).toContain(issue.node!);
    expect(details).toContain(`${issue.rule}: ${issue.reason}`);
    expect(details).toContain('source: ');
    await page.screenshot({ path: join(dir, 'check.png') });
    await page.close();
  });

  it('BAD CALL - check --html on a TFLite model: exit 2 with the reason', () => {
    const r = edge('check', join(dir, 'face.tflite'), '--html', join(dir, 'x.html'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--html draws ONNX graphs; ${join(dir, 'face.tflite')} is a TFLite model`);
  });
});
