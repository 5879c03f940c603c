import { requires, runPython } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  float16BitsToFloat32,
  float32ToFloat16Bits,
  fromFloat16Array,
  toFloat16Array,
} from '../src/index.js';

/** Runs `code` with numpy as `np`, raw input bytes as `data`; the script writes raw bytes to `out`. */
function numpy(code: string, input: Uint8Array): Buffer {
  const script = `import sys, numpy as np\ndata = sys.stdin.buffer.read()\n${code}\nsys.stdout.buffer.write(out)`;
  return runPython(['-c', script], input);
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function isNaNBits(h: number): boolean {
  return (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
}

const ALL_HALVES = Uint16Array.from({ length: 65536 }, (_, i) => i);

// Independent reference for rounding to half: binary search the sorted finite halves and compare
// with the midpoint of the two neighbours (exact in double), ties to the even pattern. It shares no
// code or bit tricks with the implementation.
const POSITIVE_HALVES: number[] = Array.from({ length: 0x7c00 }, (_, h) => float16BitsToFloat32(h));
POSITIVE_HALVES.push(65536); // where 0x7c00 (Infinity) would sit if the exponent range went on
function referenceHalf(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65536) return sign | 0x7c00;
  let lo = 0;
  let hi = POSITIVE_HALVES.length - 1; // invariant: value[lo] <= a < value[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (POSITIVE_HALVES[mid]! <= a) lo = mid;
    else hi = mid;
  }
  if (POSITIVE_HALVES[lo] === a) return sign | lo;
  const midpoint = (POSITIVE_HALVES[lo]! + POSITIVE_HALVES[hi]!) / 2;
  if (a < midpoint) return sign | lo;
  if (a > midpoint) return sign | hi;
  return sign | ((lo & 1) === 0 ? lo : hi);
}

