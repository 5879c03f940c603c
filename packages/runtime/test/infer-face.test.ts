// Real-data proof of the face head: MediaPipe's short-range face detector (TFLite) through
// loadModel and the TFLite backend finds the one face in skimage's astronaut.png.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { type FaceDetectionResult, iou, loadModel } from '../src/index.js';

const require = createRequire(import.meta.url);
const MODEL = join(
  dirname(require.resolve('@edge/backends-tflite/package.json')),
  'node_modules/@mediapipe/face_detection/face_detection_short_range.tflite',
);
const ASTRONAUT = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../preprocess/test/fixtures/.cache/skimage-data/astronaut.png',
);
// The face in astronaut.png (512x512), measured by hand: hairline to chin, ear to ear.
const FACE: [number, number, number, number] = [175, 75, 275, 180];

it('finds the one face in astronaut.png, with its eyes inside the box', async () => {
  expect(existsSync(ASTRONAUT), 'scripts/test-data.sh fetches the skimage photos').toBe(true);
  const model = await loadModel(MODEL, { backends: ['tflite'] });
  try {
    expect(model.backend).toBe('tflite');
    const [result] = (await model.infer([ASTRONAUT], { task: 'face' })) as FaceDetectionResult[];
    expect(result!.faces).toHaveLength(1);
    const face = result!.faces[0]!;
    expect(face.score).toBeGreaterThan(0.8);
    expect(iou(face.box, FACE)).toBeGreaterThan(0.5);
    const [rightEye, leftEye] = face.keypoints;
    for (const p of [rightEye!, leftEye!]) {
      expect(p.x).toBeGreaterThan(face.box[0]);
      expect(p.x).toBeLessThan(face.box[2]);
      expect(p.y).toBeGreaterThan(face.box[1]);
      expect(p.y).toBeLessThan((face.box[1] + face.box[3]) / 2);
    }
  } finally {
    await model.dispose();
  }
});
