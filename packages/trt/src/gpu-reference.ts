// cuda/preprocess.cu in TypeScript, statement for statement, reading the same packed parameters
// and table: what the GPU computes, on the CPU. Floats are rounded to float32 exactly where the
// kernel computes in float (Math.fround), doubles stay doubles, __float2int_rn is round half to
// even, integer arithmetic is the kernel's int arithmetic (no value exceeds 2^31). The tests hold
// this against @edge/preprocess's CPU kernel; on a GPU machine the real kernel is held against this.

import {
  checkGpuJob,
  type GpuKernelJob,
  type GpuOutputArray,
  PARAM_INTS,
  packGpuJob,
  roundHalfEven,
} from './gpu-job.js';

const fround = Math.fround;

interface Tap {
  i0: number;
  i1: number;
  w0: number;
  w1: number;
}

function clampIndex(v: number, len: number): number {
  return Math.min(Math.max(v, 0), len - 1);
}

function linearTap(d: number, len: number, scale: number, clampWeights: boolean): Tap {
  let f = fround((d + 0.5) * scale - 0.5);
  let s = Math.floor(f);
  f = fround(f - s);
  if (clampWeights) {
    if (s < 0) {
      f = 0;
      s = 0;
    }
    if (s >= len - 1) {
      f = 0;
      s = len - 1;
    }
  }
  return {
    i0: clampIndex(s, len),
    i1: clampIndex(s + 1, len),
    w0: roundHalfEven(fround(fround(1 - f) * 2048)),
    w1: roundHalfEven(fround(f * 2048)),
  };
}

function nearestIndex(d: number, len: number, scale: number): number {
  return Math.min(Math.floor(d * scale), len - 1);
}

const bitsF32 = new Uint32Array(1);
const asF32 = new Float32Array(bitsF32.buffer);

function store(dst: GpuOutputArray, index: number, bits: number): void {
  if (dst instanceof Float32Array) {
    bitsF32[0] = bits;
    dst[index] = asF32[0]!;
  } else if (dst instanceof Int8Array) {
    dst[index] = (bits << 24) >> 24;
  } else {
    dst[index] = bits;
  }
}

/**
 * Runs the CUDA kernel's arithmetic on the CPU, writing `job.dst` at `job.dstOffset` as the GPU
 * would. For tests and for checking a GPU's output.
 *
 * @throws {@link ArgumentError} for what the kernel refuses (area interpolation, a job that does
 * not fit its arrays).
 */
export function runGpuReference(job: GpuKernelJob): void {
  checkGpuJob(job);
  const { ints, floats } = packGpuJob(job);
  const [, , stride, cn, sx, sy, sw, sh, dx, dy, dw, dh, outW, outH, interp, layout, , C] = ints;
  const map = ints.subarray(18, 22);
  const table = new Uint32Array(ints.buffer, PARAM_INTS * 4);
  const pad = table.subarray(0, 4);
  const lut = table.subarray(4);
  const scaleX = floats[0]!;
  const scaleY = floats[1]!;
  const src = job.src;
  const plane = outW! * outH!;
  const base = job.dstOffset;
  for (let y = 0; y < outH!; y++) {
    for (let x = 0; x < outW!; x++) {
      const pixel = y * outW! + x;
      const inside = x >= dx! && x < dx! + dw! && y >= dy! && y < dy! + dh!;
      const rx = x - dx!;
      const ry = y - dy!;
      let tx: Tap = { i0: 0, i1: 0, w0: 0, w1: 0 };
      let ty: Tap = { i0: 0, i1: 0, w0: 0, w1: 0 };
      let nx = 0;
      let ny = 0;
      if (inside) {
        if (interp === 0) {
          tx = linearTap(rx, sw!, scaleX, true);
          ty = linearTap(ry, sh!, scaleY, false);
        } else {
          nx = nearestIndex(rx, sw!, scaleX);
          ny = nearestIndex(ry, sh!, scaleY);
        }
      }
      for (let c = 0; c < C!; c++) {
        let bits: number;
        if (!inside) {
          bits = pad[c]!;
        } else {
          const sc = map[c]!;
          let raw: number;
          if (interp === 0) {
            const r0 = (sy! + ty.i0) * stride!;
            const r1 = (sy! + ty.i1) * stride!;
            const c0 = (sx! + tx.i0) * cn! + sc;
            const c1 = (sx! + tx.i1) * cn! + sc;
            const h0 = (src[r0 + c0]! * tx.w0 + src[r0 + c1]! * tx.w1) >> 4;
            const h1 = (src[r1 + c0]! * tx.w0 + src[r1 + c1]! * tx.w1) >> 4;
            raw = (((h0 * ty.w0) >> 16) + ((h1 * ty.w1) >> 16) + 2) >> 2;
          } else {
            raw = src[(sy! + ny) * stride! + (sx! + nx) * cn! + sc]!;
          }
          bits = lut[c * 256 + raw]!;
        }
        const index = layout === 0 ? c * plane + pixel : pixel * C! + c;
        store(job.dst, base + index, bits);
      }
    }
  }
}
