// Myriad against the VPU column of OpenVINO's Supported Layers table: every op the table marks
// "Not Supported" falls back to the CPU, and each restriction has a model that meets it and one
// that breaks it.
import { DataType, modelGraphFromOnnx } from '@edge/onnx-parse';
import { describe, expect, it } from 'vitest';
import layers from '../data/openvino/supported-layers.json' with { type: 'json' };
import { checkGraph, loadRuleTables, resolveTargets } from '../src/index.js';
import { chain, floats, node, value } from './helpers/build.js';

const known = await loadRuleTables();
const [myriad] = await resolveTargets(['myriad']);

function broken(m: ReturnType<typeof chain>): string[] {
  const r = checkGraph(modelGraphFromOnnx(m), [myriad!], { known }).targets[0]!;
  return r.issues.filter((i) => i.table === 'myriad' && i.level !== 'note').map((i) => i.rule);
}

const X = (shape: (number | string)[] = [1, 4, 8, 8], t: number = DataType.FLOAT) => value('x', shape, t);
const unary = (op: string, x = X()) => chain([x], [node(op, ['x'], ['y'])]);

describe('Myriad (OpenVINO 2022.3 VPU column)', () => {
  const vpu = (layer: string) => layers.rows.find((r) => r.layer === layer)!.vpu;

  it('ops whose layer the table marks Not Supported fall back; their neighbours do not', () => {
    // [op, its layer row, a supported op to compare]
    const cases: [string, string, string][] = [
      ['HardSigmoid', 'HardSigmoid', 'Sigmoid'],
      ['Softsign', 'Softsign', 'Softplus'],
      ['Neg', 'Neg', 'Abs'],
      ['LogSoftmax', 'LogSoftmax', 'Softmax'],
      ['DepthToSpace', 'DepthToSpace', 'Relu'],
      ['Sin', 'Sin', 'Exp'],
      ['Reciprocal', 'Reciprocal', 'Floor'],
      ['Selu', 'Selu', 'Elu'],
    ];
    for (const [bad, layer, good] of cases) {
      expect(vpu(layer)).toBe('N');
      expect(broken(unary(bad))).toEqual([`${bad}: not supported on Intel VPU (Myriad X, OpenVINO 2022.3)`]);
      expect(broken(unary(good))).toEqual([]);
    }
  });

  it('3D convolution and pooling are Not Supported; 2D are', () => {
    const conv = (rank: number) =>
      chain([X(rank === 5 ? [1, 4, 4, 8, 8] : [1, 4, 8, 8])], [node('Conv', ['x', 'w'], ['y'])], {
        initializers: [floats('w', rank === 5 ? [4, 4, 1, 1, 1] : [4, 4, 1, 1])],
      });
    expect(broken(conv(4))).toEqual([]);
    expect(broken(conv(5))).toEqual([
      'Conv: 2D only (the table marks Convolution-Ordinary 3D "Not Supported" on the VPU)',
    ]);
    const pool = (shape: number[], k: number[]) =>
      chain([X(shape)], [node('MaxPool', ['x'], ['y'], { kernel_shape: k })]);
    expect(broken(pool([1, 4, 8, 8], [2, 2]))).toEqual([]);
    expect(broken(pool([1, 4, 4, 8, 8], [2, 2, 2]))).toEqual([
      'MaxPool: 2D only (the table marks Pooling(AVG,MAX) 3D "Not Supported" on the VPU)',
    ]);
  });

  it('static shapes and no 64-bit tensors', () => {
    expect(broken(unary('Relu', X(['N', 4, 8, 8])))).toEqual([
      'Relu: static shapes (the MYRIAD plugin has no dynamic shapes)',
    ]);
    expect(broken(unary('Abs', X([1, 4, 8, 8], DataType.INT64)))).toEqual([
      'Abs: no 64-bit tensors (the VPU computes in FP16 and I32)',
    ]);
  });

  it('every verdict cites the table row, or says it is unverified', () => {
    for (const r of myriad!.ops) {
      if (r.source.unverified) continue;
      expect(r.source.note).toMatch(/^row ".+" of the Supported Layers table \(VPU column\)$/);
      expect(r.source.commit).toBe(layers.source.commit);
    }
  });
});
