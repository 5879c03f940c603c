// The OCR pipeline end to end on PaddleOCR's models (onnxruntime): seeded pages of rendered text
// never used while developing (the 'eval' half of the vocabulary; the pipeline's settings were
// chosen on the 'debug' half) read with their character accuracy (1 - CER) and box IoU against
// the truth; two real photos of printed pages against their transcription; batching that does not
// change what is read; a recogniser with a fixed batch and width; the pieces on their own.

import { join } from 'node:path';
import { ArgumentError } from '@edge/core';
import { readModelFile, setInputShapes, writeModel } from '@edge/onnx-parse';
import { OCR_ASSETS, OCR_MODELS, requires, TEST_DATA } from '@edge/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeCtc,
  loadOcr,
  type OcrPipeline,
  type OcrResult,
  ocr,
  readOcrDictionary,
} from '../src/index.js';
import { cropQuad, growQuad, rotate180 } from '../src/ocr/crop-quad.js';
import { readingOrder } from '../src/ocr/reading-order.js';
import { editDistance, type PageScore, scorePage, type TextPage, textPages } from './helpers/text-pages.js';

const DICT = join(OCR_ASSETS, 'ppocr_keys_v1.txt');
type XY = [x: number, y: number];
const point = ([x, y]: XY) => ({ x, y });
/** Four corners from [x, y] pairs, in the order given. */
const quad = (a: XY, b: XY, c: XY, d: XY) => [point(a), point(b), point(c), point(d)] as const;

let models: OcrPipeline;
beforeAll(async () => {
  models = await loadOcr({ ...OCR_MODELS, dictionary: DICT }, { backends: ['onnxruntime'] });
});
afterAll(async () => {
  await models?.dispose();
});

function total(scores: PageScore[]) {
  const chars = scores.reduce((n, s) => n + s.chars, 0);
  const edits = scores.reduce((n, s) => n + s.edits, 0);
  const ious = scores.flatMap((s) => s.ious);
  return {
    chars,
    accuracy: 1 - edits / chars,
    meanIou: ious.reduce((a, b) => a + b, 0) / ious.length,
    minIou: Math.min(...ious),
    extra: scores.reduce((n, s) => n + s.extra, 0),
  };
}

async function readPages(pages: readonly TextPage[]): Promise<{ scores: PageScore[]; results: OcrResult[] }> {
  const progress: number[] = [];
  const results = await ocr(
    models,
    pages.map((p) => p.png),
    { onProgress: (done, total) => progress.push(done / total) },
  );
  expect(progress).toEqual(pages.map((_, i) => (i + 1) / pages.length));
  return { results, scores: pages.map((p, i) => scorePage(p.lines, results[i]!.lines)) };
}

describe('OCR on held-out rendered pages', () => {
  it('Latin: DejaVu Sans, Serif, Mono and Bold at 90-180 dpi, one line per page upside down', {
    ...requires('fonts-dejavu'),
    timeout: 120_000,
  }, async () => {
    const pages = await textPages('eval', 7001, 5, { upsideDown: true });
    const { scores, results } = await readPages(pages);
    const t = total(scores);
    console.log(
      `latin held-out: ${pages.length} pages, ${scores.flatMap((s) => s.ious).length} lines, ${t.chars} characters: accuracy ${t.accuracy.toFixed(4)}, box IoU mean ${t.meanIou.toFixed(3)} min ${t.minIou.toFixed(3)}, ${t.extra} extra lines`,
    );
    expect(t.accuracy).toBeGreaterThanOrEqual(0.98);
    expect(t.minIou).toBeGreaterThanOrEqual(0.5);
    expect(t.extra).toBe(0);
    // The upside-down lines were turned by the classifier and read.
    const upside = pages.flatMap((p, i) => p.lines.filter((l) => l.upsideDown).map((l) => ({ l, i })));
    expect(upside.length).toBeGreaterThanOrEqual(3);
    for (const { l, i } of upside) expect(results[i]!.lines.find((r) => r.turned)?.text).toBe(l.text);
  });

  it('Chinese: WenQuanYi Micro Hei (scripts/test-data.sh fetches it)', {
    ...requires('cjk-font'),
    timeout: 120_000,
  }, async () => {
    const pages = await textPages('eval', 7002, 2, { script: 'cjk' });
    const { scores } = await readPages(pages);
    const t = total(scores);
    console.log(
      `chinese held-out: ${pages.length} pages, ${scores.flatMap((x) => x.ious).length} lines, ${t.chars} characters: accuracy ${t.accuracy.toFixed(4)}, box IoU mean ${t.meanIou.toFixed(3)} min ${t.minIou.toFixed(3)}`,
    );
    expect(t.accuracy).toBeGreaterThanOrEqual(0.97);
    expect(t.minIou).toBeGreaterThanOrEqual(0.5);
  });
});

