// Every DLA restriction with a model that meets it and one that breaks it, on the tables of the
// JetPack releases (Orin: TensorRT 8.6 and 10.3; Xavier: 8.5), through the checker `edge check` runs.
import { DataType, tensorFromArray } from '@edge/onnx-parse';
import { describe, expect, it } from 'vitest';
import { resolveTargets } from '../src/index.js';
import { chain, floats, int64s, node, value } from './helpers/build.js';
import { targetReport as report } from './helpers/check.js';

type Model = ReturnType<typeof chain>;

/** The DLA rules the model breaks on the target (the GPU table's own findings aside). */
async function broken(m: Model, target: string): Promise<string[]> {
  const r = await report(m, target);
  return r.issues.filter((i) => i.table === r.target && i.level !== 'note').map((i) => i.rule);
}

const X = (shape: number[] = [1, 8, 16, 16]) => value('x', shape);
const conv = (attrs: Record<string, number[] | number>, k = 3, cout = 8, shape = [1, 8, 16, 16]) =>
  chain([X(shape)], [node('Conv', ['x', 'w'], ['y'], { kernel_shape: [k, k], ...attrs })], {
    initializers: [floats('w', [cout, shape[1]!, k, k])],
  });
const pool = (op: string, attrs: Record<string, number[] | number>) =>
  chain([X()], [node(op, ['x'], ['y'], attrs)]);
const resize = (attrs: Record<string, string>, scales: number[], opset = 13) =>
  chain([X()], [node('Resize', ['x', '', 's'], ['y'], attrs)], {
    initializers: [floatsOf('s', scales)],
    opset,
  });
/** Resize nearest with asymmetric coordinates, the one nearest form DLA takes (with floor). */
const nearestAsymmetric = (nearest_mode: string, scales: number[]) =>
  resize({ mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode }, scales);
function floatsOf(name: string, v: number[]) {
  return tensorFromArray(name, DataType.FLOAT, [v.length], Float32Array.from(v));
}

interface Case {
  what: string;
  targets: string[];
  meets: () => Model;
  breaks: () => Model;
  rule: RegExp;
}

