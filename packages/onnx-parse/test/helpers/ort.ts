// onnxruntime-node (CPU) for output-equality tests: an edited model must compute what its source did.
import * as ort from 'onnxruntime-node';

let open = 0;

/** Sessions created by {@link runModel} and not yet released: 0 after every test, or a leak. */
export function openSessions(): number {
  return open;
}

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

/** A float32 output of {@link runModel}. */
export interface FloatOutput {
  data: Float32Array;
  dims: readonly number[];
}

/** Runs a model (a path or its bytes) on float inputs (noise unless given); returns outputs by name. */
export async function runModel(
  model: string | Uint8Array,
  inputs: Record<string, { dims: number[]; data?: Float32Array }>,
): Promise<Record<string, FloatOutput>> {
  const session =
    typeof model === 'string'
      ? await ort.InferenceSession.create(model)
      : await ort.InferenceSession.create(model);
  open++;
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, { dims, data }] of Object.entries(inputs)) {
      feeds[name] = new ort.Tensor('float32', data ?? noise(dims.reduce((a, b) => a * b, 1)), dims);
    }
    const out = await session.run(feeds);
    return Object.fromEntries(
      Object.entries(out).map(([k, t]) => [k, { data: t.data as Float32Array, dims: t.dims }]),
    );
  } finally {
    await session.release();
    open--;
  }
}

/** Largest absolute difference between two float arrays of the same length. */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
