// What both kernels rely on to stay inside their buffers, checked once per job at the JavaScript
// boundary (the native kernel never sees a job that fails here).

import { ArgumentError, invalidArgument } from '@edge/core';
import type { KernelJob, Rect } from './job.js';

const DTYPE_ARRAY = {
  float32: 'Float32Array',
  float16: 'Uint16Array',
  uint8: 'Uint8Array',
  int8: 'Int8Array',
};

function positive(v: number): boolean {
  return Number.isSafeInteger(v) && v >= 1;
}

function rectText(r: Rect): string {
  return `{x: ${r.x}, y: ${r.y}, width: ${r.width}, height: ${r.height}}`;
}

/**
 * Checks a {@link KernelJob} for consistency: sizes, rectangles, per-channel arrays and the room
 * its slot needs in `dst`.
 *
 * @throws {@link ArgumentError} naming the first field that is wrong.
 */
export function checkKernelJob(job: KernelJob): void {
  const { srcWidth: w, srcHeight: h, srcChannels: cn, srcStride: stride, srcRect: s, dstRect: d } = job;
  if (!positive(w) || !positive(h))
    throw invalidArgument('job.srcWidth x srcHeight', `${w}x${h}`, 'positive sizes');
  if (cn !== 1 && cn !== 3 && cn !== 4) throw invalidArgument('job.srcChannels', cn, '1, 3 or 4');
  if (!Number.isSafeInteger(stride) || stride < w * cn) {
    throw invalidArgument('job.srcStride', stride, `integer of at least ${w * cn} (width x channels)`);
  }
  if (!(job.src instanceof Uint8Array) || job.src.length < stride * (h - 1) + w * cn) {
    throw invalidArgument('job.src', job.src, `Uint8Array of at least ${stride * (h - 1) + w * cn} bytes`);
  }
  if (
    !positive(s.width) ||
    !positive(s.height) ||
    !Number.isSafeInteger(s.x) ||
    !Number.isSafeInteger(s.y) ||
    s.x < 0 ||
    s.y < 0 ||
    s.x + s.width > w ||
    s.y + s.height > h
  ) {
    throw new ArgumentError(`job.srcRect ${rectText(s)} is not inside the ${w}x${h} source`);
  }
  if (!positive(job.outWidth) || !positive(job.outHeight)) {
    throw invalidArgument('job.outWidth x outHeight', `${job.outWidth}x${job.outHeight}`, 'positive sizes');
  }
  if (!positive(d.width) || !positive(d.height) || !Number.isSafeInteger(d.x) || !Number.isSafeInteger(d.y)) {
    throw new ArgumentError(`job.dstRect ${rectText(d)} must have integer position and positive size`);
  }
  const channels = job.channelMap.length;
  if (channels < 1 || channels > 4)
    throw invalidArgument('job.channelMap', job.channelMap, '1 to 4 source channels');
  for (const [name, arr] of [
    ['mul', job.mul],
    ['add', job.add],
    ['pad', job.pad],
  ] as const) {
    if (arr.length !== channels || arr.some((v) => !Number.isFinite(v))) {
      throw invalidArgument(`job.${name}`, arr, `${channels} finite numbers (one per output channel)`);
    }
  }
  if (job.channelMap.some((c) => !Number.isInteger(c) || c < 0 || c >= cn)) {
    throw invalidArgument('job.channelMap', job.channelMap, `source channel indices below ${cn}`);
  }
  const expected = DTYPE_ARRAY[job.dtype];
  if (expected === undefined)
    throw invalidArgument('job.dtype', job.dtype, 'one of float32, float16, uint8, int8');
  if (Object.prototype.toString.call(job.dst) !== `[object ${expected}]`) {
    throw invalidArgument('job.dst', job.dst, `${expected} (the storage of ${job.dtype})`);
  }
  if (!(job.quantScale > 0) || !Number.isFinite(job.quantScale) || !Number.isInteger(job.quantZeroPoint)) {
    throw invalidArgument(
      'job.quantScale',
      job.quantScale,
      'positive finite number (and an integer zero point)',
    );
  }
  const size = job.outWidth * job.outHeight * channels;
  if (!Number.isSafeInteger(job.dstOffset) || job.dstOffset < 0 || job.dstOffset + size > job.dst.length) {
    throw invalidArgument(
      'job.dstOffset',
      job.dstOffset,
      `offset with room for ${size} elements in dst of ${job.dst.length}`,
    );
  }
  if (job.layout !== 'nchw' && job.layout !== 'nhwc')
    throw invalidArgument('job.layout', job.layout, '"nchw" or "nhwc"');
  if (job.interpolation !== 'bilinear' && job.interpolation !== 'nearest' && job.interpolation !== 'area') {
    throw invalidArgument('job.interpolation', job.interpolation, '"bilinear", "nearest" or "area"');
  }
}
