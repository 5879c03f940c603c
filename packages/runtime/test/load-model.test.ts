// loadModel on the real PaddleOCR models through @edge/backends-onnxruntime: the backend choice
// and its explanation, outputs identical to bare onnxruntime-node, batching on real outputs, bad
// feeds, and every native session closed at the end.

import { createRequire } from 'node:module';
import { join } from 'node:path';
import { sessionCounts } from '@edge/backends-onnxruntime';
import { ArgumentError, FeedError, FileIOError, NoBackendError, Tensor } from '@edge/core';
import { noise as floatNoise, OCR_ASSETS, OCR_MODELS } from '@edge/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../src/index.js';
import { fakeBackend } from './fake-backend.js';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
const CLS = OCR_MODELS.cls;
const DET = OCR_MODELS.det;
const OUT = 'softmax_0.tmp_0';
const before = sessionCounts();

/** Deterministic floats in [-1, 1). */
const noise = (n: number, seed: number): Float32Array => floatNoise(n, seed, 2);

function bytesOf(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

afterAll(() => {
  const after = sessionCounts();
  expect(after.opened).toBeGreaterThan(before.opened);
  expect(after.opened - after.closed).toBe(0);
});

describe('backend choice', () => {
  it('default order trt, onnxruntime, tflite: TensorRT skipped with a typed reason, onnxruntime on cpu', async () => {
    await using model = await loadModel(CLS);
    expect(model.backend).toBe('onnxruntime');
    expect(model.device).toBe('cpu');
    expect(model.format).toBe('onnx');
    expect(model.skipped).toEqual([
      {
        backend: 'trt',
        kind: 'unavailable',
        reason: expect.stringMatching(/^TensorRT cannot run here: .*libnvinfer/),
      },
    ]);
    const lines = model.explanation.split('\n');
    expect(lines[0]).toContain(
      `${CLS}: onnxruntime on cpu (onnxruntime-node 1.30.0, cpu execution provider; skipped tensorrt (Failed to load shared library`,
    );
    expect(lines[1]).toMatch(/^ {2}skipped trt \(unavailable\): TensorRT cannot run here: /);
    expect(lines[2]).toBe('  batching: off');
  });

  it('keeps the input spec read from the model', async () => {
    await using model = await loadModel(DET);
    expect(model.inputSpecs).toEqual([
      {
        name: 'x',
        dtype: 'float32',
        shape: ['p2o.DynamicDimension.0', 3, 'p2o.DynamicDimension.1', 'p2o.DynamicDimension.2'],
        layout: 'NCHW',
        batch: null,
        channels: 3,
        height: null,
        width: null,
      },
    ]);
  });

  it('EXPECTED FAILURE - no backend takes the model: one error listing every backend and why', async () => {
    const tflite = new Uint8Array([0x1c, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33, 0, 0, 0, 0]);
    const fake = fakeBackend({ name: 'fake-off', available: { ok: false, reason: 'no fake device here' } });
    const e = await loadModel(tflite, { backends: ['trt', 'onnxruntime', fake.backend] }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(NoBackendError);
    expect((e as NoBackendError).skipped.map((s) => [s.backend, s.kind])).toEqual([
      ['trt', 'unavailable'],
      ['onnxruntime', 'cannot-load'],
      ['fake-off', 'unavailable'],
    ]);
    expect((e as Error).message).toMatch(
      /^no backend can run <bytes>:\n {2}- trt \(unavailable\): TensorRT cannot run here: .*\n {2}- onnxruntime \(cannot-load\): onnxruntime reads ONNX models, and <bytes> is tflite\n {2}- fake-off \(unavailable\): no fake device here$/,
    );
  });

  it('records a backend that fails to load the model and goes on to the next', async () => {
    const fake = fakeBackend({ name: 'fake-next', device: 'cpu:next' });
    await using model = await loadModel(new Uint8Array([8, 1, 2, 3]), {
      backends: ['onnxruntime', fake.backend],
    });
    expect(model.backend).toBe('fake-next');
    expect(model.skipped[0]).toMatchObject({ backend: 'onnxruntime', kind: 'load-failed' });
    expect(model.skipped[0]!.reason).toMatch(
      /^onnxruntime cannot load <bytes> with the cpu execution provider/,
    );
  });

  it('BAD CALL - unknown backend name, bad option, missing file', async () => {
    await expect(loadModel(CLS, { backends: ['openvino' as 'trt'] })).rejects.toThrow(
      'Expected one of "trt", "onnxruntime", "tflite" for options.backends[0] but received "openvino" of type string',
    );
    await expect(
      loadModel(CLS, { backendOptions: { onnxruntime: { intraOpNumThreads: -1 } } }),
    ).rejects.toThrow(
      'Expected positive integer for options.intraOpNumThreads but received -1 of type number',
    );
    await expect(loadModel(CLS, { batching: { maxBatch: 0 } })).rejects.toBeInstanceOf(ArgumentError);
    await expect(loadModel(join(OCR_ASSETS, 'nope.onnx'))).rejects.toBeInstanceOf(FileIOError);
    await expect(loadModel(42 as unknown as string)).rejects.toThrow(
      'Expected path (non-empty string) or Uint8Array of the model file for model but received 42 of type number',
    );
  });
});

describe('identical to onnxruntime-node directly (PaddleOCR classifier)', () => {
  it('model.run and a bare session.run give the same bytes', async () => {
    const options = { intraOpNumThreads: 2 };
    await using model = await loadModel(CLS, { backendOptions: { onnxruntime: options } });
    const bare = await ort.InferenceSession.create(CLS, { ...options, executionProviders: ['cpu'] });
    try {
      for (const [batch, seed] of [
        [1, 11],
        [3, 12],
      ] as const) {
        const shape = [batch, 3, 48, 192];
        const data = noise(batch * 3 * 48 * 192, seed);
        const ours = (await model.run(new Tensor('float32', shape, data)))[OUT]!;
        const theirs = (await bare.run({ x: new ort.Tensor('float32', data, shape) }))[OUT]!;
        expect(ours.shape).toEqual(theirs.dims);
        expect(bytesOf(ours.data).equals(bytesOf(theirs.data as Float32Array))).toBe(true);
      }
    } finally {
      await bare.release();
    }
  });

  it('batched requests get exactly the outputs of unbatched runs', async () => {
    await using single = await loadModel(CLS);
    await using batched = await loadModel(CLS, { batching: { maxBatch: 4 } });
    const inputs = Array.from(
      { length: 9 },
      (_, i) => new Tensor('float32', [1, 3, 48, 192], noise(3 * 48 * 192, 100 + i)),
    );
    const expected: Tensor[] = [];
    for (const x of inputs) expected.push((await single.run(x))[OUT]!);
    const got = await Promise.all(inputs.map((x) => batched.run(x)));
    // Different inputs give different outputs, so a mix-up could not pass unnoticed.
    expect(new Set(expected.map((t) => bytesOf(t.data).toString('hex'))).size).toBe(9);
    got.forEach((r, i) => {
      expect(r[OUT]!.shape).toEqual([1, 2]);
      expect(bytesOf(r[OUT]!.data).equals(bytesOf(expected[i]!.data))).toBe(true);
    });
    expect(batched.stats().runs).toBeLessThanOrEqual(4);
    expect(batched.stats().largestBatch).toBe(4);
  });
});

describe('wrong feeds name the input, what the model expects and what it got', () => {
  it('BAD CALL - dtype, rank, channel count, missing and unknown inputs', async () => {
    await using model = await loadModel(CLS);
    const expected =
      'float32 tensor of shape [p2o.DynamicDimension.0,3,p2o.DynamicDimension.1,p2o.DynamicDimension.2]';
    const cases: [unknown, string][] = [
      [
        { x: Tensor.zeros('uint8', [1, 3, 48, 192]) },
        `Expected ${expected} for input 'x' but received Tensor<uint8>[1,3,48,192]: dtype uint8 is not float32`,
      ],
      [
        { x: Tensor.zeros('float32', [3, 48, 192]) },
        `Expected ${expected} for input 'x' but received Tensor<float32>[3,48,192]: rank 3, the model needs rank 4`,
      ],
      [
        Tensor.zeros('float32', [1, 48, 192, 3]),
        `Expected ${expected} for input 'x' but received Tensor<float32>[1,48,192,3]: dimension 1 is 48, the model needs 3`,
      ],
      [{}, `input 'x' is missing in feeds: expected ${expected}`],
      [
        { x: Tensor.zeros('float32', [1, 3, 48, 192]), image: Tensor.zeros('float32', [1]) },
        "feeds has 'image', which is not an input of the model: expected one of 'x'",
      ],
    ];
    for (const [feeds, message] of cases) {
      const e = await model.run(feeds as Tensor).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(FeedError);
      expect((e as Error).message).toBe(message);
    }
    await expect(model.run(Tensor.zeros('float32', [1, 3, 48, 192]), { outputs: ['prob'] })).rejects.toThrow(
      /^Expected array of output names \('softmax_0.tmp_0'\) for options.outputs/,
    );
    expect(model.stats().requests).toBe(0);
  });
});
