// The fused TypeScript kernel: one walk over the output, row by row, with no intermediate image.
// Each output row is resampled from the 8-bit source exactly as cv2.resize would (see tables.ts),
// then every output channel of it goes through its 256-entry lookup table (convert.ts) straight
// into the slot of the batch tensor, in its layout. Resampled rows go through a one-row byte
// buffer, except where the bytes can be read in place (nearest, same size) and for float32
// bilinear output, whose vertical pass feeds the lookup directly.
//
// Speed comes from OpenCV's own structure: the bilinear and area horizontal passes run once per
// source row that is needed (kept in row buffers while later output rows still use them), not
// once per output element; per-column offsets and weights live in typed arrays; and the final
// write is split into one function per output array type, so every element access in a hot loop
// sees a single typed-array kind.

import { checkKernelJob } from './check-job.js';
import { buildLut, padElements } from './convert.js';
import type { KernelJob, OutputArray } from './job.js';
import { type AreaAxis, type LinearAxis, resamplePlan, roundHalfEven } from './tables.js';

const fround = Math.fround;

/** Where element (c, y, x) of the job's slot lives: offset + c * chan + y * row + x * pix. */
interface Strides {
  chan: number;
  row: number;
  pix: number;
}

/** The resampled part of the output: columns [x0, x1) of rows [y0, y1), region column rx0 at x0. */
interface Span {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  rx0: number;
  ry0: number;
}

/** Fills output pixels [x0, x1) of row `y` with the padding. */
function padRun(
  dst: OutputArray,
  base: number,
  s: Strides,
  pad: readonly number[],
  y: number,
  x0: number,
  x1: number,
): void {
  if (x0 >= x1) return;
  const C = pad.length;
  if (s.pix === 1) {
    for (let c = 0; c < C; c++) {
      const o = base + c * s.chan + y * s.row + x0;
      dst.fill(pad[c]!, o, o + x1 - x0);
    }
    return;
  }
  // Interleaved: write one pixel, then double the written run (a few builtin copies per row
  // instead of one element store per value).
  const start = base + y * s.row + x0 * C;
  const end = start + (x1 - x0) * C;
  for (let c = 0; c < C; c++) dst[start + c] = pad[c]!;
  for (let len = C; start + len < end; len *= 2)
    dst.copyWithin(start + len, start, Math.min(start + len, end - len));
}

// One row writer per output array type. They are copies on purpose: a shared one would see four
// array kinds at its loads and stores and V8 would compile them as generic (megamorphic) accesses.
// Pixel k of the row starts at byte `base + xofs[k]` of `bytes` (a row buffer, or the source
// itself for nearest and same-size copies); output channel c reads byte map[c] of it and is
// written from element `o0 + c * chan`, `pix` apart.

function writeRowF32(
  dst: Float32Array,
  lut: Float32Array,
  bytes: Uint8Array,
  base: number,
  xofs: Int32Array,
  map: Int32Array,
  o0: number,
  chan: number,
  pix: number,
): void {
  const n = xofs.length;
  for (let c = 0; c < map.length; c++) {
    const lb = c * 256;
    const b = base + map[c]!;
    for (let k = 0, o = o0 + c * chan; k < n; k++, o += pix) dst[o] = lut[lb + bytes[b + xofs[k]!]!]!;
  }
}

function writeRowU16(
  dst: Uint16Array,
  lut: Uint16Array,
  bytes: Uint8Array,
  base: number,
  xofs: Int32Array,
  map: Int32Array,
  o0: number,
  chan: number,
  pix: number,
): void {
  const n = xofs.length;
  for (let c = 0; c < map.length; c++) {
    const lb = c * 256;
    const b = base + map[c]!;
    for (let k = 0, o = o0 + c * chan; k < n; k++, o += pix) dst[o] = lut[lb + bytes[b + xofs[k]!]!]!;
  }
}

function writeRowU8(
  dst: Uint8Array,
  lut: Uint8Array,
  bytes: Uint8Array,
  base: number,
  xofs: Int32Array,
  map: Int32Array,
  o0: number,
  chan: number,
  pix: number,
): void {
  const n = xofs.length;
  for (let c = 0; c < map.length; c++) {
    const lb = c * 256;
    const b = base + map[c]!;
    for (let k = 0, o = o0 + c * chan; k < n; k++, o += pix) dst[o] = lut[lb + bytes[b + xofs[k]!]!]!;
  }
}

