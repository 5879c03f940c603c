// The built CLI as a user runs it: `node dist/cli.js ...` in a child process.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI's entry point. */
export const CLI: string = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** What a run of the CLI gave back. */
export interface EdgeRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `edge ...args` to its end. Output up to 64 MiB is kept (HTML pages come on stdout). */
export function edge(...args: string[]): EdgeRun {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
