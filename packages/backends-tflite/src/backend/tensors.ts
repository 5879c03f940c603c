// TFLite web runner tensors to the core contract and back. The runner exposes each input and
// output as a typed-array view into the wasm heap: feeds are copied in, results copied out (the
// views are reused by the next inference and detach when the heap grows).

import { type DType, InferenceError, Tensor, type TensorInfo } from '@edge/core';
import type { TfliteWebDataType, TfliteWebTensorInfo } from './engine.js';

const DTYPES: Partial<Record<TfliteWebDataType, DType>> = {
  float32: 'float32',
  int32: 'int32',
  uint8: 'uint8',
  int8: 'int8',
  bool: 'bool',
};

function parseShape(shape: string): number[] {
  return shape === '' ? [] : shape.split(',').map(Number);
}

/** The core dtype of a TFLite web element type, or undefined when core tensors hold no such type. */
export function dtypeOfTflite(type: TfliteWebDataType): DType | undefined {
  return DTYPES[type];
}

/**
 * The contract's {@link TensorInfo} of a runner tensor; a reason string instead when its element
 * type is not a core dtype.
 */
export function tensorInfo(info: TfliteWebTensorInfo, role: 'input' | 'output'): TensorInfo | string {
  const dtype = dtypeOfTflite(info.dataType);
  if (dtype === undefined) {
    return `${role} '${info.name}' has dtype ${info.dataType}, which @edge/core tensors do not hold (TFLite's float32, int32, uint8, int8 and bool map to them)`;
  }
  return { name: info.name, dtype, shape: Object.freeze(parseShape(info.shape)) };
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * Copies a core tensor into the runner's input view. The dtype and shape were checked against the
 * input's info, so the byte lengths agree; a mismatch means the engine's view is not what it said.
 *
 * @throws {@link InferenceError} when the sizes differ.
 */
export function copyIn(info: TfliteWebTensorInfo, tensor: Tensor): void {
  const target = bytesOf(info.data());
  const source = bytesOf(tensor.data);
  if (target.length !== source.length) {
    throw new InferenceError(
      `TFLite's buffer for input '${info.name}' holds ${target.length} bytes, the feed ${source.length}`,
    );
  }
  target.set(source);
}

const ARRAYS = {
  float32: Float32Array,
  int32: Int32Array,
  uint8: Uint8Array,
  int8: Int8Array,
  bool: Uint8Array,
} as const;

/**
 * Copies a runner output out of the wasm heap into a core tensor of the output's dtype, with the
 * shape the runner reports now.
 */
export function copyOut(runnerInfo: TfliteWebTensorInfo, dtype: DType): Tensor {
  const bytes = bytesOf(runnerInfo.data()).slice();
  const Array_ = ARRAYS[dtype as keyof typeof ARRAYS];
  return new Tensor(dtype, parseShape(runnerInfo.shape), new Array_(bytes.buffer) as Tensor['data']);
}
