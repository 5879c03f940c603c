import { expectError } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { ArgumentError, BYTES_PER_ELEMENT, DTYPES, type DType, isDType, Tensor } from '../src/index.js';

const expectArgumentError = (call: () => unknown, message: string) =>
  expectError(call, ArgumentError, message);

describe('dtypes', () => {
  it('lists every dtype with its byte size and storage', () => {
    expect(DTYPES).toEqual(['float32', 'float16', 'int8', 'uint8', 'int32', 'int64', 'bool']);
    expect(Object.isFrozen(DTYPES)).toBe(true);
    const storage: Record<DType, string> = {
      float32: 'Float32Array',
      float16: 'Uint16Array',
      int8: 'Int8Array',
      uint8: 'Uint8Array',
      int32: 'Int32Array',
      int64: 'BigInt64Array',
      bool: 'Uint8Array',
    };
    for (const dtype of DTYPES) {
      const tensor = Tensor.zeros(dtype, [2]);
      expect(tensor.data.constructor.name).toBe(storage[dtype]);
      expect(tensor.data.BYTES_PER_ELEMENT).toBe(BYTES_PER_ELEMENT[dtype]);
    }
    expect(isDType('float16')).toBe(true);
    expect(isDType('float64')).toBe(false);
    expect(isDType(undefined)).toBe(false);
  });
});

