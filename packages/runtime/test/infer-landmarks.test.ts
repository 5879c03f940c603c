// Real-data proof of the landmarks head, the head chosen by the outputs alone: MediaPipe's hand
// landmark model finds a hand (a crop of Messi's raised hand in OpenCV's messi5.jpg, turned
// fingers-up as MediaPipe's hand tracker turns its crops) and not one in a crop of grass; the
// face mesh model's eyes and nose on astronaut.png land on the short-range face detector's.

import { faceMeshModel, HAND_LANDMARKS, MEDIAPIPE, photo, requires } from '@edge/test-utils';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaceDetectionResult, type LandmarksResult, loadModel, type Model } from '../src/index.js';

const MESSI = photo('opencv/messi5.jpg');
const ASTRONAUT = photo('skimage/astronaut.png');

const crop = (path: string, left: number, top: number, size: number, rotate = 0) =>
  sharp(path).extract({ left, top, width: size, height: size }).rotate(rotate).png().toBuffer();

describe('MediaPipe landmark models through model.infer (task guessed)', requires('photos'), () => {
  let hand: Model;
  beforeAll(async () => {
    hand = await loadModel(HAND_LANDMARKS, { backends: ['tflite'] });
  });
  afterAll(async () => {
    await hand?.dispose();
  });

  it('hand_landmark_lite: a hand is present, 21 points, fingertips above the wrist', async () => {
    // The hand spans about (335..380, 145..190) of messi5.jpg, fingers pointing right.
    const image = await crop(MESSI, 332, 144, 48, 270);
    const [r] = (await hand.infer(image)) as LandmarksResult[];
    console.log(
      'hand',
      r!.presence,
      r!.scores,
      r!.landmarks.map((p) => [Math.round(p.x), Math.round(p.y)]),
    );
    expect(r!.task).toBe('landmarks');
    expect(r!.presence).toBeGreaterThan(0.9);
    expect(r!.present).toBe(true);
    expect(r!.landmarks).toHaveLength(21);
    const wrist = r!.landmarks[0]!;
    for (const tip of [8, 12, 16, 20]) expect(r!.landmarks[tip]!.y).toBeLessThan(wrist.y - 15);
    for (const p of r!.landmarks) {
      expect(p.x).toBeGreaterThan(-5);
      expect(p.x).toBeLessThan(53);
    }
    expect(Object.keys(r!.scores)).toEqual(['Identity_2']);
  });

  it('hand_landmark_lite: grass has no hand', async () => {
    const [r] = (await hand.infer(await crop(MESSI, 50, 270, 64))) as LandmarksResult[];
    console.log('grass', r!.presence);
    expect(r!.presence).toBeLessThan(0.1);
    expect(r!.present).toBe(false);
  });

  it("face_landmark: 468 points whose eyes and nose tip are the face detector's", async () => {
    const detector = await loadModel(MEDIAPIPE.faceShort, { backends: ['tflite'] });
    const mesh = await loadModel(faceMeshModel(), { backends: ['tflite'] });
    try {
      const [faces] = (await detector.infer(ASTRONAUT)) as FaceDetectionResult[];
      const face = faces!.faces[0]!;
      // MediaPipe's face mesh crop: the detection box, squared and enlarged 1.5x.
      const [x1, y1, x2, y2] = face.box;
      const size = Math.round(1.5 * Math.max(x2 - x1, y2 - y1));
      const left = Math.round((x1 + x2) / 2 - size / 2);
      const top = Math.round((y1 + y2) / 2 - size / 2);
      const [r] = (await mesh.infer(await crop(ASTRONAUT, left, top, size))) as LandmarksResult[];
      expect(r!.task).toBe('landmarks');
      expect(r!.landmarks).toHaveLength(468);
      expect(r!.presence).toBeGreaterThan(0.9);
      const at = (i: number) => ({ x: r!.landmarks[i]!.x + left, y: r!.landmarks[i]!.y + top });
      const mid = (a: number, b: number) => ({ x: (at(a).x + at(b).x) / 2, y: (at(a).y + at(b).y) / 2 });
      // Face mesh: 1 nose tip; eye corners 33/133 (the subject's right eye), 362/263 (left).
      const pairs = [
        [mid(33, 133), face.keypoints[0]!],
        [mid(362, 263), face.keypoints[1]!],
        [at(1), face.keypoints[2]!],
      ] as const;
      const distances = pairs.map(([a, b]) => Math.hypot(a.x - b.x, a.y - b.y));
      console.log('face mesh vs detector keypoints (px)', distances, 'face size', x2 - x1);
      for (const d of distances) expect(d).toBeLessThan(0.12 * (x2 - x1));
    } finally {
      await detector.dispose();
      await mesh.dispose();
    }
  });
});
