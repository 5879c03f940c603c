import { OCR_MODELS, python } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { chain, constant, float, floats, graph, int64s, model, node, value } from '../src/build.js';
import { DataType } from '../src/data-type.js';
import { readModelFile } from '../src/reader.js';
import { type Dim, inferShapes, type ValueType } from '../src/shape-inference/index.js';
import { tensorFromArray } from '../src/tensor-data.js';
import type { NodeProto, TensorProto, ValueInfo } from '../src/types.js';

const F = DataType.FLOAT;
const I64 = DataType.INT64;

/** Types of the outputs of a graph whose last node is `n`, with `inits` as initializers. */
function infer(
  inputs: ValueInfo[],
  nodes: NodeProto | NodeProto[],
  opts: { opset?: number; inits?: TensorProto[] } = {},
): (ValueType | undefined)[] {
  const list = Array.isArray(nodes) ? nodes : [nodes];
  const m = chain(inputs, list, { opset: opts.opset ?? 13, initializers: opts.inits ?? [] });
  const types = inferShapes(m);
  return list[list.length - 1]!.outputs.map((o) => types.get(o));
}

function shape(
  inputs: ValueInfo[],
  nodes: NodeProto | NodeProto[],
  opts: { opset?: number; inits?: TensorProto[] } = {},
): Dim[] | null | undefined {
  return infer(inputs, nodes, opts)[0]?.shape;
}

const img = (name: string, dims: Dim[]) => value(name, dims);

describe('conv and pool', () => {
  const w = (dims: number[]) => [floats('w', dims)];

  it('Conv: pads, strides, dilations, groups, 1-D', () => {
    const conv = (attrs: Record<string, number | number[] | string>) =>
      node('Conv', ['x', 'w'], ['y'], attrs);
    expect(
      shape([img('x', ['N', 3, 224, 224])], conv({ pads: [1, 1, 1, 1], strides: [2, 2] }), {
        inits: w([16, 3, 3, 3]),
      }),
    ).toEqual(['N', 16, 112, 112]);
    expect(
      shape([img('x', [1, 3, 32, 32])], conv({ dilations: [2, 2] }), { inits: w([8, 3, 3, 3]) }),
    ).toEqual([1, 8, 28, 28]);
    expect(
      shape([img('x', [1, 32, 10, 10])], conv({ group: 32, pads: [1, 1, 1, 1], kernel_shape: [3, 3] }), {
        inits: w([32, 1, 3, 3]),
      }),
    ).toEqual([1, 32, 10, 10]);
    expect(shape([img('x', [1, 2, 10])], conv({}), { inits: w([4, 2, 3]) })).toEqual([1, 4, 8]);
    expect(shape([img('x', [1, 3, 8, 6])], conv({ pads: [0, 1, 2, 3] }), { inits: w([2, 3, 3, 3]) })).toEqual(
      [1, 2, 8, 8],
    );
  });

  it('Conv: auto_pad SAME_UPPER, SAME_LOWER and VALID', () => {
    const inits = w([4, 3, 3, 3]);
    const x = [img('x', [1, 3, 15, 16])];
    for (const autoPad of ['SAME_UPPER', 'SAME_LOWER']) {
      expect(
        shape(x, node('Conv', ['x', 'w'], ['y'], { auto_pad: autoPad, strides: [2, 2] }), { inits }),
      ).toEqual([1, 4, 8, 8]);
    }
    expect(
      shape(x, node('Conv', ['x', 'w'], ['y'], { auto_pad: 'VALID', strides: [2, 2] }), { inits }),
    ).toEqual([1, 4, 7, 7]);
  });

  it('Conv: a symbolic size survives a stride-1 "same" window only', () => {
    const inits = w([4, 3, 3, 3]);
    const x = [img('x', ['N', 3, 'H', 'W'])];
    expect(shape(x, node('Conv', ['x', 'w'], ['y'], { pads: [1, 1, 1, 1] }), { inits })).toEqual([
      'N',
      4,
      'H',
      'W',
    ]);
    expect(
      shape(x, node('Conv', ['x', 'w'], ['y'], { pads: [1, 1, 1, 1], strides: [2, 1] }), { inits }),
    ).toEqual(['N', 4, null, 'W']);
    expect(shape(x, node('Conv', ['x', 'w'], ['y'], {}), { inits })).toEqual(['N', 4, null, null]);
  });

  it('ConvTranspose: strides, pads, output_padding, output_shape, groups, SAME', () => {
    const x = [img('x', [1, 8, 10, 10])];
    const ct = (attrs: Record<string, number | number[] | string>) =>
      node('ConvTranspose', ['x', 'w'], ['y'], attrs);
    expect(shape(x, ct({ strides: [2, 2], pads: [1, 1, 1, 1] }), { inits: w([8, 4, 4, 4]) })).toEqual([
      1, 4, 20, 20,
    ]);
    expect(
      shape(x, ct({ strides: [2, 2], pads: [1, 1, 1, 1], group: 2 }), { inits: w([8, 4, 4, 4]) }),
    ).toEqual([1, 8, 20, 20]);
    expect(
      shape(x, ct({ strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 0] }), {
        inits: w([8, 4, 3, 3]),
      }),
    ).toEqual([1, 4, 20, 19]);
    expect(shape(x, ct({ strides: [2, 2], output_shape: [21, 22] }), { inits: w([8, 4, 3, 3]) })).toEqual([
      1, 4, 21, 22,
    ]);
    expect(shape(x, ct({ strides: [2, 2], auto_pad: 'SAME_UPPER' }), { inits: w([8, 4, 3, 3]) })).toEqual([
      1, 4, 20, 20,
    ]);
    expect(shape(x, ct({ dilations: [2, 2] }), { inits: w([8, 4, 3, 3]) })).toEqual([1, 4, 14, 14]);
  });

  it('MaxPool/AveragePool/LpPool with ceil_mode, and the Indices output', () => {
    const x = [img('x', [1, 3, 7, 7])];
    const [y, idx] = infer(x, node('MaxPool', ['x'], ['y', 'i'], { kernel_shape: [2, 2], strides: [2, 2] }));
    expect(y).toEqual({ elemType: F, shape: [1, 3, 3, 3] });
    expect(idx).toEqual({ elemType: I64, shape: [1, 3, 3, 3] });
    expect(
      shape(x, node('MaxPool', ['x'], ['y'], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 })),
    ).toEqual([1, 3, 4, 4]);
    expect(
      shape(
        x,
        node('AveragePool', ['x'], ['y'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }),
      ),
    ).toEqual([1, 3, 4, 4]);
    expect(shape(x, node('LpPool', ['x'], ['y'], { kernel_shape: [3, 3] }))).toEqual([1, 3, 5, 5]);
    // Ceil mode drops a last window that would start in the end padding (as PyTorch and onnxruntime do).
    const x5 = [img('x', [1, 1, 5])];
    expect(
      shape(
        x5,
        node('MaxPool', ['x'], ['y'], { kernel_shape: [2], strides: [2], pads: [1, 1], ceil_mode: 1 }),
      ),
    ).toEqual([1, 1, 3]);
  });

  it('global pools keep N and C', () => {
    expect(shape([img('x', ['N', 64, 'H', 'W'])], node('GlobalAveragePool', ['x'], ['y']))).toEqual([
      'N',
      64,
      1,
      1,
    ]);
    expect(shape([img('x', [2, 64, 7])], node('GlobalMaxPool', ['x'], ['y']))).toEqual([2, 64, 1]);
  });
});