/**
 * Two real photos of printed pages and what they say, typed from the images. They were looked at
 * while the crop margin was chosen (not held out), unlike the rendered evaluation pages.
 */
const PHOTOS: { name: string; least: number; lines: string[] }[] = [
  {
    name: 'skimage-data/page.png',
    // The detector misses the fifth line of this small (384x191), curved, unevenly lit photo.
    least: 0.75,
    lines: [
      'Region-based segmentation',
      'Let us first determine markers of the coins and the',
      'background. These markers are pixels that we can label',
      'unambiguously as either object or background. Here,',
      'the markers are found at the two extreme parts of the',
      'histogram of grey values:',
      '>>> markers = np.zeros_like(coins)',
    ],
  },
  {
    name: 'opencv-data/imageTextN.png',
    least: 0.97,
    lines: [
      'technical details are too complex to cover in the book itself.',
      'In teaching our courses, we have found it useful for the students to attempt a number of',
      'small implementation projects, which often build on one another, in order to get them used to',
      'working with real-world images and the challenges that these present. The students are then',
      'asked to choose an individual topic for each of their small-group, final projects. (Sometimes',
      'these projects even turn into conference papers!) The exercises at the end of each chapter',
      'contain numerous suggestions for smaller mid-term projects, as well as more open-ended',
      'problems whose solutions are still active research topics. Wherever possible, I encourage',
      'students to try their algorithms on their own personal photographs, since this better motivates',
      'them, often leads to creative variants on the problems, and better acquaints them with the',
      'variety and complexity of real-world imagery.',
      'In formulating and solving computer vision problems, I have often found it useful to draw',
      'inspiration from three high-level approaches:',
    ],
  },
];

describe('OCR on real photos of printed pages', requires('photos'), () => {
  for (const photo of PHOTOS) {
    const path = join(TEST_DATA, photo.name);
    it(`${photo.name}: the page's text in reading order`, async () => {
      const [r] = await ocr(models, path);
      const read = r!.lines.map((l) => l.text).join('\n');
      const truth = photo.lines.join('\n');
      const accuracy = 1 - editDistance(read, truth) / [...truth].length;
      console.log(`${photo.name}: ${r!.lines.length} lines, accuracy ${accuracy.toFixed(4)}\n${read}`);
      expect(accuracy).toBeGreaterThanOrEqual(photo.least);
    });
  }
});

describe('batching and fixed shapes', () => {
  it('one crop per run or six: the same text', requires('fonts-dejavu'), async () => {
    const [page] = await textPages('eval', 20263, 1);
    const [one] = await ocr(models, page!.png, { batchSize: 1 });
    const [six] = await ocr(models, page!.png, { batchSize: 6 });
    expect(six!.lines.map((l) => l.text)).toEqual(one!.lines.map((l) => l.text));
    expect(six!.lines.length).toBe(page!.lines.length);
  });

  it('a recogniser with a fixed batch of 4 and width of 640: runs filled up, every crop at 640', {
    ...requires('fonts-dejavu'),
    timeout: 60_000,
  }, async () => {
    const fixed = setInputShapes(readModelFile(OCR_MODELS.rec, { payloads: 'eager' }), {
      x: [4, 3, 48, 640],
    }).model;
    const rec = await loadOcr(
      { det: OCR_MODELS.det, rec: writeModel(fixed), dictionary: DICT },
      { backends: ['onnxruntime'] },
    );
    try {
      expect(rec.rec.inputSpecs[0]).toMatchObject({ batch: 4, width: 640 });
      const pages = await textPages('eval', 20264, 1, { lines: 5 });
      const [r] = await ocr(rec, pages[0]!.png);
      const s = scorePage(pages[0]!.lines, r!.lines);
      expect(1 - s.edits / s.chars).toBeGreaterThanOrEqual(0.95);
    } finally {
      await rec.dispose();
    }
  });
});

