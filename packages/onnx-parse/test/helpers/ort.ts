// onnxruntime-node (CPU) for output-equality tests: an edited model must compute what its source did.
import { noise } from '@edge/test-utils';
import * as ort from 'onnxruntime-node';

let open = 0;

/** Sessions created by {@link runModel} and not yet released: 0 after every test, or a leak. */
export function openSessions(): number {
  return open;
}

/** A float32 output of {@link runModel}. */
export interface FloatOutput {
  data: Float32Array;
  dims: readonly number[];
}

/** Runs a model (a path or its bytes) on float inputs (noise in [0, 1) unless given); returns outputs by name. */
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
      feeds[name] = new ort.Tensor('float32', data ?? noise(dims, 1, 1, 0.5), dims);
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
