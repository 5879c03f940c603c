// IEEE 754 half precision <-> float32, exact in both directions. Node 20 has no Float16Array and
// Math.f16round, so halves travel as their 16-bit patterns in a Uint16Array.
//
// Narrowing rounds the exact value of the input once (round to nearest, ties to even). Going
// through float32 first would round twice and get some ties wrong for inputs that are not float32.

import { invalidArgument } from './checks.js';
import { typedArrayName } from './dtype.js';

const scratch = new DataView(new ArrayBuffer(8));
const TWO_POW_24 = 2 ** 24;
const MIN_NORMAL = 2 ** -14;
/** Halfway between the largest half (65504) and 65536: from here on, rounding gives Infinity. */
const OVERFLOW = 65520;
const QUIET_NAN = 0x7e00;

// 2^(e - 25) for each biased half exponent e, built by halving so every entry is exact.
const SCALE: Float64Array = (() => {
  const table = new Float64Array(32);
  let value = 1;
  for (let i = 0; i < 25; i++) value /= 2;
  for (let e = 0; e < 32; e++) {
    table[e] = value;
    value *= 2;
  }
  return table;
})();

/**
 * Rounds a number to the nearest IEEE 754 half (ties to even) and returns its 16 bit pattern.
 *
 * Subnormal halves are produced exactly, values of magnitude 65520 or more become ±Infinity,
 * -0 keeps its sign, and NaN becomes the quiet NaN `0x7e00`. Any JS number is accepted and rounded
 * once from its exact value, so float32 inputs give the same result as a float32 -> half cast.
 *
 * @returns An integer in [0, 0xffff].
 */
export function float32ToFloat16Bits(x: number): number {
  if (Number.isNaN(x)) return QUIET_NAN;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= OVERFLOW) return sign | 0x7c00;
  if (a < MIN_NORMAL) {
    // Subnormal half m * 2^-24: scaling by a power of two and taking the fraction are both exact.
    // m may round up to 0x400, which is exactly the bit pattern of the smallest normal half.
    const scaled = a * TWO_POW_24;
    let m = Math.floor(scaled);
    const rest = scaled - m;
    if (rest > 0.5 || (rest === 0.5 && (m & 1) === 1)) m += 1;
    return sign | m;
  }
  scratch.setFloat64(0, a);
  const hi = scratch.getUint32(0);
  const lo = scratch.getUint32(4);
  const exponent = (hi >>> 20) - 1023;
  let h = ((exponent + 15) << 10) | ((hi >>> 10) & 0x3ff);
  // 42 mantissa bits are dropped: the low 10 of `hi` and all of `lo`. Half an ulp is 0x200:0.
  const dropped = hi & 0x3ff;
  if (dropped > 0x200 || (dropped === 0x200 && (lo !== 0 || (h & 1) === 1))) h += 1;
  return sign | h;
}

/**
 * The value of a half given as its 16 bit pattern (only the low 16 bits of `h` are read).
 *
 * Every half is exactly representable as a float32, so the result is exact; NaN patterns give NaN.
 */
export function float16BitsToFloat32(h: number): number {
  const exponent = (h >>> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  let value: number;
  if (exponent === 0) value = mantissa * SCALE[1]!;
  else if (exponent === 31) value = mantissa === 0 ? Number.POSITIVE_INFINITY : Number.NaN;
  else value = (mantissa + 1024) * SCALE[exponent]!;
  return (h & 0x8000) === 0 ? value : -value;
}

// Float32 bit pattern of every half, NaN payloads and signs included, built on first use (256 KiB).
let halfToFloatBits: Uint32Array | undefined;

function floatBitsTable(): Uint32Array {
  if (halfToFloatBits === undefined) {
    const values = new Float32Array(65536);
    const bits = new Uint32Array(values.buffer);
    for (let h = 0; h < 65536; h++) {
      if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) {
        bits[h] = (((h & 0x8000) << 16) | 0x7f800000 | ((h & 0x3ff) << 13)) >>> 0;
      } else {
        values[h] = float16BitsToFloat32(h);
      }
    }
    halfToFloatBits = bits;
  }
  return halfToFloatBits;
}

/**
 * Converts numbers to half bit patterns with {@link float32ToFloat16Bits}.
 *
 * For a `Float32Array` source, NaNs keep their sign and the top 10 bits of their payload (made quiet
 * when those are all zero), so halves widened with {@link fromFloat16Array} come back bit for bit.
 *
 * @param out - Where to write; a new array when omitted.
 * @returns `out`, or the new array.
 * @throws {@link ArgumentError} when `out` is given and its length differs from `src.length`.
 */
export function toFloat16Array(src: Float32Array | ArrayLike<number>, out?: Uint16Array): Uint16Array {
  const length = src.length;
  const target = out ?? new Uint16Array(length);
  if (target.length !== length) {
    throw invalidArgument('out.length', target.length, `${length} (the length of src)`);
  }
  const srcBits =
    typedArrayName(src) === 'Float32Array'
      ? new Uint32Array((src as Float32Array).buffer, (src as Float32Array).byteOffset, length)
      : undefined;
  for (let i = 0; i < length; i++) {
    const x = src[i]!;
    if (srcBits !== undefined && Number.isNaN(x)) {
      const bits = srcBits[i]!;
      const payload = (bits >>> 13) & 0x3ff;
      target[i] = ((bits >>> 16) & 0x8000) | 0x7c00 | (payload === 0 ? 0x200 : payload);
    } else {
      target[i] = float32ToFloat16Bits(x);
    }
  }
  return target;
}

/**
 * Widens half bit patterns to float32 values, exactly (NaN patterns keep sign and payload).
 *
 * @param out - Where to write; a new array when omitted.
 * @returns `out`, or the new array.
 * @throws {@link ArgumentError} when `out` is given and its length differs from `src.length`.
 */
export function fromFloat16Array(src: Uint16Array, out?: Float32Array): Float32Array {
  const length = src.length;
  const target = out ?? new Float32Array(length);
  if (target.length !== length) {
    throw invalidArgument('out.length', target.length, `${length} (the length of src)`);
  }
  const table = floatBitsTable();
  const targetBits = new Uint32Array(target.buffer, target.byteOffset, length);
  for (let i = 0; i < length; i++) targetBits[i] = table[src[i]!]!;
  return target;
}