describe('elementwise', () => {
  const unary = [
    'Relu',
    'LeakyRelu',
    'Sigmoid',
    'HardSigmoid',
    'HardSwish',
    'Tanh',
    'Clip',
    'Elu',
    'Selu',
    'Softplus',
    'Mish',
    'Gelu',
    'Erf',
    'Exp',
    'Log',
    'Sqrt',
    'Abs',
    'Neg',
    'Reciprocal',
    'Identity',
    'Floor',
    'Ceil',
    'Round',
    'Softmax',
    'LogSoftmax',
    'InstanceNormalization',
  ];
  it.each(unary)('%s keeps type and shape', (op) => {
    expect(infer([img('x', ['N', 3, 'H', 5])], node(op, ['x'], ['y']))[0]).toEqual({
      elemType: F,
      shape: ['N', 3, 'H', 5],
    });
  });

  it('Not, Dropout mask, Cast, BatchNormalization, PRelu', () => {
    expect(infer([value('x', [2], DataType.BOOL)], node('Not', ['x'], ['y']))[0]).toEqual({
      elemType: DataType.BOOL,
      shape: [2],
    });
    const [y, mask] = infer([img('x', ['N', 4])], node('Dropout', ['x'], ['y', 'm']));
    expect(y).toEqual({ elemType: F, shape: ['N', 4] });
    expect(mask).toEqual({ elemType: DataType.BOOL, shape: ['N', 4] });
    expect(infer([img('x', ['N', 4])], node('Cast', ['x'], ['y'], { to: DataType.FLOAT16 }))[0]).toEqual({
      elemType: DataType.FLOAT16,
      shape: ['N', 4],
    });
    const bnInits = ['s', 'b', 'm', 'v'].map((n) => floats(n, [4]));
    expect(
      shape([img('x', ['N', 4, 8, 8])], node('BatchNormalization', ['x', 's', 'b', 'm', 'v'], ['y']), {
        inits: bnInits,
      }),
    ).toEqual(['N', 4, 8, 8]);
    expect(
      shape([img('x', ['N', 4, 8, 8])], node('PRelu', ['x', 's'], ['y']), {
        inits: [floats('s', [4, 1, 1])],
      }),
    ).toEqual(['N', 4, 8, 8]);
  });

  it('broadcasts fixed and symbolic dims', () => {
    const add = (a: Dim[], b: Dim[]) => shape([img('a', a), img('b', b)], node('Add', ['a', 'b'], ['y']));
    expect(add(['N', 3, 1, 'W'], [3, 4, 1])).toEqual(['N', 3, 4, 'W']);
    expect(add(['N', 1], [1, 'M'])).toEqual(['N', 'M']);
    expect(add(['N'], ['M'])).toEqual([null]);
    expect(add([5], ['N'])).toEqual([5]);
    expect(add(['N', 2], ['N', 2])).toEqual(['N', 2]);
    expect(add([null, 2], [1, 2])).toEqual([null, 2]);
    expect(add([null, 2], [7, 1])).toEqual([7, 2]);
    expect(add([0, 2], [1, 2])).toEqual([0, 2]);
    expect(add([], [2, 3])).toEqual([2, 3]);
  });

  it('variadic, comparison and Where', () => {
    const vs = [img('a', [2, 1]), img('b', [1, 3]), img('c', [4, 1, 1])];
    expect(shape(vs, node('Sum', ['a', 'b', 'c'], ['y']))).toEqual([4, 2, 3]);
    expect(shape(vs, node('Mean', ['a', 'b'], ['y']))).toEqual([2, 3]);
    for (const op of ['Equal', 'Less', 'Greater']) {
      expect(infer(vs, node(op, ['a', 'b'], ['y']))[0]).toEqual({ elemType: DataType.BOOL, shape: [2, 3] });
    }
    const bools = [value('p', [2, 1], DataType.BOOL), value('q', [3], DataType.BOOL)];
    expect(infer(bools, node('And', ['p', 'q'], ['y']))[0]).toEqual({
      elemType: DataType.BOOL,
      shape: [2, 3],
    });
    const where = [value('c', [1, 4], DataType.BOOL), img('x', [3, 1]), img('z', [])];
    expect(infer(where, node('Where', ['c', 'x', 'z'], ['y']))[0]).toEqual({ elemType: F, shape: [3, 4] });
  });

  it('EXPECTED FAILURE - incompatible broadcast leaves the output unknown without throwing', () => {
    expect(infer([img('a', [3]), img('b', [4])], node('Add', ['a', 'b'], ['y']))[0]).toBeUndefined();
  });

  it('LayerNormalization statistics, QuantizeLinear and DequantizeLinear types', () => {
    const ln = infer([img('x', ['N', 5, 8])], node('LayerNormalization', ['x', 's'], ['y', 'mean', 'inv']), {
      inits: [floats('s', [8])],
      opset: 17,
    });
    expect(ln).toEqual([
      { elemType: F, shape: ['N', 5, 8] },
      { elemType: F, shape: ['N', 5, 1] },
      { elemType: F, shape: ['N', 5, 1] },
    ]);
    const zp = { ...int64s('zp', [0], []), dataType: DataType.INT8, rawData: undefined, typedData: [] };
    expect(
      infer([img('x', [2, 3])], node('QuantizeLinear', ['x', 's', 'zp'], ['y']), {
        inits: [floats('s', []), zp],
      })[0],
    ).toEqual({ elemType: DataType.INT8, shape: [2, 3] });
    expect(
      infer([img('x', [2, 3])], node('QuantizeLinear', ['x', 's'], ['y']), { inits: [floats('s', [])] })[0],
    ).toEqual({ elemType: DataType.UINT8, shape: [2, 3] });
    expect(
      infer([value('x', [2, 3], DataType.UINT8)], node('DequantizeLinear', ['x', 's'], ['y']), {
        inits: [floats('s', [])],
      })[0],
    ).toEqual({ elemType: F, shape: [2, 3] });
  });
});

