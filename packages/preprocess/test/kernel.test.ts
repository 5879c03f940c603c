// The kernels against cv2.resize on random images (every interpolation, 1, 3 and 4 channels,
// shrinking and enlarging), and the fused kernel against the multi-loop one on every output
// option: both must give identical elements.

import type { Tensor } from '@edge/core';
import { requires, rng, scratchDir } from '@edge/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { allocateOutput } from '../src/kernel/convert.js';
import {
  type Interpolation,
  type KernelJob,
  type Layout,
  type OutputDType,
  runKernel,
  runReferenceKernel,
} from '../src/kernel/index.js';
import { runReference, saveImage } from './helpers/opencv.js';

/** Random image with some smooth structure (pure noise hides nothing, but photos are smooth). */
function randomImage(rand: () => number, w: number, h: number, c: number): Uint8Array {
  const data = new Uint8Array(w * h * c);
  const fx = rand() * 0.3;
  const fy = rand() * 0.3;
  for (let i = 0; i < data.length; i++) {
    const x = Math.floor(i / c) % w;
    const y = Math.floor(i / c / w);
    const smooth = 127.5 + 127.5 * Math.sin(x * fx + y * fy + (i % c));
    data[i] = rand() < 0.5 ? Math.floor(rand() * 256) : Math.round(smooth);
  }
  return data;
}

function resizeJob(
  src: Uint8Array,
  w: number,
  h: number,
  c: 1 | 3 | 4,
  dw: number,
  dh: number,
  interpolation: Interpolation,
): KernelJob {
  return {
    src,
    srcWidth: w,
    srcHeight: h,
    srcStride: w * c,
    srcChannels: c,
    channelMap: Array.from({ length: c }, (_, i) => i),
    srcRect: { x: 0, y: 0, width: w, height: h },
    dstRect: { x: 0, y: 0, width: dw, height: dh },
    outWidth: dw,
    outHeight: dh,
    interpolation,
    mul: Array(c).fill(1),
    add: Array(c).fill(0),
    pad: Array(c).fill(0),
    layout: 'nhwc',
    dtype: 'uint8',
    quantScale: 1,
    quantZeroPoint: 0,
    dst: new Uint8Array(dw * dh * c),
    dstOffset: 0,
  };
}

interface Case {
  w: number;
  h: number;
  c: 1 | 3 | 4;
  dw: number;
  dh: number;
  interpolation: Interpolation;
  src: Uint8Array;
}

const rand = rng(42);
const cases: Case[] = [];
const sizes: [number, number, number, number][] = [
  [1920, 1080, 640, 640],
  [1920, 1080, 224, 224],
  [640, 480, 1280, 960], // exactly 2x up
  [640, 480, 320, 240], // exactly 2x down: OpenCV's area shortcut
  [600, 300, 200, 100], // exactly 3x down
  [513, 301, 99, 37],
  [37, 23, 301, 113],
  [100, 1, 33, 5],
  [1, 50, 7, 70],
  [300, 200, 450, 90], // up in x, down in y
];
for (const interpolation of ['bilinear', 'nearest', 'area'] as const) {
  for (const [w, h, dw, dh] of sizes) {
    const c = ([1, 3, 4] as const)[cases.length % 3]!;
    cases.push({ w, h, c, dw, dh, interpolation, src: randomImage(rand, w, h, c) });
  }
  for (let i = 0; i < 10; i++) {
    const c = ([1, 3, 4] as const)[i % 3]!;
    const w = 1 + Math.floor(rand() * 300);
    const h = 1 + Math.floor(rand() * 300);
    const dw = 1 + Math.floor(rand() * 300);
    const dh = 1 + Math.floor(rand() * 300);
    cases.push({ w, h, c, dw, dh, interpolation, src: randomImage(rand, w, h, c) });
  }
}

