// MediaPipe's models from their npm packages (dev dependencies). The face mesh package ships its
// landmark model only inside the solution's packed assets; the loader script beside them lists
// each file's byte range, which is read here rather than copied.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const folder = (pkg: string) => dirname(require.resolve(`${pkg}/package.json`));

/** MediaPipe's .tflite files by short name. */
export const MEDIAPIPE: Record<'faceShort' | 'faceFull' | 'hand', string> = {
  faceShort: join(folder('@mediapipe/face_detection'), 'face_detection_short_range.tflite'),
  faceFull: join(folder('@mediapipe/face_detection'), 'face_detection_full_range.tflite'),
  hand: join(folder('@mediapipe/hands'), 'hand_landmark_lite.tflite'),
};

/** face_landmark.tflite (468 points and a face flag) out of @mediapipe/face_mesh's packed assets. */
export function faceMeshModel(): Uint8Array {
  const dir = folder('@mediapipe/face_mesh');
  const loader = readFileSync(join(dir, 'face_mesh_solution_packed_assets_loader.js'), 'utf8');
  const m = /"filename":\s*"[^"]*\/face_landmark\.tflite",\s*"start":\s*(\d+),\s*"end":\s*(\d+)/.exec(loader);
  if (m === null) throw new Error('face_landmark.tflite is not listed in the face_mesh loader');
  const data = readFileSync(join(dir, 'face_mesh_solution_packed_assets.data'));
  return new Uint8Array(data.subarray(Number(m[1]), Number(m[2])));
}
