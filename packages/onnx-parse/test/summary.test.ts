// summarizeModel: what `edge inspect` prints, as an object, on a small graph whose answer is known.
import { ArgumentError } from '@edge/core';
import { describe, expect, it } from 'vitest';
import { floats, graph, int64s, model, node, value } from '../src/build.js';
import { summarizeModel } from '../src/summary.js';
import type { OnnxModel } from '../src/types.js';

function small(): OnnxModel {
  return model(
    graph({
      inputs: [value('x', ['N', 3, 32, 32])],
      initializers: [
        floats('w', [16, 3, 3, 3]),
        floats('b', [16]),
        floats('fc', [16, 10]),
        int64s('shape', [0, -1]),
      ],
      nodes: [
        node('Conv', ['x', 'w', 'b'], ['c'], { pads: [1, 1, 1, 1], strides: [2, 2] }),
        node('GlobalAveragePool', ['c'], ['g']),
        node('Reshape', ['g', 'shape'], ['f']),
        node('MatMul', ['f', 'fc'], ['z']),
      ],
      outputs: [value('z', ['N', 10])],
    }),
    13,
    { producerName: 'unit', producerVersion: '2.0', irVersion: 7 },
  );
}

describe('summarizeModel', () => {
  it('lists inputs (not initializers) and outputs with dtypes and inferred shapes, sizes and heaviest layers', () => {
    const s = summarizeModel(small(), { top: 2 });
    expect(s.inputs).toEqual([{ name: 'x', dtype: 'float', shape: ['N', 3, 32, 32] }]);
    expect(s.outputs).toEqual([{ name: 'z', dtype: 'float', shape: ['N', 10] }]);
    expect(s).toMatchObject({
      irVersion: 7,
      opsets: [{ domain: 'ai.onnx', version: 13 }],
      producer: { name: 'unit', version: '2.0' },
      nodes: 4,
      parameters: 432 + 16 + 160 + 2,
      weightParameters: 432 + 16 + 160,
      macsApproximate: true,
      symbolicDims: ['N'],
    });
    // Conv: 16 x 16 x 16 outputs x 27 MACs each; MatMul: 16 x 10.
    expect(s.heaviest).toEqual([
      {
        name: s.heaviest[0]!.name,
        op: 'Conv',
        macs: 16 * 16 * 16 * 27,
        parameters: 448,
        outputShape: ['N', 16, 16, 16],
      },
      { name: s.heaviest[1]!.name, op: 'MatMul', macs: 160, parameters: 160, outputShape: ['N', 10] },
    ]);
    expect(s.ops).toEqual({ Conv: 1, GlobalAveragePool: 1, Reshape: 1, MatMul: 1 });
  });

  it('uses the given input shapes: exact MACs, shapes carried to the outputs', () => {
    const s = summarizeModel(small(), { inputShapes: { x: [4, 3, 32, 32] } });
    expect(s.inputs[0]!.shape).toEqual([4, 3, 32, 32]);
    expect(s.outputs[0]!.shape).toEqual([4, 10]);
    expect(s.macsApproximate).toBe(false);
    expect(s.macs).toBe(4 * (16 * 16 * 16 * 27 + 160)); // pooling and Reshape count no MACs
    expect(s.heaviest).toHaveLength(4);
  });

  it('BAD CALL - an input shape for something that is not an input, a negative top', () => {
    expect(() => summarizeModel(small(), { inputShapes: { w: [1] } })).toThrow(
      new ArgumentError("Expected a graph input name in inputShapes but received 'w' (inputs: x)"),
    );
    expect(() => summarizeModel(small(), { top: -1 })).toThrow(ArgumentError);
  });
});
