// Argument checks for the JavaScript boundary, after sharp: each check is tiny, and every failure
// has the same sentence, "Expected <what> for <name> but received <value> of type <typeof>", so a
// user can tell from the message alone which argument was wrong and what would have been right.

import { ArgumentError } from './errors.js';

const MAX_ITEMS = 8;
const MAX_STRING = 40;

function renderString(value: string): string {
  const cut = value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  return JSON.stringify(cut);
}

function constructorName(value: object): string {
  try {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === null) return 'Object with null prototype';
    const ctor: unknown = (value as { constructor?: unknown }).constructor;
    if (typeof ctor === 'function' && ctor.name !== '') return ctor.name;
  } catch {
    // A revoked proxy or a throwing getter: fall through to the generic name.
  }
  return 'Object';
}

function render(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return renderString(value);
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return `${value}n`;
    case 'function':
      return value.name === '' ? 'function (anonymous)' : `function ${value.name}`;
    case 'symbol':
      return value.toString();
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        if (depth > 0) return `Array(${value.length})`;
        // Array.from, not map: a hole in a sparse array must show up, as undefined.
        const items = Array.from({ length: Math.min(value.length, MAX_ITEMS) }, (_, i) =>
          render(value[i], depth + 1),
        );
        if (value.length > MAX_ITEMS) items.push(`… ${value.length - MAX_ITEMS} more`);
        return `[${items.join(', ')}]`;
      }
      return constructorName(value);
    }
    default:
      // undefined, boolean
      return String(value);
  }
}

/**
 * Renders `value` for an error message: strings quoted (and cut after 40 characters), arrays as
 * `[1, 2, …]` (cut after 8 items), other objects as their constructor name.
 */
export function describeValue(value: unknown): string {
  return render(value, 0);
}

/**
 * Builds the one argument error message format of the SDK, for checks that the helpers here do
 * not cover: `Expected <expected> for <name> but received <value> of type <typeof>`.
 *
 * @param name - The argument, as the caller wrote it (`width`, `options.mean[2]`).
 * @param value - What was received.
 * @param expected - What would have been accepted (`positive integer`).
 * @returns The error, for the caller to throw.
 */
export function invalidArgument(name: string, value: unknown, expected: string): ArgumentError {
  return new ArgumentError(
    `Expected ${expected} for ${name} but received ${describeValue(value)} of type ${typeof value}`,
  );
}

/** Bounds accepted by {@link checkInteger} and {@link checkNumber}; both inclusive. */
export interface RangeOptions {
  /** Smallest accepted value. */
  min?: number;
  /** Largest accepted value. */
  max?: number;
}

function rangeText(options: RangeOptions): string {
  const { min, max } = options;
  if (min !== undefined && max !== undefined) return ` between ${min} and ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return '';
}

function inRange(value: number, options: RangeOptions): boolean {
  return (
    (options.min === undefined || value >= options.min) && (options.max === undefined || value <= options.max)
  );
}

/**
 * Checks that `value` is an integer, optionally within inclusive bounds.
 *
 * @returns `value`, typed as a number.
 * @throws {@link ArgumentError} `Expected integer between 0 and 255 for level but received 300 of type number`.
 */
export function checkInteger(name: string, value: unknown, options: RangeOptions = {}): number {
  if (typeof value === 'number' && Number.isInteger(value) && inRange(value, options)) return value;
  throw invalidArgument(name, value, `integer${rangeText(options)}`);
}

/**
 * Checks that `value` is an integer of at least 1, optionally at most `options.max`.
 *
 * @returns `value`, typed as a number.
 * @throws {@link ArgumentError} `Expected positive integer for width but received -3 of type number`.
 */
export function checkPositiveInteger(name: string, value: unknown, options: { max?: number } = {}): number {
  if (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= 1 &&
    (options.max === undefined || value <= options.max)
  ) {
    return value;
  }
  const suffix = options.max === undefined ? '' : ` of at most ${options.max}`;
  throw invalidArgument(name, value, `positive integer${suffix}`);
}

/**
 * Checks that `value` is a finite number (not NaN, not ±Infinity), optionally within inclusive bounds.
 *
 * @returns `value`, typed as a number.
 * @throws {@link ArgumentError} `Expected finite number between 0 and 1 for alpha but received NaN of type number`.
 */
export function checkNumber(name: string, value: unknown, options: RangeOptions = {}): number {
  if (typeof value === 'number' && Number.isFinite(value) && inRange(value, options)) return value;
  throw invalidArgument(name, value, `finite number${rangeText(options)}`);
}

/**
 * Checks that `value` is one of `allowed` (compared with `Array.prototype.includes`).
 *
 * @returns `value`, narrowed to the type of the allowed values.
 * @throws {@link ArgumentError} `Expected one of "cover", "contain" for fit but received "fill" of type string`.
 */
export function checkOneOf<const T>(name: string, value: unknown, allowed: readonly T[]): T {
  if ((allowed as readonly unknown[]).includes(value)) return value as T;
  throw invalidArgument(name, value, `one of ${allowed.map((item) => render(item, 1)).join(', ')}`);
}

/** Options of {@link checkString}. */
export interface StringOptions {
  /** Reject the empty string. */
  nonEmpty?: boolean;
}

/**
 * Checks that `value` is a string (non-empty when `options.nonEmpty`).
 *
 * @returns `value`, typed as a string.
 * @throws {@link ArgumentError} `Expected non-empty string for path but received "" of type string`.
 */
export function checkString(name: string, value: unknown, options: StringOptions = {}): string {
  if (typeof value === 'string' && !(options.nonEmpty === true && value === '')) return value;
  throw invalidArgument(name, value, options.nonEmpty === true ? 'non-empty string' : 'string');
}

/**
 * Checks that `value` is a boolean.
 *
 * @returns `value`, typed as a boolean.
 * @throws {@link ArgumentError} `Expected boolean for fastMode but received 1 of type number`.
 */
export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  throw invalidArgument(name, value, 'boolean');
}

/**
 * Checks that `value` is a tensor shape: an array of non-negative safe integers whose product is
 * also a safe integer. An empty array is the shape of a scalar.
 *
 * @returns `value` itself (not a copy), typed as a readonly number array.
 * @throws {@link ArgumentError} `Expected shape (array of non-negative integers) for shape but received [1, -3] of type object`.
 */
export function checkShape(name: string, value: unknown): readonly number[] {
  if (Array.isArray(value)) {
    let size = 1;
    let ok = true;
    for (const dim of value as unknown[]) {
      if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
        ok = false;
        break;
      }
      size *= dim;
    }
    if (ok) {
      if (Number.isSafeInteger(size)) return value as number[];
      throw invalidArgument(name, value, 'shape with at most 2^53 - 1 elements');
    }
  }
  throw invalidArgument(name, value, 'shape (array of non-negative integers)');
}
