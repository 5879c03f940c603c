// onnxruntime-node (CPU) for output-equality tests, resolved through @edge/backends-onnxruntime,
// which depends on it (pnpm does not expose it to this package directly).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../../node_modules/@edge/backends-onnxruntime/package.json'));

interface OrtTensor {
  data: Float32Array;
  dims: readonly number[];
}
interface OrtSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface Ort {
  InferenceSession: { create(pathOrBytes: string | Uint8Array): Promise<OrtSession> };
  Tensor: new (type: string, data: Float32Array, dims: readonly number[]) => unknown;
}

export const ort: Ort = require('onnxruntime-node') as Ort;

/** Deterministic pseudo-random floats in [0, 1). */
export function noise(n: number, seed = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32;
  }
  return out;
}

/** Runs a model on float inputs; returns outputs by name. */
export async function runModel(
  model: string | Uint8Array,
  inputs: Record<string, { dims: number[]; data?: Float32Array }>,
): Promise<Record<string, OrtTensor>> {
  const session = await ort.InferenceSession.create(model);
  try {
    const feeds: Record<string, unknown> = {};
    for (const [name, { dims, data }] of Object.entries(inputs)) {
      feeds[name] = new ort.Tensor('float32', data ?? noise(dims.reduce((a, b) => a * b, 1)), dims);
    }
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

/** Largest absolute difference between two float arrays of the same length. */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
