// The trt backend on this machine, which has no TensorRT: the Backend contract's refusals, each
// typed and saying what is missing. (It runs models over @edge/trt's addon double in
// packages/runtime/test/trt-backend.test.ts.)
import { ArgumentError, UnavailableError } from '@edge/core';
import { OCR_MODELS } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { createBackend, sessionCounts } from '../src/index.js';

const DET = OCR_MODELS.det;

describe('trt backend without TensorRT', () => {
  const backend = createBackend({ precision: 'fp16', shapes: { x: [1, 3, 640, 640] } });

  it('describes itself and takes ONNX only', () => {
    expect([backend.name, backend.priority, backend.devices, backend.formats]).toEqual([
      'trt',
      100,
      ['gpu'],
      ['onnx'],
    ]);
    expect(createBackend({ dlaCore: 0, gpuFallback: true, precision: 'int8' }).devices).toEqual([
      'dla',
      'gpu',
    ]);
    expect(backend.canLoad({ format: 'onnx', name: DET, path: DET })).toEqual({ ok: true });
    expect(backend.canLoad({ format: 'tflite', name: 'm.tflite', path: 'm.tflite' })).toEqual({
      ok: false,
      reason: 'trt reads ONNX models, and m.tflite is tflite',
    });
  });

  it('EXPECTED FAILURE - available() says what is missing; load() throws UnavailableError with the fix', async () => {
    const a = await backend.available();
    expect(a.ok).toBe(false);
    expect(!a.ok && a.reason).toMatch(/^TensorRT cannot run here: .*libnvinfer.*install TensorRT/);
    const e = await backend.load({ format: 'onnx', name: DET, path: DET }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UnavailableError);
    expect((e as Error).message).toMatch(
      new RegExp(`^the trt backend cannot load ${DET}: TensorRT cannot run here: `),
    );
    expect(backend.openSessions()).toBe(0);
    expect(sessionCounts()).toEqual({ opened: 0, closed: 0 });
  });

  it('BAD CALL - options out of range are refused at createBackend', () => {
    expect(() => createBackend({ dlaCore: 99 })).toThrow(ArgumentError);
    expect(() => createBackend({ dlaCore: 99 })).toThrow(
      'Expected integer between 0 and 15 for options.dlaCore but received 99 of type number',
    );
    expect(() => createBackend({ gpuFallback: true })).toThrow('options.gpuFallback needs options.dlaCore');
    expect(() => createBackend({ cacheDir: '' })).toThrow(
      'Expected non-empty path for options.cacheDir but received "" of type string',
    );
  });
});
