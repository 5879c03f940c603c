// No trained YOLO or segmentation network ships in an npm package (see ../shared/FACTS.md), so the
// detect and segment examples run generated stand-ins with the real output layouts, built with
// @edge/onnx-parse's model builder. They show the API, not a model's skill.

import { onnxBuilder as b, DataType, tensorFromArray, writeModel } from '@edge/onnx-parse';

/**
 * A "detector" with YOLOv8's layout for a 320x320 input, `[1, 4 + 2 classes, 2100 boxes]` (the
 * 40x40, 20x20 and 10x10 grids), that always answers the same two boxes, whatever the image:
 * class 0 at centre (80, 160) size 120x120, score 0.9; class 1 at (240, 120) size 100x60, score 0.7.
 */
export function standInDetector(): Uint8Array {
  const boxes = 2100;
  const values = new Float32Array(6 * boxes);
  const put = (i: number, row: number[]) => {
    row.forEach((v, k) => {
      values[k * boxes + i] = v;
    });
  };
  put(0, [80, 160, 120, 120, 0.9, 0.05]);
  put(1, [240, 120, 100, 60, 0.1, 0.7]);
  const g = b.graph({
    inputs: [b.value('images', [1, 3, 320, 320])],
    initializers: [tensorFromArray('boxes', DataType.FLOAT, [1, 6, boxes], values), b.floats('zero', [1], 0)],
    nodes: [
      // The image takes part (times zero) so that the model has a real input.
      b.node('ReduceMax', ['images'], ['m'], { keepdims: 0 }),
      b.node('Mul', ['m', 'zero'], ['z']),
      b.node('Add', ['boxes', 'z'], ['output0']),
    ],
    outputs: [b.value('output0', [1, 6, boxes])],
  });
  return writeModel(b.model(g, 13));
}

/** A "segmenter" whose three class scores per pixel are the pixel's red, green and blue, at 256x256. */
export function standInSegmenter(): Uint8Array {
  const g = b.graph({
    inputs: [b.value('x', [1, 3, 256, 256])],
    nodes: [b.node('Identity', ['x'], ['scores'])],
    outputs: [b.value('scores', [1, 3, 256, 256])],
  });
  return writeModel(b.model(g, 13));
}
