// Every task head on synthetic outputs whose right answer is known exactly: softmax and top-k,
// YOLO decoding with class-aware NMS through a letterbox, argmax and threshold masks resized to the
// original, PaddleOCR DB boxes with the unclip offset, and BlazeFace anchors and decoding.

import { ArgumentError, Tensor } from '@edge/core';
import { type PreprocessedImage, type PreprocessSpec, preprocessSync } from '@edge/preprocess';
import { describe, expect, it } from 'vitest';
import { convexHull, minAreaRect, rectCorners } from '../src/heads/polygon.js';
import {
  classificationHead,
  decodeClassification,
  decodeDetection,
  decodeFaceDetection,
  decodeSegmentation,
  decodeTextDetection,
  detectionHead,
  FACE_SHORT_RANGE_ANCHORS,
  faceDetectionHead,
  iou,
  nonMaxSuppression,
  segmentationHead,
  ssdAnchors,
  textDetectionHead,
} from '../src/index.js';

const f32 = (shape: number[], values: ArrayLike<number>) =>
  new Tensor('float32', shape, Float32Array.from(values));

/** How a `width` x `height` frame lands in the tensor under `spec`. */
function placed(width: number, height: number, spec: PreprocessSpec): PreprocessedImage {
  const frame = { data: new Uint8Array(width * height * 3), width, height, order: 'rgb' as const };
  return preprocessSync(frame, spec, { kernel: 'typescript' }).images[0]!;
}

function close(actual: readonly number[], expected: readonly number[], digits = 4) {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => {
    expect(v).toBeCloseTo(expected[i]!, digits);
  });
}