describe('linear algebra', () => {
  it('Gemm with transA/transB', () => {
    const ab = [img('a', [4, 3]), img('b', [5, 3])];
    expect(shape(ab, node('Gemm', ['a', 'b'], ['y'], { transB: 1 }))).toEqual([4, 5]);
    expect(shape(ab, node('Gemm', ['a', 'b'], ['y'], { transA: 1 }))).toEqual([3, 3]);
    expect(
      shape([img('a', ['N', 3]), img('b', [3, 7])], node('Gemm', ['a', 'b', 'c'], ['y']), {
        inits: [floats('c', [7])],
      }),
    ).toEqual(['N', 7]);
  });

  it('MatMul: batched, broadcast batch, 1-D operands', () => {
    const mm = (a: Dim[], b: Dim[]) => shape([img('a', a), img('b', b)], node('MatMul', ['a', 'b'], ['y']));
    expect(mm(['N', 8, 5, 6], [6, 7])).toEqual(['N', 8, 5, 7]);
    expect(mm([2, 1, 5, 6], [3, 6, 7])).toEqual([2, 3, 5, 7]);
    expect(mm([6], [6, 7])).toEqual([7]);
    expect(mm([2, 3, 6], [6])).toEqual([2, 3]);
    expect(mm([6], [6])).toEqual([]);
  });
});

