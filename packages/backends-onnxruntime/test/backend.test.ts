import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ArgumentError,
  DisposedError,
  FeedError,
  isEdgeError,
  ModelLoadError,
  type ModelSource,
  Tensor,
} from '@edge/core';
import { expectSessionsClosed, noise, OCR_MODELS } from '@edge/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, type OnnxruntimeSession, sessionCounts } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
const CLS = OCR_MODELS.cls;
const DTYPES = join(here, 'fixtures', 'dtypes.onnx');
const F64 = join(here, 'fixtures', 'float64-output.onnx');

const onnx = (path: string): ModelSource => ({ format: 'onnx', name: path, path });
const backend = createBackend();
// Every test disposes what it opens.
expectSessionsClosed(backend, sessionCounts);

function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return (
    Buffer.compare(
      Buffer.from(a.buffer, a.byteOffset, a.byteLength),
      Buffer.from(b.buffer, b.byteOffset, b.byteLength),
    ) === 0
  );
}

describe('loading onnxruntime-node', () => {
  it('imports nothing native until the first available() or load()', () => {
    const dist = join(here, '..', 'dist', 'index.js');
    const script = `
      let loads = 0;
      const dlopen = process.dlopen;
      process.dlopen = function (...args) { loads++; return dlopen.apply(this, args); };
      const { createBackend } = await import(${JSON.stringify(dist)});
      const b = createBackend();
      const atImport = loads;
      const available = await b.available();
      console.log(JSON.stringify({ atImport, afterAvailable: loads, available }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    const r = JSON.parse(out.trim()) as { atImport: number; afterAvailable: number; available: unknown };
    expect(r.atImport).toBe(0);
    expect(r.afterAvailable).toBeGreaterThan(0);
    expect(r.available).toEqual({ ok: true });
  });

  it('is available here', async () => {
    expect(await backend.available()).toEqual({ ok: true });
    expect(backend.name).toBe('onnxruntime');
    expect(backend.formats).toEqual(['onnx']);
  });

  it('takes ONNX and says why not TFLite', () => {
    expect(backend.canLoad(onnx(CLS))).toEqual({ ok: true });
    expect(backend.canLoad({ format: 'tflite', name: 'face.tflite', path: '/x/face.tflite' })).toEqual({
      ok: false,
      reason: 'onnxruntime reads ONNX models, and face.tflite is tflite',
    });
  });
});

describe('execution providers', () => {
  let session: OnnxruntimeSession;
  beforeAll(async () => {
    session = await backend.load(onnx(CLS));
  });
  afterAll(() => session.dispose());

  it('tries tensorrt, cuda, cpu in order and records why each GPU provider was skipped', () => {
    // These machines have no GPU provider libraries; on one that has them the first would win.
    expect(session.provider).toBe('cpu');
    expect(session.device).toBe('cpu');
    expect(session.skippedProviders.map((s) => s.provider)).toEqual(['tensorrt', 'cuda']);
    for (const s of session.skippedProviders) expect(s.reason).toMatch(/Failed to load shared library/);
    expect(session.detail).toMatch(/^onnxruntime-node 1\.30\.0, cpu execution provider; skipped tensorrt \(/);
  });

  it('EXPECTED FAILURE - only a GPU provider asked for: a typed error with every reason, no crash', async () => {
    const gpuOnly = createBackend({ executionProviders: ['cuda', 'tensorrt'] });
    const e = await gpuOnly.load(onnx(CLS)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ModelLoadError);
    expect((e as ModelLoadError).message).toMatch(
      /no execution provider is available \(cuda: Failed to load shared library.*; tensorrt: Failed to load shared library/,
    );
    expect(gpuOnly.devices).toEqual(['gpu']);
    expect(gpuOnly.openSessions()).toBe(0);
  });

  it('BAD CALL - unknown provider or thread count: ArgumentError naming the option', () => {
    expect(() => createBackend({ executionProviders: ['gpu' as 'cpu'] })).toThrow(
      'Expected one of "tensorrt", "cuda", "cpu" for options.executionProviders[0] but received "gpu" of type string',
    );
    expect(() => createBackend({ executionProviders: [] })).toThrow(ArgumentError);
    expect(() => createBackend({ intraOpNumThreads: 0 })).toThrow(
      'Expected positive integer for options.intraOpNumThreads but received 0 of type number',
    );
    expect(() => createBackend({ graphOptimizationLevel: 'max' as 'all' })).toThrow(ArgumentError);
  });

  it('reads inputs and outputs with symbolic dimensions from the model', () => {
    expect(session.inputs).toEqual([
      {
        name: 'x',
        dtype: 'float32',
        shape: ['p2o.DynamicDimension.0', 3, 'p2o.DynamicDimension.1', 'p2o.DynamicDimension.2'],
      },
    ]);
    expect(session.outputs).toEqual([
      { name: 'softmax_0.tmp_0', dtype: 'float32', shape: ['p2o.DynamicDimension.3', 2] },
    ]);
  });
});

describe('outputs identical to bare onnxruntime-node (PaddleOCR classifier)', () => {
  it('same bytes for batch 1 and batch 4, with the same session options on both sides', async () => {
    const options = { intraOpNumThreads: 2, graphOptimizationLevel: 'all' as const };
    const ours = await createBackend({ ...options, executionProviders: ['cpu'] }).load(onnx(CLS));
    const bare = await ort.InferenceSession.create(CLS, { ...options, executionProviders: ['cpu'] });
    try {
      for (const [batch, seed] of [
        [1, 1],
        [1, 2],
        [4, 3],
      ] as const) {
        const shape = [batch, 3, 48, 192];
        const data = noise(batch * 3 * 48 * 192, seed, 2);
        const mine = await ours.run({ x: new Tensor('float32', shape, data) });
        const theirs = await bare.run({ x: new ort.Tensor('float32', data, shape) });
        const a = mine['softmax_0.tmp_0']!;
        const b = theirs['softmax_0.tmp_0']!;
        expect(a.shape).toEqual(b.dims);
        expect(sameBytes(a.data, b.data as Float32Array)).toBe(true);
      }
    } finally {
      await ours.dispose();
      await bare.release();
    }
  });

  it('loads from bytes as from a path', async () => {
    const s = await backend.load({ format: 'onnx', name: '<bytes>', bytes: readFileSync(CLS) });
    const p = await backend.load(onnx(CLS));
    try {
      const x = new Tensor('float32', [1, 3, 48, 192], noise(3 * 48 * 192, 9, 2));
      const a = (await s.run({ x }))['softmax_0.tmp_0']!;
      const b = (await p.run({ x }))['softmax_0.tmp_0']!;
      expect(sameBytes(a.data, b.data)).toBe(true);
    } finally {
      await s.dispose();
      await p.dispose();
    }
  });
});

describe('dtypes', () => {
  it('float16 (half bits), int64 (BigInt64Array), bool, int8, uint8, int32 and float32 round-trip', async () => {
    const s = await backend.load(onnx(DTYPES));
    try {
      expect(s.inputs.map((i) => `${i.name}:${i.dtype}`)).toEqual([
        'h:float16',
        'i:int64',
        'b:bool',
        's:int8',
        'u:uint8',
        'n:int32',
        'f:float32',
      ]);
      const out = await s.run({
        h: Tensor.from('float16', [1, 4], [1, 2, 0.5, -3]),
        i: Tensor.from('int64', [2], [5n, -(2n ** 60n)]),
        b: Tensor.from('bool', [2], [1, 0]),
        s: Tensor.from('int8', [1], [-5]),
        u: Tensor.from('uint8', [1], [200]),
        n: Tensor.from('int32', [1], [-7]),
        f: Tensor.from('float32', [1, 3], [1, 2, 3]),
      });
      expect(out.h2!.dtype).toBe('float16');
      expect(out.h2!.data).toBeInstanceOf(Uint16Array);
      expect(Array.from(out.h2!.toFloat32())).toEqual([2, 4, 1, -6]);
      expect(out.i3!.data).toBeInstanceOf(BigInt64Array);
      expect(Array.from(out.i3!.data as BigInt64Array)).toEqual([15n, -3n * 2n ** 60n]);
      expect([out.nb!.dtype, ...out.nb!.data]).toEqual(['bool', 0, 1]);
      expect([out.s1!.dtype, ...out.s1!.data]).toEqual(['int8', -5]);
      expect([out.u1!.dtype, ...out.u1!.data]).toEqual(['uint8', 200]);
      expect([out.n1!.dtype, ...out.n1!.data]).toEqual(['int32', -7]);
      expect([...out.f2!.data]).toEqual([2, 4, 6]);
      expect(out.f2!.shape).toEqual([1, 3]);
    } finally {
      await s.dispose();
    }
  });

  it('EXPECTED FAILURE - a float64 output: ModelLoadError naming it, native session released', async () => {
    const open = sessionCounts();
    const e = await backend.load(onnx(F64)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ModelLoadError);
    expect((e as Error).message).toBe(
      `onnxruntime cannot serve ${F64}: output 'y' has dtype float64, which @edge/core tensors do not hold (they hold float32, float16, int8, uint8, int32, int64, bool)`,
    );
    const now = sessionCounts();
    expect(now.opened - now.closed).toBe(open.opened - open.closed);
  });

  it('EXPECTED FAILURE - bytes that are not a model: ModelLoadError with the engine error as cause', async () => {
    const e = await backend
      .load({ format: 'onnx', name: '<bytes>', bytes: new Uint8Array([1, 2, 3, 4]) })
      .catch((x: unknown) => x);
    expect(isEdgeError(e, 'EDGE_MODEL_LOAD')).toBe(true);
    expect((e as Error).message).toMatch(/^onnxruntime cannot load <bytes> with the cpu execution provider/);
    expect((e as Error).cause).toBeInstanceOf(Error);
  });
});

describe('feeds and lifecycle', () => {
  it('BAD CALL - wrong dtype, missing input, unknown output: the input, expected and received', async () => {
    const s = await backend.load(onnx(CLS));
    try {
      const e = await s.run({ x: Tensor.zeros('uint8', [1, 3, 48, 192]) }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(FeedError);
      expect((e as Error).message).toBe(
        "Expected float32 tensor of shape [p2o.DynamicDimension.0,3,p2o.DynamicDimension.1,p2o.DynamicDimension.2] for input 'x' but received Tensor<uint8>[1,3,48,192]: dtype uint8 is not float32",
      );
      await expect(s.run({})).rejects.toThrow(/^input 'x' is missing in feeds: expected float32 tensor/);
      await expect(s.run({ x: Tensor.zeros('float32', [1, 2, 48, 192]) })).rejects.toThrow(
        /dimension 1 is 2, the model needs 3$/,
      );
      await expect(
        s.run({ x: Tensor.zeros('float32', [1, 3, 48, 192]) }, { outputs: ['nope'] }),
      ).rejects.toThrow("Expected output names ('softmax_0.tmp_0') for options.outputs but received 'nope'");
    } finally {
      await s.dispose();
    }
  });

  it('dispose waits for a run in flight, then later runs reject with DisposedError', async () => {
    const s = await backend.load(onnx(CLS));
    const x = Tensor.zeros('float32', [2, 3, 48, 192]);
    const running = s.run({ x });
    const disposed = s.dispose();
    const out = await running;
    expect(out['softmax_0.tmp_0']!.shape).toEqual([2, 2]);
    await disposed;
    expect(s.dispose()).toBe(disposed);
    await expect(s.run({ x })).rejects.toBeInstanceOf(DisposedError);
  });

  it('await using disposes the session', async () => {
    const open = backend.openSessions();
    {
      await using s = await backend.load(onnx(CLS));
      expect(backend.openSessions()).toBe(open + 1);
      await s.run({ x: Tensor.zeros('float32', [1, 3, 48, 192]) }, { outputs: ['softmax_0.tmp_0'] });
    }
    expect(backend.openSessions()).toBe(open);
  });
});