describe('classification head', () => {
  it('applies softmax to logits and returns the top k with labels', () => {
    const logits = f32([2, 4], [0, 0, 0, 0, 1, 3, 2, 0]);
    const r = decodeClassification(
      { y: logits },
      { index: 1 },
      { ...classificationHead.defaults, topK: 2, labels: ['a', 'b', 'c', 'd'] },
    );
    const sum = Math.exp(1) + Math.exp(3) + Math.exp(2) + Math.exp(0);
    expect(r.classes.map((c) => [c.classId, c.label])).toEqual([
      [1, 'b'],
      [2, 'c'],
    ]);
    expect(r.classes[0]!.score).toBeCloseTo(Math.exp(3) / sum, 6);
    expect(r.classes[1]!.score).toBeCloseTo(Math.exp(2) / sum, 6);
  });

  it('keeps probabilities as they are, and obeys softmax: false', () => {
    const probs = f32([1, 3, 1, 1], [0.2, 0.5, 0.3]);
    const r = decodeClassification({ p: probs }, { index: 0 }, classificationHead.defaults);
    close(
      r.classes.map((c) => c.score),
      [0.5, 0.3, 0.2],
    );
    const raw = decodeClassification({ y: f32([1, 2], [5, 7]) }, { index: 0 }, { topK: 1, softmax: false });
    expect(r.classes.map((c) => c.classId)).toEqual([1, 2, 0]);
    expect(raw.classes).toEqual([{ classId: 1, score: 7 }]);
  });

  it('EXPECTED FAILURE - a 3-D output, an unknown output name, topK 0', () => {
    const cfg = classificationHead.defaults;
    expect(() => decodeClassification({ y: f32([1, 2, 2], [0, 0, 0, 0]) }, { index: 0 }, cfg)).toThrow(
      ArgumentError,
    );
    expect(() =>
      decodeClassification({ y: f32([1, 2], [0, 0]) }, { index: 0 }, { ...cfg, output: 'z' }),
    ).toThrow(/Expected one of the model's outputs \('y'\) for classify.output but received "z"/);
    expect(() => decodeClassification({ y: f32([1, 2], [0, 0]) }, { index: 0 }, { ...cfg, topK: 0 })).toThrow(
      ArgumentError,
    );
  });
});

describe('detection head', () => {
  // 200x100 letterboxed into 128x128: scale 0.64, 128x64 placed 32 rows down.
  const image = placed(200, 100, { size: { width: 128, height: 128 }, resize: 'letterbox' });
  const context = { image, index: 0, tensorSize: { width: 128, height: 128 } };
  // yolov8 layout [1, 4 + 2 classes, 8 anchors] (anchors outnumber values), stored value-major.
  const anchors: number[][] = [
    [64, 64, 32, 16, 0.9, 0.1],
    [66, 64, 32, 16, 0.8, 0.05], // overlaps the first (IoU 0.88), same class: suppressed
    [64, 64, 32, 16, 0.0, 0.7], // same box, other class: kept by class-aware NMS
    [20, 20, 10, 10, 0.1, 0.2], // under the score threshold
    ...Array.from({ length: 4 }, () => [0, 0, 0, 0, 0, 0]),
  ];
  const yolo = f32(
    [1, 6, 8],
    Array.from({ length: 48 }, (_, i) => anchors[i % 8]![Math.floor(i / 8)]!),
  );

  it('maps the letterbox transform as expected', () => {
    close(
      [image.toSource.scaleX, image.toSource.scaleY, image.toSource.offsetX, image.toSource.offsetY],
      [1.5625, 1.5625, 0, -50],
    );
  });

  it('decodes yolov8, suppresses per class, and maps boxes onto the original', () => {
    const r = decodeDetection({ output0: yolo }, context, {
      ...detectionHead.defaults,
      labels: ['cat', 'dog'],
    });
    expect(r.detections).toHaveLength(2);
    // tensor [48, 56, 80, 72] -> original x * 1.5625, (y - 32) * 1.5625
    close(r.detections[0]!.box, [75, 37.5, 125, 62.5]);
    expect(r.detections[0]).toMatchObject({ classId: 0, label: 'cat' });
    expect(r.detections[0]!.score).toBeCloseTo(0.9, 6);
    close(r.detections[1]!.box, [75, 37.5, 125, 62.5]);
    expect(r.detections[1]).toMatchObject({ classId: 1, label: 'dog' });
    const agnostic = decodeDetection({ output0: yolo }, context, {
      ...detectionHead.defaults,
      classAware: false,
    });
    expect(agnostic.detections.map((d) => d.classId)).toEqual([0]);
  });

  it('reads yolov5 (objectness x class) and xyxy outputs, normalised coordinates, and clips to the image', () => {
    const v5 = f32([1, 2, 7], [64, 64, 32, 16, 0.5, 0.9, 0.1, 64, 64, 256, 128, 0.9, 0.1, 0.8]);
    const r5 = decodeDetection({ y: v5 }, context, { ...detectionHead.defaults, format: 'yolov5' });
    expect(r5.detections.map((d) => d.classId)).toEqual([1, 0]);
    expect(r5.detections[0]!.score).toBeCloseTo(0.72, 6);
    close(r5.detections[0]!.box, [0, 0, 200, 100]); // larger than the image: clipped
    expect(r5.detections[1]!.score).toBeCloseTo(0.45, 6);
    const xyxy = f32([1, 1, 6], [0.375, 0.4375, 0.625, 0.5625, 0.8, 3]);
    const rx = decodeDetection({ y: xyxy }, context, {
      ...detectionHead.defaults,
      format: 'xyxy',
      normalized: true,
    });
    expect(rx.detections).toHaveLength(1);
    close(rx.detections[0]!.box, [75, 37.5, 125, 62.5]);
    expect(rx.detections[0]!.classId).toBe(3);
  });

  it('takes a decoding hook for other formats', () => {
    const r = decodeDetection({}, context, {
      ...detectionHead.defaults,
      format: () => [{ box: [0, 32, 64, 96], score: 0.99, classId: 7 }],
    });
    expect(r.detections).toEqual([{ box: [0, 0, 100, 100], score: 0.99, classId: 7 }]);
  });

  it('EXPECTED FAILURE - a 2-D output for yolov8', () => {
    expect(() =>
      decodeDetection({ y: f32([1, 6], [0, 0, 0, 0, 0, 0]) }, context, detectionHead.defaults),
    ).toThrow(/detect output shape/);
  });
});

describe('nms', () => {
  it('computes IoU and averages clusters in weighted mode', () => {
    expect(iou([0, 0, 2, 2], [1, 0, 3, 2])).toBeCloseTo(1 / 3, 9);
    expect(iou([0, 0, 1, 1], [2, 2, 3, 3])).toBe(0);
    const kept = nonMaxSuppression(
      [
        { box: [0, 0, 10, 10], score: 0.75, classId: 0, extra: [1] },
        { box: [2, 0, 12, 10], score: 0.25, classId: 0, extra: [5] },
      ],
      { iouThreshold: 0.3, mode: 'weighted' },
    );
    expect(kept).toEqual([{ box: [0.5, 0, 10.5, 10], score: 0.75, classId: 0, extra: [2] }]);
  });
});

describe('segmentation head', () => {
  // 8x4 original stretched to a 4x4 tensor; the model's map is 2x2 (stride 2).
  const image = placed(8, 4, { size: { width: 4, height: 4 } });
  const context = { image, index: 0, tensorSize: { width: 4, height: 4 } };

  it('takes the argmax per pixel and resizes the map to the original', () => {
    // 3 classes over 2x2: top-left 0, top-right 1, bottom-left 2, bottom-right 1.
    const scores = f32([1, 3, 2, 2], [9, 0, 0, 0, 0, 9, 0, 9, 0, 0, 9, 0]);
    const r = decodeSegmentation({ s: scores }, context, {
      ...segmentationHead.defaults,
      labels: ['bg', 'a', 'b'],
    });
    expect(r.mask.width).toBe(8);
    expect(r.mask.height).toBe(4);
    const rows = Array.from({ length: 4 }, (_, y) => [...r.mask.data.subarray(y * 8, y * 8 + 8)].join(''));
    expect(rows).toEqual(['00001111', '00001111', '22221111', '22221111']);
    expect(r.classes).toEqual([
      { classId: 1, pixels: 16, label: 'a' },
      { classId: 0, pixels: 8, label: 'bg' },
      { classId: 2, pixels: 8, label: 'b' },
    ]);
  });

  it('thresholds a one-channel map, with a sigmoid for logits', () => {
    const logits = f32([1, 1, 2, 2], [-3, 3, 0.5, -0.5]);
    const r = decodeSegmentation({ s: logits }, context, { ...segmentationHead.defaults, sigmoid: true });
    const rows = Array.from({ length: 4 }, (_, y) => [...r.mask.data.subarray(y * 8, y * 8 + 8)].join(''));
    expect(rows).toEqual(['00001111', '00001111', '11110000', '11110000']);
  });
});

describe('text detection head (PaddleOCR DB)', () => {
  // A 192x128 page stretched to 96x64: the map is half the original size.
  const image = placed(192, 128, { size: { width: 96, height: 64 } });
  const context = { image, index: 0, tensorSize: { width: 96, height: 64 } };
  const W = 96;
  const H = 64;
  function map(rects: [number, number, number, number, number][]): Tensor {
    const m = new Float32Array(W * H);
    for (const [x0, y0, x1, y1, p] of rects)
      for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) m[y * W + x] = p;
    return new Tensor('float32', [1, 1, H, W], m);
  }

  it('finds a region, scores it, expands it by area x 1.5 / perimeter and maps it back', () => {
    const prob = map([
      [10, 20, 59, 29, 0.9], // 50 x 10 pixels: kept
      [70, 5, 90, 6, 0.9], // 2 rows high: under min_size
      [10, 45, 60, 55, 0.5], // above 0.3 but scored 0.5 < box_thresh 0.6
    ]);
    const r = decodeTextDetection({ maps: prob }, context, textDetectionHead.defaults);
    expect(r.boxes).toHaveLength(1);
    // Pixel centres span x 10.5..59.5, y 20.5..29.5: a 49 x 9 rectangle centred at (35, 25).
    const d = (49 * 9 * 1.5) / (2 * (49 + 9));
    const [x0, y0, x1, y1] = [35 - 24.5 - d, 25 - 4.5 - d, 35 + 24.5 + d, 25 + 4.5 + d].map((v) => v * 2);
    close(r.boxes[0]!.box, [x0!, y0!, x1!, y1!]);
    const p = r.boxes[0]!.polygon;
    close(
      [p[0].x, p[0].y, p[1].x, p[1].y, p[2].x, p[2].y, p[3].x, p[3].y],
      [x0!, y0!, x1!, y0!, x1!, y1!, x0!, y1!],
    );
    expect(r.boxes[0]!.score).toBeCloseTo(0.9, 6);
  });

  it('returns boxes top to bottom and none for an empty map', () => {
    const prob = map([
      [10, 40, 80, 49, 0.8],
      [10, 10, 80, 19, 0.95],
    ]);
    const r = decodeTextDetection({ maps: prob }, context, textDetectionHead.defaults);
    expect(r.boxes.map((b) => Math.round(b.score * 100))).toEqual([95, 80]);
    expect(decodeTextDetection({ maps: map([]) }, context, textDetectionHead.defaults).boxes).toEqual([]);
  });

  it('fits the minimum-area rectangle of a rotated region (rotating calipers)', () => {
    const a = Math.PI / 6;
    const u = { x: Math.cos(a), y: Math.sin(a) };
    const pts = [];
    for (let i = 0; i <= 40; i++)
      for (const j of [0, 10]) pts.push({ x: 50 + i * u.x - j * u.y, y: 20 + i * u.y + j * u.x });
    const rect = minAreaRect(convexHull(pts));
    close(
      [rect.width * rect.height, Math.max(rect.width, rect.height), Math.min(rect.width, rect.height)],
      [400, 40, 10],
      6,
    );
    const corners = rectCorners(rect);
    // Of the two leftmost corners (50, 20) and (45, 28.66) the upper one comes first.
    close(
      [corners[0].x, corners[0].y, corners[3].x, corners[3].y],
      [50, 20, 50 - 10 * u.y, 20 + 10 * u.x],
      6,
    );
  });

  it('EXPECTED FAILURE - a map with two channels', () => {
    expect(() =>
      decodeTextDetection({ m: f32([1, 2, 1, 1], [0, 0]) }, context, textDetectionHead.defaults),
    ).toThrow(/Expected \[N, 1, H, W\] with row 0 for text output shape/);
  });
});

