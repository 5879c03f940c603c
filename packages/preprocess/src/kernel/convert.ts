// The per-element tail of both kernels: v = p * mul + add, then the output dtype. Kept in one
// place so the fused and the multi-loop kernel cannot drift apart.

import { float32ToFloat16Bits } from '@edge/core';
import type { KernelJob, OutputArray, OutputDType } from './job.js';
import { roundHalfEven } from './tables.js';

/** The normalised value of a raw (0..255) pixel value in output channel `c`, rounded to float32. */
export function normalise(job: KernelJob, c: number, raw: number): number {
  return Math.fround(raw * job.mul[c]! + job.add[c]!);
}

/** Converts a normalised value to the element stored for `dtype` (half bits for float16). */
export function convertValue(dtype: OutputDType, v: number, quantScale: number, zeroPoint: number): number {
  switch (dtype) {
    case 'float32':
      return v;
    case 'float16':
      return float32ToFloat16Bits(v);
    case 'uint8':
      return Math.min(255, Math.max(0, roundHalfEven(v / quantScale) + zeroPoint));
    case 'int8':
      return Math.min(127, Math.max(-128, roundHalfEven(v / quantScale) + zeroPoint));
  }
}

/** A new output array of `dtype` with `length` elements. */
export function allocateOutput(dtype: OutputDType, length: number): OutputArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(length);
    case 'float16':
      return new Uint16Array(length);
    case 'uint8':
      return new Uint8Array(length);
    case 'int8':
      return new Int8Array(length);
  }
}

/**
 * The stored element for every raw value 0..255 of every output channel (`lut[c * 256 + p]`):
 * resampling an 8-bit image gives 8-bit values, so the whole tail of the pipeline is one lookup.
 */
export function buildLut(job: KernelJob): OutputArray {
  const channels = job.channelMap.length;
  const lut = allocateOutput(job.dtype, channels * 256);
  for (let c = 0; c < channels; c++) {
    for (let p = 0; p < 256; p++) {
      lut[c * 256 + p] = convertValue(job.dtype, normalise(job, c, p), job.quantScale, job.quantZeroPoint);
    }
  }
  return lut;
}

/** The stored element of the padding of each output channel. */
export function padElements(job: KernelJob): number[] {
  return job.channelMap.map((_, c) =>
    convertValue(job.dtype, normalise(job, c, job.pad[c]!), job.quantScale, job.quantZeroPoint),
  );
}