function writeRowI8(
  dst: Int8Array,
  lut: Int8Array,
  bytes: Uint8Array,
  base: number,
  xofs: Int32Array,
  map: Int32Array,
  o0: number,
  chan: number,
  pix: number,
): void {
  const n = xofs.length;
  for (let c = 0; c < map.length; c++) {
    const lb = c * 256;
    const b = base + map[c]!;
    for (let k = 0, o = o0 + c * chan; k < n; k++, o += pix) dst[o] = lut[lb + bytes[b + xofs[k]!]!]!;
  }
}

/**
 * The vertical linear pass of one row straight through the float32 lookup table into the output
 * (`h0`/`h1`: the upper and lower horizontal sums; see {@link linearRows}).
 */
function linearWriteF32(
  dst: Float32Array,
  lut: Float32Array,
  h0: Int32Array,
  h1: Int32Array,
  b0: number,
  b1: number,
  n: number,
  cn: number,
  map: Int32Array,
  o0: number,
  chan: number,
  pix: number,
): void {
  if (cn === 3 && pix === 1 && map.length === 3) {
    // Three channels into three planes (the usual NCHW image): one walk over the row buffers
    // instead of three.
    const m0 = map[0]!;
    const m1 = map[1]!;
    const m2 = map[2]!;
    const oa = o0;
    const ob = o0 + chan;
    const oc = o0 + 2 * chan;
    for (let k = 0, e = 0; k < n; k++, e += 3) {
      dst[oa + k] = lut[(((h0[e + m0]! * b0) >> 16) + ((h1[e + m0]! * b1) >> 16) + 2) >> 2]!;
      dst[ob + k] = lut[256 + ((((h0[e + m1]! * b0) >> 16) + ((h1[e + m1]! * b1) >> 16) + 2) >> 2)]!;
      dst[oc + k] = lut[512 + ((((h0[e + m2]! * b0) >> 16) + ((h1[e + m2]! * b1) >> 16) + 2) >> 2)]!;
    }
    return;
  }
  for (let c = 0; c < map.length; c++) {
    const lb = c * 256;
    for (let k = 0, e = map[c]!, o = o0 + c * chan; k < n; k++, e += cn, o += pix) {
      dst[o] = lut[lb + ((((h0[e]! * b0) >> 16) + ((h1[e]! * b1) >> 16) + 2) >> 2)]!;
    }
  }
}

/** Writes a resampled row through the job's lookup table into its output array. */
class RowWriter {
  private readonly job: KernelJob;
  readonly lut: OutputArray;
  /** Source channel of each output channel. */
  readonly map: Int32Array;
  readonly s: Strides;
  private readonly x0: number;
  /** Byte offset of pixel k in a row buffer: k * srcChannels. */
  private readonly packed: Int32Array;

  constructor(job: KernelJob, lut: OutputArray, s: Strides, x0: number, n: number) {
    this.job = job;
    this.lut = lut;
    this.map = Int32Array.from(job.channelMap);
    this.s = s;
    this.x0 = x0;
    this.packed = new Int32Array(n);
    for (let k = 0; k < n; k++) this.packed[k] = k * job.srcChannels;
  }

  /** Element of output row `y`, column x0, channel 0. */
  start(y: number): number {
    return this.job.dstOffset + y * this.s.row + this.x0 * this.s.pix;
  }

  /**
   * Writes output row `y`, columns [x0, x0 + n): pixel k read from `bytes` at `base + xofs[k]`.
   */
  write(bytes: Uint8Array, base: number, xofs: Int32Array, y: number): void {
    const { job, lut, map, s } = this;
    const o0 = this.start(y);
    switch (job.dtype) {
      case 'float32':
        writeRowF32(job.dst as Float32Array, lut as Float32Array, bytes, base, xofs, map, o0, s.chan, s.pix);
        break;
      case 'float16':
        writeRowU16(job.dst as Uint16Array, lut as Uint16Array, bytes, base, xofs, map, o0, s.chan, s.pix);
        break;
      case 'uint8':
        writeRowU8(job.dst as Uint8Array, lut as Uint8Array, bytes, base, xofs, map, o0, s.chan, s.pix);
        break;
      case 'int8':
        writeRowI8(job.dst as Int8Array, lut as Int8Array, bytes, base, xofs, map, o0, s.chan, s.pix);
        break;
    }
  }

