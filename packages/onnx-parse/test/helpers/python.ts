import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OnnxModel } from '../../src/types.js';
import { writeModel } from '../../src/writer.js';
import { PYTHON } from './paths.js';

/** Runs a python snippet with Debian's python3 (onnx, numpy); returns stdout parsed as JSON. */
export function python<T>(code: string, args: string[] = [], input?: string): T {
  const r = spawnSync(PYTHON, ['-c', code, ...args], {
    input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/**
 * onnx.checker.check_model on each file, with `full_check` (strict type and shape inference too)
 * when `fullCheck`; returns the error text per failing file.
 */
export function onnxCheck(
  paths: string[],
  { fullCheck = false }: { fullCheck?: boolean } = {},
): Record<string, string> {
  return python<Record<string, string>>(
    `
import json, sys, onnx
bad = {}
for p in json.load(sys.stdin):
    try:
        onnx.checker.check_model(onnx.load(p), full_check=${fullCheck ? 'True' : 'False'})
    except Exception as e:
        bad[p] = str(e)[:300]
print(json.dumps(bad))
`,
    [],
    JSON.stringify(paths),
  );
}

/** Writes each model to `dir` as `<name>.onnx` and runs {@link onnxCheck} with `full_check` on them together. */
export function checkModels(dir: string, models: Record<string, OnnxModel>): Record<string, string> {
  const paths = Object.entries(models).map(([name, m]) => {
    const path = join(dir, `${name}.onnx`);
    writeFileSync(path, writeModel(m));
    return path;
  });
  return onnxCheck(paths, { fullCheck: true });
}
