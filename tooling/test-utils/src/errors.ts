import { expect } from 'vitest';

/**
 * Asserts that `call` throws an instance of `type` whose message is exactly `message` (a string) or
 * matches it (a RegExp); returns the error for further checks (its `code`, its `cause`).
 */
export function expectError<E extends Error>(
  call: () => unknown,
  type: abstract new (...args: never[]) => E,
  message: string | RegExp,
): E {
  let caught: unknown;
  try {
    call();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(type);
  if (typeof message === 'string') expect((caught as E).message).toBe(message);
  else expect((caught as E).message).toMatch(message);
  return caught as E;
}
