import { expectError } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  checkBoolean,
  checkInteger,
  checkNumber,
  checkOneOf,
  checkPositiveInteger,
  checkShape,
  checkString,
  describeValue,
  invalidArgument,
} from '../src/index.js';

/** Asserts that `call` throws an ArgumentError with exactly `message`. */
const expectArgumentError = (call: () => unknown, message: string): void =>
  expect(expectError(call, ArgumentError, message).code).toBe('EDGE_ARGUMENT');

describe('argument checks accept valid values and return them', () => {
  it('returns the value', () => {
    expect(checkInteger('n', -5)).toBe(-5);
    expect(checkInteger('n', 0, { min: 0, max: 255 })).toBe(0);
    expect(checkInteger('n', 255, { min: 0, max: 255 })).toBe(255);
    expect(checkPositiveInteger('width', 1)).toBe(1);
    expect(checkPositiveInteger('width', 640, { max: 640 })).toBe(640);
    expect(checkNumber('alpha', 0.5, { min: 0, max: 1 })).toBe(0.5);
    expect(checkNumber('x', -1e300)).toBe(-1e300);
    expect(checkString('name', '')).toBe('');
    expect(checkString('path', 'a.onnx', { nonEmpty: true })).toBe('a.onnx');
    expect(checkBoolean('flag', false)).toBe(false);
    const shape = [1, 3, 0, 224];
    expect(checkShape('shape', shape)).toBe(shape);
    expect(checkShape('shape', [])).toEqual([]);
  });

  it('checkOneOf narrows to the allowed literal type', () => {
    const fit: 'cover' | 'contain' = checkOneOf('fit', 'cover' as unknown, ['cover', 'contain']);
    expect(fit).toBe('cover');
    expect(checkOneOf('bits', 8, [8, 16] as const)).toBe(8);
  });
});