describe('the kernels resample 8-bit images exactly as cv2.resize', requires('python-opencv'), () => {
  let read: (file: string) => Tensor;
  const dir = scratchDir('edge-preprocess-');
  beforeAll(() => {
    read = runReference(
      dir,
      cases.map((k, i) => ({
        id: `r${i}`,
        kind: 'resize',
        input: saveImage(dir, `in${i}`, k.src, k.h, k.w, k.c),
        width: k.dw,
        height: k.dh,
        interpolation: k.interpolation,
      })),
    );
  });

  for (const interpolation of ['bilinear', 'nearest', 'area'] as const) {
    it(`${interpolation}: every pixel of ${cases.filter((k) => k.interpolation === interpolation).length} resizes equals OpenCV's`, () => {
      const failures: string[] = [];
      cases.forEach((k, i) => {
        if (k.interpolation !== interpolation) return;
        const job = resizeJob(k.src, k.w, k.h, k.c, k.dw, k.dh, interpolation);
        runKernel(job);
        const fused = job.dst as Uint8Array;
        const expected = read(`r${i}.npy`).data as Uint8Array;
        let bad = 0;
        for (let e = 0; e < fused.length; e++) if (fused[e] !== expected[e]) bad++;
        const ref = resizeJob(k.src, k.w, k.h, k.c, k.dw, k.dh, interpolation);
        runReferenceKernel(ref);
        let refBad = 0;
        for (let e = 0; e < fused.length; e++) if ((ref.dst as Uint8Array)[e] !== expected[e]) refBad++;
        if (bad > 0 || refBad > 0)
          failures.push(
            `${k.w}x${k.h}x${k.c} -> ${k.dw}x${k.dh}: fused ${bad}, multi-loop ${refBad} pixels differ`,
          );
      });
      expect(failures).toEqual([]);
    });
  }
});

describe('the fused kernel equals the multi-loop kernel', () => {
  const options: { layout: Layout; dtype: OutputDType; q: [number, number] }[] = [
    { layout: 'nchw', dtype: 'float32', q: [1, 0] },
    { layout: 'nhwc', dtype: 'float32', q: [1, 0] },
    { layout: 'nchw', dtype: 'float16', q: [1, 0] },
    { layout: 'nhwc', dtype: 'uint8', q: [1 / 255, 0] },
    { layout: 'nchw', dtype: 'int8', q: [0.0187, -14] },
  ];
  const rects = [
    { dst: { x: 0, y: 0, width: 64, height: 48 }, src: { x: 0, y: 0, width: 97, height: 61 } },
    { dst: { x: 5, y: 11, width: 50, height: 30 }, src: { x: 13, y: 7, width: 70, height: 50 } }, // letterbox-like
    { dst: { x: -16, y: -9, width: 96, height: 70 }, src: { x: 0, y: 0, width: 97, height: 61 } }, // crop after resize
  ];
  for (const { layout, dtype, q } of options) {
    for (const interpolation of ['bilinear', 'nearest', 'area'] as const) {
      it(`${layout} ${dtype} ${interpolation}, padded, cropped and in a batch slot`, () => {
        const src = randomImage(rand, 101, 61, 4);
        for (const r of rects) {
          const make = (): KernelJob => ({
            src,
            srcWidth: 101,
            srcHeight: 61,
            srcStride: 101 * 4 + 0,
            srcChannels: 4,
            channelMap: [2, 1, 0],
            srcRect: r.src,
            dstRect: r.dst,
            outWidth: 64,
            outHeight: 48,
            interpolation,
            mul: [1 / 255 / 0.229, 1 / 255 / 0.224, 1 / 255 / 0.225],
            add: [-0.485 / 0.229, -0.456 / 0.224, -0.406 / 0.225],
            pad: [114, 114, 114],
            layout,
            dtype,
            quantScale: q[0],
            quantZeroPoint: q[1],
            dst: allocateOutput(dtype, 3 * 64 * 48 * 3),
            dstOffset: 3 * 64 * 48,
          });
          const a = make();
          const b = make();
          runKernel(a);
          runReferenceKernel(b);
          expect(Array.from(a.dst)).toEqual(Array.from(b.dst));
          // Only the slot is written.
          expect(Array.from(a.dst.subarray(0, 3 * 64 * 48)).every((v) => v === 0)).toBe(true);
          expect(Array.from(a.dst.subarray(2 * 3 * 64 * 48)).every((v) => v === 0)).toBe(true);
        }
      });
    }
  }
});
