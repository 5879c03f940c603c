import { describe, expect, it } from 'vitest';
import { expectError } from '../src/index.js';

class CodedError extends Error {
  readonly code = 'E_CODED';
}

describe('expectError', () => {
  it('returns the error of the right class with the exact message or a matching one', () => {
    const e = expectError(
      () => {
        throw new CodedError('width must be positive');
      },
      CodedError,
      'width must be positive',
    );
    expect(e.code).toBe('E_CODED');
    expectError(
      () => {
        throw new CodedError('width must be positive');
      },
      CodedError,
      /must be/,
    );
  });

  it('EXPECTED FAILURE - no throw, another class or another message fails the assertion', () => {
    expect(() => expectError(() => 1, CodedError, 'x')).toThrow(/to be an instance of CodedError/);
    expect(() =>
      expectError(
        () => {
          throw new TypeError('x');
        },
        CodedError,
        'x',
      ),
    ).toThrow(/to be an instance of CodedError/);
    expect(() =>
      expectError(
        () => {
          throw new CodedError('y');
        },
        CodedError,
        'x',
      ),
    ).toThrow(/expected 'y' to be 'x'/);
  });
});
