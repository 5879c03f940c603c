// Weight scales: symmetric, one per output channel, as TensorRT and onnxruntime's QDQ quantizer
// use for Conv / Gemm weights (zero point 0).

import { ArgumentError, checkInteger, checkShape } from '@edge/core';

/**
 * Symmetric INT8 scale per channel along `axis`: max|w| / `levels` over every other dimension,
 * rounded to float32. A channel of all zeros gets scale 1 (as onnxruntime's quantizer does), since
 * a zero scale cannot be used by QuantizeLinear.
 *
 * @param weights - Values in row-major order.
 * @param shape - Dimensions of `weights`.
 * @param axis - The output-channel axis (0 for Conv's [M, C/g, kH, kW]); negative counts from the end.
 * @param levels - Largest quantized magnitude: 127, or 63 for 7-bit weights (reduced range).
 * @throws ArgumentError when the shape does not match the values, or `axis` or `levels` is out of range.
 */
export function perChannelScales(
  weights: ArrayLike<number>,
  shape: readonly number[],
  axis = 0,
  levels = 127,
): Float32Array {
  checkInteger('levels', levels, { min: 1, max: 127 });
  checkShape('shape', shape);
  const rank = shape.length;
  checkInteger('axis', axis, { min: -rank, max: rank - 1 });
  const ax = axis < 0 ? axis + rank : axis;
  const size = shape.reduce((a, b) => a * b, 1);
  if (weights.length !== size) {
    throw new ArgumentError(
      `weights hold ${weights.length} values but shape [${shape.join(',')}] needs ${size}`,
    );
  }
  const channels = shape[ax]!;
  let inner = 1;
  for (let d = ax + 1; d < rank; d++) inner *= shape[d]!;
  const maxAbs = new Float64Array(channels);
  for (let i = 0; i < size; i++) {
    const c = Math.floor(i / inner) % channels;
    const a = Math.abs(weights[i]!);
    if (a > maxAbs[c]!) maxAbs[c] = a;
  }
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) scales[c] = maxAbs[c] === 0 ? 1 : maxAbs[c]! / levels;
  return scales;
}
