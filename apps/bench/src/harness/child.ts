// A child process run to its end with its output collected: the python baselines and the
// fresh-process timings both run a script that prints one JSON object as its last line.

import { spawn } from 'node:child_process';

/** How a child process ended. */
export interface ChildRun {
  /** Exit code; null when a signal (the timeout, an abort) ended it. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** From spawning to the close of its output, in milliseconds. */
  ms: number;
}

/**
 * Runs `command args...` without stdin and collects its output until it closes.
 *
 * @throws Error (from spawn, with `code` `ENOENT` for a missing command) when it cannot start.
 */
export function runChild(
  command: string,
  args: readonly string[],
  options: { signal?: AbortSignal | undefined; timeoutMs: number },
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal,
      timeout: options.timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr, ms: Number(process.hrtime.bigint() - start) / 1e6 });
    });
  });
}

/** The last line of a child's output, where the scripts print their JSON. */
export function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}

/** The last `count` lines of a child's stderr on one line, for an error message. */
export function tail(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join(' | ');
}
