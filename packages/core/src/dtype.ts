// Element types a tensor can hold, and the typed array that stores each. float16 has no typed
// array in Node 20, so it is stored as the raw IEEE 754 half bits; bool is one byte per element
// (0 or 1), as ONNX and TFLite store it.

/** Element type of a {@link Tensor}. */
export type DType = 'float32' | 'float16' | 'int8' | 'uint8' | 'int32' | 'int64' | 'bool';

/** Every {@link DType}, in a fixed order (useful for validation and for listing choices). */
export const DTYPES: readonly DType[] = Object.freeze([
  'float32',
  'float16',
  'int8',
  'uint8',
  'int32',
  'int64',
  'bool',
] as const);

/**
 * The typed array that stores each {@link DType}: float16 as `Uint16Array` of IEEE half bits,
 * int64 as `BigInt64Array`, bool as `Uint8Array` holding 0 or 1.
 */
export interface DataTypeMap {
  float32: Float32Array;
  float16: Uint16Array;
  int8: Int8Array;
  uint8: Uint8Array;
  int32: Int32Array;
  int64: BigInt64Array;
  bool: Uint8Array;
}

/** The storage type of dtype `D`, e.g. `DataOf<'int64'>` is `BigInt64Array`. */
export type DataOf<D extends DType> = DataTypeMap[D];

/** Any typed array that stores tensor data. */
export type TensorData = DataTypeMap[DType];

/** Size in bytes of one element of each {@link DType}. */
export const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = Object.freeze({
  float32: 4,
  float16: 2,
  int8: 1,
  uint8: 1,
  int32: 4,
  int64: 8,
  bool: 1,
});

/** True when `value` is one of the {@link DTYPES} names. */
export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && (DTYPES as readonly string[]).includes(value);
}

type TypedArrayConstructor<D extends DType> = {
  new (length: number): DataOf<D>;
  readonly name: string;
};

const CONSTRUCTORS: { readonly [D in DType]: TypedArrayConstructor<D> } = {
  float32: Float32Array,
  float16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int32: Int32Array,
  int64: BigInt64Array,
  bool: Uint8Array,
};

/** @internal Name of the typed array class that stores `dtype`, e.g. `Uint16Array` for float16. */
export function storageName(dtype: DType): string {
  return CONSTRUCTORS[dtype].name;
}

/** @internal A zero-filled storage array for `length` elements of `dtype`. */
export function allocate<D extends DType>(dtype: D, length: number): DataOf<D> {
  const Ctor = CONSTRUCTORS[dtype] as TypedArrayConstructor<D>;
  return new Ctor(length);
}

// The tag comes from the %TypedArray% prototype getter, so it is right for arrays made in another
// realm (vm context, worker) and for subclasses such as Buffer, where a constructor check is not.
const toStringTag = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype) as object,
  Symbol.toStringTag,
)?.get as (this: unknown) => string | undefined;

/** @internal Class name of a typed array (`Float32Array`, ...) or undefined when `value` is not one. */
export function typedArrayName(value: unknown): string | undefined {
  return toStringTag.call(value);
}
