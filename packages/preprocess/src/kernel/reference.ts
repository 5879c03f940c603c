// The straightforward multi-loop version of the kernel, as one would first write it: crop, resize
// into a new image (horizontal pass, then vertical pass), pick channels into another, normalise
// into a float image, convert the dtype, then transpose into the slot with the padding. Each step
// allocates and walks a full intermediate image. It is the baseline the benchmark compares the
// fused kernel with, and a second implementation the tests hold the fused one against.

import { checkKernelJob } from './check-job.js';
import { allocateOutput, convertValue, normalise } from './convert.js';
import type { KernelJob } from './job.js';
import { type ResamplePlan, resamplePlan, roundHalfEven, verticalLinear } from './tables.js';

const fround = Math.fround;

/** Copies the source region into a tight `w x h x cn` image. */
function crop(job: KernelJob): Uint8Array {
  const { srcRect: r, srcChannels: cn, srcStride: stride } = job;
  const out = new Uint8Array(r.width * r.height * cn);
  for (let y = 0; y < r.height; y++) {
    const from = (r.y + y) * stride + r.x * cn;
    out.set(job.src.subarray(from, from + r.width * cn), y * r.width * cn);
  }
  return out;
}

/** Resizes a tight `sw x sh x cn` image to `dw x dh x cn` following `plan`. */
function resize(
  img: Uint8Array,
  sw: number,
  sh: number,
  cn: number,
  dw: number,
  dh: number,
  plan: ResamplePlan,
): Uint8Array {
  const out = new Uint8Array(dw * dh * cn);
  switch (plan.kind) {
    case 'copy':
      out.set(img);
      return out;
    case 'nearest':
      for (let y = 0; y < dh; y++) {
        for (let x = 0; x < dw; x++) {
          for (let c = 0; c < cn; c++)
            out[(y * dw + x) * cn + c] = img[(plan.y[y]! * sw + plan.x[x]!) * cn + c]!;
        }
      }
      return out;
    case 'linear': {
      // Horizontal pass over every source row into 32-bit sums, then the vertical pass.
      const horiz = new Int32Array(sh * dw * cn);
      const { i0, i1, w0, w1 } = plan.x;
      for (let y = 0; y < sh; y++) {
        for (let x = 0; x < dw; x++) {
          for (let c = 0; c < cn; c++) {
            horiz[(y * dw + x) * cn + c] =
              img[(y * sw + i0[x]!) * cn + c]! * w0[x]! + img[(y * sw + i1[x]!) * cn + c]! * w1[x]!;
          }
        }
      }
      for (let y = 0; y < dh; y++) {
        const r0 = plan.y.i0[y]! * dw * cn;
        const r1 = plan.y.i1[y]! * dw * cn;
        for (let e = 0; e < dw * cn; e++) {
          out[y * dw * cn + e] = verticalLinear(horiz[r0 + e]!, horiz[r1 + e]!, plan.y.w0[y]!, plan.y.w1[y]!);
        }
      }
      return out;
    }
    case 'area-fast': {
      const inv = fround(1 / (plan.sx * plan.sy));
      for (let y = 0; y < dh; y++) {
        for (let x = 0; x < dw; x++) {
          for (let c = 0; c < cn; c++) {
            let sum = 0;
            for (let j = 0; j < plan.sy; j++) {
              for (let i = 0; i < plan.sx; i++)
                sum += img[((y * plan.sy + j) * sw + x * plan.sx + i) * cn + c]!;
            }
            out[(y * dw + x) * cn + c] = plan.round2x2
              ? (sum + 2) >> 2
              : Math.min(255, roundHalfEven(fround(sum * inv)));
          }
        }
      }
      return out;
    }
    case 'area': {
      // OpenCV's order: per source row a horizontal weighted sum, accumulated per output row.
      const buf = new Float32Array(dw * cn);
      const sum = new Float32Array(dw * cn);
      for (let y = 0; y < dh; y++) {
        sum.fill(0);
        for (let j = plan.y.start[y]!; j < plan.y.start[y + 1]!; j++) {
          const sy = plan.y.index[j]!;
          buf.fill(0);
          for (let x = 0; x < dw; x++) {
            for (let i = plan.x.start[x]!; i < plan.x.start[x + 1]!; i++) {
              for (let c = 0; c < cn; c++) {
                buf[x * cn + c] =
                  buf[x * cn + c]! + fround(img[(sy * sw + plan.x.index[i]!) * cn + c]! * plan.x.weight[i]!);
              }
            }
          }
          for (let e = 0; e < dw * cn; e++) sum[e] = sum[e]! + fround(plan.y.weight[j]! * buf[e]!);
        }
        for (let e = 0; e < dw * cn; e++)
          out[y * dw * cn + e] = Math.min(255, Math.max(0, roundHalfEven(sum[e]!)));
      }
      return out;
    }
  }
}

/**
 * Runs one {@link KernelJob} step by step (crop, resize, channel pick, normalise, convert,
 * transpose with padding), allocating an intermediate image per step. Same output as
 * {@link runKernel}, several times slower: the baseline of the benchmark.
 *
 * @throws {@link ArgumentError} when the job is inconsistent.
 */
export function runReferenceKernel(job: KernelJob): void {
  checkKernelJob(job);
  const cn = job.srcChannels;
  const { srcRect: sr, dstRect: dr } = job;
  const C = job.channelMap.length;
  // 1. crop
  const region = crop(job);
  // 2. resize
  const plan = resamplePlan(sr.width, sr.height, dr.width, dr.height, job.interpolation, cn);
  const resized = resize(region, sr.width, sr.height, cn, dr.width, dr.height, plan);
  // 3. colour: pick the output channels
  const n = dr.width * dr.height;
  const picked = new Uint8Array(n * C);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < C; c++) picked[i * C + c] = resized[i * cn + job.channelMap[c]!]!;
  }
  // 4. normalise
  const floats = new Float32Array(n * C);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < C; c++) floats[i * C + c] = normalise(job, c, picked[i * C + c]!);
  }
  // 5. dtype
  const converted = allocateOutput(job.dtype, n * C);
  for (let i = 0; i < n * C; i++) {
    converted[i] = convertValue(job.dtype, floats[i]!, job.quantScale, job.quantZeroPoint);
  }
  const pads = job.channelMap.map((_, c) =>
    convertValue(job.dtype, normalise(job, c, job.pad[c]!), job.quantScale, job.quantZeroPoint),
  );
  // 6. layout, with the padding
  const W = job.outWidth;
  const H = job.outHeight;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const rx = x - dr.x;
      const ry = y - dr.y;
      const inside = rx >= 0 && ry >= 0 && rx < dr.width && ry < dr.height;
      for (let c = 0; c < C; c++) {
        const v = inside ? converted[(ry * dr.width + rx) * C + c]! : pads[c]!;
        const o = job.layout === 'nchw' ? c * W * H + y * W + x : (y * W + x) * C + c;
        job.dst[job.dstOffset + o] = v;
      }
    }
  }
}
