// The TFLite backend on real models: MediaPipe's face detectors (float CNNs) run through the wasm
// build of TFLite; the selfie segmenter's custom operator is refused with a typed error.
import { readFileSync } from 'node:fs';
import {
  ArgumentError,
  DisposedError,
  FeedError,
  isEdgeError,
  ModelLoadError,
  type ModelSource,
  Tensor,
} from '@edge/core';
import { expectSessionsClosed, MEDIAPIPE, photo, requires } from '@edge/test-utils';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { loadTfliteWeb } from '../src/backend/engine.js';
import { createBackend, sessionCounts, type TfliteSession } from '../src/index.js';

const SHORT = MEDIAPIPE.faceShort;
const FULL = MEDIAPIPE.faceFull;
const SELFIE = MEDIAPIPE.selfie;
const ASTRONAUT = photo('skimage/astronaut.png');
const CHELSEA = photo('skimage/chelsea.png');

const tflite = (path: string): ModelSource => ({ format: 'tflite', name: path, path });
const backend = createBackend();
// Every test disposes what it opens.
expectSessionsClosed(backend, sessionCounts);

/** An image as MediaPipe's face detector wants it: 1xNxNx3 float32 in [-1, 1]. */
async function imageTensor(path: string, size: number): Promise<Tensor<'float32'>> {
  const { data } = await sharp(path)
    .removeAlpha()
    .resize(size, size, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const x = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) x[i] = data[i]! / 127.5 - 1;
  return new Tensor('float32', [1, size, size, 3], x);
}

