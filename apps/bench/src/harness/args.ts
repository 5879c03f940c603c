// Command line: `edge-bench <name> [--model <path>] [--json] [--runs <n>] [--warmup <n>]`.

import { ArgumentError } from '@edge/core';

/** The parsed command line. */
export interface CliArgs {
  /** Name of the benchmark to run; undefined only with `help`. */
  benchmark?: string;
  modelPath?: string;
  json: boolean;
  runs?: number;
  warmup?: number;
  help: boolean;
}

/** One line of usage, shown in errors and `--help`. */
export const USAGE = 'usage: pnpm bench <name> [--model <path>] [--json] [--runs <n>] [--warmup <n>]';

/**
 * Parses the arguments after the command name. `names` are the registered benchmarks; an unknown
 * one is an error here, so the message can list them.
 *
 * @throws ArgumentError (one line, naming the bad argument and listing the benchmarks) for an
 * unknown benchmark or option, a missing option value, or a count that is not a positive integer.
 */
export function parseArgs(argv: readonly string[], names: readonly string[]): CliArgs {
  const available = `available: ${names.join(', ')}`;
  function fail(what: string): never {
    throw new ArgumentError(`${what}; ${USAGE}; ${available}`);
  }
  const out: CliArgs = { json: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) fail(`option ${flag} expects a value`);
      return v;
    };
    const count = (min: number): number => {
      const v = value();
      const n = Number(v);
      if (!/^\d+$/.test(v) || n < min)
        fail(`Expected ${min === 0 ? 'non-negative' : 'positive'} integer for ${flag} but received '${v}'`);
      return n;
    };
    switch (flag) {
      case '--json':
        if (eq > 0) fail('option --json takes no value');
        out.json = true;
        break;
      case '--model': {
        const v = value();
        if (v === '') fail('option --model expects a path');
        out.modelPath = v;
        break;
      }
      case '--runs':
        out.runs = count(1);
        break;
      case '--warmup':
        out.warmup = count(0);
        break;
      case '--help':
      case '-h':
        out.help = true;
        break;
      default:
        if (arg.startsWith('-')) fail(`unknown option '${arg}'`);
        if (out.benchmark !== undefined)
          fail(`one benchmark at a time (got '${out.benchmark}' and '${arg}')`);
        if (!names.includes(arg)) fail(`unknown benchmark '${arg}'`);
        out.benchmark = arg;
    }
  }
  if (out.benchmark === undefined && !out.help) fail('no benchmark named');
  return out;
}
