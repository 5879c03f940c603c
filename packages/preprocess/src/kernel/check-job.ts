// The one validator of kernel jobs. Every job is checked here, once, field by field, before either
// kernel (TypeScript or native) touches it: what both rely on to stay inside their buffers, in the
// SDK's one message format. The native addon repeats the checks memory safety depends on as a last
// line of defence, but a job that reaches it has already passed these, so a user never sees its
// messages.

import * as types from 'node:util/types';
import {
  ArgumentError,
  checkInteger,
  checkOneOf,
  checkPositiveInteger,
  describeValue,
  invalidArgument,
} from '@edge/core';
import type { Interpolation, KernelJob, Layout, OutputArray, OutputDType } from './job.js';

/** The kernels' limit on any width or height (kMaxImageSide in native/src/kernel.h). */
const MAX_SIDE = 1 << 20;

const INTERPOLATIONS: readonly Interpolation[] = ['bilinear', 'nearest', 'area'];
const LAYOUTS: readonly Layout[] = ['nchw', 'nhwc'];
const DTYPES: readonly OutputDType[] = ['float32', 'float16', 'uint8', 'int8'];
const DST_CHECK: Record<OutputDType, [string, (v: unknown) => boolean]> = {
  float32: ['Float32Array', types.isFloat32Array],
  float16: ['Uint16Array', types.isUint16Array],
  uint8: ['Uint8Array', types.isUint8Array],
  int8: ['Int8Array', types.isInt8Array],
};

/** The bytes one job reads and the bytes it writes, for the overlap checks. */
interface Slot {
  name: string;
  src: Uint8Array;
  dst: OutputArray;
  /** Byte range of `src` and of the written part of `dst`, relative to their ArrayBuffers. */
  read: [number, number];
  write: [number, number];
}

function checkObject(name: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) throw invalidArgument(name, value, 'object');
  return value as Record<string, unknown>;
}

function checkNumbers(name: string, value: unknown, length: number): void {
  if (!Array.isArray(value) || value.length !== length) {
    throw invalidArgument(name, value, `array of ${length} finite numbers (one per output channel)`);
  }
  value.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw invalidArgument(`${name}[${i}]`, v, 'finite number');
  });
}

function checkRect(name: string, value: unknown, inside?: { width: number; height: number }): void {
  const r = checkObject(name, value);
  if (inside) {
    const x = checkInteger(`${name}.x`, r.x, { min: 0, max: inside.width - 1 });
    const y = checkInteger(`${name}.y`, r.y, { min: 0, max: inside.height - 1 });
    checkPositiveInteger(`${name}.width`, r.width, { max: inside.width - x });
    checkPositiveInteger(`${name}.height`, r.height, { max: inside.height - y });
    return;
  }
  // dstRect may hang over the output on any side (a crop after the resize).
  checkInteger(`${name}.x`, r.x, { min: -MAX_SIDE, max: MAX_SIDE });
  checkInteger(`${name}.y`, r.y, { min: -MAX_SIDE, max: MAX_SIDE });
  checkPositiveInteger(`${name}.width`, r.width, { max: MAX_SIDE });
  checkPositiveInteger(`${name}.height`, r.height, { max: MAX_SIDE });
}

