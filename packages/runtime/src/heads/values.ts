// Output tensors as plain float32 values, whatever numeric dtype the engine returned.

import { fromFloat16Array, invalidArgument, type Tensor, type TensorMap } from '@edge/core';

/** @internal The values of a numeric tensor as float32 (no copy for float32). */
export function floatValues(t: Tensor): Float32Array {
  if (t.data instanceof Float32Array) return t.data;
  if (t.dtype === 'float16') return fromFloat16Array(t.data as Uint16Array);
  if (t.data instanceof BigInt64Array) return Float32Array.from(t.data, Number);
  return Float32Array.from(t.data as ArrayLike<number>);
}

/** @internal The output named `name`, or the only/first output when `name` is undefined. */
export function pickOutput(outputs: Readonly<TensorMap>, name: string | undefined, what: string): Tensor {
  const names = Object.keys(outputs);
  if (name !== undefined) {
    const t = outputs[name];
    if (t === undefined) {
      throw invalidArgument(
        `${what}`,
        name,
        `one of the model's outputs (${names.map((n) => `'${n}'`).join(', ')})`,
      );
    }
    return t;
  }
  const first = names[0];
  if (first === undefined) throw invalidArgument('outputs', outputs, 'at least one output tensor');
  return outputs[first]!;
}

/** @internal Logistic function. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