describe('shape ops and constant folding of shape subgraphs', () => {
  it('Reshape with 0 and -1 copies symbols and cancels them', () => {
    const r = (x: Dim[], target: number[], opset = 13, attrs = {}) =>
      shape([img('x', x)], node('Reshape', ['x', 't'], ['y'], attrs), {
        inits: [int64s('t', target)],
        opset,
      });
    expect(r(['N', 3, 4], [0, -1])).toEqual(['N', 12]);
    expect(r([2, 3, 4], [-1])).toEqual([24]);
    expect(r([2, 3, 4], [4, 0, -1])).toEqual([4, 3, 2]);
    expect(r([0, 4], [0, 4], 14, { allowzero: 1 })).toEqual([0, 4]);
    expect(r(['N', 'C', 4], [-1, 4])).toEqual([null, 4]);
    expect(
      shape([img('x', [2, 6])], node('Reshape', ['x'], ['y'], { shape: [3, -1] }), { opset: 4 }),
    ).toEqual([3, 4]);
  });

  it('folds Shape -> Gather -> Unsqueeze -> Concat -> Reshape, static and symbolic', () => {
    const nodes = [
      node('Shape', ['x'], ['s']),
      node('Gather', ['s', 'zero'], ['n']),
      node('Unsqueeze', ['n', 'axes'], ['n1']),
      node('Concat', ['n1', 'minus1'], ['t'], { axis: 0 }),
      node('Reshape', ['x', 't'], ['y']),
    ];
    const inits = [int64s('zero', [0], []), int64s('axes', [0]), int64s('minus1', [-1])];
    expect(shape([img('x', [2, 3, 4, 5])], nodes, { inits })).toEqual([2, 60]);
    expect(shape([img('x', ['N', 3, 4, 5])], nodes, { inits })).toEqual(['N', 60]);
    const types = inferShapes(chain([img('x', ['N', 3, 4, 5])], nodes, { initializers: inits }));
    expect(types.get('t')).toEqual({ elemType: I64, shape: [2] });
    expect(types.get('n')).toEqual({ elemType: I64, shape: [] });
  });

  it('folds the Paddle pattern Shape -> Cast -> Slice -> Concat with constants from Constant nodes', () => {
    const nodes = [
      node('Shape', ['x'], ['s']),
      node('Cast', ['s'], ['s32'], { to: DataType.INT32 }),
      constant('st', int64s('', [0])),
      constant('en', int64s('', [2])),
      constant('ax', int64s('', [0])),
      node('Slice', ['s32', 'st', 'en', 'ax'], ['head']),
      node('Cast', ['head'], ['head64'], { to: I64 }),
      constant('m1', int64s('', [-1])),
      node('Concat', ['head64', 'm1'], ['t'], { axis: 0 }),
      node('Reshape', ['x', 't'], ['y']),
    ];
    expect(shape([img('x', ['N', 120, 1, 'W'])], nodes, { opset: 11 })).toEqual(['N', 120, 'W']);
  });

  it('a Reshape target computed at run time gives a known rank', () => {
    expect(shape([img('x', [2, 3]), value('t', [3], I64)], node('Reshape', ['x', 't'], ['y']))).toEqual([
      null,
      null,
      null,
    ]);
  });

  it('Transpose, Flatten, Squeeze, Unsqueeze (attribute and input forms)', () => {
    const x = [img('x', ['N', 1, 3, 1])];
    expect(shape(x, node('Transpose', ['x'], ['y'], { perm: [0, 2, 3, 1] }))).toEqual(['N', 3, 1, 1]);
    expect(shape(x, node('Transpose', ['x'], ['y']))).toEqual([1, 3, 1, 'N']);
    expect(shape(x, node('Flatten', ['x'], ['y']))).toEqual(['N', 3]);
    expect(shape(x, node('Flatten', ['x'], ['y'], { axis: 0 }))).toEqual([1, null]);
    expect(shape([img('x', [2, 3, 4])], node('Flatten', ['x'], ['y'], { axis: -1 }))).toEqual([6, 4]);
    expect(shape(x, node('Squeeze', ['x'], ['y'], { axes: [1, -1] }), { opset: 11 })).toEqual(['N', 3]);
    expect(shape(x, node('Squeeze', ['x', 'a'], ['y']), { inits: [int64s('a', [3])] })).toEqual(['N', 1, 3]);
    expect(shape([img('x', [1, 3, 1])], node('Squeeze', ['x'], ['y']))).toEqual([3]);
    expect(shape(x, node('Squeeze', ['x'], ['y']))).toBeNull();
    expect(
      shape([img('x', ['N', 3])], node('Unsqueeze', ['x'], ['y'], { axes: [0, 3] }), { opset: 11 }),
    ).toEqual([1, 'N', 3, 1]);
    expect(
      shape([img('x', ['N', 3])], node('Unsqueeze', ['x', 'a'], ['y']), { inits: [int64s('a', [-1])] }),
    ).toEqual(['N', 3, 1]);
  });

  it('Concat sums the axis and merges the others', () => {
    const xs = [img('a', ['N', 3, 'H', 8]), img('b', ['N', 5, 'H', null])];
    expect(shape(xs, node('Concat', ['a', 'b'], ['y'], { axis: 1 }))).toEqual(['N', 8, 'H', 8]);
    const ys = [img('a', ['N', 3, 'H', 8]), img('b', ['N', 3, 'H', null])];
    expect(shape(ys, node('Concat', ['a', 'b'], ['y'], { axis: -2 }))).toEqual(['N', 3, null, 8]);
    expect(
      shape([img('a', [0, 2]), img('b', ['M', 2])], node('Concat', ['a', 'b'], ['y'], { axis: 0 })),
    ).toEqual(['M', 2]);
  });

  it('Shape with start/end, Size, Gather', () => {
    expect(
      infer([img('x', ['N', 3, 'H', 'W'])], node('Shape', ['x'], ['y'], { start: 1, end: -1 }), {
        opset: 15,
      })[0],
    ).toEqual({ elemType: I64, shape: [2] });
    expect(infer([img('x', ['N', 3])], node('Size', ['x'], ['y']))[0]).toEqual({ elemType: I64, shape: [] });
    expect(
      shape([img('x', [5, 6, 7])], node('Gather', ['x', 'i'], ['y'], { axis: 1 }), {
        inits: [int64s('i', [0, 1, 2, 3, 4, 5], [2, 3])],
      }),
    ).toEqual([5, 2, 3, 7]);
    expect(
      shape([img('x', [5, 6, 7])], node('Gather', ['x', 'i'], ['y']), { inits: [int64s('i', [1], [])] }),
    ).toEqual([6, 7]);
  });

  it('Expand, Tile, ConstantOfShape, Range', () => {
    expect(
      shape([img('x', [3, 1])], node('Expand', ['x', 's'], ['y']), { inits: [int64s('s', [2, 3, 4])] }),
    ).toEqual([2, 3, 4]);
    const expandLike = [node('Shape', ['like'], ['s']), node('Expand', ['x', 's'], ['y'])];
    expect(shape([img('x', [1, 4]), img('like', ['N', 1])], expandLike)).toEqual(['N', 4]);
    expect(
      shape([img('x', [2, 3])], node('Tile', ['x', 'r'], ['y']), { inits: [int64s('r', [2, 2])] }),
    ).toEqual([4, 6]);
    const cos = [
      node('Shape', ['x'], ['s']),
      node('ConstantOfShape', ['s'], ['y'], { value: int64s('v', [1]) }),
    ];
    expect(infer([img('x', [2, 3])], cos)[0]).toEqual({ elemType: I64, shape: [2, 3] });
    const range = node('Range', ['a', 'b', 'c'], ['y']);
    const inits = [int64s('a', [0], []), int64s('b', [10], []), int64s('c', [3], [])];
    expect(infer([], range, { inits })[0]).toEqual({ elemType: I64, shape: [4] });
  });

  it('Constant, DepthToSpace, SpaceToDepth', () => {
    expect(infer([], constant('c', floats('', [2, 3])))[0]).toEqual({ elemType: F, shape: [2, 3] });
    expect(infer([], node('Constant', [], ['c'], { value_ints: [1, 2, 3] }))[0]).toEqual({
      elemType: I64,
      shape: [3],
    });
    expect(shape([img('x', ['N', 8, 2, 3])], node('DepthToSpace', ['x'], ['y'], { blocksize: 2 }))).toEqual([
      'N',
      2,
      4,
      6,
    ]);
    expect(shape([img('x', ['N', 2, 4, 6])], node('SpaceToDepth', ['x'], ['y'], { blocksize: 2 }))).toEqual([
      'N',
      8,
      2,
      3,
    ]);
  });
});

