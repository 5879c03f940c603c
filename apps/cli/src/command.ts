import { type ParseArgsConfig, parseArgs } from 'node:util';

/** Where a command writes (process streams in the CLI, buffers in tests). */
export interface Io {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

/** One `edge` subcommand. */
export interface Command {
  name: string;
  usage: string;
  /** Runs the command; returns the exit code. */
  run(args: string[], io: Io): Promise<number> | number;
}

/** A bad flag or a missing argument: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}

/** `node:util` parseArgs with its errors turned into UsageErrors. */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as Record<string, string | boolean | string[] | undefined>, positionals };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
