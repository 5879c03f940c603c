// The fused TypeScript kernel: one walk over the output. For each output element it resamples the
// 8-bit source exactly as cv2.resize would (see tables.ts), picks the channel, and looks the
// normalised, converted value up in a 256-entry table per channel (convert.ts), writing straight
// into the slot of the batch tensor in its layout. No intermediate image is allocated.

import { checkKernelJob } from './check-job.js';
import { buildLut, padElements } from './convert.js';
import type { KernelJob, OutputArray } from './job.js';
import { type ResamplePlan, resamplePlan, roundHalfEven } from './tables.js';

const fround = Math.fround;

/** Where element (c, y, x) of the job's slot lives: offset + c * chan + y * row + x * pix. */
interface Strides {
  chan: number;
  row: number;
  pix: number;
}

/** Fills output pixels [x0, x1) of row `y` with the padding. */
function padRun(
  dst: OutputArray,
  base: number,
  s: Strides,
  pad: number[],
  y: number,
  x0: number,
  x1: number,
): void {
  for (let c = 0; c < pad.length; c++) {
    const v = pad[c]!;
    let o = base + c * s.chan + y * s.row + x0 * s.pix;
    for (let x = x0; x < x1; x++, o += s.pix) dst[o] = v;
  }
}

/**
 * Runs one {@link KernelJob} with the fused single-pass TypeScript kernel.
 *
 * Bilinear, nearest and area resampling of 8-bit sources give the same pixels as OpenCV 4.x
 * `cv2.resize` (INTER_LINEAR, INTER_NEAREST, INTER_AREA) on the region `srcRect`; pixels outside
 * `dstRect` take the padding. `dstRect` may extend past the output (a crop after the resize):
 * only its part inside the output is written.
 *
 * @throws {@link ArgumentError} when the job is inconsistent (sizes, rectangles, arrays, room in `dst`).
 */
export function runKernel(job: KernelJob): void {
  checkKernelJob(job);
  const plan = resamplePlan(
    job.srcRect.width,
    job.srcRect.height,
    job.dstRect.width,
    job.dstRect.height,
    job.interpolation,
    job.srcChannels,
  );
  const C = job.channelMap.length;
  const W = job.outWidth;
  const H = job.outHeight;
  const s: Strides =
    job.layout === 'nchw' ? { chan: W * H, row: W, pix: 1 } : { chan: 1, row: W * C, pix: C };
  const lut = buildLut(job);
  const pad = padElements(job);
  const d = job.dstRect;
  const x0 = Math.max(d.x, 0);
  const x1 = Math.min(d.x + d.width, W);
  const y0 = Math.max(d.y, 0);
  const y1 = Math.min(d.y + d.height, H);
  const base = job.dstOffset;
  for (let y = 0; y < H; y++) {
    if (y < y0 || y >= y1 || x0 >= x1) {
      padRun(job.dst, base, s, pad, y, 0, W);
      continue;
    }
    if (x0 > 0) padRun(job.dst, base, s, pad, y, 0, x0);
    if (x1 < W) padRun(job.dst, base, s, pad, y, x1, W);
    resampleRow(job, plan, lut, s, y, y - d.y, x0, x1, x0 - d.x);
  }
}

/**
 * Writes output pixels [x0, x1) of output row `y` (row `ry` of the resampled region; output
 * column x0 is region column `rx0`).
 */
function resampleRow(
  job: KernelJob,
  plan: ResamplePlan,
  lut: OutputArray,
  s: Strides,
  y: number,
  ry: number,
  x0: number,
  x1: number,
  rx0: number,
): void {
  const src = job.src;
  const dst = job.dst;
  const cn = job.srcChannels;
  const stride = job.srcStride;
  const map = job.channelMap;
  const C = map.length;
  const origin = job.srcRect.y * stride + job.srcRect.x * cn;
  const n = x1 - x0;
  if (plan.kind === 'linear') {
    // Columns outer, channels inner: the weights and offsets of a column are read once for all
    // channels (the hot path: bilinear is the default).
    const { i0, i1, w0, w1 } = plan.x;
    const r0 = origin + plan.y.i0[ry]! * stride;
    const r1 = origin + plan.y.i1[ry]! * stride;
    const b0 = plan.y.w0[ry]!;
    const b1 = plan.y.w1[ry]!;
    const pix = s.pix;
    const rowBase = job.dstOffset + y * s.row + x0 * pix;
    for (let c = 0; c < C; c++) {
      const sc = map[c]!;
      const lutBase = c * 256;
      const s0 = r0 + sc;
      const s1 = r1 + sc;
      let o = rowBase + c * s.chan;
      for (let k = 0, rx = rx0; k < n; k++, rx++, o += pix) {
        const a0 = w0[rx]!;
        const a1 = w1[rx]!;
        const p0 = i0[rx]! * cn;
        const p1 = i1[rx]! * cn;
        const h0 = src[s0 + p0]! * a0 + src[s0 + p1]! * a1;
        const h1 = src[s1 + p0]! * a0 + src[s1 + p1]! * a1;
        dst[o] = lut[lutBase + (((((h0 >> 4) * b0) >> 16) + (((h1 >> 4) * b1) >> 16) + 2) >> 2)]!;
      }
    }
    return;
  }
  for (let c = 0; c < C; c++) {
    const sc = map[c]!;
    const lutBase = c * 256;
    let o = job.dstOffset + c * s.chan + y * s.row + x0 * s.pix;
    const pix = s.pix;
    switch (plan.kind) {
      case 'nearest': {
        const row = origin + plan.y[ry]! * stride + sc;
        const xs = plan.x;
        for (let k = 0, rx = rx0; k < n; k++, rx++, o += pix)
          dst[o] = lut[lutBase + src[row + xs[rx]! * cn]!]!;
        break;
      }
      case 'copy': {
        let p = origin + ry * stride + rx0 * cn + sc;
        for (let k = 0; k < n; k++, p += cn, o += pix) dst[o] = lut[lutBase + src[p]!]!;
        break;
      }
      case 'area-fast': {
        const { sx, sy, round2x2 } = plan;
        const top = origin + ry * sy * stride + sc;
        const inv = fround(1 / (sx * sy));
        for (let k = 0, rx = rx0; k < n; k++, rx++, o += pix) {
          let sum = 0;
          for (let j = 0; j < sy; j++) {
            let p = top + j * stride + rx * sx * cn;
            for (let i = 0; i < sx; i++, p += cn) sum += src[p]!;
          }
          const v = round2x2 ? (sum + 2) >> 2 : roundHalfEven(fround(sum * inv));
          dst[o] = lut[lutBase + Math.min(v, 255)]!;
        }
        break;
      }
      case 'area': {
        const { start: xs, index: xi, weight: xw } = plan.x;
        const { start: ys, index: yi, weight: yw } = plan.y;
        for (let k = 0, rx = rx0; k < n; k++, rx++, o += pix) {
          let sum = 0;
          for (let j = ys[ry]!; j < ys[ry + 1]!; j++) {
            const row = origin + yi[j]! * stride + sc;
            let buf = 0;
            for (let i = xs[rx]!; i < xs[rx + 1]!; i++)
              buf = fround(buf + fround(src[row + xi[i]! * cn]! * xw[i]!));
            sum = fround(sum + fround(yw[j]! * buf));
          }
          const v = roundHalfEven(sum);
          dst[o] = lut[lutBase + (v < 0 ? 0 : Math.min(v, 255))]!;
        }
        break;
      }
    }
  }
}