/** Deterministic xorshift so failures reproduce. */
function random32(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

/** Float32 test inputs: every midpoint between adjacent halves and its float32 neighbours, random
 * bit patterns over the whole range and concentrated on the half range, and named edge values. */
function float32Inputs(): Float32Array {
  const values: number[] = [];
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const withNeighbours = (v: number): void => {
    f32[0] = v;
    const bits = u32[0]!;
    for (const b of [bits - 1, bits, bits + 1]) {
      u32[0] = b;
      values.push(f32[0]!, -f32[0]!);
    }
  };
  for (let h = 0; h < 0x7c00; h++) withNeighbours((POSITIVE_HALVES[h]! + POSITIVE_HALVES[h + 1]!) / 2);
  for (let h = 0; h < 0x7c00; h += 7) withNeighbours(POSITIVE_HALVES[h]!);
  const next = random32(12345);
  for (let i = 0; i < 100_000; i++) {
    u32[0] = next();
    values.push(f32[0]!);
    // Exponent 100..145: 2^-27 to 2^18, the part of the float32 range where halves live.
    u32[0] = (next() & 0x807fffff) | ((100 + (next() % 46)) << 23);
    values.push(f32[0]!);
  }
  values.push(0, -0, Infinity, -Infinity, 65504, 65519.99609375, 65520, 65536, 2 ** -24, 2 ** -25, 2 ** -26);
  values.push(
    3 * 2 ** -25,
    2 ** -14,
    2 ** -14 - 2 ** -25,
    1 + 2 ** -11,
    1 + 3 * 2 ** -11,
    3.4028234663852886e38,
  );
  return Float32Array.from(values);
}

describe('float16 scalar conversion', () => {
  it('round-trips all 65536 half patterns through float32 (NaN stays NaN)', () => {
    for (let h = 0; h < 65536; h++) {
      const value = float16BitsToFloat32(h);
      expect(Math.fround(value)).toBe(value);
      const back = float32ToFloat16Bits(value);
      if (isNaNBits(h)) {
        expect(Number.isNaN(value)).toBe(true);
        expect(isNaNBits(back)).toBe(true);
      } else if (back !== h) {
        expect.fail(`0x${h.toString(16)} -> ${value} -> 0x${back.toString(16)}`);
      }
    }
  });

  it('rounds the edge values as IEEE 754 says', () => {
    const cases: [number, number][] = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [65504, 0x7bff], // largest half
      [65519.99609375, 0x7bff], // just below the overflow midpoint
      [65520, 0x7c00], // midpoint to 65536: ties to even, which is Infinity
      [1e10, 0x7c00],
      [-65520, 0xfc00],
      [Infinity, 0x7c00],
      [-Infinity, 0xfc00],
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -25, 0x0000], // half of it: tie, to even (zero)
      [2 ** -25 * (1 + 2 ** -23), 0x0001], // just above the tie
      [3 * 2 ** -25, 0x0002], // 1.5 ulp: tie, to even
      [2 ** -14 - 2 ** -25, 0x0400], // tie between the largest subnormal and the smallest normal
      [2 ** -14, 0x0400], // smallest normal
      [1 + 2 ** -11, 0x3c00], // tie, to even (down)
      [1 + 3 * 2 ** -11, 0x3c02], // tie, to even (up)
      [1 + 2 ** -11 + 2 ** -40, 0x3c01], // above the tie by less than a float32 ulp: rounded once
      [0.1, 0x2e66],
      [Math.PI, 0x4248],
    ];
    for (const [input, bits] of cases) {
      expect(float32ToFloat16Bits(input), `${input}`).toBe(bits);
      expect(referenceHalf(input), `reference ${input}`).toBe(bits);
    }
    expect(isNaNBits(float32ToFloat16Bits(Number.NaN))).toBe(true);
    expect(float16BitsToFloat32(0x7bff)).toBe(65504);
    expect(float16BitsToFloat32(0x0001)).toBe(2 ** -24);
    expect(Object.is(float16BitsToFloat32(0x8000), -0)).toBe(true);
    expect(float16BitsToFloat32(0xfc00)).toBe(-Infinity);
    expect(float16BitsToFloat32(0x7e00)).toBeNaN();
  });

  it('agrees with the midpoint reference on float32 and double inputs', () => {
    for (const x of float32Inputs()) {
      const got = float32ToFloat16Bits(x);
      if (got !== referenceHalf(x)) expect.fail(`${x}: got 0x${got.toString(16)}`);
    }
    const next = random32(777);
    for (let i = 0; i < 100_000; i++) {
      // Random doubles with 52 random mantissa bits in the half range, plus ones just off a tie.
      const x = (next() / 2 ** 32 + next() / 2 ** 64) * 2 ** ((next() % 44) - 26);
      const h = next() % 0x7c00;
      const tie = (POSITIVE_HALVES[h]! + POSITIVE_HALVES[h + 1]!) / 2;
      for (const v of [x, -x, tie * (1 + 2 ** -45), tie * (1 - 2 ** -45)]) {
        const got = float32ToFloat16Bits(v);
        if (got !== referenceHalf(v)) expect.fail(`${v}: got 0x${got.toString(16)}`);
      }
    }
  });
});