const CASES: Case[] = [
  {
    what: 'Conv kernel 1..32',
    targets: ['dla-orin-8.6', 'dla-xavier-8.5'],
    meets: () => conv({}, 3),
    breaks: () => conv({}, 33, 8, [1, 8, 40, 40]),
    rule: /kernel size is 1\.\.32/,
  },
  {
    what: 'Conv stride 1..8',
    targets: ['dla-orin-8.6', 'dla-xavier-8.5'],
    meets: () => conv({ strides: [8, 8] }),
    breaks: () => conv({ strides: [9, 9] }),
    rule: /stride is 1\.\.8/,
  },
  {
    what: 'Conv padding below the kernel size',
    targets: ['dla-orin-10.3', 'dla-xavier-8.5'],
    meets: () => conv({ pads: [2, 2, 2, 2] }),
    breaks: () => conv({ pads: [3, 3, 3, 3] }),
    rule: /padding is less than the kernel size/,
  },
  {
    what: 'Conv dilation 1..32',
    targets: ['dla-orin-8.6'],
    meets: () => conv({ dilations: [2, 2] }),
    breaks: () => conv({ dilations: [33, 33] }, 1),
    rule: /dilation is 1\.\.32/,
  },
  {
    what: 'Conv output channels 1..8192',
    targets: ['dla-orin-8.6'],
    meets: () => conv({}, 1, 8192, [1, 8, 4, 4]),
    breaks: () => conv({}, 1, 8193, [1, 8, 4, 4]),
    rule: /output channels are 1\.\.8192/,
  },
  {
    what: 'Conv 2D only',
    targets: ['dla-orin-8.6'],
    meets: () => conv({}),
    breaks: () =>
      chain([value('x', [1, 8, 16])], [node('Conv', ['x', 'w'], ['y'], { kernel_shape: [3] })], {
        initializers: [floats('w', [8, 8, 3])],
      }),
    rule: /convolution is 2D/,
  },
  {
    what: 'ConvTranspose without padding, group 1',
    targets: ['dla-orin-8.6', 'dla-xavier-8.5'],
    meets: () =>
      chain([X()], [node('ConvTranspose', ['x', 'w'], ['y'], { kernel_shape: [2, 2], strides: [2, 2] })], {
        initializers: [floats('w', [8, 8, 2, 2])],
      }),
    breaks: () =>
      chain([X()], [node('ConvTranspose', ['x', 'w'], ['y'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] })], {
        initializers: [floats('w', [8, 8, 3, 3])],
      }),
    rule: /no padding/,
  },
  {
    what: 'pooling window 1..8',
    targets: ['dla-orin-8.6', 'dla-xavier-8.5'],
    meets: () => pool('MaxPool', { kernel_shape: [8, 8] }),
    breaks: () => pool('MaxPool', { kernel_shape: [9, 9] }),
    rule: /window is 1\.\.8/,
  },
  {
    what: 'pooling stride 1..16',
    targets: ['dla-orin-8.6'],
    meets: () => pool('MaxPool', { kernel_shape: [2, 2], strides: [16, 16] }),
    breaks: () => pool('MaxPool', { kernel_shape: [2, 2], strides: [17, 17] }),
    rule: /stride is 1\.\.16/,
  },
  {
    what: 'pooling padding 0..7',
    targets: ['dla-orin-8.6'],
    meets: () => pool('MaxPool', { kernel_shape: [8, 8], pads: [7, 7, 7, 7] }),
    breaks: () => pool('MaxPool', { kernel_shape: [8, 8], pads: [8, 8, 8, 8] }),
    rule: /padding is 0\.\.7/,
  },
  {
    what: "Xavier's inclusive average pooling",
    targets: ['dla-xavier-8.5'],
    meets: () => pool('AveragePool', { kernel_shape: [3, 3], pads: [1, 1, 1, 1], count_include_pad: 1 }),
    breaks: () => pool('AveragePool', { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }),
    rule: /count_include_pad/,
  },
  {
    what: 'GlobalAveragePool is a Reduce layer (a whole-map AveragePool is the DLA form)',
    targets: ['dla-orin-10.3', 'dla-xavier-8.5'],
    meets: () => chain([X([1, 8, 8, 8])], [node('AveragePool', ['x'], ['y'], { kernel_shape: [8, 8] })]),
    breaks: () => chain([X([1, 8, 8, 8])], [node('GlobalAveragePool', ['x'], ['y'])]),
    rule: /GlobalAveragePool: not supported/,
  },
  {
    what: 'GlobalMaxPool: native on Orin from TensorRT 8.6.12',
    targets: ['dla-orin-8.6'],
    meets: () => chain([X([1, 8, 8, 8])], [node('MaxPool', ['x'], ['y'], { kernel_shape: [8, 8] })]),
    breaks: () => chain([X([1, 8, 8, 8])], [node('GlobalMaxPool', ['x'], ['y'])]),
    rule: /GlobalMaxPool: not supported/,
  },
  {
    what: 'Clip bounds are constants',
    targets: ['dla-orin-8.6', 'dla-xavier-8.5'],
    meets: () =>
      chain([X()], [node('Clip', ['x', 'lo', 'hi'], ['y'])], {
        initializers: [floats('lo', [], 0), floats('hi', [], 6)],
      }),
    breaks: () =>
      chain([X(), value('hi', [])], [node('Clip', ['x', 'lo', 'hi'], ['y'])], {
        initializers: [floats('lo', [], 0)],
      }),
    rule: /Clip bounds are build-time constants/,
  },
  {
    what: 'LRN window 3, 5, 7 or 9',
    targets: ['dla-orin-8.6', 'dla-xavier-8.5'],
    meets: () => pool('LRN', { size: 5 }),
    breaks: () => pool('LRN', { size: 11 }),
    rule: /window size is 3, 5, 7 or 9/,
  },
  {
    what: 'Concat on channels',
    targets: ['dla-orin-8.6', 'dla-xavier-8.5'],
    meets: () => chain([X(), value('z', [1, 8, 16, 16])], [node('Concat', ['x', 'z'], ['y'], { axis: 1 })]),
    breaks: () => chain([X(), value('z', [1, 8, 16, 16])], [node('Concat', ['x', 'z'], ['y'], { axis: 2 })]),
    rule: /third to last/,
  },
  {
    what: 'Softmax on Orin: axis of at most 1024 when other dimensions exceed 1',
    targets: ['dla-orin-8.6'],
    meets: () => chain([X([1, 1000, 4, 4])], [node('Softmax', ['x'], ['y'], { axis: 1 })]),
    breaks: () => chain([X([1, 2000, 4, 4])], [node('Softmax', ['x'], ['y'], { axis: 1 })]),
    rule: /Softmax: not on Xavier/,
  },
  {
    what: 'Resize nearest: asymmetric + floor',
    targets: ['dla-orin-8.6', 'dla-xavier-8.5'],
    meets: () => nearestAsymmetric('floor', [1, 1, 2, 2]),
    breaks: () => nearestAsymmetric('ceil', [1, 1, 2, 2]),
    rule: /nearest with \(asymmetric, floor\)/,
  },
  {
    what: 'Resize linear: half_pixel',
    targets: ['dla-orin-8.6'],
    meets: () => resize({ mode: 'linear', coordinate_transformation_mode: 'half_pixel' }, [1, 1, 2, 2]),
    breaks: () => resize({ mode: 'linear', coordinate_transformation_mode: 'align_corners' }, [1, 1, 2, 2]),
    rule: /linear with half_pixel/,
  },
  {
    what: 'Resize linear scales 1..4',
    targets: ['dla-orin-8.6'],
    meets: () => resize({ mode: 'linear' }, [1, 1, 4, 4]),
    breaks: () => resize({ mode: 'linear' }, [1, 1, 5, 5]),
    rule: /four scales/,
  },
  {
    what: 'Resize nearest scales are integers 1..32, batch and channels 1',
    targets: ['dla-orin-8.6'],
    meets: () => nearestAsymmetric('floor', [1, 1, 32, 32]),
    breaks: () => nearestAsymmetric('floor', [1, 2, 1.5, 1.5]),
    rule: /four scales/,
  },
  {
    what: 'Slice: constant parameters, not the first dimension',
    targets: ['dla-orin-8.6', 'dla-xavier-8.5'],
    meets: () =>
      chain([X()], [node('Slice', ['x', 'b', 'e', 'a'], ['y'])], {
        initializers: [int64s('b', [0, 0]), int64s('e', [8, 8]), int64s('a', [2, 3])],
      }),
    breaks: () =>
      chain([X()], [node('Slice', ['x', 'b', 'e', 'a'], ['y'])], {
        initializers: [int64s('b', [0]), int64s('e', [1]), int64s('a', [0])],
      }),
    rule: /no slicing of the first dimension/,
  },
  {
    what: 'Slice steps are 1',
    targets: ['dla-orin-8.6'],
    meets: () =>
      chain([X()], [node('Slice', ['x', 'b', 'e', 'a', 's'], ['y'])], {
        initializers: [int64s('b', [0]), int64s('e', [8]), int64s('a', [2]), int64s('s', [1])],
      }),
    breaks: () =>
      chain([X()], [node('Slice', ['x', 'b', 'e', 'a', 's'], ['y'])], {
        initializers: [int64s('b', [0]), int64s('e', [8]), int64s('a', [2]), int64s('s', [2])],
      }),
    rule: /every step is 1/,
  },
  {
    what: 'PRelu slope is a constant',
    targets: ['dla-orin-8.6', 'dla-xavier-8.5'],
    meets: () =>
      chain([X()], [node('PRelu', ['x', 's'], ['y'])], { initializers: [floats('s', [8, 1, 1], 0.1)] }),
    breaks: () => chain([X(), value('s', [8, 1, 1])], [node('PRelu', ['x', 's'], ['y'])]),
    rule: /slope is a build-time constant/,
  },
  {
    what: 'Div on Orin from TensorRT 8.6.12 (10.3 yes, 8.6 no)',
    targets: ['dla-orin-8.6'],
    meets: () => chain([X(), value('z', [1, 8, 16, 16])], [node('Sub', ['x', 'z'], ['y'])]),
    breaks: () => chain([X(), value('z', [1, 8, 16, 16])], [node('Div', ['x', 'z'], ['y'])]),
    rule: /Div must be in the|Div: not supported/,
  },
  {
    what: 'Xavier ElementWise: sum, product, max, min, sub only',
    targets: ['dla-xavier-8.5'],
    meets: () => chain([X(), value('z', [1, 8, 16, 16])], [node('Max', ['x', 'z'], ['y'])]),
    breaks: () => chain([X(), value('z', [1, 8, 16, 16])], [node('Equal', ['x', 'z'], ['y'])]),
    rule: /Equal must be in the/,
  },
  {
    what: 'Unary: Abs everywhere, Sin on Orin from 8.6.12',
    targets: ['dla-orin-8.6', 'dla-xavier-8.5'],
    meets: () => pool('Abs', {}),
    breaks: () => pool('Sin', {}),
    rule: /Sin/,
  },
  {
    what: 'Gemm weights are constants',
    targets: ['dla-orin-8.6'],
    meets: () =>
      chain([value('x', [1, 64])], [node('Gemm', ['x', 'w'], ['y'], { transB: 1 })], {
        initializers: [floats('w', [10, 64])],
      }),
    breaks: () =>
      chain([value('x', [1, 64]), value('w', [10, 64])], [node('Gemm', ['x', 'w'], ['y'], { transB: 1 })]),
    rule: /second input .* is a constant/,
  },
  {
    what: 'FP16/INT8 only: no INT32 activations',
    targets: ['dla-orin-8.6', 'dla-xavier-8.5'],
    meets: () => pool('Relu', {}),
    breaks: () => chain([value('x', [1, 8, 16, 16], DataType.INT32)], [node('Relu', ['x'], ['y'])]),
    rule: /floating point or INT8/,
  },
  {
    what: 'static shapes',
    targets: ['dla-orin-8.6'],
    meets: () => pool('Relu', {}),
    breaks: () => chain([value('x', ['N', 8, 16, 16] as unknown as number[])], [node('Relu', ['x'], ['y'])]),
    rule: /static shapes/,
  },
  {
    what: 'non-batch dimensions up to 8192',
    targets: ['dla-orin-8.6'],
    meets: () => chain([X([1, 8, 1, 8192])], [node('Relu', ['x'], ['y'])]),
    breaks: () => chain([X([1, 8, 1, 8193])], [node('Relu', ['x'], ['y'])]),
    rule: /at most 8192/,
  },
];

