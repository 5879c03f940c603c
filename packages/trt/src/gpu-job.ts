// One preprocessing job for the CUDA kernel, packed as cuda/preprocess.cu reads it
// (native/src/preprocess_params.h): the geometry as int32s, the two resize scales as doubles, and
// the element table (padding, then a 256-entry lookup per output channel of the stored bits of
// `raw * mul + add` in the output dtype). The table is how the GPU gets the CPU kernel's exact
// normalise-and-convert tail: the same float32 rounding, float16 rounding and integer quantisation,
// computed once on the host.
//
// The job has the fields of @edge/preprocess's KernelJob (structurally the same type), so a job
// made for the CPU kernel runs on the GPU unchanged.

import { ArgumentError, float32ToFloat16Bits, invalidArgument } from '@edge/core';

/** An integer rectangle. */
export interface GpuRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Output element arrays by dtype (float16 as Uint16Array half bits). */
export type GpuOutputArray = Float32Array | Uint16Array | Uint8Array | Int8Array;

/** A preprocessing job: @edge/preprocess's KernelJob, field for field. */
export interface GpuKernelJob {
  readonly src: Uint8Array;
  readonly srcWidth: number;
  readonly srcHeight: number;
  readonly srcStride: number;
  readonly srcChannels: 1 | 3 | 4;
  readonly channelMap: readonly number[];
  readonly srcRect: GpuRect;
  readonly dstRect: GpuRect;
  readonly outWidth: number;
  readonly outHeight: number;
  /** The GPU kernel does bilinear and nearest; area is refused. */
  readonly interpolation: 'bilinear' | 'nearest' | 'area';
  readonly mul: readonly number[];
  readonly add: readonly number[];
  readonly pad: readonly number[];
  readonly layout: 'nchw' | 'nhwc';
  readonly dtype: 'float32' | 'float16' | 'uint8' | 'int8';
  readonly quantScale: number;
  readonly quantZeroPoint: number;
  readonly dst: GpuOutputArray;
  readonly dstOffset: number;
}

/** int32 fields before the table (EDGE_PREPROCESS_INTS). */
export const PARAM_INTS: number = 22;
/** Table entries: pad[4] then lut[4 * 256] (EDGE_PREPROCESS_TABLE). */
export const TABLE_ENTRIES: number = 4 + 4 * 256;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** cvRound: round half to even. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The stored bits of normalised value `v` in `dtype` (two's complement byte for int8). */
function elementBits(job: GpuKernelJob, v: number): number {
  switch (job.dtype) {
    case 'float32':
      f32[0] = v;
      return u32[0]!;
    case 'float16':
      return float32ToFloat16Bits(v);
    case 'uint8':
      return Math.min(255, Math.max(0, roundHalfEven(v / job.quantScale) + job.quantZeroPoint));
    case 'int8':
      return Math.min(127, Math.max(-128, roundHalfEven(v / job.quantScale) + job.quantZeroPoint)) & 0xff;
  }
}

const ELEMENT_BYTES = { float32: 4, float16: 2, uint8: 1, int8: 1 } as const;

/**
 * Checks what the kernel and its launch rely on.
 *
 * @throws {@link ArgumentError} naming the field.
 */
export function checkGpuJob(job: GpuKernelJob): void {
  if (typeof job !== 'object' || job === null) throw invalidArgument('job', job, 'object');
  if (job.interpolation !== 'bilinear' && job.interpolation !== 'nearest') {
    throw new ArgumentError(
      `Expected "bilinear" or "nearest" for job.interpolation (the CUDA kernel's) but received ${JSON.stringify(job.interpolation)}: run area resizes on the CPU kernel`,
    );
  }
  const C = job.channelMap.length;
  if (C < 1 || C > 4)
    throw invalidArgument('job.channelMap', job.channelMap, 'array of 1 to 4 source channels');
  const r = job.srcRect;
  if (
    r.x < 0 ||
    r.y < 0 ||
    r.width < 1 ||
    r.height < 1 ||
    r.x + r.width > job.srcWidth ||
    r.y + r.height > job.srcHeight
  ) {
    throw invalidArgument('job.srcRect', r, `rectangle inside the ${job.srcWidth}x${job.srcHeight} source`);
  }
  const need = (job.srcHeight - 1) * job.srcStride + job.srcWidth * job.srcChannels;
  if (job.src.length < need) throw invalidArgument('job.src.length', job.src.length, `at least ${need}`);
  const size = C * job.outWidth * job.outHeight;
  if (job.dstOffset < 0 || job.dstOffset + size > job.dst.length) {
    throw invalidArgument(
      'job.dstOffset',
      job.dstOffset,
      `offset with room for ${size} elements in dst of length ${job.dst.length}`,
    );
  }
}

/** The packed parameters and table of a job (the layout of native/src/preprocess_params.h). */
export function packGpuJob(job: GpuKernelJob): { ints: Int32Array; floats: Float64Array } {
  const C = job.channelMap.length;
  const ints = new Int32Array(PARAM_INTS + TABLE_ENTRIES);
  const s = job.srcRect;
  const d = job.dstRect;
  ints.set([
    job.srcWidth,
    job.srcHeight,
    job.srcStride,
    job.srcChannels,
    s.x,
    s.y,
    s.width,
    s.height,
    d.x,
    d.y,
    d.width,
    d.height,
    job.outWidth,
    job.outHeight,
    job.interpolation === 'bilinear' ? 0 : 1,
    job.layout === 'nchw' ? 0 : 1,
    ELEMENT_BYTES[job.dtype],
    C,
  ]);
  for (let c = 0; c < C; c++) ints[18 + c] = job.channelMap[c]!;
  const table = new Uint32Array(ints.buffer, PARAM_INTS * 4, TABLE_ENTRIES);
  for (let c = 0; c < C; c++) {
    table[c] = elementBits(job, Math.fround(job.pad[c]! * job.mul[c]! + job.add[c]!));
    for (let p = 0; p < 256; p++) {
      table[4 + c * 256 + p] = elementBits(job, Math.fround(p * job.mul[c]! + job.add[c]!));
    }
  }
  // cv::resize's scales: the inverse of the ratio, in doubles.
  const floats = Float64Array.of(1 / (d.width / s.width), 1 / (d.height / s.height));
  return { ints, floats };
}
