import { ArgumentError, isEdgeError } from '@edge/core';
import { OCR_MODELS, python } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { constant, floats, graph, int64s, model, node, value } from '../src/build.js';
import { DataType } from '../src/data-type.js';
import { readModelFile } from '../src/reader.js';
import { heaviestNodes, modelStats } from '../src/stats.js';
import type { OnnxModel, TensorProto } from '../src/types.js';

/** A tensor whose payload throws when read: stats must never need it. */
function unreadable(t: TensorProto): TensorProto {
  const length = t.rawData!.length;
  const source = {
    label: t.name,
    length,
    read: (): Uint8Array => {
      throw new Error(`payload of '${t.name}' was read`);
    },
  };
  return { ...t, rawData: { source, offset: 0, length } };
}

function small(): OnnxModel {
  return model(
    graph({
      inputs: [value('x', ['N', 3, 32, 32])],
      initializers: [
        unreadable(floats('w', [16, 3, 3, 3])),
        unreadable(floats('b', [16])),
        unreadable(floats('fc', [16, 10])),
        int64s('shape', [0, -1]),
      ],
      nodes: [
        node('Conv', ['x', 'w', 'b'], ['c'], { pads: [1, 1, 1, 1], strides: [2, 2] }),
        node('GlobalAveragePool', ['c'], ['g']),
        node('Reshape', ['g', 'shape'], ['f']),
        node('MatMul', ['f', 'fc'], ['m']),
        constant('bias', unreadable(floats('', [10]))),
        node('Add', ['m', 'bias'], ['y']),
        node('Relu', ['y'], ['z'], {}, { domain: 'com.example' }),
      ],
      outputs: [value('z', ['N', 10])],
    }),
    13,
    { producerName: 'unit', producerVersion: '2.0', irVersion: 7 },
  );
}

