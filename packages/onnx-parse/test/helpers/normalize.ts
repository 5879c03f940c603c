// Turns a model object into plain data for deep equality: payload ranges become their bytes
// (base64), so a model read from bytes, from a path, or rewritten compares equal when it holds the
// same graph and the same tensor data.
import { readRange } from '../../src/index.js';

export function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array) return `bytes:${Buffer.from(value).toString('base64')}`;
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if ('source' in o && 'offset' in o && 'length' in o) {
      return `bytes:${Buffer.from(readRange(o as never)).toString('base64')}`;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
      // `external` is derived (a resolved path), `typedData` chunks compare by their bytes.
      if (k === 'external' || v === undefined) continue;
      out[k] = normalize(v);
    }
    return out;
  }
  return value;
}
