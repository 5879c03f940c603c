// Which head a model gets when no task is given: each head's `fits` reads what the declared
// outputs mean (anchor grids, YOLO box counts, points beside a presence flag, maps the size of the
// input), so a look-alike shape is refused with a reason instead of being decoded as nonsense.

import type { ModelDim, TensorInfo } from '@edge/core';
import { describe, expect, it } from 'vitest';
import { GUESS_ORDER, inputSpec, type ModelOutline, TASK_HEADS, type TaskName } from '../src/index.js';

const t = (name: string, shape: ModelDim[]): TensorInfo => ({ name, dtype: 'float32', shape });

function outline(input: ModelDim[], outputs: TensorInfo[]): ModelOutline {
  return { inputSpecs: [inputSpec(t('x', input))], outputs };
}

/** The first head in GUESS_ORDER that fits, with the settings it implies, or raw. */
function guess(model: ModelOutline): { task: TaskName; config?: object } {
  for (const task of GUESS_ORDER) {
    const f = TASK_HEADS[task].fits(model);
    if (f.ok) return f.config === undefined ? { task } : { task, config: f.config };
  }
  return { task: 'raw' };
}

const why = (task: Exclude<TaskName, 'raw'>, model: ModelOutline): string => {
  const f = TASK_HEADS[task].fits(model);
  return f.ok ? 'fits' : f.reason;
};

