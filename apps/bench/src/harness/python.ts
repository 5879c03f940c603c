// Python baselines run with Debian's interpreter, which has python3-onnx and numpy (installed by
// scripts/test-data.sh). The `python3` first on PATH may be another interpreter without them.

import { type ChildRun, lastLine, runChild, tail } from './child.js';

/** Debian's python3: the one python3-onnx installs into. */
export const DEBIAN_PYTHON = '/usr/bin/python3';

/** Environment variable that points the harness at another interpreter (e.g. a venv with onnx). */
export const PYTHON_ENV = 'EDGE_BENCH_PYTHON';

/** The interpreter baselines run with: `$EDGE_BENCH_PYTHON`, else {@link DEBIAN_PYTHON}. */
export function pythonInterpreter(env: Readonly<Record<string, string | undefined>>): string {
  return env[PYTHON_ENV] || DEBIAN_PYTHON;
}

/** Result of {@link runPython}: the JSON the script printed, or why there is none. */
export type PythonOutcome<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Options of {@link runPython}. */
export interface RunPythonOptions {
  /** Interpreter; default {@link DEBIAN_PYTHON}. */
  python?: string;
  signal?: AbortSignal;
  /** Default 300 000. */
  timeoutMs?: number;
}

/**
 * Runs a python script (`python -c script args...`) that prints one JSON object as its last line of
 * stdout. A script reports a missing module by printing `{"error": "..."}`. Never throws for a
 * missing interpreter or module: a benchmark then reports its own figures without this baseline.
 */
export async function runPython<T>(
  script: string,
  args: string[],
  options: RunPythonOptions = {},
): Promise<PythonOutcome<T>> {
  const python = options.python ?? DEBIAN_PYTHON;
  let run: ChildRun;
  try {
    run = await runChild(python, ['-c', script, ...args], {
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? 300_000,
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? `${python} not found` : `${python} could not run: ${(e as Error).message}`;
    return { ok: false, reason: `${why} (install python3-onnx with scripts/test-data.sh)` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(lastLine(run.stdout));
  } catch {
    return {
      ok: false,
      reason: `${python} exited with ${run.code} without a result: ${tail(run.stderr, 2) || '(no output)'}`,
    };
  }
  const error = (parsed as { error?: unknown }).error;
  if (typeof error === 'string') return { ok: false, reason: `${python}: ${error}` };
  return { ok: true, value: parsed as T };
}
