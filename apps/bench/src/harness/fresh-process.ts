// Cold-start timing: a script run in a fresh Node process, which pays module loading and runs its
// code before V8 has compiled it, as every CLI call does. The script times what it measures
// itself and prints one JSON object; the wall time of the whole process comes with it.

import { spawn } from 'node:child_process';

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
export function runFreshProcess<T>(
  script: string,
  args: readonly string[],
  options: FreshProcessOptions = {},
): Promise<FreshProcessResult<T>> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [...(options.nodeOptions ?? []), '-e', script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal,
      timeout: options.timeoutMs ?? 120_000,
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    child.on('error', reject);
    child.on('close', (code) => {
      const processMs = Number(process.hrtime.bigint() - start) / 1e6;
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        const tail = err.trim().split('\n').slice(-3).join(' | ');
        reject(new Error(`fresh process failed (exit ${code}): ${tail}`));
        return;
      }
      resolve({ value: JSON.parse(line) as T, processMs });
    });
  });
}
