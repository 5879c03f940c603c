import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { python } from './python.js';

/**
 * onnx.checker.check_model (Debian's python3-onnx) on each file; with `fullCheck`, strict type and
 * shape inference runs too (a float16 tensor fed where float32 is required fails it). Returns the
 * error per failing file.
 */
export function onnxCheck(
  paths: readonly string[],
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

/**
 * Writes each model to `dir` as `<name>.onnx` with `write` (onnx-parse's `writeModel`: this package
 * imports no @edge package, since their tests import it) and runs {@link onnxCheck} with `fullCheck`
 * on them together.
 */
export function checkModels<M>(
  dir: string,
  models: Readonly<Record<string, M>>,
  write: (model: M) => Uint8Array,
): Record<string, string> {
  const paths = Object.entries(models).map(([name, model]) => {
    const path = join(dir, `${name}.onnx`);
    writeFileSync(path, write(model));
    return path;
  });
  return onnxCheck(paths, { fullCheck: true });
}
