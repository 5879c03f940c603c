// The CUDA preprocessing kernel's arithmetic (its TypeScript mirror, src/gpu-reference.ts) against
// @edge/preprocess's CPU kernel on real photos and random images, over the geometries and dtypes a
// model input takes. The requirement is agreement within 1/255 of the value range; the test also
// counts exact matches. The kernel itself runs only on a GPU: not on this machine (no driver, no
// GPU), where the launcher refuses with UnavailableError.
import { ArgumentError, float16BitsToFloat32, UnavailableError } from '@edge/core';
import { loadImage } from '@edge/preprocess';
import { type KernelJob, runKernel } from '@edge/preprocess/kernel';
import { photo, requires, rng, TRT_FAKE_ADDON } from '@edge/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { type GpuKernelJob, packGpuJob } from '../src/gpu-job.js';
import { createGpuPreprocessor, ptxFor } from '../src/gpu-preprocess.js';
import { runGpuReference } from '../src/gpu-reference.js';
import { loadRuntime } from '../src/loader.js';

const PHOTOS = [photo('skimage/astronaut.png'), photo('opencv/HappyFish.jpg')];

interface Img {
  data: Uint8Array;
  width: number;
  height: number;
  stride: number;
  channels: 1 | 3 | 4;
}

const random = rng(12345);

function randomImage(width: number, height: number, channels: 1 | 3 | 4, padBytes = 0): Img {
  const stride = width * channels + padBytes;
  const data = new Uint8Array(stride * height);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(random() * 256);
  return { data, width, height, stride, channels };
}

type Dtype = KernelJob['dtype'];
const ARRAYS = { float32: Float32Array, float16: Uint16Array, uint8: Uint8Array, int8: Int8Array } as const;

function job(
  img: Img,
  opts: {
    out: [number, number];
    srcRect?: KernelJob['srcRect'];
    dstRect?: KernelJob['dstRect'];
    interpolation?: 'bilinear' | 'nearest';
    layout?: 'nchw' | 'nhwc';
    dtype?: Dtype;
    map?: number[];
  },
): KernelJob {
  const [outWidth, outHeight] = opts.out;
  const map = opts.map ?? (img.channels === 1 ? [0] : [2, 1, 0]);
  const dtype = opts.dtype ?? 'float32';
  const C = map.length;
  const offset = 7; // a slot inside a batch tensor
  return {
    src: img.data,
    srcWidth: img.width,
    srcHeight: img.height,
    srcStride: img.stride,
    srcChannels: img.channels,
    channelMap: map,
    srcRect: opts.srcRect ?? { x: 0, y: 0, width: img.width, height: img.height },
    dstRect: opts.dstRect ?? { x: 0, y: 0, width: outWidth, height: outHeight },
    outWidth,
    outHeight,
    interpolation: opts.interpolation ?? 'bilinear',
    // ImageNet mean/std folded into mul/add, as the preprocess spec layer does.
    mul: map.map((_, c) => 1 / (255 * [0.229, 0.224, 0.225][c % 3]!)),
    add: map.map((_, c) => -[0.485, 0.456, 0.406][c % 3]! / [0.229, 0.224, 0.225][c % 3]!),
    pad: map.map(() => 114),
    layout: opts.layout ?? 'nchw',
    dtype,
    quantScale: dtype === 'int8' ? 0.02 : dtype === 'uint8' ? 1 / 255 : 1,
    quantZeroPoint: dtype === 'uint8' ? 0 : 0,
    dst: new ARRAYS[dtype](offset + C * outWidth * outHeight + 5),
    dstOffset: offset,
  };
}

/** Both kernels on the same job: largest difference in units of the output's value range / 255. */
function compare(j: KernelJob): { worst: number; exact: number; total: number } {
  const cpu = { ...j, dst: j.dst.slice() };
  const gpu = { ...j, dst: j.dst.slice() } as GpuKernelJob;
  runKernel(cpu);
  runGpuReference(gpu);
  const decode = (v: number) => (j.dtype === 'float16' ? float16BitsToFloat32(v) : v);
  // One step of 1/255 in the value units of the output: normalised floats span (1/std)/... so
  // compare raw pixel steps: mul is one raw step in float outputs, one quantum in integer outputs.
  const step = j.dtype === 'float32' || j.dtype === 'float16' ? Math.max(...j.mul.map(Math.abs)) : 1;
  let worst = 0;
  let exact = 0;
  for (let i = 0; i < cpu.dst.length; i++) {
    const d = Math.abs(decode(cpu.dst[i]!) - decode(gpu.dst[i]!)) / step;
    if (d === 0) exact++;
    worst = Math.max(worst, d);
  }
  return { worst, exact, total: cpu.dst.length };
}

