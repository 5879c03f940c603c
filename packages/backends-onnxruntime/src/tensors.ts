// Core tensors to onnxruntime tensors and back, without copying. The storage types already agree:
// float16 travels as Uint16Array half bits, int64 as BigInt64Array, bool as Uint8Array of 0/1.

import { type DType, InferenceError, isDType, type ModelDim, Tensor, type TensorInfo } from '@edge/core';
import type { OrtModule, OrtTensor, OrtValueMetadata } from './ort.js';

/** A core tensor as an onnxruntime tensor sharing its data. */
export function toOrtTensor(ort: OrtModule, tensor: Tensor): OrtTensor {
  return new ort.Tensor(tensor.dtype, tensor.data, tensor.shape);
}

function asUint16(data: unknown): Uint16Array {
  if (data instanceof Uint16Array) return data;
  // A Float16Array (Node 24+ may hand one out): keep the bits, not the values.
  const view = data as ArrayBufferView & { length: number };
  return new Uint16Array(view.buffer, view.byteOffset, view.length);
}

/**
 * An onnxruntime output as a core tensor sharing its data.
 *
 * @throws {@link InferenceError} when the output's type is one core tensors do not hold (load
 * refuses such models, so this means the engine returned something its metadata did not declare).
 */
export function fromOrtTensor(name: string, value: OrtTensor): Tensor {
  const type = value.type;
  if (!isDType(type)) {
    throw new InferenceError(`output '${name}' has type ${type}, which @edge/core tensors do not hold`);
  }
  const data = type === 'float16' ? asUint16(value.data) : value.data;
  return new Tensor(type, value.dims, data as Tensor<DType>['data']);
}

/**
 * Converts onnxruntime metadata to the contract's {@link TensorInfo}; returns a reason string
 * instead when the value is not a tensor or its type is not a core dtype.
 */
export function tensorInfo(meta: OrtValueMetadata, role: 'input' | 'output'): TensorInfo | string {
  if (!meta.isTensor) return `${role} '${meta.name}' is not a tensor (a sequence or map)`;
  if (!isDType(meta.type)) {
    return `${role} '${meta.name}' has dtype ${meta.type}, which @edge/core tensors do not hold (they hold float32, float16, int8, uint8, int32, int64, bool)`;
  }
  const shape: ModelDim[] = meta.shape.map((d) => (typeof d === 'string' ? (d === '' ? null : d) : d));
  return { name: meta.name, dtype: meta.type, shape: Object.freeze(shape) };
}