describe('slicing, padding, splitting', () => {
  it('Slice before opset 10 uses attributes', () => {
    expect(
      shape([img('x', [10, 20])], node('Slice', ['x'], ['y'], { starts: [2], ends: [-2], axes: [1] }), {
        opset: 9,
      }),
    ).toEqual([10, 16]);
  });

  it('Slice inputs: negative starts, INT64_MAX ends, steps, symbolic dims', () => {
    const sl = (x: Dim[], starts: number[], ends: number[], axes: number[], steps?: number[]) => {
      const inits = [int64s('s', starts), int64s('e', ends), int64s('a', axes)];
      const ins = ['x', 's', 'e', 'a'];
      if (steps) {
        inits.push(int64s('st', steps));
        ins.push('st');
      }
      return shape([img('x', x)], node('Slice', ins, ['y']), { inits });
    };
    const MAX = Number.MAX_SAFE_INTEGER * 1024; // what an int64 INT64_MAX reads as
    expect(sl([10, 20], [-3], [MAX], [0])).toEqual([3, 20]);
    expect(sl([10, 20], [1, 0], [MAX, 20], [0, 1], [2, 3])).toEqual([5, 7]);
    expect(sl([10], [-1], [-MAX], [0], [-1])).toEqual([10]);
    expect(sl([10], [8], [2], [0], [-2])).toEqual([3]);
    expect(sl([10], [20], [30], [0])).toEqual([0]);
    expect(sl(['N', 20], [0, 0], [MAX, 5], [0, 1])).toEqual(['N', 5]);
    expect(sl(['N', 20], [1], [MAX], [0])).toEqual([null, 20]);
    // Bounds only known at run time: the sliced axis becomes unknown.
    expect(
      shape([img('x', [10, 20]), value('s', [1], I64)], node('Slice', ['x', 's', 'e', 'a'], ['y']), {
        inits: [int64s('e', [5]), int64s('a', [1])],
      }),
    ).toEqual([10, null]);
  });

  it('Pad as attribute (opset < 11) and as input', () => {
    expect(
      shape([img('x', ['N', 3, 4])], node('Pad', ['x'], ['y'], { pads: [0, 0, 1, 0, 0, 2] }), { opset: 10 }),
    ).toEqual(['N', 3, 7]);
    expect(
      shape([img('x', ['N', 3, 'H'])], node('Pad', ['x', 'p'], ['y']), {
        inits: [int64s('p', [0, 1, 1, 0, 1, 1])],
      }),
    ).toEqual(['N', 5, null]);
  });

  it('Split by attribute, input, equal parts and num_outputs', () => {
    const outs = (n: number) => Array.from({ length: n }, (_, k) => `y${k}`);
    const sh = (r: (ValueType | undefined)[]) => r.map((t) => t?.shape);
    expect(
      sh(
        infer([img('x', [2, 10])], node('Split', ['x'], outs(2), { axis: 1, split: [3, 7] }), { opset: 11 }),
      ),
    ).toEqual([
      [2, 3],
      [2, 7],
    ]);
    expect(
      sh(
        infer([img('x', [2, 10])], node('Split', ['x', 's'], outs(2), { axis: 1 }), {
          inits: [int64s('s', [4, 6])],
        }),
      ),
    ).toEqual([
      [2, 4],
      [2, 6],
    ]);
    expect(sh(infer([img('x', [6, 2])], node('Split', ['x'], outs(3))))).toEqual([
      [2, 2],
      [2, 2],
      [2, 2],
    ]);
    expect(
      sh(infer([img('x', [7])], node('Split', ['x'], outs(3), { num_outputs: 3 }), { opset: 18 })),
    ).toEqual([[3], [3], [1]]);
  });
});