describe('face detection head (MediaPipe short range)', () => {
  it('generates the 896 anchors of the short-range model', () => {
    const a = ssdAnchors(FACE_SHORT_RANGE_ANCHORS);
    expect(a).toHaveLength(896);
    expect(a[0]).toEqual({ x: 0.5 / 16, y: 0.5 / 16, w: 1, h: 1 });
    expect(a[1]).toEqual(a[0]);
    expect(a[511]).toEqual({ x: 15.5 / 16, y: 15.5 / 16, w: 1, h: 1 });
    for (let k = 512; k < 518; k++) expect(a[k]).toEqual({ x: 0.5 / 8, y: 0.5 / 8, w: 1, h: 1 });
    expect(a[895]).toEqual({ x: 7.5 / 8, y: 7.5 / 8, w: 1, h: 1 });
  });

  // 256x128 letterboxed into 128x128: scale 0.5, placed 32 rows down.
  const image = placed(256, 128, { size: { width: 128, height: 128 }, resize: 'letterbox' });
  const context = { image, index: 0, tensorSize: { width: 128, height: 128 } };
  function outputs(second: number) {
    const reg = new Float32Array(896 * 16);
    const cls = new Float32Array(896).fill(-10);
    // Anchor 272 is cell (8, 8) of the stride-8 grid, centre (0.53125, 0.53125).
    reg.set([0, 0, 32, 32, -16, -8, 16, -8, 0, 0, 0, 16, -32, 0, 32, 0], 272 * 16);
    cls[272] = Math.log(3); // sigmoid 0.75
    // Its neighbour anchor, shifted 1.28 / 128 right: merged by weighted NMS.
    reg.set([1.28, 0, 32, 32, -16, -8, 16, -8, 0, 0, 0, 16, -32, 0, 32, 0], 273 * 16);
    cls[273] = second;
    return { regressors: f32([1, 896, 16], reg), classificators: f32([1, 896, 1], cls) };
  }

  it('decodes box and keypoints with scale 128 and maps them through the letterbox', () => {
    const r = decodeFaceDetection(outputs(-10), context, faceDetectionHead.defaults);
    expect(r.faces).toHaveLength(1);
    const face = r.faces[0]!;
    expect(face.score).toBeCloseTo(0.75, 6);
    // Tensor box [52, 52, 84, 84] -> original x * 2, (y - 32) * 2.
    close(face.box, [104, 40, 168, 104]);
    close(
      face.keypoints.flatMap((p) => [p.x, p.y]),
      [104, 56, 168, 56, 136, 72, 136, 104, 72, 72, 200, 72],
    );
  });

  it('averages overlapping detections by score (weighted NMS), or keeps the best (plain)', () => {
    const weighted = decodeFaceDetection(outputs(Math.log(1.5)), context, faceDetectionHead.defaults);
    expect(weighted.faces).toHaveLength(1);
    // Scores 0.75 and 0.6: the second box, 1.28 px right in the tensor (2.56 original), weighs 0.6 / 1.35.
    const shift = (2.56 * 0.6) / 1.35;
    close(weighted.faces[0]!.box, [104 + shift, 40, 168 + shift, 104]);
    expect(weighted.faces[0]!.score).toBeCloseTo(0.75, 6);
    const plain = decodeFaceDetection(outputs(Math.log(1.5)), context, {
      ...faceDetectionHead.defaults,
      nms: 'plain',
    });
    close(plain.faces[0]!.box, [104, 40, 168, 104]);
  });

  it('EXPECTED FAILURE - outputs for another anchor count', () => {
    const bad = {
      regressors: f32([1, 10, 16], new Float32Array(160)),
      classificators: f32([1, 10, 1], new Float32Array(10)),
    };
    expect(() => decodeFaceDetection(bad, context, faceDetectionHead.defaults)).toThrow(/for 896 anchors/);
  });
});
