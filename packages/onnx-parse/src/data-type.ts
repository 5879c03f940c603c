// ONNX element types (`TensorProto.DataType`) and their storage facts.

/** `TensorProto.DataType` values. */
export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
  FLOAT8E4M3FN: 17,
  FLOAT8E4M3FNUZ: 18,
  FLOAT8E5M2: 19,
  FLOAT8E5M2FNUZ: 20,
  UINT4: 21,
  INT4: 22,
  FLOAT4E2M1: 23,
} as const;

const NAMES: readonly string[] = Object.keys(DataType).map((k) => k.toLowerCase());

// Bits per element in raw_data; 0 for strings (variable) and unknown codes.
const BITS: readonly number[] = [
  0, 32, 8, 8, 16, 16, 32, 64, 0, 8, 16, 64, 32, 64, 64, 128, 16, 8, 8, 8, 8, 4, 4, 4,
];

/** Lower-case name of an ONNX data type (`float`, `int64`, ...), or `type<N>` for an unknown code. */
export function dataTypeName(dataType: number): string {
  return NAMES[dataType] ?? `type${dataType}`;
}

/** Bits one element occupies in `raw_data` (4 for int4/uint4/float4), or 0 if variable or unknown. */
export function dataTypeBits(dataType: number): number {
  return BITS[dataType] ?? 0;
}

/** Bytes that `count` elements occupy in `raw_data` (sub-byte types round up). */
export function dataTypeByteLength(dataType: number, count: number): number {
  return Math.ceil((dataTypeBits(dataType) * count) / 8);
}