describe('the head guessed from the outputs', () => {
  it('the real models of the tests get their own heads', () => {
    // MediaPipe BlazeFace, short and full range (TFLite, NHWC).
    expect(
      guess(outline([1, 128, 128, 3], [t('regressors', [1, 896, 16]), t('classificators', [1, 896, 1])])),
    ).toMatchObject({
      task: 'face',
      config: {
        regressors: 'regressors',
        scores: 'classificators',
        keypoints: 6,
        anchors: { inputWidth: 128 },
      },
    });
    expect(guess(outline([1, 192, 192, 3], [t('reg', [1, 2304, 16]), t('cls', [1, 2304, 1])]))).toMatchObject(
      {
        task: 'face',
        config: { anchors: { inputWidth: 192, strides: [4] } },
      },
    );
    // MediaPipe hand landmarks: points, presence, handedness, world points.
    const hand = outline(
      [1, 224, 224, 3],
      [t('Identity', [1, 63]), t('Identity_1', [1, 1]), t('Identity_2', [1, 1]), t('Identity_3', [1, 63])],
    );
    expect(guess(hand)).toEqual({
      task: 'landmarks',
      config: { landmarks: 'Identity', presence: 'Identity_1' },
    });
    // Face mesh: 468 x 3 points and a face flag, both [1, 1, 1, L].
    expect(
      guess(outline([1, 192, 192, 3], [t('conv2d_21', [1, 1, 1, 1404]), t('conv2d_31', [1, 1, 1, 1])])),
    ).toEqual({
      task: 'landmarks',
      config: { landmarks: 'conv2d_21', presence: 'conv2d_31' },
    });
    // MediaPipe pose: points x 5, flag, segmentation, heatmaps, world points.
    const pose = outline(
      [1, 256, 256, 3],
      [
        t('Identity', [1, 195]),
        t('Identity_1', [1, 1]),
        t('Identity_2', [1, 256, 256, 1]),
        t('Identity_3', [1, 64, 64, 39]),
        t('Identity_4', [1, 117]),
      ],
    );
    expect(guess(pose)).toEqual({
      task: 'landmarks',
      config: { landmarks: 'Identity', presence: 'Identity_1', heatmaps: 'Identity_3' },
    });
    // PaddleOCR: the detector's map is text; the classifier classifies; the recogniser is raw.
    const det = outline(['n', 3, 'h', 'w'], [t('sigmoid_0.tmp_0', ['n', 1, 'h2', 'w2'])]);
    expect(guess(det)).toEqual({ task: 'text' });
    expect(guess(outline(['n', 3, 48, 192], [t('softmax_0.tmp_0', ['n', 2])]))).toEqual({ task: 'classify' });
    const rec = outline(['n', 3, 48, 'w'], [t('softmax_11.tmp_0', ['n', 't', 6625])]);
    expect(guess(rec)).toEqual({ task: 'raw' });
    expect(why('detect', rec)).toBe(
      'the input size is free, so the box count cannot be checked against a YOLO grid',
    );
    expect(why('classify', rec)).toBe(
      'needs class scores [N, C] with a fixed C >= 2; the output is [?,?,6625]',
    );
  });

  it('YOLO layouts by their box count, segmentation and heatmaps by their map size', () => {
    expect(guess(outline([1, 3, 640, 640], [t('output0', [1, 84, 8400])]))).toEqual({
      task: 'detect',
      config: { format: 'yolov8' },
    });
    expect(guess(outline([1, 3, 640, 640], [t('output0', [1, 25200, 85])]))).toEqual({
      task: 'detect',
      config: { format: 'yolov5' },
    });
    expect(guess(outline([1, 3, 640, 640], [t('output0', [1, 300, 6])]))).toEqual({
      task: 'detect',
      config: { format: 'xyxy' },
    });
    // 8000 boxes is no grid over 640x640.
    const off = outline([1, 3, 640, 640], [t('output0', [1, 84, 8000])]);
    expect(guess(off)).toEqual({ task: 'raw' });
    expect(why('detect', off)).toBe(
      'needs [N, 4 + C, 8400] (YOLOv8 at 640x640), [N, 25200, 5 + C] (YOLOv5) or [N, K, 6] (boxes after NMS); the output is [1,84,8000]',
    );
    expect(guess(outline([1, 3, 512, 512], [t('out', [1, 21, 512, 512])]))).toEqual({ task: 'segment' });
    // SimpleBaseline / HRNet: 17 heatmaps at a quarter of a 256x192 input.
    const hrnet = outline([1, 3, 256, 192], [t('heatmaps', [1, 17, 64, 48])]);
    expect(guess(hrnet)).toEqual({ task: 'landmarks', config: { heatmaps: 'heatmaps', mode: 'heatmap' } });
    expect(why('segment', hrnet)).toBe(
      'needs a map the size of the input; the output [1,17,64,48] is smaller',
    );
  });

  it('a last axis of 16 is not a face detector unless the anchor count is MediaPipe grid for the input', () => {
    const look = outline([1, 128, 128, 3], [t('a', [1, 900, 16]), t('b', [1, 900, 1])]);
    expect(why('face', look)).toBe(
      "MediaPipe's grid for a 128x128 input has 896 anchors; the outputs [1,900,16] and [1,900,1] have 900",
    );
    const size = outline([1, 160, 160, 3], [t('a', [1, 896, 16]), t('b', [1, 896, 1])]);
    expect(why('face', size)).toBe(
      "knows MediaPipe's anchor grids for 128x128 and 192x192 inputs; the input is [1,160,160,3]",
    );
    // Boxes without keypoints or with an odd count are not BlazeFace's layout.
    expect(why('face', outline([1, 128, 128, 3], [t('a', [1, 896, 5]), t('b', [1, 896, 1])]))).toMatch(
      /^needs two outputs per anchor/,
    );
    // Eight keypoints instead of six: the anchors still say BlazeFace, the keypoint count follows.
    expect(guess(outline([1, 128, 128, 3], [t('a', [1, 896, 20]), t('b', [1, 896, 1])]))).toMatchObject({
      task: 'face',
      config: { keypoints: 8 },
    });
  });

  it('landmarks need points beside a presence output (a lone vector is a classifier)', () => {
    expect(guess(outline([1, 224, 224, 3], [t('points', [1, 63])]))).toEqual({ task: 'classify' });
    expect(why('landmarks', outline([1, 224, 224, 3], [t('points', [1, 63])]))).toBe(
      "needs points [N, K x 3..5] beside a one-value presence output, or heatmaps [N, K, h, w] at a stride of 2 to 8 of a fixed input; the model has 'points' [1,63] for an input [1,224,224,3]",
    );
  });
});
