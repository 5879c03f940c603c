// Stacking requests along the batch dimension (dimension 0) and cutting the outputs back into one
// piece per request. Row-major storage makes both a plain copy of contiguous ranges.

import { type DType, InferenceError, Tensor, type TensorMap } from '@edge/core';

/** `tensors` (same dtype and trailing dims) stacked along dimension 0. */
export function concatRows(tensors: readonly Tensor[]): Tensor {
  const first = tensors[0]!;
  let rows = 0;
  for (const t of tensors) rows += t.shape[0]!;
  const out = Tensor.zeros(first.dtype, [rows, ...first.shape.slice(1)]);
  const data = out.data as { set(src: ArrayLike<unknown>, offset: number): void };
  let offset = 0;
  for (const t of tensors) {
    data.set(t.data as ArrayLike<unknown>, offset);
    offset += t.size;
  }
  return out;
}

/**
 * Cuts each output into `rows.length` pieces of `rows[i]` rows along dimension 0. Each piece owns
 * a copy of its data, so a caller keeping one result does not keep the whole batch alive.
 *
 * @throws {@link InferenceError} when an output's dimension 0 is not the batch's row count (the
 * model does not batch along dimension 0).
 */
export function splitRows(outputs: TensorMap, rows: readonly number[], model: string): TensorMap[] {
  const total = rows.reduce((a, b) => a + b, 0);
  const pieces: TensorMap[] = rows.map(() => ({}));
  for (const [name, t] of Object.entries(outputs)) {
    if (t.shape.length === 0 || t.shape[0] !== total) {
      throw new InferenceError(
        `output '${name}' of ${model} has shape [${t.shape.join(',')}] for a batch of ${total} rows: the model does not batch along dimension 0; load it with batching: false`,
      );
    }
    const rowSize = total === 0 ? 0 : t.size / total;
    const tail = t.shape.slice(1);
    let start = 0;
    for (let i = 0; i < rows.length; i++) {
      const n = rows[i]!;
      const data = t.data.slice(start * rowSize, (start + n) * rowSize) as Tensor<DType>['data'];
      pieces[i]![name] = new Tensor(t.dtype, [n, ...tail], data);
      start += n;
    }
  }
  return pieces;
}