describe('float16 against numpy (golden values)', requires('python-numpy'), () => {
  it('widens all 65536 patterns to the same float32 bits as numpy', () => {
    const expected = new Uint32Array(
      new Uint8Array(
        numpy(
          "out = np.frombuffer(data, '<u2').view(np.float16).astype(np.float32).tobytes()",
          bytesOf(ALL_HALVES),
        ),
      ).buffer,
    );
    const got = fromFloat16Array(ALL_HALVES);
    const gotBits = new Uint32Array(got.buffer);
    for (let h = 0; h < 65536; h++) {
      if (isNaNBits(h)) {
        expect(got[h]).toBeNaN();
        expect(float16BitsToFloat32(h)).toBeNaN();
      } else {
        if (gotBits[h] !== expected[h]) expect.fail(`0x${h.toString(16)}`);
        expect(Math.fround(float16BitsToFloat32(h))).toBe(got[h]);
      }
    }
  });

  it('narrows float32 values to the same half bits as numpy', () => {
    const inputs = float32Inputs();
    const expected = new Uint16Array(
      new Uint8Array(numpy("out = np.frombuffer(data, '<f4').astype(np.float16).tobytes()", bytesOf(inputs)))
        .buffer,
    );
    expect(expected.length).toBe(inputs.length);
    const arrayResult = toFloat16Array(inputs);
    for (let i = 0; i < inputs.length; i++) {
      const x = inputs[i]!;
      const got = float32ToFloat16Bits(x);
      if (Number.isNaN(x)) {
        expect(isNaNBits(got) && isNaNBits(arrayResult[i]!)).toBe(true);
      } else if (got !== expected[i] || arrayResult[i] !== got) {
        expect.fail(`${x}: got 0x${got.toString(16)}, numpy 0x${expected[i]!.toString(16)}`);
      }
    }
  });

  it('narrows double values (rounded once, not via float32) to the same half bits as numpy', () => {
    const next = random32(99);
    const inputs = new Float64Array(200_000);
    for (let i = 0; i < inputs.length; i += 2) {
      const h = next() % 0x7c00;
      const tie = (POSITIVE_HALVES[h]! + POSITIVE_HALVES[h + 1]!) / 2;
      inputs[i] = tie * (1 + (next() % 2 === 0 ? 1 : -1) * 2 ** -(30 + (next() % 22)));
      inputs[i + 1] = (next() / 2 ** 32) * 2 ** ((next() % 44) - 26);
    }
    const expected = new Uint16Array(
      new Uint8Array(numpy("out = np.frombuffer(data, '<f8').astype(np.float16).tobytes()", bytesOf(inputs)))
        .buffer,
    );
    for (let i = 0; i < inputs.length; i++) {
      const got = float32ToFloat16Bits(inputs[i]!);
      if (got !== expected[i])
        expect.fail(`${inputs[i]}: got 0x${got.toString(16)}, numpy 0x${expected[i]!.toString(16)}`);
    }
  });
});

describe('float16 arrays', () => {
  it('round-trips every pattern bit for bit, NaN payloads and signs included', () => {
    const widened = fromFloat16Array(ALL_HALVES);
    expect(toFloat16Array(widened)).toEqual(ALL_HALVES);
  });

  it('converts number arrays and writes into a given out array', () => {
    const out = new Uint16Array(3);
    expect(toFloat16Array([1, -2, 65520], out)).toBe(out);
    expect([...out]).toEqual([0x3c00, 0xc000, 0x7c00]);
    const back = new Float32Array(3);
    expect(fromFloat16Array(out, back)).toBe(back);
    expect([...back]).toEqual([1, -2, Infinity]);
  });

  it('works on views that do not start at the beginning of their buffer', () => {
    const buffer = new Float32Array([9, 1.5, 2.5, 9]);
    const halves = toFloat16Array(buffer.subarray(1, 3));
    expect([...halves]).toEqual([0x3e00, 0x4100]);
    const target = new Float32Array(4);
    fromFloat16Array(halves, target.subarray(2, 4));
    expect([...target]).toEqual([0, 0, 1.5, 2.5]);
  });

  it('BAD CALL - toFloat16Array with an out array of the wrong length', () => {
    const call = (): Uint16Array => toFloat16Array([1, 2, 3], new Uint16Array(2));
    expect(call).toThrow(ArgumentError);
    expect(call).toThrow('Expected 3 (the length of src) for out.length but received 2 of type number');
  });

  it('BAD CALL - fromFloat16Array with an out array of the wrong length', () => {
    const call = (): Float32Array => fromFloat16Array(new Uint16Array(1), new Float32Array(4));
    expect(call).toThrow(ArgumentError);
    expect(call).toThrow('Expected 1 (the length of src) for out.length but received 4 of type number');
  });
});