describe('resize', () => {
  it('Resize opset 10 (scales), 11 (sizes with empty scales), 13 (no roi)', () => {
    const x = [img('x', ['N', 3, 20, 30])];
    expect(
      shape(x, node('Resize', ['x', 's'], ['y']), { opset: 10, inits: [scalesT([1, 1, 2, 0.5])] }),
    ).toEqual(['N', 3, 40, 15]);
    const empty = floats('e', [0]);
    expect(
      shape(x, node('Resize', ['x', 'roi', 'e', 'sz'], ['y']), {
        opset: 11,
        inits: [floats('roi', [0]), empty, int64s('sz', [1, 3, 64, 64])],
      }),
    ).toEqual([1, 3, 64, 64]);
    expect(
      shape(x, node('Resize', ['x', '', 's'], ['y']), { opset: 13, inits: [scalesT([1, 1, 2, 2])] }),
    ).toEqual(['N', 3, 40, 60]);
  });

  it('Resize opset 18 axes and keep_aspect_ratio_policy', () => {
    const x = [img('x', [1, 3, 20, 30])];
    const sizes = int64s('sz', [60, 60]);
    expect(
      shape(x, node('Resize', ['x', '', '', 'sz'], ['y'], { axes: [2, 3] }), { opset: 18, inits: [sizes] }),
    ).toEqual([1, 3, 60, 60]);
    expect(
      shape(
        x,
        node('Resize', ['x', '', '', 'sz'], ['y'], { axes: [2, 3], keep_aspect_ratio_policy: 'not_larger' }),
        { opset: 18, inits: [sizes] },
      ),
    ).toEqual([1, 3, 40, 60]);
  });

  it('Upsample with attribute scales (opset 7) and input scales (opset 9)', () => {
    const x = [img('x', [1, 3, 5, 5])];
    expect(shape(x, node('Upsample', ['x'], ['y'], { scales: float([1, 1, 2, 2]) }), { opset: 7 })).toEqual([
      1, 3, 10, 10,
    ]);
    expect(
      shape(x, node('Upsample', ['x', 's'], ['y']), { opset: 9, inits: [scalesT([1, 1, 3, 3])] }),
    ).toEqual([1, 3, 15, 15]);
  });
});

