import type { OnnxModel } from '@edge/onnx-parse';

/** The model as JSON with payload sources reduced to their labels: a deep snapshot of the structure. */
export function snapshot(model: OnnxModel): string {
  return JSON.stringify(model, (key, v: unknown) =>
    key === 'source' ? (v as { label: string }).label : v instanceof Uint8Array ? Array.from(v) : v,
  );
}