describe('modelStats', () => {
  it('counts parameters, weight parameters and bytes without reading payloads', () => {
    const s = modelStats(small());
    expect(s.parameters).toBe(432 + 16 + 160 + 2 + 10);
    // The Add bias is a separate node, so not a weight input; the Reshape target is not a weight.
    expect(s.weightParameters).toBe(432 + 16 + 160);
    expect(s.weightBytes).toEqual({ float: 4 * (432 + 16 + 160 + 10), int64: 16 });
    expect(s.totalWeightBytes).toBe(4 * 618 + 16);
    expect(s).toMatchObject({ irVersion: 7, producerName: 'unit', producerVersion: '2.0', nodeCount: 7 });
    expect(s.opsetImports).toEqual([{ domain: '', version: 13 }]);
  });

  it('computes MACs per node, flagging the symbolic batch counted as 1', () => {
    const s = modelStats(small());
    const conv = s.nodes.find((n) => n.op === 'Conv')!;
    expect(conv.macs).toBe(16 * 16 * 16 * 3 * 3 * 3);
    expect(conv.macsApproximate).toBe(true);
    expect(conv.parameters).toBe(432 + 16);
    expect(conv.parameterBytes).toBe(4 * 448);
    expect(s.nodes.find((n) => n.op === 'MatMul')!.macs).toBe(160);
    expect(s.macs).toBe(110592 + 160);
    expect(s.macsApproximate).toBe(true);
    expect(s.symbolicDims).toEqual(['N']);
    const exact = modelStats(small(), { inputShapes: { x: [2, 3, 32, 32] } });
    expect(exact.macs).toBe(2 * (110592 + 160));
    expect(exact.macsApproximate).toBe(false);
    expect(exact.symbolicDims).toEqual([]);
  });

  it('counts Gemm with transA, ConvTranspose and batched MatMul', () => {
    const m = model(
      graph({
        inputs: [
          value('a', [8, 4]),
          value('x', [1, 8, 5, 5]),
          value('p', [2, 3, 4, 5]),
          value('q', [2, 3, 5, 6]),
        ],
        initializers: [floats('b', [8, 7]), floats('w', [8, 4, 3, 3])],
        nodes: [
          node('Gemm', ['a', 'b'], ['g'], { transA: 1 }),
          node('ConvTranspose', ['x', 'w'], ['t'], { strides: [2, 2] }),
          node('MatMul', ['p', 'q'], ['mm']),
        ],
      }),
    );
    const s = modelStats(m);
    expect(s.nodes.map((n) => n.macs)).toEqual([4 * 7 * 8, 8 * 25 * 4 * 9, 2 * 3 * 4 * 6 * 5]);
    expect(s.macsApproximate).toBe(false);
  });

  it('builds an op histogram with domain prefixes, most frequent first', () => {
    const s = modelStats(small());
    expect(Object.entries(s.opHistogram)).toEqual([
      ['Add', 1],
      ['Constant', 1],
      ['Conv', 1],
      ['GlobalAveragePool', 1],
      ['MatMul', 1],
      ['Reshape', 1],
      ['com.example:Relu', 1],
    ]);
  });

  it('heaviestNodes orders by MACs, then parameter bytes', () => {
    const s = modelStats(small());
    expect(heaviestNodes(s, 3).map((n) => n.op)).toEqual(['Conv', 'MatMul', 'Add']);
    expect(heaviestNodes(s, 0)).toEqual([]);
    expect(heaviestNodes(s, 100)).toHaveLength(7);
  });

  it('BAD CALL - heaviestNodes with a negative k', () => {
    try {
      heaviestNodes(modelStats(small()), -3);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ArgumentError);
      expect(isEdgeError(e, 'EDGE_ARGUMENT')).toBe(true);
      expect((e as Error).message).toBe('Expected non-negative integer for k but received -3 of type number');
    }
  });

  it('the PaddleOCR classifier: MACs match an independent onnx + numpy count', () => {
    const m = readModelFile(OCR_MODELS.cls);
    const s = modelStats(m, { inputShapes: { x: [1, 3, 48, 192] } });
    const py = python<{ macs: number; params: number; convs: number }>(
      `
import json, sys, onnx, numpy as np
from onnx import shape_inference, numpy_helper
m = onnx.load(sys.argv[1])
for d, v in zip(m.graph.input[0].type.tensor_type.shape.dim, [1, 3, 48, 192]):
    d.Clear(); d.dim_value = v
m = shape_inference.infer_shapes(m, data_prop=True)
shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim] for v in list(m.graph.value_info) + list(m.graph.input)}
consts = {n.output[0]: numpy_helper.to_array(n.attribute[0].t) for n in m.graph.node if n.op_type == 'Constant'}
macs, convs = 0, 0
for n in m.graph.node:
    if n.op_type == 'Conv':
        convs += 1
        macs += int(np.prod(shapes[n.output[0]])) * int(np.prod(consts[n.input[1]].shape[1:]))
print(json.dumps({'macs': macs, 'params': int(sum(t.size for t in consts.values())), 'convs': convs}))
`,
      [OCR_MODELS.cls],
    );
    const convs = s.nodes.filter((n) => n.op === 'Conv');
    expect(convs).toHaveLength(py.convs);
    expect(convs.reduce((a, n) => a + n.macs, 0)).toBe(py.macs);
    // onnx 1.12 cannot propagate the Reshape target through Cast; ours can: [1, 200] x [200, 2].
    expect(s.nodes.find((n) => n.op === 'MatMul')!.macs).toBe(400);
    expect(s.macs).toBe(py.macs + 400);
    expect(s.macsApproximate).toBe(false);
    expect(s.parameters).toBe(py.params);
    expect(s.weightBytes.float).toBeGreaterThan(0);
    expect(heaviestNodes(s, 1)[0]!.op).toBe('Conv');
  });

  it('works on a lazily read model', () => {
    const s = modelStats(readModelFile(OCR_MODELS.det));
    expect(s.opHistogram.Conv).toBe(62);
    expect(s.macs).toBeGreaterThan(0);
    expect(s.macsApproximate).toBe(true);
    expect(s.weightParameters).toBeGreaterThan(0);
    expect(s.weightBytes.float! % 4).toBe(0);
    expect(DataType.FLOAT).toBe(1);
  });
});