function flatGrey(size: number): Tensor<'float32'> {
  return new Tensor('float32', [1, size, size, 3], new Float32Array(size * size * 3).fill(0));
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

async function bestFaceScore(session: TfliteSession, input: Tensor): Promise<number> {
  const out = await session.run({ input });
  let max = -Infinity;
  for (const v of out.classificators!.data as Float32Array) max = Math.max(max, v);
  return sigmoid(max);
}

describe('the backend', () => {
  it('describes itself and loads nothing until asked', () => {
    expect(backend.name).toBe('tflite');
    expect(backend.devices).toEqual(['cpu']);
    expect(backend.formats).toEqual(['tflite']);
    expect(backend.openSessions()).toBe(0);
  });

  it('is available here', async () => {
    expect(await backend.available()).toEqual({ ok: true });
  });

  it('takes TFLite models only', () => {
    expect(backend.canLoad(tflite(SHORT))).toEqual({ ok: true });
    const onnx = backend.canLoad({ format: 'onnx', name: 'm.onnx', path: '/m.onnx' });
    expect(onnx.ok).toBe(false);
    expect(backend.canLoad({ format: 'tflite', name: 'nothing' }).ok).toBe(false);
  });

  it('BAD CALL - createBackend with numThreads 0', () => {
    expect(() => createBackend({ numThreads: 0 })).toThrow(ArgumentError);
    expect(() => createBackend({ numThreads: 0 })).toThrow(/options\.numThreads/);
  });
});

describe('MediaPipe face detection, short range', () => {
  it('reads inputs and outputs from the model', async () => {
    await using session = await backend.load(tflite(SHORT));
    expect(session.backend).toBe('tflite');
    expect(session.device).toBe('cpu');
    expect(session.detail).toMatch(
      /tfjs-tflite 0\.0\.1-alpha\.10, WebAssembly tflite_web_api_cc_simd\.wasm with XNNPACK/,
    );
    expect(session.inputs).toEqual([{ name: 'input', dtype: 'float32', shape: [1, 128, 128, 3] }]);
    expect(session.outputs).toEqual([
      { name: 'regressors', dtype: 'float32', shape: [1, 896, 16] },
      { name: 'classificators', dtype: 'float32', shape: [1, 896, 1] },
    ]);
  });

  it('gives finite outputs of the right shapes on a photo', requires('photos'), async () => {
    await using session = await backend.load({ format: 'tflite', name: 'short', bytes: readFileSync(SHORT) });
    const out = await session.run({ input: await imageTensor(CHELSEA, 128) });
    expect(Object.keys(out).sort()).toEqual(['classificators', 'regressors']);
    expect(out.regressors!.shape).toEqual([1, 896, 16]);
    expect(out.classificators!.shape).toEqual([1, 896, 1]);
    expect(out.regressors!.dtype).toBe('float32');
    for (const t of Object.values(out)) expect((t.data as Float32Array).every(Number.isFinite)).toBe(true);
  });

  it('finds the face in astronaut.png and none in a flat grey image', requires('photos'), async () => {
    await using session = await backend.load(tflite(SHORT));
    expect(await bestFaceScore(session, await imageTensor(ASTRONAUT, 128))).toBeGreaterThan(0.5);
    expect(await bestFaceScore(session, flatGrey(128))).toBeLessThan(0.5);
  });

  it('returns copies that later runs do not overwrite, and only the outputs asked for', async () => {
    await using session = await backend.load(tflite(SHORT));
    const a = await session.run({ input: flatGrey(128) });
    const kept = (a.classificators!.data as Float32Array).slice();
    const noise = new Float32Array(128 * 128 * 3).map((_, i) => Math.sin(i * 0.37));
    const b = await session.run(
      { input: new Tensor('float32', [1, 128, 128, 3], noise) },
      { outputs: ['classificators'] },
    );
    expect(Object.keys(b)).toEqual(['classificators']);
    expect(a.classificators!.data).toEqual(kept);
    expect(b.classificators!.data).not.toEqual(kept);
  });

  it('BAD CALL - wrong dtype, wrong shape, missing and unknown feeds, unknown output', async () => {
    await using session = await backend.load(tflite(SHORT));
    await expect(session.run({ input: Tensor.zeros('int32', [1, 128, 128, 3]) })).rejects.toThrow(FeedError);
    await expect(session.run({ input: Tensor.zeros('float32', [1, 64, 64, 3]) })).rejects.toThrow(
      /Expected float32 tensor of shape \[1,128,128,3\] for input 'input'/,
    );
    await expect(session.run({})).rejects.toThrow(/input 'input' is missing/);
    await expect(session.run({ input: flatGrey(128), image: flatGrey(128) })).rejects.toThrow(
      /feeds has 'image'/,
    );
    await expect(session.run({ input: flatGrey(128) }, { outputs: ['scores'] })).rejects.toThrow(
      ArgumentError,
    );
  });

  it('EXPECTED FAILURE - run after dispose; dispose twice is harmless', async () => {
    const session = await backend.load(tflite(SHORT));
    await session.dispose();
    await session.dispose();
    await session[Symbol.asyncDispose]();
    await expect(session.run({ input: flatGrey(128) })).rejects.toThrow(DisposedError);
  });
});

describe('MediaPipe face detection, full range', () => {
  it('runs at 192x192 and finds the face', requires('photos'), async () => {
    await using session = await backend.load(tflite(FULL));
    expect(session.inputs[0]!.shape).toEqual([1, 192, 192, 3]);
    const out = await session.run({ [session.inputs[0]!.name]: await imageTensor(ASTRONAUT, 192) });
    for (const info of session.outputs) expect(out[info.name]!.shape).toEqual(info.shape);
    const scores = Object.values(out).find((t) => t.shape.at(-1) === 1)!;
    expect(sigmoid(Math.max(...(scores.data as Float32Array)))).toBeGreaterThan(0.5);
  });
});

describe('models TFLite cannot load', () => {
  it('EXPECTED FAILURE - selfie_segmentation needs the custom op Convolution2DTransposeBias', async () => {
    const error = await backend.load(tflite(SELFIE)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect(isEdgeError(error, 'EDGE_MODEL_LOAD')).toBe(true);
    expect((error as ModelLoadError).backend).toBe('tflite');
    expect((error as Error).message).toMatch(/Convolution2DTransposeBias/);
    expect((error as Error).message).toMatch(/unresolved custom op/);
  });

  it('EXPECTED FAILURE - bytes that are not a TFLite model', async () => {
    const error = await backend
      .load({ format: 'tflite', name: '<bytes>', bytes: new Uint8Array(64) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toMatch(/not a valid TFLite model/);
  });

  it('EXPECTED FAILURE - a file that does not exist', async () => {
    await expect(backend.load(tflite('/nonexistent/model.tflite'))).rejects.toThrow(ModelLoadError);
  });
});

describe('leaks', () => {
  it('frees each interpreter: the wasm heap does not grow over load/run/dispose cycles', async () => {
    const web = await loadTfliteWeb();
    const cycle = async (): Promise<void> => {
      const session = await backend.load(tflite(FULL));
      await session.run({ [session.inputs[0]!.name]: flatGrey(192) });
      await session.dispose();
    };
    for (let i = 0; i < 3; i++) await cycle();
    const heap = web.heapBytes();
    const open = sessionCounts();
    for (let i = 0; i < 20; i++) await cycle();
    expect(web.heapBytes()).toBe(heap);
    const after = sessionCounts();
    expect(after.opened - open.opened).toBe(20);
    expect(after.closed - open.closed).toBe(20);
  });
});
