// A typed, shaped block of numbers: what preprocessing produces, what a backend session takes and
// returns. Deliberately without math: kernels belong to the packages that need them.

import { checkOneOf, checkShape, invalidArgument } from './checks.js';
import { allocate, type DataOf, DTYPES, type DType, storageName, typedArrayName } from './dtype.js';
import { float32ToFloat16Bits, fromFloat16Array } from './float16.js';

type SmallIntArray = Int8Array | Uint8Array | Int32Array;

/** Inclusive value range of the integer dtypes that are stored as JS numbers. */
const INTEGER_RANGES: Readonly<Record<'int8' | 'uint8' | 'int32' | 'bool', readonly [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  bool: [0, 1],
};
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

function elementCount(shape: readonly number[]): number {
  let count = 1;
  for (const dim of shape) count *= dim;
  return count;
}

function checkLength(length: number, shape: readonly number[]): void {
  const count = elementCount(shape);
  if (length !== count) {
    throw invalidArgument('data.length', length, `${count} (the element count of shape ${shapeText(shape)})`);
  }
}

function checkElement(data: ArrayLike<unknown>, index: number): number | bigint {
  const value = data[index];
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  throw invalidArgument(`data[${index}]`, value, 'number or bigint');
}

function fillFrom(dtype: DType, target: DataOf<DType>, data: ArrayLike<unknown>): void {
  const length = target.length;
  switch (dtype) {
    case 'float32': {
      const out = target as Float32Array;
      for (let i = 0; i < length; i++) out[i] = Number(checkElement(data, i));
      return;
    }
    case 'float16': {
      const out = target as Uint16Array;
      for (let i = 0; i < length; i++) out[i] = float32ToFloat16Bits(Number(checkElement(data, i)));
      return;
    }
    case 'int64': {
      const out = target as BigInt64Array;
      for (let i = 0; i < length; i++) {
        const value = checkElement(data, i);
        const big = typeof value === 'bigint' ? value : Number.isInteger(value) ? BigInt(value) : undefined;
        if (big === undefined || big < INT64_MIN || big > INT64_MAX) {
          throw invalidArgument(`data[${i}]`, value, 'integer between -(2^63) and 2^63 - 1 (int64)');
        }
        out[i] = big;
      }
      return;
    }
    default: {
      const out = target as SmallIntArray;
      const [min, max] = INTEGER_RANGES[dtype];
      for (let i = 0; i < length; i++) {
        const value = checkElement(data, i);
        const num = Number(value);
        if (!Number.isInteger(num) || num < min || num > max) {
          const expected =
            dtype === 'bool' ? '0 or 1 (bool)' : `integer between ${min} and ${max} (${dtype})`;
          throw invalidArgument(`data[${i}]`, value, expected);
        }
        out[i] = num;
      }
    }
  }
}

/**
 * An n-dimensional array of one {@link DType}, stored row-major in a typed array
 * (see {@link DataTypeMap} for which typed array holds which dtype).
 *
 * Instances are immutable in shape and dtype; `data` is shared, not copied, by the constructor and
 * by {@link Tensor.reshape}.
 */
export class Tensor<D extends DType = DType> {
  /** Element type. */
  readonly dtype: D;
  /** Dimensions, outermost first; `[]` for a scalar. Frozen. */
  readonly shape: readonly number[];
  /** Elements in row-major order, in the storage type of `dtype`. */
  readonly data: DataOf<D>;
  /** Number of elements: the product of `shape` (1 for a scalar). */
  readonly size: number;

  /**
   * Wraps `data` without copying it.
   *
   * @throws {@link ArgumentError} when `dtype` is unknown, `shape` is not an array of non-negative
   * integers, `data` is not the storage type of `dtype` (e.g. a `Uint16Array` for float16), or
   * `data.length` differs from the product of `shape`.
   */
  constructor(dtype: D, shape: readonly number[], data: DataOf<D>) {
    checkOneOf('dtype', dtype, DTYPES);
    checkShape('shape', shape);
    const storage = storageName(dtype);
    if (typedArrayName(data) !== storage) {
      throw invalidArgument('data', data, `${storage} (the storage of ${dtype})`);
    }
    checkLength(data.length, shape);
    this.dtype = dtype;
    this.shape = Object.freeze([...shape]);
    this.data = data;
    this.size = data.length;
  }