describe('the pieces', () => {
  it('CTC greedy decoding: best class per step, repeats collapsed, blanks dropped, mean confidence', () => {
    const chars = ['a', 'b', ' '];
    // steps: a a blank a b b space blank
    const best = [1, 1, 0, 1, 2, 2, 3, 0];
    const p = [0.9, 0.8, 0.7, 0.6, 0.5, 0.9, 0.4, 0.99];
    const probs = new Float32Array(8 * 4);
    best.forEach((c, t) => {
      probs.fill((1 - p[t]!) / 3, t * 4, t * 4 + 4);
      probs[t * 4 + c] = p[t]!;
    });
    const r = decodeCtc(probs, 8, 4, chars);
    expect(r.text).toBe('aab ');
    // kept: step 0 (a), 3 (a), 4 (b), 6 (space)
    expect(r.confidence).toBeCloseTo((0.9 + 0.6 + 0.5 + 0.4) / 4, 6);
    expect(decodeCtc(new Float32Array(4).fill(0.25), 1, 4, chars)).toEqual({ text: '', confidence: 0 });
  });

  it("the dictionary file with PaddleOCR's space is the recogniser's 6625 classes", () => {
    const d = readOcrDictionary(DICT);
    expect(d).toHaveLength(6624);
    expect(d.at(-1)).toBe(' ');
    expect(models.rec.outputs[0]!.shape.at(-1)).toBe(d.length + 1);
  });

  it('reading order: boxes sharing most of their height form a line, lines top to bottom, left to right', () => {
    const boxes = [
      [300, 12, 400, 40], // right of the first line, a larger font starting higher
      [10, 20, 200, 38], // first line, left
      [10, 60, 90, 75], // second line
      [100, 58, 300, 77], // second line, right
      [10, 100, 50, 110],
    ] as const;
    expect(readingOrder(boxes)).toEqual([1, 0, 2, 3, 4]);
  });

  it('the perspective crop of an upright box is the sub-image; of a turned box, the sub-image turned', () => {
    const w = 12;
    const h = 8;
    const data = new Uint8Array(w * h * 3).map((_, i) => (i * 7) % 251);
    const src = {
      data,
      width: w,
      height: h,
      stride: w * 3,
      channels: 3 as const,
      order: 'rgb' as const,
      label: 'x',
    };
    const px = (x: number, y: number) => [...data.subarray((y * w + x) * 3, (y * w + x) * 3 + 3)];
    const up = cropQuad(src, quad([2, 1], [9, 1], [9, 5], [2, 5]));
    expect([up.width, up.height]).toEqual([7, 4]);
    expect([...up.data.subarray(0, 3)]).toEqual(px(2, 1));
    expect([...up.data.subarray((3 * 7 + 6) * 3, (3 * 7 + 6) * 3 + 3)]).toEqual(px(8, 4));
    // The same region given from its top-right corner round: 4 wide and 7 tall, so it is read
    // turned a quarter (np.rot90), which brings it back to 7 x 4, upside down.
    const down = cropQuad(src, quad([9, 1], [9, 5], [2, 5], [2, 1]));
    expect([down.width, down.height]).toEqual([7, 4]);
    expect([...down.data]).toEqual([...rotate180(up).data]);
    const grown = growQuad(quad([10, 10], [110, 10], [110, 30], [10, 30]), 0.2);
    expect(grown.map((p) => [p.x, p.y])).toEqual([
      [6, 6],
      [114, 6],
      [114, 34],
      [6, 34],
    ]);
  });

  it('BAD CALL - a dictionary that does not match the recogniser, bad options, no images', async () => {
    const noSpace = readOcrDictionary(DICT, { space: false });
    let caught: unknown;
    try {
      await loadOcr({ det: OCR_MODELS.det, rec: OCR_MODELS.rec, dictionary: noSpace });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ArgumentError);
    expect((caught as Error).message).toMatch(
      /outputs 6625 classes, but the dictionary has 6623 characters \(\+1 for the CTC blank = 6624\)/,
    );
    await expect(ocr(models, [], {})).rejects.toThrow(
      'Expected at least one image for images but received [] of type object',
    );
    await expect(ocr(models, 'x.png', { batchSize: 0 })).rejects.toThrow(
      'Expected positive integer for options.batchSize but received 0 of type number',
    );
    await expect(ocr(models, 'x.png', { widthBuckets: [320, 160] })).rejects.toThrow(
      /^Expected non-empty ascending array of positive integers for options.widthBuckets/,
    );
    expect(() => decodeCtc(new Float32Array(8), 2, 4, ['a', 'b'])).toThrow(
      "Expected 3 (the blank and the dictionary's 2 characters) for classes but received 4 of type number",
    );
  });
});
