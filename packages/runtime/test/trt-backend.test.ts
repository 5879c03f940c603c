// The trt backend through loadModel, over the test double of @edge/trt's native addon
// (@edge/test-utils' TRT_FAKE_ADDON: y = relu(x) computed on the CPU, no TensorRT). What
// runs is the real chain above the addon: backend discovery, engine build and cache, engine
// container checks, execution contexts, the session, the device queue. On this machine without
// the double, the trt backend is skipped with its reason (load-model.test.ts).

import { createRequire } from 'node:module';
import { FeedError, Tensor } from '@edge/core';
import { onnxBuilder as b, DataType, writeModel } from '@edge/onnx-parse';
import { recordedJetson, scratchDir, TRT_FAKE_ADDON } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { loadModel, setDeviceConcurrency } from '../src/index.js';

const cache = scratchDir('edge-runtime-trt-');
// Read by @edge/trt on its first use, which comes after this line.
process.env.EDGE_TRT_NATIVE = TRT_FAKE_ADDON;
process.env.EDGE_TRT_CACHE = cache;
const fake = createRequire(import.meta.url)(TRT_FAKE_ADDON) as {
  state: { builds: number; maxRunsInFlight: number };
};

const RELU = writeModel(
  b.model(
    b.graph({
      nodes: [b.node('Relu', ['x'], ['y'])],
      inputs: [b.value('x', ['N', 3, 8, 8], DataType.FLOAT)],
      outputs: [b.value('y', ['N', 3, 8, 8], DataType.FLOAT)],
    }),
  ),
);
const x = (n: number) =>
  new Tensor(
    'float32',
    [n, 3, 8, 8],
    Float32Array.from({ length: n * 192 }, (_, i) => i - 96),
  );

describe('loadModel with the trt backend', () => {
  it('builds (once), caches and runs the engine behind the usual Model', async () => {
    const options = { backends: ['trt' as const], backendOptions: { trt: { maxBatch: 4 } } };
    const before = fake.state.builds;
    await using model = await loadModel(RELU, options);
    expect(model.backend).toBe('trt');
    expect(model.device).toBe('gpu:0');
    expect(model.explanation.split('\n')[0]).toBe(
      '<bytes>: trt on gpu:0 (TensorRT 10.3.0, fp32, gpu:0 (Orin, compute capability 8.7), engine built)',
    );
    const out = await model.run({ x: x(2) });
    expect(out.y!.shape).toEqual([2, 3, 8, 8]);
    expect(Array.from(out.y!.data as Float32Array).slice(95, 98)).toEqual([0, 0, 1]);
    await using again = await loadModel(RELU, options);
    expect(again.explanation).toContain(`engine from the cache (${cache}/`);
    expect(fake.state.builds - before).toBe(1);
  });

  it('on a Jetson, the explanation names the board and its JetPack', async () => {
    await using model = await loadModel(RELU, {
      backends: ['trt'],
      backendOptions: { trt: { maxBatch: 4, jetsonFiles: recordedJetson('jp62-agx-orin') } },
    });
    expect(model.explanation.split('\n')[0]).toMatch(
      /^<bytes>: trt on gpu:0 \(TensorRT 10\.3\.0, fp32, gpu:0 \(Orin, compute capability 8\.7\), engine (built|from the cache .*), on NVIDIA Jetson AGX Orin Developer Kit \(JetPack 6\.2, L4T 36\.4\.3, TensorRT 10\.3\.0\)\)$/,
    );
  });

  it('EXPECTED FAILURE - a batch outside the engine profile: FeedError naming the range', async () => {
    await using model = await loadModel(RELU, {
      backends: ['trt'],
      backendOptions: { trt: { maxBatch: 2 } },
    });
    await expect(model.run({ x: x(3) })).rejects.toThrow(FeedError);
    await expect(model.run({ x: x(3) })).rejects.toThrow(
      /with dimension 0 in 1\.\.2 \(the engine's optimisation profile/,
    );
  });

  it('two networks on one GPU run one at a time until the user asks for concurrency', async () => {
    process.env.EDGE_FAKE_TRT_RUN_MS = '20';
    try {
      const opts = { backends: ['trt' as const], backendOptions: { trt: { maxBatch: 4, contexts: 2 } } };
      await using a = await loadModel(RELU, opts);
      await using b2 = await loadModel(RELU, opts);
      fake.state.maxRunsInFlight = 0;
      await Promise.all([a.run({ x: x(1) }), b2.run({ x: x(1) }), a.run({ x: x(1) })]);
      expect(fake.state.maxRunsInFlight).toBe(1);
      setDeviceConcurrency('gpu:0', 2);
      fake.state.maxRunsInFlight = 0;
      await Promise.all([a.run({ x: x(1) }), b2.run({ x: x(1) }), a.run({ x: x(1) }), b2.run({ x: x(1) })]);
      expect(fake.state.maxRunsInFlight).toBe(2);
    } finally {
      setDeviceConcurrency('gpu:0', 1);
      delete process.env.EDGE_FAKE_TRT_RUN_MS;
    }
  });

  it('BAD CALL - trt options out of range are refused when the backend is created', async () => {
    await expect(
      loadModel(RELU, { backends: ['trt'], backendOptions: { trt: { precision: 'int3' } } }),
    ).rejects.toThrow(
      'Expected one of "fp32", "fp16", "int8", "best" for options.precision but received "int3" of type string',
    );
  });
});
