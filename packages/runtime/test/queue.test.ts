// The device queue, dynamic batching, cancellation and the bounded queue, on a fake backend whose
// runs the test controls (no engine, so timings cannot make these flaky).

import {
  AbortedError,
  ArgumentError,
  type Backend,
  DisposedError,
  FeedError,
  InferenceError,
  QueueFullError,
  type Session,
  Tensor,
  TimeoutError,
} from '@edge/core';
import { afterEach, describe, expect, it } from 'vitest';
import { deviceStatus, loadModel, type Model, setDeviceConcurrency } from '../src/index.js';
import { findBackend } from '../src/load/backends.js';
import { type Fake, fakeBackend, overlap, rowsOf, tick } from './fake-backend.js';

const BYTES = new Uint8Array([0]);
const models: Model[] = [];

async function load(fake: ReturnType<typeof fakeBackend>, options: Parameters<typeof loadModel>[1] = {}) {
  const model = await loadModel(BYTES, { backends: [fake.backend], ...options });
  models.push(model);
  return model;
}

afterEach(async () => {
  await Promise.all(models.splice(0).map((m) => m.dispose()));
});

/** The fake's backend with the `run` of every session it loads replaced: an engine that fails. */
function withRun(fake: Fake, run: Session['run']): Backend {
  return {
    ...fake.backend,
    load: async (source, options) => {
      const s = await fake.backend.load(source, options);
      return { ...s, run, dispose: s.dispose, [Symbol.asyncDispose]: s[Symbol.asyncDispose] };
    },
  };
}

function values(t: Tensor | undefined): number[] {
  return Array.from(t!.data as Float32Array);
}