describe('DLA restrictions: a model that meets each and one that breaks it', () => {
  for (const c of CASES) {
    for (const target of c.targets) {
      it(`${target}: ${c.what}`, async () => {
        expect(await broken(c.meets(), target)).toEqual([]);
        const rules = await broken(c.breaks(), target);
        expect(
          rules.some((r) => c.rule.test(r)),
          rules.join(' | '),
        ).toBe(true);
      });
    }
  }

  it('version gates: Div, Sin, Greater and GlobalMaxPool run on Orin DLA with TensorRT 10.3, not 8.6', async () => {
    const two = (op: string) => chain([X(), value('z', [1, 8, 16, 16])], [node(op, ['x', 'z'], ['y'])]);
    for (const m of [
      two('Div'),
      two('Greater'),
      pool('Sin', {}),
      chain([X([1, 8, 8, 8])], [node('GlobalMaxPool', ['x'], ['y'])]),
    ]) {
      expect(await broken(m, 'dla-orin-10.3')).toEqual([]);
      expect((await broken(m, 'dla-orin-8.6')).length).toBeGreaterThan(0);
    }
  });

  it('an op DLA lacks falls back to the GPU per node, with the DLA->GPU crossings counted', async () => {
    const m = chain(
      [X([1, 8, 8, 8])],
      [
        node('Conv', ['x', 'w'], ['a'], { kernel_shape: [1, 1] }),
        node('GlobalAveragePool', ['a'], ['b']),
        node('Conv', ['b', 'w'], ['y'], { kernel_shape: [1, 1] }),
      ],
      { initializers: [floats('w', [8, 8, 1, 1])] },
    );
    const r = await report(m, 'dla-orin-8.6');
    expect(r.verdict).toBe('fallback');
    expect(r.fallback).toMatchObject({
      device: 'GPU',
      mode: 'per-node',
      layers: 1,
      acceleratorLayers: 2,
      transitions: 1,
    });
  });

  it('JetPack aliases expand to the TensorRT and DLA tables of the release', async () => {
    const ids = async (a: string) => (await resolveTargets([a])).map((t) => t.id);
    expect(await ids('jetpack-4.6')).toEqual(['trt-8.0', 'dla-xavier-8.0']);
    expect(await ids('jetpack-5.1')).toEqual(['trt-8.5', 'dla-xavier-8.5', 'dla-orin-8.5']);
    expect(await ids('jetpack-6.0')).toEqual(['trt-8.6', 'dla-orin-8.6']);
    expect(await ids('jetpack-6.2')).toEqual(['trt-10.3', 'dla-orin-10.3']);
    expect(await ids('dla-orin')).toEqual(['dla-orin-8.6']);
    expect(await ids('trt-8')).toEqual(['trt-8.6']);
  });
});