function scalesT(values: number[]): TensorProto {
  return tensorFromArray('s', F, [values.length], new Float32Array(values));
}

describe('reductions', () => {
  it('Reduce* with axes attribute or input, keepdims, noop_with_empty_axes', () => {
    const x = [img('x', ['N', 3, 4, 5])];
    expect(shape(x, node('ReduceMean', ['x'], ['y'], { axes: [-1] }))).toEqual(['N', 3, 4, 1]);
    expect(shape(x, node('ReduceMax', ['x'], ['y'], { axes: [2, 3], keepdims: 0 }))).toEqual(['N', 3]);
    expect(
      shape(x, node('ReduceSum', ['x', 'a'], ['y'], { keepdims: 0 }), { inits: [int64s('a', [1])] }),
    ).toEqual(['N', 4, 5]);
    expect(shape(x, node('ReduceSum', ['x'], ['y']))).toEqual([1, 1, 1, 1]);
    expect(shape(x, node('ReduceSum', ['x'], ['y'], { noop_with_empty_axes: 1 }))).toEqual(['N', 3, 4, 5]);
    expect(shape([img('x', [2, 3]), value('a', [1], I64)], node('ReduceSum', ['x', 'a'], ['y']))).toEqual([
      null,
      null,
    ]);
    expect(shape(x, node('ReduceMean', ['x', 'a'], ['y']), { opset: 18, inits: [int64s('a', [0])] })).toEqual(
      [1, 3, 4, 5],
    );
  });

  it('ArgMax and TopK', () => {
    expect(infer([img('x', [2, 3, 4])], node('ArgMax', ['x'], ['y'], { axis: 1, keepdims: 0 }))[0]).toEqual({
      elemType: I64,
      shape: [2, 4],
    });
    const [v, i] = infer([img('x', [2, 10])], node('TopK', ['x', 'k'], ['v', 'i']), {
      inits: [int64s('k', [3])],
    });
    expect(v).toEqual({ elemType: F, shape: [2, 3] });
    expect(i).toEqual({ elemType: I64, shape: [2, 3] });
  });
});