  /** Writes output row `y` from `row`, the resampled pixels interleaved (`srcChannels` bytes each). */
  writeRow(row: Uint8Array, y: number): void {
    this.write(row, 0, this.packed, y);
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
  fuse(job);
}

/** @internal {@link runKernel} without the checks, for a job that passed checkKernelJob(s). */
export function fuse(job: KernelJob): void {
  const C = job.channelMap.length;
  const W = job.outWidth;
  const H = job.outHeight;
  const s: Strides =
    job.layout === 'nchw' ? { chan: W * H, row: W, pix: 1 } : { chan: 1, row: W * C, pix: C };
  const pad = padElements(job);
  const d = job.dstRect;
  const x0 = Math.max(d.x, 0);
  const x1 = Math.min(d.x + d.width, W);
  const y0 = Math.max(d.y, 0);
  const y1 = Math.min(d.y + d.height, H);
  const base = job.dstOffset;
  const inside = x0 < x1 && y0 < y1;
  for (let y = 0; y < H; y++) {
    if (!inside || y < y0 || y >= y1) {
      padRun(job.dst, base, s, pad, y, 0, W);
    } else {
      padRun(job.dst, base, s, pad, y, 0, x0);
      padRun(job.dst, base, s, pad, y, x1, W);
    }
  }
  if (!inside) return;
  const span: Span = { x0, x1, y0, y1, rx0: x0 - d.x, ry0: y0 - d.y };
  const out = new RowWriter(job, buildLut(job), s, x0, x1 - x0);
  const plan = resamplePlan(
    job.srcRect.width,
    job.srcRect.height,
    d.width,
    d.height,
    job.interpolation,
    job.srcChannels,
  );
  switch (plan.kind) {
    case 'copy':
      copyRows(job, span, out);
      break;
    case 'nearest':
      nearestRows(job, span, out, plan.x, plan.y);
      break;
    case 'linear':
      linearRows(job, span, out, plan.x, plan.y);
      break;
    case 'area-fast':
      areaFastRows(job, span, out, plan.sx, plan.sy, plan.round2x2);
      break;
    case 'area':
      areaRows(job, span, out, plan.x, plan.y);
      break;
  }
}

/** Byte offset in `job.src` of pixel (0, 0) of the source region. */
function regionOrigin(job: KernelJob): number {
  return job.srcRect.y * job.srcStride + job.srcRect.x * job.srcChannels;
}

/** Same size: the source row itself is the resampled row. */
function copyRows(job: KernelJob, span: Span, out: RowWriter): void {
  const cn = job.srcChannels;
  const xofs = new Int32Array(span.x1 - span.x0);
  for (let k = 0; k < xofs.length; k++) xofs[k] = (span.rx0 + k) * cn;
  let r = regionOrigin(job) + span.ry0 * job.srcStride;
  for (let y = span.y0; y < span.y1; y++, r += job.srcStride) out.write(job.src, r, xofs, y);
}

/** INTER_NEAREST: a gather of whole pixels per row, straight from the source. */
function nearestRows(job: KernelJob, span: Span, out: RowWriter, xs: Int32Array, ys: Int32Array): void {
  const cn = job.srcChannels;
  const xofs = new Int32Array(span.x1 - span.x0);
  for (let k = 0; k < xofs.length; k++) xofs[k] = xs[span.rx0 + k]! * cn;
  const origin = regionOrigin(job);
  for (let y = span.y0, ry = span.ry0; y < span.y1; y++, ry++)
    out.write(job.src, origin + ys[ry]! * job.srcStride, xofs, y);
}

/**
 * OpenCV's horizontal linear pass over one source row: `h[k * cn + c]` is the 2048-scaled sum of
 * the two taps of output column k, already shifted right by the 4 bits that OpenCV's vertical
 * pass drops first. `taps` holds, for each column k, four entries: the byte offsets of its two
 * source pixels within the row, then their weights (one array: one bounds check base, and the
 * four values of a column sit together).
 */
function linearHorizontal(src: Uint8Array, r: number, cn: number, taps: Int32Array, h: Int32Array): void {
  const n = taps.length >> 2;
  if (cn === 3) {
    for (let t = 0, e = 0; e < 3 * n; t += 4, e += 3) {
      const p0 = r + taps[t]!;
      const p1 = r + taps[t + 1]!;
      const w0 = taps[t + 2]!;
      const w1 = taps[t + 3]!;
      h[e] = (src[p0]! * w0 + src[p1]! * w1) >> 4;
      h[e + 1] = (src[p0 + 1]! * w0 + src[p1 + 1]! * w1) >> 4;
      h[e + 2] = (src[p0 + 2]! * w0 + src[p1 + 2]! * w1) >> 4;
    }
  } else if (cn === 1) {
    for (let t = 0, e = 0; e < n; t += 4, e++) {
      h[e] = (src[r + taps[t]!]! * taps[t + 2]! + src[r + taps[t + 1]!]! * taps[t + 3]!) >> 4;
    }
  } else {
    for (let t = 0, e = 0; e < cn * n; t += 4) {
      const p0 = r + taps[t]!;
      const p1 = r + taps[t + 1]!;
      const w0 = taps[t + 2]!;
      const w1 = taps[t + 3]!;
      for (let c = 0; c < cn; c++, e++) h[e] = (src[p0 + c]! * w0 + src[p1 + c]! * w1) >> 4;
    }
  }
}

/**
 * INTER_LINEAR (and INTER_AREA's enlarging case): the horizontal pass once per needed source
 * row, cached in two row buffers as consecutive output rows share source rows, then OpenCV's
 * vertical formula (`verticalLinear` in tables.ts) per element.
 */
function linearRows(job: KernelJob, span: Span, out: RowWriter, x: LinearAxis, yAxis: LinearAxis): void {
  const { src, srcStride: stride, srcChannels: cn } = job;
  const n = span.x1 - span.x0;
  const taps = new Int32Array(4 * n);
  for (let k = 0, t = 0; k < n; k++, t += 4) {
    const rx = span.rx0 + k;
    taps[t] = x.i0[rx]! * cn;
    taps[t + 1] = x.i1[rx]! * cn;
    taps[t + 2] = x.w0[rx]!;
    taps[t + 3] = x.w1[rx]!;
  }
  const len = n * cn;
  let bufA = new Int32Array(len);
  let bufB = new Int32Array(len);
  // Source rows held by bufA and bufB (-1: none). bufA always holds the upper tap once computed.
  let rowA = -1;
  let rowB = -1;
  const row = new Uint8Array(len);
  const origin = regionOrigin(job);
  // float32 output (the common case): the vertical pass feeds the lookup directly, no row buffer.
  const f32 = job.dtype === 'float32' ? (job.dst as Float32Array) : undefined;
  for (let y = span.y0, ry = span.ry0; y < span.y1; y++, ry++) {
    const s0 = yAxis.i0[ry]!;
    const s1 = yAxis.i1[ry]!;
    if (rowA !== s0) {
      if (rowB === s0) {
        const t = bufA;
        bufA = bufB;
        bufB = t;
        rowB = rowA;
      } else {
        linearHorizontal(src, origin + s0 * stride, cn, taps, bufA);
      }
      rowA = s0;
    }
    if (rowB !== s1 && s1 !== s0) {
      linearHorizontal(src, origin + s1 * stride, cn, taps, bufB);
      rowB = s1;
    }
    const h0 = bufA;
    const h1 = s1 === s0 ? bufA : bufB;
    const b0 = yAxis.w0[ry]!;
    const b1 = yAxis.w1[ry]!;
    if (f32 !== undefined) {
      linearWriteF32(
        f32,
        out.lut as Float32Array,
        h0,
        h1,
        b0,
        b1,
        n,
        cn,
        out.map,
        out.start(y),
        out.s.chan,
        out.s.pix,
      );
      continue;
    }
    // Always within 0..255: each product is at most 32640 * b >> 16 and b0 + b1 = 2048.
    for (let e = 0; e < len; e++) row[e] = (((h0[e]! * b0) >> 16) + ((h1[e]! * b1) >> 16) + 2) >> 2;
    out.writeRow(row, y);
  }
}

/** INTER_AREA by an integer factor: the sum of an `sx` x `sy` block per element. */
function areaFastRows(
  job: KernelJob,
  span: Span,
  out: RowWriter,
  sx: number,
  sy: number,
  round2x2: boolean,
): void {
  const { src, srcStride: stride, srcChannels: cn } = job;
  const n = span.x1 - span.x0;
  const len = n * cn;
  const sums = new Int32Array(len);
  const row = new Uint8Array(len);
  const inv = fround(1 / (sx * sy));
  const origin = regionOrigin(job) + span.rx0 * sx * cn;
  const step = sx * cn;
  for (let y = span.y0, ry = span.ry0; y < span.y1; y++, ry++) {
    sums.fill(0);
    for (let j = 0; j < sy; j++) {
      const r = origin + (ry * sy + j) * stride;
      for (let k = 0, e = 0; k < n; k++) {
        const p = r + k * step;
        for (let c = 0; c < cn; c++, e++) {
          let sum = sums[e]!;
          for (let i = 0, q = p + c; i < sx; i++, q += cn) sum += src[q]!;
          sums[e] = sum;
        }
      }
    }
    for (let e = 0; e < len; e++) {
      const sum = sums[e]!;
      const v = round2x2 ? (sum + 2) >> 2 : roundHalfEven(fround(sum * inv));
      row[e] = Math.min(v, 255);
    }
    out.writeRow(row, y);
  }
}

/** OpenCV's horizontal area pass over one source row, float32 sums in its order. */
function areaHorizontal(
  src: Uint8Array,
  r: number,
  cn: number,
  n: number,
  rx0: number,
  x: AreaAxis,
  buf: Float32Array,
): void {
  const { start, index, weight } = x;
  // Sums kept in locals and rounded to float32 after every step, as OpenCV's float buffer is.
  if (cn === 3) {
    for (let k = 0, e = 0; k < n; k++, e += 3) {
      const end = start[rx0 + k + 1]!;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      for (let i = start[rx0 + k]!; i < end; i++) {
        const p = r + index[i]! * 3;
        const w = weight[i]!;
        s0 = fround(s0 + fround(src[p]! * w));
        s1 = fround(s1 + fround(src[p + 1]! * w));
        s2 = fround(s2 + fround(src[p + 2]! * w));
      }
      buf[e] = s0;
      buf[e + 1] = s1;
      buf[e + 2] = s2;
    }
    return;
  }
  for (let k = 0, e = 0; k < n; k++, e += cn) {
    const end = start[rx0 + k + 1]!;
    for (let c = 0; c < cn; c++) {
      let acc = 0;
      for (let i = start[rx0 + k]!; i < end; i++)
        acc = fround(acc + fround(src[r + index[i]! * cn + c]! * weight[i]!));
      buf[e + c] = acc;
    }
  }
}

/**
 * INTER_AREA by a non-integer shrink: horizontal sums per source row (a row on the border of two
 * output rows is summed once, for both), weighted and accumulated per output row.
 */
function areaRows(job: KernelJob, span: Span, out: RowWriter, x: AreaAxis, yAxis: AreaAxis): void {
  const { src, srcStride: stride, srcChannels: cn } = job;
  const n = span.x1 - span.x0;
  const len = n * cn;
  const buf = new Float32Array(len);
  const sum = new Float32Array(len);
  const row = new Uint8Array(len);
  const origin = regionOrigin(job);
  let bufRow = -1;
  for (let y = span.y0, ry = span.ry0; y < span.y1; y++, ry++) {
    sum.fill(0);
    const end = yAxis.start[ry + 1]!;
    for (let j = yAxis.start[ry]!; j < end; j++) {
      const sy = yAxis.index[j]!;
      if (sy !== bufRow) {
        areaHorizontal(src, origin + sy * stride, cn, n, span.rx0, x, buf);
        bufRow = sy;
      }
      const w = yAxis.weight[j]!;
      for (let e = 0; e < len; e++) sum[e] = sum[e]! + fround(w * buf[e]!);
    }
    for (let e = 0; e < len; e++) {
      const v = roundHalfEven(sum[e]!);
      row[e] = v < 0 ? 0 : Math.min(v, 255);
    }
    out.writeRow(row, y);
  }
}