  /**
   * A tensor of zeros (false for bool).
   *
   * @throws {@link ArgumentError} when `dtype` or `shape` is invalid.
   */
  static zeros<D extends DType>(dtype: D, shape: readonly number[]): Tensor<D> {
    checkOneOf('dtype', dtype, DTYPES);
    checkShape('shape', shape);
    return new Tensor(dtype, shape, allocate(dtype, elementCount(shape)));
  }

  /**
   * A tensor holding a copy of `data`, converted to `dtype`.
   *
   * Elements are values: float16 rounds them to the nearest half, integer dtypes and bool require
   * integers in range (0 or 1 for bool) rather than wrapping. The one exception is a typed array
   * that already is the storage type of `dtype` (other than bool), which is copied as is; for
   * float16 that means a `Uint16Array` is taken as half bit patterns.
   *
   * @throws {@link ArgumentError} when `dtype` or `shape` is invalid, `data` is not array-like, its
   * length differs from the product of `shape`, or an element is not a number or bigint or does not
   * fit `dtype`.
   */
  static from<D extends DType>(
    dtype: D,
    shape: readonly number[],
    data: ArrayLike<number | bigint> | DataOf<DType>,
  ): Tensor<D> {
    checkOneOf('dtype', dtype, DTYPES);
    checkShape('shape', shape);
    if (typeof data !== 'object' || data === null || typeof data.length !== 'number') {
      throw invalidArgument('data', data, 'array or typed array');
    }
    checkLength(data.length, shape);
    const target = allocate(dtype, data.length);
    if (dtype !== 'bool' && typedArrayName(data) === storageName(dtype)) {
      (target as { set(source: ArrayLike<unknown>): void }).set(data);
    } else {
      fillFrom(dtype, target, data);
    }
    return new Tensor(dtype, shape, target);
  }

  /**
   * The same data under another shape (a view: no copy). One entry may be -1, inferred from the
   * others.
   *
   * @throws {@link ArgumentError} when `shape` has entries other than non-negative integers and one
   * -1, or its element count differs from this tensor's.
   */
  reshape(shape: readonly number[]): Tensor<D> {
    if (!Array.isArray(shape)) {
      throw invalidArgument('shape', shape, 'shape (array of non-negative integers and at most one -1)');
    }
    let inferred = -1;
    let known = 1;
    for (let i = 0; i < shape.length; i++) {
      const dim: unknown = shape[i];
      if (dim === -1) {
        if (inferred !== -1) throw invalidArgument('shape', shape, 'shape with at most one -1');
        inferred = i;
      } else if (typeof dim === 'number' && Number.isSafeInteger(dim) && dim >= 0) {
        known *= dim;
      } else {
        throw invalidArgument('shape', shape, 'shape (array of non-negative integers and at most one -1)');
      }
    }
    const wanted = `shape with ${this.size} elements (like ${shapeText(this.shape)})`;
    let resolved = shape;
    if (inferred !== -1) {
      if (known === 0) throw invalidArgument('shape', shape, 'shape with no 0 beside its -1');
      if (this.size % known !== 0) throw invalidArgument('shape', shape, wanted);
      resolved = shape.map((dim, i) => (i === inferred ? this.size / known : dim));
    } else if (known !== this.size) {
      throw invalidArgument('shape', shape, wanted);
    }
    return new Tensor(this.dtype, resolved, this.data);
  }

  /**
   * The elements as a new `Float32Array` (never the tensor's own storage). float16 widens exactly;
   * int32 and int64 values beyond 2^24 round to the nearest float32 (int64 through `Number`);
   * bool gives 0 and 1.
   */
  toFloat32(): Float32Array {
    if (this.dtype === 'float16') return fromFloat16Array(this.data as Uint16Array);
    const out = new Float32Array(this.size);
    if (this.dtype === 'int64') {
      const src = this.data as BigInt64Array;
      for (let i = 0; i < src.length; i++) out[i] = Number(src[i]!);
    } else {
      out.set(this.data as Float32Array | SmallIntArray);
    }
    return out;
  }

  /** A short summary such as `Tensor<float32>[1,3,224,224]`; never the data. */
  toString(): string {
    return `Tensor<${this.dtype}>${shapeText(this.shape)}`;
  }
}