describe('Tensor', () => {
  it('wraps data without copying and reports dtype, shape and size', () => {
    const data = new Float32Array(6);
    const tensor = new Tensor('float32', [2, 3], data);
    expect(tensor.data).toBe(data);
    expect(tensor.dtype).toBe('float32');
    expect(tensor.shape).toEqual([2, 3]);
    expect(Object.isFrozen(tensor.shape)).toBe(true);
    expect(tensor.size).toBe(6);
    expect(String(tensor)).toBe('Tensor<float32>[2,3]');
    expect(Tensor.zeros('float32', [1, 3, 224, 224]).toString()).toBe('Tensor<float32>[1,3,224,224]');
  });

  it('copies the shape, so later changes to the caller’s array do not affect it', () => {
    const shape = [2, 2];
    const tensor = Tensor.zeros('uint8', shape);
    shape[0] = 4;
    expect(tensor.shape).toEqual([2, 2]);
  });

  it('handles scalars and empty tensors', () => {
    const scalar = Tensor.from('int32', [], [7]);
    expect(scalar.size).toBe(1);
    expect(scalar.toString()).toBe('Tensor<int32>[]');
    const empty = Tensor.zeros('float16', [0, 3]);
    expect(empty.size).toBe(0);
    expect(empty.data.length).toBe(0);
  });

  it('accepts a Buffer (a Uint8Array subclass) as uint8 data', () => {
    expect(new Tensor('uint8', [3], Buffer.from([1, 2, 3])).size).toBe(3);
  });

  it('from() converts values to each dtype', () => {
    expect([...Tensor.from('float32', [3], [0.1, 2n, -1]).data]).toEqual([Math.fround(0.1), 2, -1]);
    expect([...Tensor.from('float16', [3], [1, -2, 65520]).data]).toEqual([0x3c00, 0xc000, 0x7c00]);
    expect([...Tensor.from('float16', [2], new Float32Array([0.5, 1.5])).data]).toEqual([0x3800, 0x3e00]);
    expect([...Tensor.from('int8', [2], [-128, 127]).data]).toEqual([-128, 127]);
    expect([...Tensor.from('uint8', [2], [0, 255n]).data]).toEqual([0, 255]);
    expect([...Tensor.from('int32', [2], [-(2 ** 31), 2 ** 31 - 1]).data]).toEqual([-(2 ** 31), 2 ** 31 - 1]);
    expect([...Tensor.from('int64', [3], [2n ** 63n - 1n, -5, 2 ** 60]).data]).toEqual([
      2n ** 63n - 1n,
      -5n,
      2n ** 60n,
    ]);
    expect([...Tensor.from('bool', [2], [0, 1]).data]).toEqual([0, 1]);
  });

  it('from() copies a typed array of the storage type as is (float16: half bits) and never aliases it', () => {
    const bits = new Uint16Array([0x3c00, 0x7e00]);
    const tensor = Tensor.from('float16', [2], bits);
    expect([...tensor.data]).toEqual([0x3c00, 0x7e00]);
    expect(tensor.data).not.toBe(bits);
    const big = new BigInt64Array([1n, 2n]);
    expect(Tensor.from('int64', [2], big).data).not.toBe(big);
  });

  it('reshape() returns a view, inferring one -1', () => {
    const tensor = Tensor.from('float32', [2, 3], [1, 2, 3, 4, 5, 6]);
    const flat = tensor.reshape([-1]);
    expect(flat.shape).toEqual([6]);
    expect(flat.data).toBe(tensor.data);
    expect(tensor.reshape([3, -1, 1]).shape).toEqual([3, 2, 1]);
    expect(tensor.reshape([1, 6]).shape).toEqual([1, 6]);
    expect(Tensor.zeros('int8', [0, 4]).reshape([2, 0]).shape).toEqual([2, 0]);
    expect(Tensor.from('int8', [1], [5]).reshape([]).shape).toEqual([]);
  });

  it('toFloat32() converts every dtype to a new Float32Array', () => {
    const f32 = Tensor.from('float32', [2], [1.5, -2]);
    expect(f32.toFloat32()).toEqual(new Float32Array([1.5, -2]));
    expect(f32.toFloat32()).not.toBe(f32.data);
    expect(Tensor.from('float16', [3], new Uint16Array([0x3c00, 0x0001, 0xfc00])).toFloat32()).toEqual(
      new Float32Array([1, 2 ** -24, -Infinity]),
    );
    expect(Tensor.from('int8', [2], [-3, 4]).toFloat32()).toEqual(new Float32Array([-3, 4]));
    expect(Tensor.from('int64', [2], [-(2n ** 40n), 7n]).toFloat32()).toEqual(
      new Float32Array([-(2 ** 40), 7]),
    );
    expect(Tensor.from('bool', [2], [1, 0]).toFloat32()).toEqual(new Float32Array([1, 0]));
  });

  describe('validation', () => {
    it('BAD CALL - new Tensor with an unknown dtype', () => {
      expectArgumentError(
        () => new Tensor('float64' as DType, [1], new Float32Array(1)),
        'Expected one of "float32", "float16", "int8", "uint8", "int32", "int64", "bool" for dtype but received "float64" of type string',
      );
    });

    it('BAD CALL - new Tensor with a negative or fractional dimension', () => {
      expectArgumentError(
        () => new Tensor('float32', [2, -3], new Float32Array(6)),
        'Expected shape (array of non-negative integers) for shape but received [2, -3] of type object',
      );
      expectArgumentError(
        () => Tensor.zeros('float32', [1.5]),
        'Expected shape (array of non-negative integers) for shape but received [1.5] of type object',
      );
    });

    it('BAD CALL - new Tensor whose data length differs from the shape', () => {
      expectArgumentError(
        () => new Tensor('float32', [2, 3], new Float32Array(5)),
        'Expected 6 (the element count of shape [2,3]) for data.length but received 5 of type number',
      );
    });

    it('BAD CALL - new Tensor whose data is not the storage type of the dtype', () => {
      expectArgumentError(
        () => new Tensor('float16', [2], new Float32Array(2) as unknown as Uint16Array),
        'Expected Uint16Array (the storage of float16) for data but received Float32Array of type object',
      );
      expectArgumentError(
        () => new Tensor('int64', [2], [1n, 2n] as unknown as BigInt64Array),
        'Expected BigInt64Array (the storage of int64) for data but received [1n, 2n] of type object',
      );
    });

    it('BAD CALL - Tensor.from with a wrong length or non-array data', () => {
      expectArgumentError(
        () => Tensor.from('uint8', [2, 2], [1, 2, 3]),
        'Expected 4 (the element count of shape [2,2]) for data.length but received 3 of type number',
      );
      expectArgumentError(
        () => Tensor.from('uint8', [1], 5 as unknown as number[]),
        'Expected array or typed array for data but received 5 of type number',
      );
    });

    it('BAD CALL - Tensor.from with values that do not fit the dtype', () => {
      expectArgumentError(
        () => Tensor.from('int8', [2], [1, 300]),
        'Expected integer between -128 and 127 (int8) for data[1] but received 300 of type number',
      );
      expectArgumentError(
        () => Tensor.from('uint8', [1], new Float32Array([0.5])),
        'Expected integer between 0 and 255 (uint8) for data[0] but received 0.5 of type number',
      );
      expectArgumentError(
        () => Tensor.from('bool', [1], [2]),
        'Expected 0 or 1 (bool) for data[0] but received 2 of type number',
      );
      expectArgumentError(
        () => Tensor.from('bool', [1], new Uint8Array([7])),
        'Expected 0 or 1 (bool) for data[0] but received 7 of type number',
      );
      expectArgumentError(
        () => Tensor.from('int64', [1], [1.5]),
        'Expected integer between -(2^63) and 2^63 - 1 (int64) for data[0] but received 1.5 of type number',
      );
      expectArgumentError(
        () => Tensor.from('int64', [1], [2n ** 63n]),
        'Expected integer between -(2^63) and 2^63 - 1 (int64) for data[0] but received 9223372036854775808n of type bigint',
      );
      expectArgumentError(
        () => Tensor.from('float32', [2], [1, '2'] as unknown as number[]),
        'Expected number or bigint for data[1] but received "2" of type string',
      );
    });

    it('BAD CALL - reshape to another element count, two -1, or an uninferable -1', () => {
      const tensor = Tensor.zeros('float32', [2, 3]);
      expectArgumentError(
        () => tensor.reshape([4, 2]),
        'Expected shape with 6 elements (like [2,3]) for shape but received [4, 2] of type object',
      );
      expectArgumentError(
        () => tensor.reshape([4, -1]),
        'Expected shape with 6 elements (like [2,3]) for shape but received [4, -1] of type object',
      );
      expectArgumentError(
        () => tensor.reshape([-1, -1]),
        'Expected shape with at most one -1 for shape but received [-1, -1] of type object',
      );
      expectArgumentError(
        () => tensor.reshape([-2, 3]),
        'Expected shape (array of non-negative integers and at most one -1) for shape but received [-2, 3] of type object',
      );
      expectArgumentError(
        () => Tensor.zeros('float32', [0]).reshape([0, -1]),
        'Expected shape with no 0 beside its -1 for shape but received [0, -1] of type object',
      );
    });
  });
});
