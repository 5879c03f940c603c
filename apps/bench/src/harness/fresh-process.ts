// Cold-start timing: a script run in a fresh Node process, which pays module loading and runs its
// code before V8 has compiled it, as every CLI call does. The script times what it measures
// itself and prints one JSON object; the wall time of the whole process comes with it.

import { lastLine, runChild, tail } from './child.js';

/** What {@link runFreshProcess} returns: the script's JSON and the process's wall time. */
export interface FreshProcessResult<T> {
  value: T;
  /** From spawning the process to its exit, in milliseconds (Node's own start-up included). */
  processMs: number;
}

/** Options of {@link runFreshProcess}. */
export interface FreshProcessOptions {
  /** Options for node itself, before `-e` (e.g. `--expose-gc`). */
  nodeOptions?: readonly string[];
  signal?: AbortSignal;
  /** Default 120 000. */
  timeoutMs?: number;
}

/**
 * Runs `script` (CommonJS, `node -e script args...`) in a fresh process and returns the JSON
 * object it printed as its last line of stdout.
 *
 * @throws Error when the process fails or prints no JSON (with the end of its stderr).
 */
export async function runFreshProcess<T>(
  script: string,
  args: readonly string[],
  options: FreshProcessOptions = {},
): Promise<FreshProcessResult<T>> {
  const run = await runChild(process.execPath, [...(options.nodeOptions ?? []), '-e', script, ...args], {
    signal: options.signal,
    timeoutMs: options.timeoutMs ?? 120_000,
  });
  const line = lastLine(run.stdout);
  if (run.code !== 0 || !line.startsWith('{'))
    throw new Error(`fresh process failed (exit ${run.code}): ${tail(run.stderr, 3)}`);
  return { value: JSON.parse(line) as T, processMs: run.ms };
}
