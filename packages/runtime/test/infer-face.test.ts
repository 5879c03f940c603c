// Real-data proof of the face head: MediaPipe's short-range and full-range face detectors
// (TFLite) through loadModel and the TFLite backend find the one face in skimage's astronaut.png,
// the head and its anchor grid chosen from the outputs alone.

import { existsSync } from 'node:fs';
import { MEDIAPIPE, photo, requires } from '@edge/test-utils';
import { expect, it } from 'vitest';
import { type FaceDetectionResult, iou, loadModel } from '../src/index.js';

const ASTRONAUT = photo('skimage/astronaut.png');
// The face in astronaut.png (512x512), measured by hand: hairline to chin, ear to ear.
const FACE: [number, number, number, number] = [175, 75, 275, 180];

it.each([
  ['short range (128x128, 896 anchors)', MEDIAPIPE.faceShort],
  ['full range (192x192, 2304 anchors)', MEDIAPIPE.faceFull],
])(
  '%s: finds the one face in astronaut.png, with its eyes inside the box',
  requires('photos'),
  async (_, path) => {
    expect(existsSync(ASTRONAUT), 'scripts/test-data.sh fetches the skimage photos').toBe(true);
    const model = await loadModel(path, { backends: ['tflite'] });
    try {
      expect(model.backend).toBe('tflite');
      const [result] = (await model.infer([ASTRONAUT])) as FaceDetectionResult[];
      expect(result!.task).toBe('face');
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
  },
);
