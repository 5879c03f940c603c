import { ArgumentError } from '@edge/core';
import { python } from '@edge/test-utils';
import { expect, it } from 'vitest';
import { perChannelScales } from '../src/index.js';

const ref = python<{ w: number[]; shape: number[]; axis0: number[]; axis1: number[] }>(`
import json
import numpy as np
rng = np.random.default_rng(7)
w = (rng.normal(0, 1, (6, 4, 3, 3)) * rng.uniform(0.01, 3, (6, 1, 1, 1))).astype(np.float32)
w[2] = 0
def scales(axis):
    other = tuple(d for d in range(w.ndim) if d != axis)
    m = np.abs(w).max(axis=other)
    s = (m / np.float32(127)).astype(np.float32)
    s[m == 0] = 1
    return [float(v) for v in s]
print(json.dumps(dict(w=[float(v) for v in w.ravel()], shape=list(w.shape), axis0=scales(0), axis1=scales(1))))
`);

it('per output channel, symmetric: float32 max|w| / 127 as numpy computes it', () => {
  const w = Float32Array.from(ref.w);
  expect(Array.from(perChannelScales(w, ref.shape))).toEqual(ref.axis0);
  expect(Array.from(perChannelScales(w, ref.shape, 1))).toEqual(ref.axis1);
  expect(Array.from(perChannelScales(w, ref.shape, -3))).toEqual(ref.axis1);
});

it('BAD CALL - perChannelScales with a shape that does not match', () => {
  const call = () => perChannelScales(new Float32Array(5), [2, 3]);
  expect(call).toThrow(ArgumentError);
  expect(call).toThrow('weights hold 5 values but shape [2,3] needs 6');
});

it('BAD CALL - perChannelScales with an axis out of range', () => {
  const call = () => perChannelScales(new Float32Array(6), [2, 3], 2);
  expect(call).toThrow(ArgumentError);
  expect(call).toThrow('Expected integer between -2 and 1 for axis but received 2 of type number');
});
