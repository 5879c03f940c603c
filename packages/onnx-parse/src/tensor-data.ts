// Turning a TensorProto's payload (raw_data, typed fields, or external data) into element values,
// on request only, and making TensorProtos from arrays.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ArgumentError, FileIOError, ModelParseError } from '@edge/core';
import { DataType, dataTypeByteLength, dataTypeName } from './data-type.js';
import type { ByteRange, ByteSource, TensorProto } from './types.js';
import { decodePackedVarints } from './wire.js';

/** Typed arrays a tensor's values come back as. */
export type TensorValues =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** A {@link ByteSource} over bytes already in memory; `read` returns views, never copies. */
export function memorySource(bytes: Uint8Array, label = '<bytes>'): ByteSource {
  return {
    label,
    length: bytes.length,
    read(offset: number, length: number): Uint8Array {
      if (offset < 0 || length < 0 || offset + length > bytes.length) {
        throw new ArgumentError(
          `Expected a range inside ${label} (${bytes.length} bytes) but received [${offset}, ${offset + length})`,
        );
      }
      return bytes.subarray(offset, offset + length);
    },
  };
}

/** Reads the bytes of a range (a view where the source is in memory). */
export function readRange(range: ByteRange): Uint8Array {
  return range.source.read(range.offset, range.length);
}

/** Number of elements of a tensor: the product of its dims (1 for a scalar). */
export function tensorElementCount(tensor: TensorProto): number {
  let n = 1;
  for (const d of tensor.dims) n *= d;
  return n;
}

/** Bytes of the payload as stored (raw or external), without reading it; typed fields are estimated by their element count. */
export function tensorPayloadLength(tensor: TensorProto): number {
  if (tensor.rawData) return tensor.rawData.length;
  if (tensor.external)
    return tensor.external.length ?? dataTypeByteLength(tensor.dataType, tensorElementCount(tensor));
  return dataTypeByteLength(tensor.dataType, tensorElementCount(tensor));
}

interface ArrayCtor {
  new (n: number): TensorValues;
  readonly BYTES_PER_ELEMENT: number;
}

const ARRAY_OF: Record<number, ArrayCtor> = {
  [DataType.FLOAT]: Float32Array,
  [DataType.UINT8]: Uint8Array,
  [DataType.INT8]: Int8Array,
  [DataType.UINT16]: Uint16Array,
  [DataType.INT16]: Int16Array,
  [DataType.INT32]: Int32Array,
  [DataType.INT64]: BigInt64Array,
  [DataType.BOOL]: Uint8Array,
  [DataType.FLOAT16]: Uint16Array,
  [DataType.DOUBLE]: Float64Array,
  [DataType.UINT32]: Uint32Array,
  [DataType.UINT64]: BigUint64Array,
  [DataType.BFLOAT16]: Uint16Array,
  [DataType.FLOAT8E4M3FN]: Uint8Array,
  [DataType.FLOAT8E4M3FNUZ]: Uint8Array,
  [DataType.FLOAT8E5M2]: Uint8Array,
  [DataType.FLOAT8E5M2FNUZ]: Uint8Array,
  [DataType.COMPLEX64]: Float32Array,
  [DataType.COMPLEX128]: Float64Array,
};

/**
 * Little-endian element bytes of a tensor, as `raw_data` would hold them. A view when the payload is
 * raw data of an in-memory model; read from the file when the model was read from a path.
 *
 * @throws ModelParseError when the payload length does not match the dims and data type.
 * @throws UnsafePathError / FileIOError for external data that cannot be read safely.
 */
export function tensorBytes(tensor: TensorProto): Uint8Array {
  const expected =
    tensor.dataType === DataType.STRING
      ? -1
      : dataTypeByteLength(tensor.dataType, tensorElementCount(tensor));
  let bytes: Uint8Array;
  if (tensor.dataLocation === 1) {
    bytes = readExternal(tensor);
  } else if (tensor.rawData) {
    bytes = readRange(tensor.rawData);
  } else {
    const values = tensorValues(tensor);
    bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  }
  if (expected >= 0 && bytes.length !== expected) {
    throw new ModelParseError(
      `tensor '${tensor.name}' holds ${bytes.length} bytes but ${dataTypeName(tensor.dataType)}[${tensor.dims.join(',')}] needs ${expected}`,
      {
        source: tensor.rawData?.source.label ?? '<tensor>',
        offset: tensor.rawData?.offset ?? 0,
        fieldPath: 'TensorProto.raw_data',
      },
    );
  }
  return bytes;
}

/**
 * The values of a numeric tensor as a typed array (float16/bfloat16 as their Uint16 bits; int4 packed
 * two per byte). Copies only when the stored bytes are not aligned for the array type.
 *
 * @throws ArgumentError for string tensors (use {@link tensorStrings}).
 */
