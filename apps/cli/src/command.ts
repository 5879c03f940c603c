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

/** A command's flags by kind. */
export interface Flags {
  /** `--name VALUE` */
  readonly string?: readonly string[];
  /** `--name` alone */
  readonly boolean?: readonly string[];
  /** `--name VALUE`, repeatable: the values in order */
  readonly multiple?: readonly string[];
  /** one-letter aliases: `{ o: 'output' }` makes `-o` stand for `--output` */
  readonly short?: Readonly<Record<string, string>>;
}

/** `node:util` parseArgs over the flags of every group, with its errors turned into UsageErrors. */
export function parse(
  args: string[],
  ...groups: Flags[]
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const flags of groups) {
    for (const name of flags.string ?? []) options[name] = { type: 'string' };
    for (const name of flags.boolean ?? []) options[name] = { type: 'boolean' };
    for (const name of flags.multiple ?? []) options[name] = { type: 'string', multiple: true };
  }
  for (const flags of groups)
    for (const [letter, name] of Object.entries(flags.short ?? {})) options[name]!.short = letter;
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as Record<string, string | boolean | string[] | undefined>, positionals };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
