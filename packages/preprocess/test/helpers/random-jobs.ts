// Random kernel jobs for comparing kernels: every interpolation, dtype, layout and source channel
// count, crops, letterbox pads, dstRects hanging over the output, odd strides and offsets. Shared by
// the native tests and the arm64 emulation test, so both run the same cases.

import { rng } from '@edge/test-utils';
import { expect } from 'vitest';
import { allocateOutput } from '../../src/kernel/convert.js';
import type { Interpolation, KernelJob, Layout, OutputArray } from '../../src/kernel/index.js';

export const MEAN: number[] = [0.485, 0.456, 0.406];
export const STD: number[] = [0.229, 0.224, 0.225];

/** A random job: sizes, strides, crops, letterbox pads, overhanging dstRects, every enum value. */
export function randomJob(r: () => number, overrides: Partial<KernelJob> = {}): KernelJob {
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const cn = overrides.srcChannels ?? pick([1, 3, 4] as const);
  const srcWidth = overrides.srcWidth ?? int(1, 90);
  const srcHeight = overrides.srcHeight ?? int(1, 70);
  const srcStride = srcWidth * cn + pick([0, 0, 1, 5, 13]);
  const src = new Uint8Array((srcHeight - 1) * srcStride + srcWidth * cn + int(0, 7));
  // Smooth gradients plus noise: both flat areas and every rounding edge get exercised.
  for (let i = 0; i < src.length; i++) src[i] = r() < 0.5 ? (i * 7 + (i >> 5)) & 255 : int(0, 255);
  const sx = int(0, srcWidth - 1);
  const sy = int(0, srcHeight - 1);
  const srcRect = { x: sx, y: sy, width: int(1, srcWidth - sx), height: int(1, srcHeight - sy) };
  const outWidth = overrides.outWidth ?? int(1, 80);
  const outHeight = overrides.outHeight ?? int(1, 60);
  let dstRect = { x: 0, y: 0, width: outWidth, height: outHeight };
  const shape = r();
  if (shape < 0.3) {
    const w = int(1, outWidth);
    const h = int(1, outHeight);
    dstRect = { x: int(0, outWidth - w), y: int(0, outHeight - h), width: w, height: h };
  } else if (shape < 0.5) {
    // Hangs over the output (a centre crop after the resize), sometimes entirely outside.
    const w = int(1, outWidth + 30);
    const h = int(1, outHeight + 30);
    dstRect = { x: int(-w, outWidth), y: int(-h, outHeight), width: w, height: h };
  } else if (shape < 0.65) {
    // Exact integer factors: OpenCV's block-average paths (2x2 rounds differently).
    const f = pick([2, 3, 4]);
    const g = pick([1, 2, 3]);
    dstRect = {
      x: 0,
      y: 0,
      width: Math.max(1, Math.min(outWidth, Math.floor(srcRect.width / f))),
      height: Math.max(1, Math.min(outHeight, Math.floor(srcRect.height / g))),
    };
  }
  const channelMap =
    overrides.channelMap ??
    Array.from({ length: int(1, 4) }, (_, c) => (cn === 1 ? 0 : c < cn ? cn - 1 - c : int(0, cn - 1)));
  const channels = channelMap.length;
  const dtype = overrides.dtype ?? pick(['float32', 'float16', 'uint8', 'int8'] as const);
  const normalise = r() < 0.5;
  const mul = channelMap.map((_, c) =>
    normalise ? 1 / (255 * STD[c % 3]!) : pick([1, 1 / 255, r() * 0.2 - 0.1]),
  );
  const add = channelMap.map((_, c) =>
    normalise ? -MEAN[c % 3]! / STD[c % 3]! : pick([0, -128, r() * 6 - 3]),
  );
  const pad = channelMap.map(() => pick([0, 114, 127.5, int(0, 255)]));
  const quantized = dtype === 'uint8' || dtype === 'int8';
  const quantScale = quantized ? pick([1, 1 / 255, 0.0173, r() * 0.1 + 0.005]) : 1;
  const quantZeroPoint = quantized ? (dtype === 'uint8' ? int(0, 255) : int(-128, 127)) : 0;
  const size = channels * outWidth * outHeight;
  const dstOffset = pick([0, 0, size, int(0, 50)]);
  const dst = allocateOutput(dtype, dstOffset + size + int(0, 9));
  return {
    src,
    srcWidth,
    srcHeight,
    srcStride,
    srcChannels: cn,
    channelMap,
    srcRect,
    dstRect,
    outWidth,
    outHeight,
    interpolation: pick(['bilinear', 'nearest', 'area'] as const satisfies readonly Interpolation[]),
    mul,
    add,
    pad,
    layout: pick(['nchw', 'nhwc'] as const satisfies readonly Layout[]),
    dtype,
    quantScale,
    quantZeroPoint,
    dst,
    dstOffset,
    ...overrides,
  };
}

/** Fills `dst` with noise, so that an element written by one kernel and not the other shows. */
export function scribble(dst: OutputArray, seed: number): void {
  const r = rng(seed);
  for (let i = 0; i < dst.length; i++)
    dst[i] =
      dst instanceof Float32Array
        ? r() * 100 - 50
        : Math.floor(r() * 256) - (dst instanceof Int8Array ? 128 : 0);
}

/** Largest absolute difference of two outputs (exact for integer types when 0). */
export function maxDiff(a: OutputArray, b: OutputArray): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
  }
  return worst;
}
