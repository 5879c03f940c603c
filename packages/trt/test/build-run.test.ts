// The build chain and the engine runner over a test double of the addon (test-utils' TRT_FAKE_ADDON):
// what runs here is our TypeScript (plan, native request, progress, log, cancellation, container,
// cache, host check, contexts, profile checks), not TensorRT. Without the double, the same calls
// throw UnavailableError (status.test.ts and the last test below, which uses the real addon).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AbortedError, ArgumentError, FeedError, Tensor, UnavailableError } from '@edge/core';
import { scratchDir, TRT_FAKE_ADDON } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { benchEngine } from '../src/bench-engine.js';
import { type BuildProgress, buildEngineWith, EngineBuildError } from '../src/builder.js';
import { TrtEngine } from '../src/engine.js';
import { EngineCache } from '../src/engine-cache.js';
import { EngineMismatchError, readEngineHeader } from '../src/engine-file.js';
import { loadRuntime } from '../src/loader.js';
import { reluModel } from './helpers/models.js';

const rt = loadRuntime({ env: { ...process.env, EDGE_TRT_NATIVE: TRT_FAKE_ADDON } });
const fake = rt.binding as unknown as {
  state: { builds: number; contextsOpen: number; maxRunsInFlight: number };
};
const dir = scratchDir('edge-trt-build-');
const MODEL = reluModel(['N', 3, 8, 8]);

describe('build chain over the binding double', () => {
  it('plans, builds off the main thread with progress and log, writes the container and the timing cache', async () => {
    const progress: BuildProgress[] = [];
    const warnings: string[] = [];
    const output = join(dir, 'relu.engine');
    const timing = join(dir, 'relu.timing');
    const built = await buildEngineWith(rt, MODEL, {
      precision: 'fp16',
      maxBatch: 4,
      contexts: 2,
      output,
      timingCache: timing,
      onProgress: (p) => progress.push(p),
      onLog: (l) => warnings.push(l.message),
    });
    expect(built.source).toBe('built');
    expect(progress.map((p) => p.phase)).toEqual(['parse', 'Building engine', 'build']);
    expect(warnings).toEqual([
      'fake: onnx2trt_utils.cpp: Your ONNX model has been generated with INT64 weights',
    ]);
    expect(built.log).toHaveLength(1);
    const { header } = readEngineHeader(output);
    expect(header).toMatchObject({
      tensorrt: '10.3.0',
      gpu: { name: 'Orin', computeCapability: '8.7' },
      dlaCore: null,
      build: {
        precision: 'fp16',
        fp16: true,
        contexts: 2,
        profile: [{ name: 'x', min: [1, 3, 8, 8], max: [4, 3, 8, 8] }],
      },
    });
    expect(JSON.parse(new TextDecoder().decode(built.plan))).toMatchObject({ copies: 2, fp16: true });
    expect([...readFileSync(timing)]).toEqual([1, 2, 3]);
  });

  it('the engine cache builds once per key', async () => {
    const cache = new EngineCache({ dir: join(dir, 'cache') });
    const before = fake.state.builds;
    const a = await buildEngineWith(rt, MODEL, { cache });
    const b = await buildEngineWith(rt, MODEL, { cache });
    const c = await buildEngineWith(rt, MODEL, { cache, maxBatch: 2 });
    expect([a.source, b.source, c.source]).toEqual(['built', 'cache', 'built']);
    expect(fake.state.builds - before).toBe(2);
  });

  it("EXPECTED FAILURE - a parser failure carries TensorRT's log", async () => {
    process.env.EDGE_FAKE_TRT_FAIL = '1';
    try {
      const error = await buildEngineWith(rt, MODEL).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EngineBuildError);
      expect((error as EngineBuildError).step).toBe('ONNX parser');
      expect((error as EngineBuildError).log.map((l) => l.severity)).toEqual(['warning', 'error']);
      expect((error as Error).message).toBe(
        'TensorRT could not build the engine: ONNX parser: node 0: unsupported\nTensorRT said:\n  [warning] fake: onnx2trt_utils.cpp: Your ONNX model has been generated with INT64 weights\n  [error] fake: ModelImporter.cpp:773: While parsing node number 0 [Relu]',
      );
    } finally {
      delete process.env.EDGE_FAKE_TRT_FAIL;
    }
  });

  it('EXPECTED FAILURE - an abort rejects with AbortedError and writes nothing', async () => {
    process.env.EDGE_FAKE_TRT_BUILD_MS = '300';
    try {
      const controller = new AbortController();
      const output = join(dir, 'aborted.engine');
      const p = buildEngineWith(rt, MODEL, { output, signal: controller.signal });
      setTimeout(() => controller.abort(new Error('user')), 30);
      await expect(p).rejects.toThrow(AbortedError);
      await expect(p).rejects.toThrow('the engine build was cancelled');
      expect(() => readFileSync(output)).toThrow();
    } finally {
      delete process.env.EDGE_FAKE_TRT_BUILD_MS;
    }
  });
});

