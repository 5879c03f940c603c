// A backend without an engine, for queue tests: y = 2 * x on float32 [N,2], on any device name,
// with runs that take a set time or wait for the test to let them finish, and a record of every
// run (rows, and how many ran at the same time on any fake backend).

import {
  type Availability,
  type Backend,
  DisposedError,
  type ModelSource,
  type Session,
  Tensor,
  type TensorMap,
} from '@edge/core';

export interface FakeOptions {
  name?: string;
  device?: string;
  /** Milliseconds each run takes (setTimeout), default 0. */
  runMs?: number;
  /** When set, runs wait for `release()` of the returned controls. */
  gated?: boolean;
  /** Free batch dimension (default) or a fixed batch of 1. */
  batch?: 'free' | 'fixed';
  available?: Availability;
}

export interface FakeRecord {
  /** Rows of each run, in the order they started. */
  runs: number[];
  /** Most runs of this backend's sessions that overlapped. */
  maxActive: number;
  opened: number;
  closed: number;
}

/** Runs in flight across every fake backend, per device, and the most seen at once. */
export const overlap: { active: Map<string, number>; max: Map<string, number> } = {
  active: new Map(),
  max: new Map(),
};

export interface Fake {
  backend: Backend;
  record: FakeRecord;
  /** Lets the oldest gated run finish. */
  release(): void;
  /** Gated runs waiting for release. */
  waiting(): number;
}

export function fakeBackend(options: FakeOptions = {}): Fake {
  const name = options.name ?? 'fake';
  const device = options.device ?? 'cpu';
  const record: FakeRecord = { runs: [], maxActive: 0, opened: 0, closed: 0 };
  const gates: (() => void)[] = [];
  let active = 0;
  const dim0 = options.batch === 'fixed' ? 1 : 'N';

  const backend: Backend = {
    name,
    priority: 0,
    devices: [device.split(':')[0]!],
    formats: ['onnx'],
    available: async () => options.available ?? { ok: true },
    canLoad: (source: ModelSource) =>
      source.format === 'onnx' ? { ok: true } : { ok: false, reason: `${name} reads onnx only` },
    openSessions: () => record.opened - record.closed,
    async load(): Promise<Session> {
      record.opened++;
      let disposed = false;
      const session: Session = {
        backend: name,
        device,
        detail: `${name} fake engine`,
        inputs: [{ name: 'x', dtype: 'float32', shape: [dim0, 2] }],
        outputs: [{ name: 'y', dtype: 'float32', shape: [dim0, 2] }],
        async run(feeds: Readonly<TensorMap>): Promise<TensorMap> {
          if (disposed) throw new DisposedError('fake session disposed');
          const x = feeds.x!;
          record.runs.push(x.shape[0]!);
          active++;
          record.maxActive = Math.max(record.maxActive, active);
          const now = (overlap.active.get(device) ?? 0) + 1;
          overlap.active.set(device, now);
          overlap.max.set(device, Math.max(overlap.max.get(device) ?? 0, now));
          try {
            if (options.gated) await new Promise<void>((resolve) => gates.push(resolve));
            else await new Promise((resolve) => setTimeout(resolve, options.runMs ?? 0));
          } finally {
            active--;
            overlap.active.set(device, overlap.active.get(device)! - 1);
          }
          const y = new Float32Array(x.size);
          const src = x.data as Float32Array;
          for (let i = 0; i < y.length; i++) y[i] = src[i]! * 2;
          return { y: new Tensor('float32', x.shape, y) };
        },
        async dispose() {
          if (disposed) return;
          disposed = true;
          record.closed++;
        },
        [Symbol.asyncDispose]() {
          return this.dispose();
        },
      };
      return session;
    },
  };
  return {
    backend,
    record,
    release: () => gates.shift()?.(),
    waiting: () => gates.length,
  };
}

/** A float32 [rows,2] tensor whose values identify request `id`. */
export function rowsOf(id: number, rows = 1): Tensor<'float32'> {
  const data = new Float32Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    data[r * 2] = id;
    data[r * 2 + 1] = id + r / 10;
  }
  return new Tensor('float32', [rows, 2], data);
}

/** Resolves after the pending microtasks and timers of this turn. */
export function tick(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