describe('CUDA kernel arithmetic (TypeScript mirror) against the CPU kernel', requires('photos'), () => {
  const photos: Img[] = [];
  beforeAll(async () => {
    for (const p of PHOTOS) {
      const s = await loadImage(p, p);
      photos.push({ data: s.data, width: s.width, height: s.height, stride: s.stride, channels: s.channels });
    }
  });

  const cases: [string, (photos: Img[]) => KernelJob][] = [
    ['photo 512x512 -> 224x224 bilinear, BGR->RGB, nchw float32', (p) => job(p[0]!, { out: [224, 224] })],
    [
      'photo letterboxed into 640x640 (pad rows), nhwc float16',
      (p) =>
        job(p[1]!, {
          out: [640, 640],
          dstRect: { x: 0, y: 140, width: 640, height: 360 },
          layout: 'nhwc',
          dtype: 'float16',
        }),
    ],
    [
      'photo crop upscaled 3.3x, int8 quantised',
      (p) =>
        job(p[0]!, { out: [320, 200], srcRect: { x: 100, y: 60, width: 97, height: 61 }, dtype: 'int8' }),
    ],
    [
      'photo nearest 0.37x, uint8',
      (p) => job(p[1]!, { out: [191, 109], interpolation: 'nearest', dtype: 'uint8' }),
    ],
    [
      'random RGBA with row padding, odd sizes, dstRect hanging over the output',
      () =>
        job(randomImage(333, 217, 4, 5), {
          out: [160, 96],
          dstRect: { x: -7, y: 11, width: 181, height: 77 },
          map: [0, 1, 2, 3],
        }),
    ],
    [
      'random gray 1-channel 2x upscale, nhwc',
      () => job(randomImage(41, 29, 1), { out: [82, 58], layout: 'nhwc' }),
    ],
    [
      'same size (a copy through the linear path)',
      () => job(randomImage(64, 48, 3), { out: [64, 48], dtype: 'uint8' }),
    ],
  ];

  for (const [name, make] of cases) {
    it(name, () => {
      const r = compare(make(photos));
      expect(r.worst).toBeLessThanOrEqual(1 / 255);
      // Same arithmetic, same roundings: every element is identical.
      expect(r.exact).toBe(r.total);
    });
  }

  it('packs the table the kernel reads: pad first, then 256 entries per channel', () => {
    const j = job(randomImage(8, 8, 3), { out: [4, 4], dtype: 'uint8' });
    const { ints, floats } = packGpuJob(j as GpuKernelJob);
    expect(ints.length).toBe(22 + 4 + 1024);
    expect(Array.from(ints.subarray(0, 18))).toEqual([8, 8, 24, 3, 0, 0, 8, 8, 0, 0, 4, 4, 4, 4, 0, 0, 1, 3]);
    expect(Array.from(floats)).toEqual([2, 2]);
    // uint8 of scale 1/255: round(v * 255) clamped to 0..255, v = raw * mul + add in float32.
    const q = (raw: number) =>
      Math.min(255, Math.max(0, Math.round(Math.fround(raw * j.mul[0]! + j.add[0]!) * 255)));
    const table = new Uint32Array(ints.buffer, 22 * 4);
    expect([table[0], table[4 + 0], table[4 + 200], table[4 + 255]]).toEqual([q(114), q(0), q(200), q(255)]);
    expect(q(255)).toBeGreaterThan(0);
  });

  it('BAD CALL - area interpolation is refused before the GPU sees it', async () => {
    const j = { ...job(randomImage(8, 8, 3), { out: [4, 4] }), interpolation: 'area' as const };
    expect(() => runGpuReference(j as GpuKernelJob)).toThrow(ArgumentError);
    const rt = loadRuntime({
      env: {
        ...process.env,
        EDGE_TRT_NATIVE: TRT_FAKE_ADDON,
      },
    });
    const gpu = createGpuPreprocessor({}, rt);
    await expect(gpu.run(j as GpuKernelJob)).rejects.toThrow(ArgumentError);
    await expect(gpu.run(j as GpuKernelJob)).rejects.toThrow(
      'Expected "bilinear" or "nearest" for job.interpolation (the CUDA kernel\'s) but received "area": run area resizes on the CPU kernel',
    );
  });
});

describe('the kernel on this machine', () => {
  it('ships PTX for compute capability 7.5 and later (ISA 6.3, loadable by drivers from CUDA 10.0)', () => {
    const ptx = ptxFor({ major: 8, minor: 7 });
    expect(ptx.source).toMatch(/cuda\/preprocess\.ptx$/);
    expect(ptx.text).toMatch(/^\.version 6\.3$/m);
    expect(ptx.text).toMatch(/^\.target sm_75$/m);
    expect(ptx.text).toContain('.entry edge_preprocess(');
  });

  it('EXPECTED FAILURE - a Nano (5.3) without a locally compiled kernel: UnavailableError with the fix', () => {
    expect(() => ptxFor({ major: 5, minor: 3 }, '/nonexistent')).toThrow(UnavailableError);
    expect(() => ptxFor({ major: 5, minor: 3 }, '/nonexistent')).toThrow(
      /compute capability 5\.3 cannot run the shipped PTX \(compute_75\): compile the kernel for this GPU with `node .*scripts\/build-ptx\.mjs --local` \(needs nvcc/,
    );
  });

  it('EXPECTED FAILURE - no driver and no GPU here: UnavailableError naming libcuda', () => {
    expect(() => createGpuPreprocessor()).toThrow(UnavailableError);
    expect(() => createGpuPreprocessor()).toThrow(
      /^GPU preprocessing needs the NVIDIA driver and a GPU: .*libcuda/,
    );
  });
});
