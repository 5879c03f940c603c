// Debian's python3 (onnx, numpy, OpenCV, flatbuffers from apt): the independent reference many
// tests compare against. The python3 first on PATH may be another one without these modules.
import { spawnSync } from 'node:child_process';
import { MissingRequirementError, missingMessage, requirement } from './requirements.js';

/** Debian's python3. */
export const PYTHON = '/usr/bin/python3';

/** The requirement behind each Python module the tests import. */
const MODULES: Readonly<Record<string, string>> = {
  onnx: 'python-onnx',
  numpy: 'python-numpy',
  cv2: 'python-opencv',
  flatbuffers: 'python-flatbuffers',
};

/**
 * Runs Debian's python3 with `args` (a script and its arguments, or `-c` and code); returns stdout.
 *
 * @throws {@link MissingRequirementError} when python3 or a module it imports is missing, naming the
 * package that installs it; an Error with stderr for any other failure.
 */
export function runPython(args: readonly string[], input?: string | Uint8Array): Buffer {
  const r = spawnSync(PYTHON, args, { input, maxBuffer: 256 * 1024 * 1024 });
  if (r.error !== undefined) {
    throw new MissingRequirementError(
      `${PYTHON}: ${r.error.message}; ${missingMessage(requirement('python-numpy'))}`,
    );
  }
  if (r.status !== 0) {
    const stderr = r.stderr.toString();
    const module = /ModuleNotFoundError: No module named '([\w.]+)'/.exec(stderr)?.[1]?.split('.')[0];
    const id = module === undefined ? undefined : MODULES[module];
    if (id !== undefined) throw new MissingRequirementError(missingMessage(requirement(id)));
    throw new Error(`python failed (${r.status}): ${stderr}`);
  }
  return r.stdout;
}

/** Runs a python snippet; returns stdout parsed as JSON. */
export function python<T>(code: string, args: readonly string[] = [], input?: string): T {
  return JSON.parse(runPython(['-c', code, ...args], input).toString()) as T;
}