describe('argument checks reject with one message format', () => {
  it('BAD CALL - checkPositiveInteger with a negative number', () => {
    expectArgumentError(
      () => checkPositiveInteger('width', -3),
      'Expected positive integer for width but received -3 of type number',
    );
  });

  it('BAD CALL - checkPositiveInteger with zero, a fraction, a string and above max', () => {
    expectArgumentError(
      () => checkPositiveInteger('width', 0),
      'Expected positive integer for width but received 0 of type number',
    );
    expectArgumentError(
      () => checkPositiveInteger('width', 1.5),
      'Expected positive integer for width but received 1.5 of type number',
    );
    expectArgumentError(
      () => checkPositiveInteger('width', '3'),
      'Expected positive integer for width but received "3" of type string',
    );
    expectArgumentError(
      () => checkPositiveInteger('batch', 65, { max: 64 }),
      'Expected positive integer of at most 64 for batch but received 65 of type number',
    );
  });

  it('BAD CALL - checkInteger out of range or not an integer', () => {
    expectArgumentError(
      () => checkInteger('level', 300, { min: 0, max: 255 }),
      'Expected integer between 0 and 255 for level but received 300 of type number',
    );
    expectArgumentError(
      () => checkInteger('axis', -1, { min: 0 }),
      'Expected integer of at least 0 for axis but received -1 of type number',
    );
    expectArgumentError(
      () => checkInteger('axis', 9, { max: 3 }),
      'Expected integer of at most 3 for axis but received 9 of type number',
    );
    expectArgumentError(
      () => checkInteger('n', Number.NaN),
      'Expected integer for n but received NaN of type number',
    );
    expectArgumentError(() => checkInteger('n', 3n), 'Expected integer for n but received 3n of type bigint');
  });

  it('BAD CALL - checkNumber with NaN, Infinity, out of range, undefined', () => {
    expectArgumentError(
      () => checkNumber('alpha', Number.NaN, { min: 0, max: 1 }),
      'Expected finite number between 0 and 1 for alpha but received NaN of type number',
    );
    expectArgumentError(
      () => checkNumber('scale', Infinity),
      'Expected finite number for scale but received Infinity of type number',
    );
    expectArgumentError(
      () => checkNumber('std', -0, { min: 1e-6 }),
      'Expected finite number of at least 0.000001 for std but received -0 of type number',
    );
    expectArgumentError(
      () => checkNumber('x', undefined),
      'Expected finite number for x but received undefined of type undefined',
    );
  });

  it('BAD CALL - checkOneOf with a value that is not allowed', () => {
    expectArgumentError(
      () => checkOneOf('fit', 'fill', ['cover', 'contain']),
      'Expected one of "cover", "contain" for fit but received "fill" of type string',
    );
    expectArgumentError(
      () => checkOneOf('bits', 4, [8, 16]),
      'Expected one of 8, 16 for bits but received 4 of type number',
    );
  });

  it('BAD CALL - checkString and checkBoolean with wrong types', () => {
    expectArgumentError(
      () => checkString('name', 42),
      'Expected string for name but received 42 of type number',
    );
    expectArgumentError(
      () => checkString('path', '', { nonEmpty: true }),
      'Expected non-empty string for path but received "" of type string',
    );
    expectArgumentError(
      () => checkBoolean('fastMode', 1),
      'Expected boolean for fastMode but received 1 of type number',
    );
    expectArgumentError(
      () => checkBoolean('fastMode', null),
      'Expected boolean for fastMode but received null of type object',
    );
  });

  it('BAD CALL - checkShape with negative, fractional, non-array and overflowing shapes', () => {
    const expected = 'Expected shape (array of non-negative integers) for shape but received';
    expectArgumentError(() => checkShape('shape', [1, -3]), `${expected} [1, -3] of type object`);
    expectArgumentError(() => checkShape('shape', [2.5]), `${expected} [2.5] of type object`);
    expectArgumentError(() => checkShape('shape', ['1', 2]), `${expected} ["1", 2] of type object`);
    expectArgumentError(
      () => checkShape('shape', new Int32Array([1, 2])),
      `${expected} Int32Array of type object`,
    );
    expectArgumentError(
      () => checkShape('dims', 3),
      'Expected shape (array of non-negative integers) for dims but received 3 of type number',
    );
    // biome-ignore lint/suspicious/noSparseArray: a hole is what this case checks
    expectArgumentError(() => checkShape('shape', [1, , 2]), `${expected} [1, undefined, 2] of type object`);
    expectArgumentError(
      () => checkShape('shape', [2 ** 30, 2 ** 30]),
      'Expected shape with at most 2^53 - 1 elements for shape but received [1073741824, 1073741824] of type object',
    );
  });

  it('invalidArgument builds the same format for custom checks', () => {
    const error = invalidArgument('options.mean[2]', 'x', 'finite number');
    expect(error).toBeInstanceOf(ArgumentError);
    expect(error.message).toBe('Expected finite number for options.mean[2] but received "x" of type string');
  });
});

describe('describeValue renders received values readably', () => {
  it('renders each kind of value', () => {
    class Session {}
    expect(describeValue('abc')).toBe('"abc"');
    expect(describeValue('a'.repeat(50))).toBe(`"${'a'.repeat(40)}…"`);
    expect(describeValue(-0)).toBe('-0');
    expect(describeValue(12n)).toBe('12n');
    expect(describeValue(true)).toBe('true');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(Symbol('s'))).toBe('Symbol(s)');
    expect(describeValue(function load() {})).toBe('function load');
    expect(describeValue([1, 'a', [2, 3], { x: 1 }])).toBe('[1, "a", Array(2), Object]');
    expect(describeValue(Array.from({ length: 12 }, (_, i) => i))).toBe('[0, 1, 2, 3, 4, 5, 6, 7, … 4 more]');
    expect(describeValue({ a: 1 })).toBe('Object');
    expect(describeValue(new Session())).toBe('Session');
    expect(describeValue(new Float32Array(3))).toBe('Float32Array');
    expect(describeValue(Object.create(null))).toBe('Object with null prototype');
    expect(describeValue(new Map())).toBe('Map');
  });
});
