// Empirical bias correction on a 1x1 Conv whose weight rounding shifts each output channel by a
// known amount: the measured shift, and the corrected INT8 output against FP32.
import { createBackend } from '@edge/backends-onnxruntime';
import { ArgumentError, Tensor, type TensorMap } from '@edge/core';
import { onnxBuilder as B, DataType, type OnnxModel, tensorFromArray, writeModel } from '@edge/onnx-parse';
import { noise } from '@edge/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { quantizeQdq, quantizeWithBiasCorrection } from '../src/index.js';

const backend = createBackend({ graphOptimizationLevel: 'basic', executionProviders: ['cpu'] });
afterAll(() => expect(backend.openSessions()).toBe(0));

/**
 * y = Conv1x1(x) + b, 2 -> 2 channels. Each output channel's largest weight fixes its scale
 * (1/64 and 1/32); its other weight lies half-way between two levels and rounds (half to even) by
 * -0.5/64 and +0.5/32: with input channel 1 at 1, the INT8 output is shifted by exactly that.
 */
function model(): OnnxModel {
  return B.model(
    B.graph({
      nodes: [B.node('Conv', ['x', 'w', 'b'], ['y'], {}, { name: 'conv' })],
      inputs: [B.value('x', [1, 2, 4, 4])],
      outputs: [B.value('y', [1, 2, 4, 4])],
      initializers: [
        tensorFromArray(
          'w',
          DataType.FLOAT,
          [2, 2, 1, 1],
          Float32Array.of(127 / 64, 2.5 / 64, -127 / 32, 1.5 / 32),
        ),
        tensorFromArray('b', DataType.FLOAT, [2], Float32Array.of(0.1, -0.2)),
      ],
    }),
  );
}
const EXPECTED_SHIFT = [-0.5 / 64, 0.5 / 32];
/** Input range 1.27: a grid of 0.01, on which every feed lies. */
const RANGES = { x: 1.27, y: 4 };

/** Channel 0: noise on the activation grid; channel 1: all 1. */
function feed(seed: number): TensorMap {
  const data = new Float32Array(32).fill(1);
  data.set(
    Array.from(noise([16], seed, 1, 0), (v) => Math.round(v * 100) / 100),
    0,
  );
  return { x: new Tensor('float32', [1, 2, 4, 4], data) };
}

async function run(m: OnnxModel, feeds: TensorMap[]): Promise<Float32Array[]> {
  const session = await backend.load({ format: 'onnx', name: 'bias correction test', bytes: writeModel(m) });
  try {
    const out: Float32Array[] = [];
    for (const f of feeds) out.push((await session.run(f)).y!.toFloat32());
    return out;
  } finally {
    await session.dispose();
  }
}

/** Mean of INT8 - FP32 per output channel. */
function meanShift(int8: Float32Array[], fp32: Float32Array[]): number[] {
  const shift = [0, 0];
  for (const [k, q] of int8.entries()) {
    for (let i = 0; i < q.length; i++) shift[i >> 4]! += (q[i]! - fp32[k]![i]!) / (16 * int8.length);
  }
  return shift;
}

describe('quantizeWithBiasCorrection', () => {
  const calibration = [1, 2, 3, 4].map(feed);
  const evaluation = [11, 12, 13].map(feed);

  it('measures the per-channel shift of weight rounding and removes it from the bias', async () => {
    const fp32 = await run(model(), evaluation);
    const plain = quantizeQdq(model(), RANGES);
    const before = meanShift(await run(plain.model, evaluation), fp32);
    expect(before[0]).toBeCloseTo(EXPECTED_SHIFT[0]!, 5);
    expect(before[1]).toBeCloseTo(EXPECTED_SHIFT[1]!, 5);

    const { result, shifts, samples } = await quantizeWithBiasCorrection(model(), RANGES, calibration, {
      backend,
    });
    expect(samples).toBe(4);
    expect(result.quantized).toEqual(['conv']);
    expect(shifts.map((s) => s.node)).toEqual(['conv']);
    expect(shifts[0]!.shift[0]).toBeCloseTo(EXPECTED_SHIFT[0]!, 5);
    expect(shifts[0]!.shift[1]).toBeCloseTo(EXPECTED_SHIFT[1]!, 5);
    // Measured on the calibration feeds, removed on the others too.
    const after = await run(result.model, evaluation);
    for (const v of meanShift(after, fp32)) expect(Math.abs(v)).toBeLessThan(1e-4);
    for (const [k, q] of after.entries()) {
      for (let i = 0; i < q.length; i++) expect(Math.abs(q[i]! - fp32[k]![i]!)).toBeLessThan(1e-4);
    }
  });

  it('BAD CALL - no feeds', async () => {
    const call = quantizeWithBiasCorrection(model(), RANGES, [], { backend });
    await expect(call).rejects.toThrow(ArgumentError);
    await expect(call).rejects.toThrow('Expected at least one feed for bias correction but received none');
  });
});