export function tensorValues(tensor: TensorProto): TensorValues {
  const Ctor = ARRAY_OF[tensor.dataType];
  const subByte =
    tensor.dataType === DataType.INT4 ||
    tensor.dataType === DataType.UINT4 ||
    tensor.dataType === DataType.FLOAT4E2M1;
  if (!Ctor && !subByte) {
    throw new ArgumentError(
      `Expected a numeric tensor for '${tensor.name}' but received data type ${dataTypeName(tensor.dataType)}`,
    );
  }
  const C = Ctor ?? Uint8Array;
  if (tensor.dataLocation === 1 || tensor.rawData) {
    const bytes = tensorBytes(tensor);
    const size = C.BYTES_PER_ELEMENT;
    // new Uint8Array(view) copies; Buffer#slice would not (it returns a view).
    const aligned = bytes.byteOffset % size === 0 ? bytes : new Uint8Array(bytes);
    return new (C as unknown as new (b: ArrayBufferLike, o: number, n: number) => TensorValues)(
      aligned.buffer,
      aligned.byteOffset,
      aligned.length / size,
    );
  }
  return decodeTypedFields(tensor, C, subByte);
}

/** The values of a STRING tensor (from `string_data`), decoded as UTF-8. */
export function tensorStrings(tensor: TensorProto): string[] {
  const dec = new TextDecoder();
  return tensor.typedData.filter((c) => c.field === 6).map((c) => dec.decode(readRange(c.range)));
}

function decodeTypedFields(tensor: TensorProto, C: ArrayCtor, subByte: boolean): TensorValues {
  // Count first so the output is allocated once, at the size the file justifies.
  let count = 0;
  const chunks = tensor.typedData.filter((c) => c.field !== 6);
  for (const c of chunks) count += chunkCount(c.field, c.packed, c.range.length, readRange(c.range));
  const out = new C(count);
  let at = 0;
  for (const c of chunks) {
    const bytes = readRange(c.range);
    if (c.field === 4 || c.field === 10) {
      const size = c.field === 4 ? 4 : 8;
      const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let k = 0; k + size <= bytes.length; k += size) {
        const v = size === 4 ? dv.getFloat32(k, true) : dv.getFloat64(k, true);
        (out as Float32Array)[at++] = v;
      }
    } else {
      const big = out instanceof BigInt64Array || out instanceof BigUint64Array;
      decodePackedVarints(
        bytes,
        (v) => {
          if (big) (out as BigInt64Array)[at++] = v as unknown as bigint;
          else (out as Int32Array)[at++] = Number(BigInt.asIntN(32, v));
        },
        c.range.source.label,
        c.range.offset,
        `TensorProto(${tensor.name}).${FIELD_NAMES[c.field]}`,
      );
    }
  }
  if (subByte) {
    // int32_data holds one sub-byte element per entry; pack two per byte as raw_data does.
    const packed = new Uint8Array(Math.ceil(out.length / 2));
    for (let k = 0; k < out.length; k++) {
      const v = Number(out[k]) & 0x0f;
      packed[k >> 1]! |= k & 1 ? v << 4 : v;
    }
    return packed;
  }
  return out;
}

const FIELD_NAMES: Record<number, string> = {
  4: 'float_data',
  5: 'int32_data',
  6: 'string_data',
  7: 'int64_data',
  10: 'double_data',
  11: 'uint64_data',
};

function chunkCount(field: number, packed: boolean, length: number, bytes: Uint8Array): number {
  if (field === 4) return packed ? length >> 2 : 1;
  if (field === 10) return packed ? length >> 3 : 1;
  if (!packed) return 1;
  let n = 0;
  for (let k = 0; k < bytes.length; k++) if (bytes[k]! < 0x80) n++;
  return n;
}

function readExternal(tensor: TensorProto): Uint8Array {
  const ext = tensor.external;
  if (!ext) {
    throw new FileIOError(
      `tensor '${tensor.name}' keeps its data in an external file, but the model was read from bytes without a base folder (pass { baseDir } to readModel)`,
      tensor.externalData.find((e) => e.key === 'location')?.value ?? '<unknown>',
    );
  }
  const fail = (why: string, cause?: unknown): never => {
    throw new FileIOError(`external data '${ext.location}' of tensor '${tensor.name}': ${why}`, ext.path, {
      cause,
    });
  };
  let fd: number;
  try {
    fd = openSync(ext.path, 'r');
  } catch (cause) {
    return fail('cannot be opened', cause);
  }
  try {
    const size = fstatSync(fd).size;
    const length = ext.length ?? size - ext.offset;
    if (ext.offset + length > size)
      fail(`the file has ${size} bytes; expected at least ${ext.offset + length}`);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const got = readSync(fd, out, done, length - done, ext.offset + done);
      if (got === 0) fail('the file ended early');
      done += got;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/**
 * Makes a TensorProto holding `values` as raw data (no copy: the tensor views the array).
 *
 * @throws ArgumentError when the number of values does not match `dims`.
 */
export function tensorFromArray(
  name: string,
  dataType: number,
  dims: readonly number[],
  values: TensorValues,
): TensorProto {
  let count = 1;
  for (const d of dims) count *= d;
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const expected = dataTypeByteLength(dataType, count);
  if (bytes.length !== expected) {
    throw new ArgumentError(
      `Expected ${expected} bytes of ${dataTypeName(dataType)} for tensor '${name}' of shape [${dims.join(',')}] but received ${bytes.length}`,
    );
  }
  return {
    name,
    dataType,
    dims: [...dims],
    docString: '',
    rawData: { source: memorySource(bytes), offset: 0, length: bytes.length },
    typedData: [],
    dataLocation: 0,
    externalData: [],
    metadataProps: [],
  };
}
