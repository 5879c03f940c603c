// calibrate() as one job with progress and cancellation; the held-out split and report; the HTML
// page of a comparison. On the PaddleOCR direction classifier with generated feeds.
import { createBackend } from '@edge/backends-onnxruntime';
import { AbortedError, ArgumentError, Tensor } from '@edge/core';
import { readModelFile } from '@edge/onnx-parse';
import { OCR_MODELS, random } from '@edge/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CalibrationProgress,
  calibrate,
  comparisonHtml,
  computeRanges,
  evaluateHeldOut,
  formatHeldOut,
  splitHeldOut,
} from '../src/index.js';

const backend = createBackend({ graphOptimizationLevel: 'basic', executionProviders: ['cpu'] });
afterAll(() => expect(backend.openSessions()).toBe(0));
const model = readModelFile(OCR_MODELS.cls);
const feeds = (n: number, seed = 1) =>
  Array.from({ length: n }, (_, k) => {
    const r = random(seed + k);
    return {
      x: new Tensor(
        'float32',
        [1, 3, 48, 192],
        Float32Array.from({ length: 3 * 48 * 192 }, () => 2 * r()),
      ),
    };
  });

describe('calibrate', () => {
  it('runs the feeds, then the ranges, reporting both stages; the ranges are computeRanges of the statistics', async () => {
    const seen: CalibrationProgress[] = [];
    const r = await calibrate(model, feeds(3), {
      backend,
      method: 'percentile',
      onProgress: (p) => seen.push(p),
    });
    expect(seen.filter((p) => p.stage === 'feeds').map((p) => p.done)).toEqual([1, 2, 3]);
    const tensors = seen.filter((p) => p.stage === 'tensors');
    expect(tensors).toHaveLength(r.statistics.tensors.size);
    expect(tensors.at(-1)).toMatchObject({
      done: r.statistics.tensors.size,
      total: r.statistics.tensors.size,
    });
    expect(r.ranges).toEqual(computeRanges(r.statistics, 'percentile'));
    expect(r.statistics.inputShapes).toEqual({ x: [1, 3, 48, 192] });
  });

  it('EXPECTED FAILURE - aborted while the ranges are computed: AbortedError, no session left', async () => {
    const controller = new AbortController();
    const call = calibrate(model, feeds(2), {
      backend,
      onProgress: (p) => {
        if (p.stage === 'tensors' && p.done === 5) controller.abort(new Error('stop'));
      },
      signal: controller.signal,
    });
    await expect(call).rejects.toThrow(AbortedError);
    await expect(call).rejects.toThrow(/^percentile ranges were aborted after 5 of \d+ tensors$/);
    expect(backend.openSessions()).toBe(0);
  });

  it('BAD CALL - an unknown method', async () => {
    const call = calibrate(model, feeds(1), { backend, method: 'kl' as 'entropy' });
    await expect(call).rejects.toThrow(ArgumentError);
    await expect(call).rejects.toThrow(/options\.method/);
  });
});

describe('held-out evaluation', () => {
  it('splitHeldOut holds out the first and every n-th item after it', () => {
    expect(splitHeldOut([0, 1, 2, 3, 4, 5, 6], 3)).toEqual({ calibration: [1, 2, 4, 5], heldOut: [0, 3, 6] });
    expect(() => splitHeldOut([1], 1)).toThrow(ArgumentError);
    expect(() => splitHeldOut([1], 1)).toThrow(
      'Expected integer of at least 2 for every but received 1 of type number',
    );
  });

  it('a model against itself: no gap; the page charts every layer with uPlot inlined', async () => {
    const r = await evaluateHeldOut(model, model, feeds(2), feeds(2, 50), { backend, layers: 3 });
    expect(r.scores).toEqual({ calibration: 1, heldOut: 1 });
    expect(r.overfit).toBe(false);
    expect(formatHeldOut(r)).toMatch(
      /^no sign of over-fitting: score 1\.0000 on the calibration images, 1\.0000 held out/m,
    );
    const page = comparisonHtml(r.heldOut, { title: 'self <check>' });
    expect(page).toContain('<title>self &lt;check&gt;</title>');
    expect(page).toContain('new uPlot(');
    expect(page).not.toMatch(/<script[^>]+src=/);
    expect(r.heldOut.allLayers.length).toBeGreaterThan(r.heldOut.layers.length);
    expect(comparisonHtml({ ...r.heldOut, allLayers: [] })).toContain('No layer comparison in this report');
  });
});
