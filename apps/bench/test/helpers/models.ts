// Small generated models for the edge bench tests: real ONNX that onnxruntime runs in microseconds.

import { onnxBuilder as b, writeModelFile } from '@edge/onnx-parse';

/**
 * A classifier-shaped CNN: x [N,3,32,32] (free batch) -> 3x3 Conv to 8 channels -> Relu ->
 * GlobalAveragePool -> Flatten -> y [N,8]. `batch` fixes dimension 0 instead.
 */
export function writeTinyCnn(path: string, batch: number | string = 'N'): void {
  const g = b.graph({
    inputs: [b.value('x', [batch, 3, 32, 32])],
    initializers: [b.floats('w', [8, 3, 3, 3], 0.05), b.floats('bias', [8], 0.1)],
    nodes: [
      b.node('Conv', ['x', 'w', 'bias'], ['c'], { pads: [1, 1, 1, 1] }),
      b.node('Relu', ['c'], ['r']),
      b.node('GlobalAveragePool', ['r'], ['p']),
      b.node('Flatten', ['p'], ['y']),
    ],
    outputs: [b.value('y', [batch, 8])],
  });
  writeModelFile(path, b.model(g, 13));
}

/** A model with a free spatial size: x [N,3,H,W] -> Relu -> y. */
export function writeFreeSizeModel(path: string): void {
  const g = b.graph({
    inputs: [b.value('x', ['N', 3, 'H', 'W'])],
    nodes: [b.node('Relu', ['x'], ['y'])],
    outputs: [b.value('y', ['N', 3, 'H', 'W'])],
  });
  writeModelFile(path, b.model(g, 13));
}
