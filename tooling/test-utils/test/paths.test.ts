import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CJK_FONT,
  faceMeshModel,
  HAND_LANDMARKS,
  MEDIAPIPE,
  OCR_MODELS,
  photo,
  photoDir,
  requires,
  TEST_DATA,
  TRT_FAKE_ADDON,
} from '../src/index.js';

describe('model paths', () => {
  it('name the PaddleOCR and MediaPipe files of the npm packages', () => {
    for (const path of [...Object.values(OCR_MODELS), ...Object.values(MEDIAPIPE)]) {
      expect(existsSync(path), path).toBe(true);
    }
    // ONNX files start with the ir_version field (1 << 3 | 0), .tflite files carry TFL3 at byte 4.
    expect(readFileSync(OCR_MODELS.cls)[0]).toBe(0x08);
    expect(readFileSync(MEDIAPIPE.faceShort).subarray(4, 8).toString()).toBe('TFL3');
    expect(readFileSync(HAND_LANDMARKS).subarray(4, 8).toString()).toBe('TFL3');
  });

  it("cut the face mesh model out of @mediapipe/face_mesh's packed assets", () => {
    const model = faceMeshModel();
    expect(Buffer.from(model.subarray(4, 8)).toString()).toBe('TFL3');
    // 1.2 MB when this was written.
    expect(model.length).toBeGreaterThan(1e6);
  });

  it("name the test double of @edge/trt's addon", () => {
    expect(readFileSync(TRT_FAKE_ADDON, 'utf8')).toContain('module.exports');
  });
});

describe('the CJK font', requires('cjk-font'), () => {
  it('lies in the test-data cache', () => {
    expect(CJK_FONT).toBe(`${TEST_DATA}/wqy-fonts/wqy-microhei.ttc`);
    expect(existsSync(CJK_FONT)).toBe(true);
  });
});

describe('photos', requires('photos'), () => {
  it('live in the cache at the repository root, by the names of fixtures/index.json', () => {
    expect(photoDir('skimage')).toBe(`${TEST_DATA}/skimage-data`);
    expect(existsSync(photo('skimage/astronaut.png'))).toBe(true);
    expect(existsSync(photo('opencv/fruits.jpg'))).toBe(true);
  });

  it('BAD CALL - a name without a known source', () => {
    expect(() => photo('imagenet/cat.jpg')).toThrow(
      'photo imagenet/cat.jpg: expected skimage/... or opencv/...',
    );
  });
});