describe('engines and contexts over the binding double', () => {
  it('runs y = relu(x) through two concurrent contexts and checks inputs against the profile', async () => {
    const built = await buildEngineWith(rt, MODEL, { maxBatch: 4, contexts: 2 });
    const engine = await TrtEngine.loadWith(rt, built);
    expect(engine.device).toBe('gpu:0');
    expect(engine.inputs).toEqual([{ name: 'x', dtype: 'float32', shape: [null, 3, 8, 8] }]);
    expect(engine.ranges.get('x')).toEqual({ min: [1, 3, 8, 8], opt: [1, 3, 8, 8], max: [4, 3, 8, 8] });
    const a = engine.createContext();
    const b = engine.createContext();
    expect(() => engine.createContext()).toThrow(ArgumentError);
    expect(() => engine.createContext()).toThrow(
      'Expected at most 2 open execution contexts for <memory> (one optimisation profile each) but received a request for one more: rebuild with contexts: 3 or dispose one',
    );
    const x = new Tensor(
      'float32',
      [2, 3, 8, 8],
      Float32Array.from({ length: 384 }, (_, i) => i - 192),
    );
    const [ya, yb] = await Promise.all([a.run({ x }), b.run({ x })]);
    expect(ya!.y!.shape).toEqual([2, 3, 8, 8]);
    expect((ya!.y!.data as Float32Array)[0]).toBe(0);
    expect((yb!.y!.data as Float32Array)[383]).toBe(191);
    const big = new Tensor('float32', [5, 3, 8, 8], new Float32Array(960));
    await expect(a.run({ x: big })).rejects.toThrow(FeedError);
    await expect(a.run({ x: big })).rejects.toThrow(
      "Expected float32 tensor of shape [?,3,8,8] with dimension 0 in 1..4 (the engine's optimisation profile: min [1,3,8,8], max [4,3,8,8]) for input 'x' but received Tensor<float32>[5,3,8,8]: rebuild the engine with a profile covering it (--shape, maxBatch)",
    );
    await a.dispose();
    await b.dispose();
    expect(engine.openContexts).toBe(0);
    expect(fake.state.contextsOpen).toBe(0);
    engine.dispose();
  });

  it("benchEngine times runs at the profile's opt shape into a bench record", async () => {
    const engine = await TrtEngine.loadWith(
      rt,
      await buildEngineWith(rt, MODEL, { shapes: { x: [2, 3, 8, 8] }, maxBatch: 4 }),
    );
    const r = await benchEngine(engine, { runs: 12, warmup: 2 });
    expect(r).toMatchObject({
      schemaVersion: 1,
      producer: '@edge/trt',
      machine: { gpu: 'Orin', computeCapability: '8.7', tensorrt: '10.3.0' },
      config: { backend: 'tensorrt', precision: 'fp32', shapes: { x: [2, 3, 8, 8] }, device: 'gpu:0' },
      queries: 12,
    });
    expect(r.latency!.min).toBeLessThanOrEqual(r.latency!.median);
    expect(r.latency!.median).toBeLessThanOrEqual(r.latency!.max);
    expect(r.throughputQps).toBeGreaterThan(0);
    expect(engine.openContexts).toBe(0);
    await expect(benchEngine(engine, { runs: 0 })).rejects.toThrow(
      'Expected positive integer for options.runs but received 0 of type number',
    );
    engine.dispose();
  });

  it('EXPECTED FAILURE - an engine from another machine is refused before deserialisation', async () => {
    const built = await buildEngineWith(rt, MODEL);
    const foreign = {
      header: { ...built.header, gpu: { name: 'Xavier', computeCapability: '7.2' } },
      plan: built.plan,
    };
    await expect(TrtEngine.loadWith(rt, foreign)).rejects.toThrow(EngineMismatchError);
    await expect(TrtEngine.loadWith(rt, foreign)).rejects.toThrow(
      'the engine was built for Xavier, compute capability 7.2, and this machine has Orin (compute capability 8.7): rebuild it on this machine (edge trt build MODEL -o ENGINE)',
    );
  });

  it('EXPECTED FAILURE - with the real addon (no TensorRT here) the same calls say what is missing', async () => {
    const real = loadRuntime();
    await expect(buildEngineWith(real, MODEL)).rejects.toThrow(UnavailableError);
    await expect(buildEngineWith(real, MODEL)).rejects.toThrow(
      /^building an engine needs TensorRT\. TensorRT cannot run here: /,
    );
    await expect(TrtEngine.loadWith(real, join(dir, 'relu.engine'))).rejects.toThrow(
      /^running an engine needs TensorRT/,
    );
  });
});