describe('robustness', () => {
  it('an unknown op leaves its outputs unknown, or uses value_info', () => {
    const nodes = [node('MyOp', ['x'], ['a'], {}, { domain: 'custom' }), node('Relu', ['a'], ['b'])];
    const m = chain([img('x', [1, 3])], nodes);
    expect(inferShapes(m).get('b')).toBeUndefined();
    m.graph.valueInfo.push(value('a', ['N', 3]));
    const types = inferShapes(m);
    expect(types.get('a')).toEqual({ elemType: F, shape: ['N', 3] });
    expect(types.get('b')).toEqual({ elemType: F, shape: ['N', 3] });
  });

  it('EXPECTED FAILURE - a malformed node yields unknown, not a throw', () => {
    const bad = node('Conv', ['x', 'w'], ['y'], { strides: float([1.5, 1.5]) });
    const m = chain([img('x', [1, 3, 8, 8])], [bad, node('Relu', ['y'], ['z'])], {
      initializers: [floats('w', [4, 3, 3, 3])],
    });
    const types = inferShapes(m);
    expect(types.get('y')).toBeUndefined();
    expect(types.get('z')).toBeUndefined();
  });

  it('fills unknown dims from declared value_info, preferring computed symbols', () => {
    const m = model(
      graph({
        inputs: [img('x', ['N', 3, 'H', 'W'])],
        initializers: [floats('w', [4, 3, 3, 3])],
        nodes: [node('Conv', ['x', 'w'], ['y'], { strides: [2, 2] })],
        outputs: [value('y', ['B', 4, 'h', 'w'])],
      }),
    );
    expect(inferShapes(m).get('y')).toEqual({ elemType: F, shape: ['N', 4, 'h', 'w'] });
  });

  it('inputShapes replaces declared input shapes', () => {
    const m = chain([img('x', ['N', 3, 'H', 'W'])], [node('GlobalAveragePool', ['x'], ['y'])]);
    expect(inferShapes(m, { inputShapes: { x: [2, 3, 8, 8] } }).get('x')?.shape).toEqual([2, 3, 8, 8]);
    expect(() => inferShapes(m, { inputShapes: { nope: [1] } })).toThrow(
      /Expected a graph input name in inputShapes but received 'nope'/,
    );
  });

  it('does not read weight payloads', () => {
    const w = floats('w', [4, 3, 3, 3]);
    const guarded: TensorProto = {
      ...w,
      rawData: {
        ...w.rawData!,
        source: {
          label: 'w',
          length: 432,
          read: () => {
            throw new Error('weights read');
          },
        },
      },
    };
    const nodes = [
      node('Conv', ['x', 'w'], ['y']),
      node('Shape', ['y'], ['s']),
      node('Reshape', ['y', 's'], ['z']),
    ];
    const types = inferShapes(chain([img('x', [1, 3, 8, 8])], nodes, { initializers: [guarded] }));
    expect(types.get('z')?.shape).toEqual([1, 4, 6, 6]);
  });
});

const PY_INFER = `
import json, sys, onnx
from onnx import shape_inference
path, fixed = sys.argv[1], json.loads(sys.argv[2])
m = onnx.load(path)
for i in m.graph.input:
    if i.name in fixed:
        for d, v in zip(i.type.tensor_type.shape.dim, fixed[i.name]):
            d.Clear()
            d.dim_value = v
m = shape_inference.infer_shapes(m, data_prop=True)
out = {}
for v in list(m.graph.value_info) + list(m.graph.output):
    t = v.type.tensor_type
    if not t.HasField('shape'):
        continue
    out[v.name] = [d.dim_value if d.HasField('dim_value') else (d.dim_param or None) for d in t.shape.dim]
print(json.dumps(out))
`;

describe('PaddleOCR models against onnx.shape_inference', () => {
  const cases: [keyof typeof OCR_MODELS, Record<string, number[]>][] = [
    ['det', { x: [1, 3, 64, 96] }],
    ['rec', { x: [1, 3, 48, 320] }],
    ['cls', { x: [1, 3, 48, 192] }],
  ];
  for (const [key, fixed] of cases) {
    for (const mode of ['symbolic', 'fixed'] as const) {
      it(`${key} (${mode} input): every node output has a shape; fixed dims match onnx`, () => {
        const m = readModelFile(OCR_MODELS[key]);
        const inputShapes = mode === 'fixed' ? fixed : {};
        const ours = inferShapes(m, { inputShapes });
        const theirs = python<Record<string, (number | string | null)[]>>(PY_INFER, [
          OCR_MODELS[key],
          JSON.stringify(inputShapes),
        ]);
        const missing = m.graph.nodes.flatMap((n) => n.outputs).filter((o) => !ours.get(o)?.shape);
        expect(missing).toEqual([]);
        let compared = 0;
        const mismatches: string[] = [];
        for (const [name, dims] of Object.entries(theirs)) {
          const mine = ours.get(name)?.shape;
          if (!mine) continue;
          compared++;
          const ok =
            mine.length === dims.length &&
            dims.every(
              (d, k) => typeof d !== 'number' || d === mine[k] || (mode === 'symbolic' && mine[k] === null),
            );
          if (!ok) mismatches.push(`${name}: ours ${JSON.stringify(mine)} onnx ${JSON.stringify(dims)}`);
        }
        expect(mismatches).toEqual([]);
        expect(compared).toBeGreaterThan(m.graph.nodes.length / 2);
        if (mode === 'fixed') {
          // With a fixed input every tensor is static, including the declared-symbolic graph outputs.
          const notStatic = [...ours].filter(([, t]) => !t.shape?.every((d) => typeof d === 'number'));
          expect(notStatic.map(([n, t]) => `${n} ${JSON.stringify(t.shape)}`)).toEqual([]);
        }
        for (const o of m.graph.outputs) {
          const want = theirs[o.name]!;
          const got = ours.get(o.name)!.shape!;
          expect(got.length).toBe(want.length);
        }
      });
    }
  }
});
