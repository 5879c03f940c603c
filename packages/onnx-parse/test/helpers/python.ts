import { spawnSync } from 'node:child_process';
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

/** onnx.checker.check_model on each file; returns the error text per failing file. */
export function onnxCheck(paths: string[]): Record<string, string> {
  return python<Record<string, string>>(
    `
import json, sys, onnx
bad = {}
for p in json.load(sys.stdin):
    try:
        onnx.checker.check_model(onnx.load(p))
    except Exception as e:
        bad[p] = str(e)[:300]
print(json.dumps(bad))
`,
    [],
    JSON.stringify(paths),
  );
}
