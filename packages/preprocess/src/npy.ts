// numpy's .npy format (version 1.0/2.0/3.0, little-endian, C order), for the tensors the CLI
// writes and reads: a user holds them against their training pipeline with numpy.load.

import { ArgumentError, type DType, invalidArgument, Tensor } from '@edge/core';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const DESCR: Readonly<Record<DType, string>> = {
  float32: '<f4',
  float16: '<f2',
  int8: '|i1',
  uint8: '|u1',
  int32: '<i4',
  int64: '<i8',
  bool: '|b1',
};

/**
 * Encodes a tensor as a numpy `.npy` file (format 1.0, little-endian, C order).
 *
 * @returns The file's bytes.
 */
export function encodeNpy(tensor: Tensor): Uint8Array {
  const shape = tensor.shape.length === 1 ? `(${tensor.shape[0]},)` : `(${tensor.shape.join(', ')})`;
  let header = `{'descr': '${DESCR[tensor.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad with spaces so that magic (6) + version (2) + length (2) + header + '\n' is a multiple of 64.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = `${header.padEnd(total - 10 - 1, ' ')}\n`;
  const data = tensor.data;
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(total + bytes.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  out.set(new TextEncoder().encode(header), 10);
  out.set(bytes, total);
  return out;
}

/**
 * Decodes a numpy `.npy` file into a tensor (a copy of its data).
 *
 * Accepts little-endian (or byte-sized) float32, float16, int8, uint8, int32, int64 and bool
 * arrays in C order; float64 arrays are narrowed to float32.
 *
 * @param label - How to name the input in errors (a path).
 * @throws {@link ArgumentError} when the bytes are not an .npy file this function reads.
 */
export function decodeNpy(bytes: Uint8Array, label = '<npy>'): Tensor {
  const bad = (why: string) => new ArgumentError(`${label}: not a readable .npy file: ${why}`);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw bad('missing the \\x93NUMPY magic');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let start: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw bad('truncated header');
    headerLength = view.getUint32(8, true);
    start = 12;
  } else {
    throw bad(`unknown format version ${major}`);
  }
  if (start + headerLength > bytes.length) throw bad('truncated header');
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw bad('malformed header');
  if (fortran === 'True') throw bad('Fortran order is not supported (save a C-order array)');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw bad(`bad shape (${shapeText})`);
  const count = shape.reduce((a, b) => a * b, 1);
  const body = bytes.subarray(start + headerLength);
  const types: Record<string, [DType | 'float64', number]> = {
    '<f4': ['float32', 4],
    '<f2': ['float16', 2],
    '<f8': ['float64', 8],
    '|i1': ['int8', 1],
    '|u1': ['uint8', 1],
    '<i4': ['int32', 4],
    '<i8': ['int64', 8],
    '|b1': ['bool', 1],
  };
  const type = types[descr];
  if (type === undefined)
    throw bad(`unsupported dtype '${descr}' (expected one of ${Object.keys(types).join(', ')})`);
  const [dtype, size] = type;
  if (body.length < count * size)
    throw bad(`truncated data (${body.length} bytes for ${count} elements of ${size})`);
  // A fresh, aligned copy (a Buffer's slice() would be a view into Node's shared pool).
  const copy = new Uint8Array(count * size);
  copy.set(body.subarray(0, count * size));
  switch (dtype) {
    case 'float32':
      return new Tensor('float32', shape, new Float32Array(copy.buffer));
    case 'float64':
      return new Tensor('float32', shape, Float32Array.from(new Float64Array(copy.buffer)));
    case 'float16':
      return new Tensor('float16', shape, new Uint16Array(copy.buffer));
    case 'int8':
      return new Tensor('int8', shape, new Int8Array(copy.buffer));
    case 'uint8':
      return new Tensor('uint8', shape, copy);
    case 'int32':
      return new Tensor('int32', shape, new Int32Array(copy.buffer));
    case 'int64':
      return new Tensor('int64', shape, new BigInt64Array(copy.buffer));
    case 'bool':
      if (copy.some((b) => b > 1)) throw invalidArgument(`${label} data`, 'bool values', '0 or 1');
      return new Tensor('bool', shape, copy);
  }
}
