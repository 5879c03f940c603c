// The landmarks head on synthetic outputs whose answer is known exactly: points through the
// letterbox onto the original, visibility and presence logits through a sigmoid, the presence
// flag and the other one-value outputs, heatmap peaks refined a quarter cell in either layout.

import { ArgumentError, Tensor } from '@edge/core';
import { type PreprocessSpec, preprocessSync } from '@edge/preprocess';
import { describe, expect, it } from 'vitest';
import { decodeLandmarks, landmarksHead } from '../src/index.js';

const f32 = (shape: number[], values: ArrayLike<number>) =>
  new Tensor('float32', shape, Float32Array.from(values));
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
/** A landmark whose given fields are within `digits` decimals of these values, for `toMatchObject`. */
const near = (point: Record<string, number>, digits: number) =>
  Object.fromEntries(Object.entries(point).map(([k, v]) => [k, expect.closeTo(v, digits)]));

function context(width: number, height: number, tw: number, th: number, spec: PreprocessSpec = {}) {
  const frame = { data: new Uint8Array(width * height * 3), width, height, order: 'rgb' as const };
  const image = preprocessSync(frame, { size: { width: tw, height: th }, ...spec }, { kernel: 'typescript' })
    .images[0]!;
  return { image, index: 0, tensorSize: { width: tw, height: th } };
}

describe('landmarks head: regressed points', () => {
  // 200x100 letterboxed into 224x224: scale 1.12, the picture 112 rows high, 56 rows down.
  const ctx = context(200, 100, 224, 224, { resize: 'letterbox' });
  const cfg = landmarksHead.defaults;

  it('maps x, y through the letterbox and scales z like x; presence and other flags', () => {
    const points = f32([1, 6], [112, 112, 11.2, 0, 56, -22.4]);
    const r = decodeLandmarks(
      { points, flag: f32([1, 1], [0.75]), handedness: f32([1, 1], [0.25]) },
      ctx,
      cfg,
    );
    expect(r.landmarks).toMatchObject([near({ x: 100, y: 50, z: 10 }, 4), near({ x: 0, y: 0, z: -20 }, 4)]);
    expect(r.landmarks[0]).not.toHaveProperty('visibility');
    // The first one-value output is the presence; a probability stays as it is.
    expect(r).toMatchObject({
      task: 'landmarks',
      presence: 0.75,
      present: true,
      scores: { handedness: 0.25 },
    });
  });

  it('reads visibility and presence logits (pose layout, 5 values) through a sigmoid', () => {
    const points = f32([1, 10], [112, 112, 0, 3, -2, 0, 56, 0, 0.5, 14]);
    const r = decodeLandmarks({ points, flag: f32([1, 1], [-1]) }, ctx, { ...cfg, dims: 5 });
    expect(r.landmarks[0]!.visibility).toBeCloseTo(sigmoid(3), 6);
    expect(r.landmarks[0]!.presence).toBeCloseTo(sigmoid(-2), 6);
    // One column decides: 0.5 is a logit too because 3 is.
    expect(r.landmarks[1]!.visibility).toBeCloseTo(sigmoid(0.5), 6);
    expect(r.presence).toBeCloseTo(sigmoid(-1), 6);
    expect(r.present).toBe(false);
    const none = decodeLandmarks({ points, flag: f32([1, 1], [-1]) }, ctx, {
      ...cfg,
      dims: 5,
      activation: 'none',
    });
    expect(none.landmarks[0]!.visibility).toBe(3);
    expect(none.presence).toBe(-1);
  });

  it('a model without a presence output: present, no presence', () => {
    const r = decodeLandmarks({ points: f32([1, 1, 1, 6], [0, 0, 0, 224, 224, 0]) }, ctx, cfg);
    expect(r.present).toBe(true);
    expect(r).not.toHaveProperty('presence');
    expect(r.landmarks[1]!.x).toBeCloseTo(200, 4);
  });

  it('EXPECTED FAILURE - dims that do not divide the points, no points, an unknown presence output', () => {
    const points = f32([1, 63], new Float32Array(63));
    expect(() => decodeLandmarks({ points }, ctx, { ...cfg, landmarks: 'points', dims: 4 })).toThrow(
      'Expected a divisor of the 63 values per image of the points output, at least 2 for landmarks.dims but received 4 of type number',
    );
    expect(() => decodeLandmarks({ y: f32([1, 2], [0, 0]) }, ctx, cfg)).toThrow(ArgumentError);
    expect(() => decodeLandmarks({ points }, ctx, { ...cfg, presence: 'flag' })).toThrow(
      /for landmarks.presence but received "flag"/,
    );
  });
});

describe('landmarks head: heatmaps', () => {
  // A 12x8 input stretched from 24x16 (scale 2); maps of 6x4 cells (stride 2).
  const ctx = context(24, 16, 12, 8);
  // Channel 0 peaks at cell (3, 1), right neighbour higher than left, lower neighbour higher;
  // channel 1 peaks at the corner cell (0, 0), where no refinement applies.
  const value = (k: number, y: number, x: number): number => {
    if (k === 0) return x === 3 && y === 1 ? 0.9 : (x === 4 && y === 1) || (x === 3 && y === 2) ? 0.5 : 0.1;
    return x === 0 && y === 0 ? 0.7 : 0;
  };
  const nchw = f32(
    [1, 2, 4, 6],
    Array.from({ length: 48 }, (_, i) => value(Math.floor(i / 24), Math.floor((i % 24) / 6), i % 6)),
  );
  const nhwc = f32(
    [1, 4, 6, 2],
    Array.from({ length: 48 }, (_, i) => value(i % 2, Math.floor(i / 12), Math.floor(i / 2) % 6)),
  );

  for (const [layout, maps] of [
    ['[N, K, h, w]', nchw],
    ['[N, h, w, K]', nhwc],
  ] as const) {
    it(`peaks refined a quarter cell toward the higher neighbour, ${layout}`, () => {
      const r = decodeLandmarks({ maps }, ctx, { ...landmarksHead.defaults, mode: 'heatmap' });
      // cell (3.25, 1.25), centre (3.75, 1.75) x stride 2 = tensor (7.5, 3.5), x 2 = original (15, 7)
      expect(r.landmarks).toMatchObject([
        { ...near({ x: 15, y: 7 }, 5), ...near({ score: 0.9 }, 6) },
        near({ x: 2, y: 2 }, 5),
      ]);
      expect(r.present).toBe(true);
    });
  }
});
