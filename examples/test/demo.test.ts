// The demo behind `npm run demo`, into a fresh folder: every target checked, the poster read, INT8
// set against FP32, and the folder holding the picture, the page and the JSON; another report
// already in the folder (the bench report, when a step writes one) is linked from the page.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '@edge/test-utils';
import { expect, it } from 'vitest';
import { main } from '../src/demo.js';

const dir = scratchDir('edge-demo-');

it('writes annotated.png, report.html and report.json with what it measured', async () => {
  writeFileSync(join(dir, 'bench.html'), '<!doctype html><title>bench</title>');
  const report = await main([dir]);
  for (const f of report.files) expect(existsSync(join(dir, f)), f).toBe(true);
  expect(report.check.map((c) => c.target)).toContain('trt-8.6');
  expect(report.check.length).toBeGreaterThanOrEqual(8);
  expect(report.ocr.faces).toBe(1);
  expect(report.ocr.accuracy).toBeGreaterThan(0.9);
  expect(report.int8.quantizedNodes).toBeGreaterThan(50);
  expect(report.int8.mapIou).toBeGreaterThan(0.8);
  expect(report.int8.fp32Ms).toBeGreaterThan(0);
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  expect(html).toContain('<a href="bench.html">bench.html</a>');
  expect(html).toContain('FP32 against INT8');
  expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'))).toEqual(
    JSON.parse(JSON.stringify(report)),
  );
}, 120_000);