/** Validates every field of `value` as a KernelJob; `name` is how messages refer to it. */
function checkJob(value: unknown, name: string): Slot {
  const job = checkObject(name, value);
  const src = job.src;
  if (!types.isUint8Array(src)) throw invalidArgument(`${name}.src`, src, 'Uint8Array');
  const width = checkPositiveInteger(`${name}.srcWidth`, job.srcWidth, { max: MAX_SIDE });
  const height = checkPositiveInteger(`${name}.srcHeight`, job.srcHeight, { max: MAX_SIDE });
  const cn = checkOneOf(`${name}.srcChannels`, job.srcChannels, [1, 3, 4] as const);
  const stride = checkInteger(`${name}.srcStride`, job.srcStride, { min: width * cn, max: 2 ** 31 - 1 });
  const need = (height - 1) * stride + width * cn;
  if (src.length < need) {
    throw invalidArgument(
      `${name}.src.length`,
      src.length,
      `at least ${need} (srcHeight ${height} rows of srcStride ${stride} bytes)`,
    );
  }
  const map = job.channelMap;
  if (!Array.isArray(map) || map.length < 1 || map.length > 4) {
    throw invalidArgument(`${name}.channelMap`, map, 'array of 1 to 4 source channel indices');
  }
  map.forEach((c, i) => {
    checkInteger(`${name}.channelMap[${i}]`, c, { min: 0, max: cn - 1 });
  });
  const channels = map.length;
  checkRect(`${name}.srcRect`, job.srcRect, { width, height });
  checkRect(`${name}.dstRect`, job.dstRect);
  const outWidth = checkPositiveInteger(`${name}.outWidth`, job.outWidth, { max: MAX_SIDE });
  const outHeight = checkPositiveInteger(`${name}.outHeight`, job.outHeight, { max: MAX_SIDE });
  checkOneOf(`${name}.interpolation`, job.interpolation, INTERPOLATIONS);
  checkNumbers(`${name}.mul`, job.mul, channels);
  checkNumbers(`${name}.add`, job.add, channels);
  checkNumbers(`${name}.pad`, job.pad, channels);
  checkOneOf(`${name}.layout`, job.layout, LAYOUTS);
  const dtype = checkOneOf(`${name}.dtype`, job.dtype, DTYPES);
  const q = job.quantScale;
  if (typeof q !== 'number' || !Number.isFinite(q) || q <= 0) {
    throw invalidArgument(`${name}.quantScale`, q, 'positive finite number');
  }
  checkInteger(`${name}.quantZeroPoint`, job.quantZeroPoint, {
    min: Number.MIN_SAFE_INTEGER,
    max: Number.MAX_SAFE_INTEGER,
  });
  const [arrayName, isExpected] = DST_CHECK[dtype];
  const dst = job.dst;
  if (!isExpected(dst)) throw invalidArgument(`${name}.dst`, dst, `${arrayName} (the storage of ${dtype})`);
  const out = dst as OutputArray;
  const size = channels * outWidth * outHeight;
  const offset = checkInteger(`${name}.dstOffset`, job.dstOffset, { min: 0, max: Number.MAX_SAFE_INTEGER });
  if (offset + size > out.length) {
    throw invalidArgument(
      `${name}.dstOffset`,
      offset,
      `offset with room for ${size} elements (${channels}x${outHeight}x${outWidth}) in dst of length ${out.length}`,
    );
  }
  const e = out.BYTES_PER_ELEMENT;
  return {
    name,
    src,
    dst: out,
    read: [src.byteOffset, src.byteOffset + src.length],
    write: [out.byteOffset + offset * e, out.byteOffset + (offset + size) * e],
  };
}

function intersects(a: [number, number], b: [number, number]): boolean {
  return a[0] < b[1] && b[0] < a[1];
}

function isResizable(buffer: ArrayBufferLike): boolean {
  return (buffer as { resizable?: boolean }).resizable === true;
}

/**
 * Every job reads its source while outputs are written (by threads, in the native kernel): a job
 * must not write what it or another job reads, and two jobs must not write the same elements. Off
 * the main thread, a buffer that can shrink could also pull memory from under a worker.
 */
function checkSharing(slots: readonly Slot[], offThread: boolean): void {
  for (let i = 0; i < slots.length; i++) {
    const a = slots[i]!;
    if (offThread && (isResizable(a.src.buffer) || isResizable(a.dst.buffer))) {
      throw new ArgumentError(
        `Expected fixed-length buffers for ${a.name}.src and ${a.name}.dst in runAsync but received a resizable ArrayBuffer`,
      );
    }
    for (let k = 0; k < slots.length; k++) {
      const b = slots[k]!;
      if (a.dst.buffer === b.src.buffer && intersects(a.write, b.read)) {
        throw new ArgumentError(
          `${a.name}.dst overlaps ${b.name}.src: the output slot (bytes ${a.write[0]} to ${a.write[1]}) shares memory with the source (bytes ${b.read[0]} to ${b.read[1]}) of one ${describeValue(a.dst.buffer)}`,
        );
      }
      if (k > i && a.dst.buffer === b.dst.buffer && intersects(a.write, b.write)) {
        throw new ArgumentError(
          `${a.name} and ${b.name} write overlapping elements of the same dst (bytes ${a.write[0]} to ${a.write[1]} and ${b.write[0]} to ${b.write[1]})`,
        );
      }
    }
  }
}

/**
 * Checks one {@link KernelJob}: every field, the rectangles inside their images, the room its slot
 * needs in `dst`, and that its output does not overlap its source.
 *
 * @param name - How messages refer to the job. Default `job`.
 * @throws {@link ArgumentError} naming the first field that is wrong, in the form "Expected
 * positive integer of at most 1048576 for job.srcWidth but received 0 of type number".
 */
export function checkKernelJob(job: unknown, name = 'job'): asserts job is KernelJob {
  checkSharing([checkJob(job, name)], false);
}

/**
 * Checks a batch of jobs (named `jobs[i]` in messages) as {@link checkKernelJob} does, and that no
 * job writes what another reads or writes; with `offThread`, also that no buffer is resizable.
 *
 * @throws {@link ArgumentError} naming the first job and field that is wrong.
 */
export function checkKernelJobs(jobs: unknown, offThread = false): asserts jobs is readonly KernelJob[] {
  if (!Array.isArray(jobs)) throw invalidArgument('jobs', jobs, 'array of KernelJob');
  checkSharing(
    jobs.map((job, i) => checkJob(job, `jobs[${i}]`)),
    offThread,
  );
}
