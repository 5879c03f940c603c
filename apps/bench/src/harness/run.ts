// The command: parse arguments, run one benchmark with progress on stderr, print the table or the
// JSON on stdout, and choose the exit code (0 ran, 1 failed, 2 bad usage, 130 cancelled).

import { formatTable, isEdgeError } from '@edge/core';
import { parseArgs, USAGE } from './args.js';
import { defaultOutDir } from './paths.js';
import { formatReport, jsonReport } from './report.js';
import type { BenchContext, Benchmark } from './types.js';

/** Where the command writes and what it may read; tests pass their own. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Default: `apps/bench/.bench-out`. */
  outDir?: string;
  /** Cancels the run (the CLI wires Ctrl-C to it). */
  signal?: AbortSignal;
  /** Default: `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Exit codes of {@link runCli}. */
export const ExitCode = { OK: 0, FAILED: 1, USAGE: 2, CANCELLED: 130 } as const;

/**
 * Runs the command line `argv` (without `node` and the script) against `benchmarks` and returns the
 * exit code. Never throws: every failure becomes one line on stderr and an exit code. Targets that
 * are not met do not change the exit code: a benchmark reports, it is not a test.
 */
export async function runCli(
  argv: readonly string[],
  benchmarks: readonly Benchmark[],
  io: CliIo,
): Promise<number> {
  const names = benchmarks.map((b) => b.name);
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv, names);
  } catch (e) {
    io.stderr.write(`edge-bench: ${(e as Error).message}\n`);
    return ExitCode.USAGE;
  }
  if (args.help) {
    const list = formatTable(
      benchmarks.map((b) => [b.name, b.description]),
      { indent: '  ' },
    );
    io.stdout.write(`${USAGE}\n\nbenchmarks:\n${list}\n`);
    return ExitCode.OK;
  }
  const bench = benchmarks.find((b) => b.name === args.benchmark)!;
  if (args.modelPath !== undefined && !bench.acceptsModel) {
    io.stderr.write(
      `edge-bench: benchmark '${bench.name}' takes no --model; ${USAGE}; available: ${names.join(', ')}\n`,
    );
    return ExitCode.USAGE;
  }
  const started = new Date();
  const t0 = performance.now();
  const ctx: BenchContext = {
    outDir: io.outDir ?? defaultOutDir(),
    repetitions: {
      warmup: args.warmup ?? bench.repetitions.warmup,
      runs: args.runs ?? bench.repetitions.runs,
    },
    progress: (message) =>
      io.stderr.write(`[${bench.name} ${((performance.now() - t0) / 1000).toFixed(1)}s] ${message}\n`),
    signal: io.signal ?? new AbortController().signal,
    env: io.env ?? process.env,
  };
  if (args.modelPath !== undefined) ctx.modelPath = args.modelPath;
  try {
    const result = await bench.run(ctx);
    const report = jsonReport(bench, result, started, performance.now() - t0);
    io.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return ExitCode.OK;
  } catch (e) {
    if (ctx.signal.aborted) {
      io.stderr.write(`edge-bench: ${bench.name} cancelled\n`);
      return ExitCode.CANCELLED;
    }
    const code = isEdgeError(e) ? ` [${e.code}]` : '';
    io.stderr.write(`edge-bench: ${bench.name} failed${code}: ${(e as Error).message}\n`);
    if (io.env?.EDGE_BENCH_DEBUG ?? process.env.EDGE_BENCH_DEBUG) io.stderr.write(`${(e as Error).stack}\n`);
    return ExitCode.FAILED;
  }
}
