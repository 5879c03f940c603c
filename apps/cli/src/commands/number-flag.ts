// A number given with a flag, read the same way by every command that takes one.

import { UsageError } from '../command.js';

/**
 * The number a flag gives, or undefined when the flag is absent.
 *
 * @throws UsageError when it is not a finite number or, with `integer`, not a positive integer.
 */
export function numberFlag(flag: string, text: unknown, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (String(text).trim() === '' || !Number.isFinite(v) || (integer && (!Number.isInteger(v) || v < 1))) {
    throw new UsageError(`${flag} expects ${integer ? 'a positive integer' : 'a number'}, got '${text}'`);
  }
  return v;
}