describe('dynamic batching', () => {
  it('stacks concurrent requests and returns each request exactly its own rows', async () => {
    const fake = fakeBackend({ device: 'cpu:batching', runMs: 5 });
    const model = await load(fake, { batching: { maxBatch: 4 } });
    expect(model.batching).toEqual({ maxBatch: 4, maxDelayMs: 0 });
    // Distinct inputs, one with 2 rows; ten requests sent in one burst.
    const inputs = Array.from({ length: 10 }, (_, id) => rowsOf(id + 1, id === 3 ? 2 : 1));
    const results = await Promise.all(inputs.map((x) => model.run({ x })));
    results.forEach((r, i) => {
      expect(r.y!.shape).toEqual(inputs[i]!.shape);
      expect(values(r.y)).toEqual(values(inputs[i]).map((v) => v * 2));
    });
    // 11 rows in batches of at most 4 rows.
    expect(fake.record.runs.reduce((a, b) => a + b, 0)).toBe(11);
    expect(Math.max(...fake.record.runs)).toBeLessThanOrEqual(4);
    expect(fake.record.runs.length).toBeLessThanOrEqual(4);
    expect(model.stats()).toMatchObject({
      requests: 10,
      runs: fake.record.runs.length,
      rows: 11,
      pending: 0,
    });
  });

  it('runs one request per engine run when batching is off', async () => {
    const fake = fakeBackend({ device: 'cpu:unbatched' });
    const model = await load(fake);
    expect(model.batching).toBeNull();
    await Promise.all([1, 2, 3].map((id) => model.run(rowsOf(id))));
    expect(fake.record.runs).toEqual([1, 1, 1]);
  });

  it('waits up to maxDelayMs on an idle device for company', async () => {
    const fake = fakeBackend({ device: 'cpu:delay' });
    const model = await load(fake, { batching: { maxBatch: 8, maxDelayMs: 30 } });
    const first = model.run(rowsOf(1));
    await tick(5);
    const second = model.run(rowsOf(2));
    await Promise.all([first, second]);
    expect(fake.record.runs).toEqual([2]);
  });

  it('is ignored, with a note, for a model with a fixed batch', async () => {
    const fake = fakeBackend({ device: 'cpu:fixed', batch: 'fixed' });
    const model = await load(fake, { batching: true });
    expect(model.batching).toBeNull();
    expect(model.explanation).toMatch(/batching: off \(asked for, but not every input and output/);
  });

  it('BAD CALL - inputs with different batch sizes in one batched request: FeedError', async () => {
    const fake = fakeBackend({ device: 'cpu:bad' });
    const model = await load(fake, { batching: true });
    await expect(model.run({ x: Tensor.zeros('float32', [1, 3]) })).rejects.toThrow(
      "Expected float32 tensor of shape [N,2] for input 'x' but received Tensor<float32>[1,3]: dimension 1 is 3, the model needs 2",
    );
    await expect(model.run({ x: rowsOf(1), z: rowsOf(2) })).rejects.toBeInstanceOf(FeedError);
  });
});

describe('cancellation', () => {
  it('an aborted queued request rejects with AbortedError and leaves the others alone', async () => {
    const fake = fakeBackend({ device: 'cpu:abort', gated: true });
    const model = await load(fake);
    const controller = new AbortController();
    const a = model.run(rowsOf(1));
    const b = model.run(rowsOf(2), { signal: controller.signal });
    const c = model.run(rowsOf(3));
    await tick();
    controller.abort(new Error('user gave up'));
    const e = await b.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AbortedError);
    expect((e as Error).message).toBe('request to <bytes> was aborted');
    expect(((e as Error).cause as Error).message).toBe('user gave up');
    while (fake.waiting() > 0 || model.stats().pending > 0) {
      fake.release();
      await tick();
    }
    expect(values((await a).y)).toEqual([2, 2]);
    expect(values((await c).y)).toEqual([6, 6]);
    // b never reached the engine.
    expect(fake.record.runs).toEqual([1, 1]);
    expect(model.stats().cancelled).toBe(1);
  });

  it('an already aborted signal rejects at once', async () => {
    const fake = fakeBackend({ device: 'cpu:aborted' });
    const model = await load(fake);
    await expect(model.run(rowsOf(1), { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
    expect(fake.record.runs).toEqual([]);
  });

  it('aborting a request inside a running batch drops only its result', async () => {
    const fake = fakeBackend({ device: 'cpu:abort-batch', gated: true });
    const model = await load(fake, { batching: true });
    const controller = new AbortController();
    const a = model.run(rowsOf(1));
    const b = model.run(rowsOf(2), { signal: controller.signal });
    await tick();
    expect(fake.record.runs).toEqual([2]);
    controller.abort();
    await expect(b).rejects.toBeInstanceOf(AbortedError);
    fake.release();
    expect(values((await a).y)).toEqual([2, 2]);
  });

  it('a timeout rejects with TimeoutError (queued or running) and the others still finish', async () => {
    const fake = fakeBackend({ device: 'cpu:timeout', runMs: 40 });
    const model = await load(fake);
    const slow = model.run(rowsOf(1));
    const late = model.run(rowsOf(2), { timeoutMs: 10 });
    const e = await late.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TimeoutError);
    expect((e as TimeoutError).timeoutMs).toBe(10);
    expect((e as Error).message).toBe('request to <bytes> did not finish within 10 ms (still queued)');
    expect(values((await slow).y)).toEqual([2, 2]);
    // The model's default timeout applies to every request.
    const strict = await load(fakeBackend({ device: 'cpu:timeout2', runMs: 40 }), { timeoutMs: 5 });
    await expect(strict.run(rowsOf(1))).rejects.toThrow(/did not finish within 5 ms \(running\)/);
  });

  it('BAD CALL - a timeout that is not a positive number: ArgumentError', async () => {
    const model = await load(fakeBackend({ device: 'cpu:bad-timeout' }));
    await expect(model.run(rowsOf(1), { timeoutMs: -1 })).rejects.toThrow(
      'Expected positive number of milliseconds for options.timeoutMs but received -1 of type number',
    );
    await expect(model.run(rowsOf(1), { signal: {} as AbortSignal })).rejects.toBeInstanceOf(ArgumentError);
  });
});

describe('bounded queue', () => {
  it('rejects with QueueFullError when maxQueue requests are waiting, and recovers', async () => {
    const fake = fakeBackend({ device: 'cpu:full', gated: true });
    const model = await load(fake, { maxQueue: 2 });
    const running = model.run(rowsOf(1));
    await tick();
    const queued = [model.run(rowsOf(2)), model.run(rowsOf(3))];
    const e = await model.run(rowsOf(4)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(QueueFullError);
    expect((e as QueueFullError).limit).toBe(2);
    expect((e as Error).message).toBe(
      'the queue of <bytes> is full (2 requests waiting): retry later, or load the model with a larger maxQueue',
    );
    fake.release();
    await running;
    await tick();
    // A slot is free again.
    const again = model.run(rowsOf(5));
    while (fake.waiting() > 0 || model.stats().pending > 0) {
      fake.release();
      await tick();
    }
    await Promise.all([...queued, again]);
    expect(fake.record.runs.length).toBe(4);
  });
});

describe('device queue', () => {
  it('one inference at a time on an accelerator, across models', async () => {
    const a = fakeBackend({ name: 'fake-a', device: 'gpu:0', runMs: 3 });
    const b = fakeBackend({ name: 'fake-b', device: 'gpu:0', runMs: 3 });
    const ma = await load(a);
    const mb = await load(b);
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < 6; i++) all.push(ma.run(rowsOf(i)), mb.run(rowsOf(i)));
    await Promise.all(all);
    expect(a.record.runs.length + b.record.runs.length).toBe(12);
    expect(overlap.max.get('gpu:0')).toBe(1);
  });

  it('the CPU takes as many at once as configured (the fake records the overlap)', async () => {
    setDeviceConcurrency('cpu:wide', 3);
    const fakes = [0, 1, 2].map((i) => fakeBackend({ name: `fake-${i}`, device: 'cpu:wide', runMs: 10 }));
    const loaded = await Promise.all(fakes.map((f) => load(f)));
    await Promise.all(loaded.flatMap((m) => [m.run(rowsOf(1)), m.run(rowsOf(2))]));
    expect(overlap.max.get('cpu:wide')).toBe(3);
    expect(deviceStatus().find((d) => d.device === 'cpu:wide')).toEqual({
      device: 'cpu:wide',
      concurrency: 3,
      running: 0,
      waiting: 0,
    });
  });

  it('an accelerator runs one at a time until the user asks for more', async () => {
    const fakes = [0, 1].map((i) => fakeBackend({ name: `gpu-${i}`, device: 'gpu:wide', runMs: 10 }));
    const loaded = await Promise.all(fakes.map((f) => load(f)));
    await Promise.all(loaded.map((m) => m.run(rowsOf(1))));
    expect(overlap.max.get('gpu:wide')).toBe(1);
    setDeviceConcurrency('gpu:wide', 2);
    await Promise.all(loaded.map((m) => m.run(rowsOf(1))));
    expect(overlap.max.get('gpu:wide')).toBe(2);
  });

  it('BAD CALL - concurrency below 1: ArgumentError', () => {
    expect(() => setDeviceConcurrency('gpu:0', 0)).toThrow(
      'Expected positive integer for concurrency but received 0 of type number',
    );
    expect(() => setDeviceConcurrency('cpu', 0)).toThrow(ArgumentError);
  });
});

describe('lifecycle', () => {
  it('dispose rejects waiting requests, lets the running one finish, closes the session', async () => {
    const fake = fakeBackend({ device: 'cpu:dispose', gated: true });
    const model = await loadModel(BYTES, { backends: [fake.backend] });
    const running = model.run(rowsOf(1));
    const waiting = model.run(rowsOf(2));
    await tick();
    const disposed = model.dispose();
    await expect(waiting).rejects.toBeInstanceOf(DisposedError);
    expect(fake.record.closed).toBe(0);
    fake.release();
    expect(values((await running).y)).toEqual([2, 2]);
    await disposed;
    expect(fake.record).toMatchObject({ opened: 1, closed: 1 });
    await expect(model.run(rowsOf(3))).rejects.toThrow('<bytes> is disposed');
  });

  it('EXPECTED FAILURE - an aborted load rejects with AbortedError and leaves no session open', async () => {
    const fake = fakeBackend({ device: 'cpu:abort-load' });
    const controller = new AbortController();
    const loading = loadModel(BYTES, { backends: [fake.backend], signal: controller.signal });
    controller.abort(new Error('changed my mind'));
    const e = await loading.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AbortedError);
    expect((e as Error).message).toBe('loading <bytes> was aborted');
    expect(fake.backend.openSessions()).toBe(0);
  });

  it('await using disposes the model and its session', async () => {
    const fake = fakeBackend({ device: 'cpu:using' });
    {
      await using model = await loadModel(BYTES, { backends: [fake.backend] });
      await model.run(rowsOf(1));
      expect(fake.backend.openSessions()).toBe(1);
    }
    expect(fake.backend.openSessions()).toBe(0);
  });

  it('an engine failure rejects every request of the batch with its error', async () => {
    const fake = fakeBackend({ device: 'cpu:fail' });
    const failing = withRun(fake, async () => {
      throw new InferenceError('engine fell over');
    });
    const model = await loadModel(BYTES, { backends: [failing], batching: true });
    models.push(model);
    const results = await Promise.allSettled([model.run(rowsOf(1)), model.run(rowsOf(2))]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(InferenceError);
    }
  });
});

describe('backend discovery', () => {
  it.each([
    {
      title: 'a backend package that is not installed is a typed skip reason, not a crash',
      backend: 'x',
      pkg: '@edge/backends-not-there',
      kind: 'not-installed',
      reason: '@edge/backends-not-there is not installed (npm install @edge/backends-not-there)',
    },
    {
      title: 'EXPECTED FAILURE - a package without createBackend is a skip reason naming it',
      backend: 'core',
      pkg: '@edge/core',
      kind: 'unavailable',
      reason: '@edge/core exports no createBackend (a version older than this runtime?)',
    },
  ])('$title', async ({ backend, pkg, kind, reason }) => {
    expect(await findBackend(backend, pkg, undefined)).toEqual({ skip: { backend, kind, reason } });
  });

  it('the TensorRT backend without TensorRT: found, and unavailable with what is missing', async () => {
    const found = await findBackend('trt', '@edge/backends-trt', undefined);
    expect('backend' in found && found.backend.name).toBe('trt');
    const availability = await (found as { backend: Backend }).backend.available();
    expect(availability).toEqual({ ok: false, reason: expect.stringMatching(/^TensorRT cannot run here: /) });
  });

  it('a session whose run throws synchronously gives the device back', async () => {
    const fake = fakeBackend({ device: 'gpu:throws' });
    const throwing = withRun(fake, () => {
      throw new InferenceError('sync failure');
    });
    const model = await load({ ...fake, backend: throwing });
    await expect(model.run(rowsOf(1))).rejects.toThrow('sync failure');
    await expect(model.run(rowsOf(2))).rejects.toThrow('sync failure');
    expect(deviceStatus().find((d) => d.device === 'gpu:throws')).toMatchObject({ running: 0, waiting: 0 });
  });
});
