// Per rule, a generated model that triggers it and one that does not; then the real MediaPipe models.
import type { ModelGraph, RuleTable } from '@edge/core';
import { MEDIAPIPE } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { EDGETPU_RULES, modelGraphFromTflite, readTfliteFile, TFLITE_RULES } from '../src/index.js';
import type { TfliteTensorSpec } from './helpers/build-tflite.js';
import { evaluate, f32, i8, i8const, i32const, oneOp } from './helpers/models.js';

const RT12: RuleTable = { ...EDGETPU_RULES, id: 'edgetpu-rt12', version: '12' };

interface Case {
  /** Title: the rule in words. */
  rule: string;
  table?: RuleTable;
  /** Text the failure's `rule` (condition description or graph rule id) must contain. */
  match: string;
  bad: () => ModelGraph;
  good: () => ModelGraph;
}

const conv = (opts: Record<string, number | string>, w: TfliteTensorSpec = i8const('w', [4, 3, 3, 4])) =>
  oneOp({ op: 'CONV_2D', inputs: ['x', 'w', 'b'], outputs: ['y'], options: opts }, [
    i8('x', [1, 8, 8, 4]),
    w,
    i32const('b', [0, 0, 0, 0]),
    i8('y', [1, 8, 8, 4]),
  ]);
const dw = (w: number, h: number) =>
  oneOp(
    {
      op: 'DEPTHWISE_CONV_2D',
      inputs: ['x', 'w', 'b'],
      outputs: ['y'],
      options: { dilation_w_factor: w, dilation_h_factor: h },
    },
    [i8('x', [1, 8, 8, 4]), i8const('w', [1, 3, 3, 4]), i32const('b', [0, 0, 0, 0]), i8('y', [1, 8, 8, 4])],
  );
const pool = (act: string) =>
  oneOp({ op: 'MAX_POOL_2D', inputs: ['x'], outputs: ['y'], options: { fused_activation_function: act } }, [
    i8('x', [1, 8, 8, 4]),
    i8('y', [1, 4, 4, 4]),
  ]);
const unary = (op: string, x: TfliteTensorSpec, y: TfliteTensorSpec) =>
  oneOp({ op, inputs: [x.name], outputs: [y.name] }, [x, y]);
const withAxes = (op: string, axes: number[], inShape: number[], outShape: number[]) =>
  oneOp({ op, inputs: ['x', 'axes'], outputs: ['y'], options: { keep_dims: true } }, [
    i8('x', inShape),
    i32const('axes', axes),
    i8('y', outShape),
  ]);
const pad = (paddings: number[]) => {
  const out = [1, 4, 4, 4].map((d, i) => d + paddings[2 * i]! + paddings[2 * i + 1]!);
  return oneOp({ op: 'PAD', inputs: ['x', 'p'], outputs: ['y'] }, [
    i8('x', [1, 4, 4, 4]),
    i32const('p', paddings, [4, 2]),
    i8('y', out),
  ]);
};
const concat = (constant: TfliteTensorSpec, act = 'NONE') =>
  oneOp(
    {
      op: 'CONCATENATION',
      inputs: ['x', constant.name],
      outputs: ['y'],
      options: { axis: 3, fused_activation_function: act },
    },
    [i8('x', [1, 4, 4, 4]), constant, i8('y', [1, 4, 4, 8])],
  );
const fc = (out: number[], format = 'DEFAULT') =>
  oneOp(
    { op: 'FULLY_CONNECTED', inputs: ['x', 'w', 'b'], outputs: ['y'], options: { weights_format: format } },
    [i8('x', [1, 16]), i8const('w', [10, 16]), i32const('b', new Array(10).fill(0)), i8('y', out)],
  );

const EDGETPU_CASES: Case[] = [
  {
    rule: 'the model is fully 8-bit quantised',
    match: 'edgetpu-int8-model',
    bad: () => unary('RELU', f32('x', [1, 8, 8, 4]), f32('y', [1, 8, 8, 4])),
    good: () => unary('RELU', i8('x', [1, 8, 8, 4]), i8('y', [1, 8, 8, 4])),
  },
  {
    rule: 'tensor sizes are static',
    match: 'edgetpu-static-shapes',
    bad: () =>
      unary('RELU', { ...i8('x', [1, 8, 8, 4]), shapeSignature: [1, -1, -1, 4] }, i8('y', [1, 8, 8, 4])),
    good: () =>
      unary('RELU', { ...i8('x', [1, 8, 8, 4]), shapeSignature: [1, 8, 8, 4] }, i8('y', [1, 8, 8, 4])),
  },
  {
    rule: 'every op computes on 8-bit quantised tensors (in a quantised model)',
    match: 'are 8-bit quantised',
    bad: () =>
      oneOp({ op: 'ADD', inputs: ['x', 'f'], outputs: ['y'] }, [
        i8('x', [1, 4]),
        f32('f', [1, 4]),
        i8('y', [1, 4]),
      ]),
    good: () =>
      oneOp({ op: 'ADD', inputs: ['x', 'z'], outputs: ['y'] }, [
        i8('x', [1, 4]),
        i8('z', [1, 4]),
        i8('y', [1, 4]),
      ]),
  },
  {
    rule: 'at most 3 significant dimensions',
    match: 'at most 3 dimensions greater than 1',
    bad: () => unary('RELU', i8('x', [2, 8, 8, 4]), i8('y', [2, 8, 8, 4])),
    good: () => unary('RELU', i8('x', [1, 8, 8, 4]), i8('y', [1, 8, 8, 4])),
  },
  {
    rule: 'pooling has no fused activation',
    match: 'no fused activation',
    bad: () => pool('RELU'),
    good: () => pool('NONE'),
  },
  {
    rule: 'concatenation has no fused activation',
    match: 'no fused activation',
    bad: () => concat(i8('z', [1, 4, 4, 4]), 'RELU6'),
    good: () => concat(i8('z', [1, 4, 4, 4])),
  },
  {
    rule: 'a constant concatenation input is an all-zero padding',
    match: 'all zeros',
    bad: () => concat(i8const('z', [1, 4, 4, 4], 2)),
    good: () => concat(i8const('z', [1, 4, 4, 4], 0)),
  },
  {
    rule: 'convolution uses the same dilation in x and y',
    match: 'same dilation',
    bad: () => conv({ dilation_w_factor: 2, dilation_h_factor: 1 }),
    good: () => conv({ dilation_w_factor: 2, dilation_h_factor: 2 }),
  },
  {
    rule: 'convolution weights are constant',
    match: 'constant at compile time',
    bad: () => conv({}, i8('w', [4, 3, 3, 4])),
    good: () => conv({}),
  },
  {
    rule: 'depthwise dilation is equal in x and y (runtime 13+)',
    match: 'same dilation',
    bad: () => dw(2, 1),
    good: () => dw(2, 2),
  },
  {
    rule: 'depthwise has no dilation (runtime 12)',
    table: RT12,
    match: 'no dilation',
    bad: () => dw(2, 2),
    good: () => dw(1, 1),
  },
  {
    rule: 'fully connected output is one-dimensional',
    match: 'one-dimensional',
    bad: () => fc([2, 10]),
    good: () => fc([1, 10]),
  },
  {
    rule: 'fully connected weights are in the default format',
    match: 'default format',
    bad: () => fc([1, 10], 'SHUFFLED4x16INT8'),
    good: () => fc([1, 10]),
  },
  {
    rule: 'mean does not reduce the batch dimension',
    match: 'batch dimension',
    bad: () => withAxes('MEAN', [0], [1, 4, 4, 8], [1, 4, 4, 8]),
    good: () => withAxes('MEAN', [1, 2], [1, 4, 4, 8], [1, 1, 1, 8]),
  },
  {
    rule: 'a mean along z needs z a multiple of 4',
    match: 'multiple of 4',
    bad: () => withAxes('MEAN', [-1], [1, 4, 4, 6], [1, 4, 4, 1]),
    good: () => withAxes('MEAN', [-1], [1, 4, 4, 8], [1, 4, 4, 1]),
  },
  {
    rule: 'mean along x/y only (runtime 12)',
    table: RT12,
    match: 'x and/or y only',
    bad: () => withAxes('MEAN', [3], [1, 4, 4, 8], [1, 4, 4, 1]),
    good: () => withAxes('MEAN', [1, 2], [1, 4, 4, 8], [1, 1, 1, 8]),
  },
  {
    rule: 'pad does not pad the batch dimension',
    match: 'batch dimension',
    bad: () => pad([1, 0, 1, 1, 1, 1, 0, 0]),
    good: () => pad([0, 0, 1, 1, 1, 1, 0, 0]),
  },
  {
    rule: 'pad along x/y only (runtime 12)',
    table: RT12,
    match: 'x and/or y only',
    bad: () => pad([0, 0, 1, 1, 1, 1, 2, 2]),
    good: () => pad([0, 0, 1, 1, 1, 1, 0, 0]),
  },
  {
    rule: 'reduce max does not reduce the batch dimension',
    match: 'batch dimension',
    bad: () => withAxes('REDUCE_MAX', [0, 1], [1, 4, 4, 8], [1, 1, 4, 8]),
    good: () => withAxes('REDUCE_MAX', [1], [1, 4, 4, 8], [1, 1, 4, 8]),
  },
  {
    rule: 'sum does not reduce the batch dimension',
    match: 'batch dimension',
    bad: () => withAxes('SUM', [0], [1, 4, 4, 8], [1, 4, 4, 8]),
    good: () => withAxes('SUM', [2], [1, 4, 4, 8], [1, 4, 1, 8]),
  },
  {
    rule: 'softmax takes a 1-D input of at most 16000 elements',
    match: '1-D input',
    bad: () => unary('SOFTMAX', i8('x', [1, 16_001]), i8('y', [1, 16_001])),
    good: () => unary('SOFTMAX', i8('x', [1, 1000]), i8('y', [1, 1000])),
  },
  {
    rule: 'split does not split the batch dimension',
    match: 'batch dimension',
    bad: () =>
      oneOp({ op: 'SPLIT', inputs: ['axis', 'x'], outputs: ['a', 'b'], options: { num_splits: 2 } }, [
        i32const('axis', [0], []),
        i8('x', [1, 4, 4, 8]),
        i8('a', [1, 4, 4, 8]),
        i8('b', [1, 4, 4, 8]),
      ]),
    good: () =>
      oneOp({ op: 'SPLIT', inputs: ['axis', 'x'], outputs: ['a', 'b'], options: { num_splits: 2 } }, [
        i32const('axis', [3], []),
        i8('x', [1, 4, 4, 8]),
        i8('a', [1, 4, 4, 4]),
        i8('b', [1, 4, 4, 4]),
      ]),
  },
  {
    rule: 'squeeze removes only leading 1s (runtime 12)',
    table: RT12,
    match: 'leading ones',
    bad: () => unary('SQUEEZE', i8('x', [5, 1, 10]), i8('y', [5, 10])),
    good: () => unary('SQUEEZE', i8('x', [1, 5, 10]), i8('y', [5, 10])),
  },
  {
    rule: 'strided slice has unit strides and no ellipsis/new-axis masks',
    match: 'all strides are 1',
    bad: () => stridedSlice([1, 2, 2, 1]),
    good: () => stridedSlice([1, 1, 1, 1]),
  },
  {
    rule: 'pack does not pack along the batch dimension',
    match: 'no packing',
    bad: () => pack(0),
    good: () => pack(1),
  },
  {
    rule: 'PReLU alpha is constant',
    match: 'alpha are constant',
    bad: () =>
      oneOp({ op: 'PRELU', inputs: ['x', 'a'], outputs: ['y'] }, [
        i8('x', [1, 4, 4, 4]),
        i8('a', [1, 1, 4]),
        i8('y', [1, 4, 4, 4]),
      ]),
    good: () =>
      oneOp({ op: 'PRELU', inputs: ['x', 'a'], outputs: ['y'] }, [
        i8('x', [1, 4, 4, 4]),
        i8const('a', [1, 1, 4]),
        i8('y', [1, 4, 4, 4]),
      ]),
  },
  {
    rule: 'DEQUANTIZE is not an Edge TPU op',
    match: 'unsupported',
    bad: () => unary('DEQUANTIZE', i8('x', [1, 4]), f32('y', [1, 4])),
    good: () => unary('QUANTIZE', f32('x', [1, 4]), i8('y', [1, 4])),
  },
  {
    rule: 'ops outside the supported list (HARD_SWISH) fall back',
    match: 'unlisted',
    bad: () => unary('HARD_SWISH', i8('x', [1, 4]), i8('y', [1, 4])),
    good: () => unary('RELU6', i8('x', [1, 4]), i8('y', [1, 4])),
  },
  {
    rule: 'transpose needs runtime 14',
    table: { ...EDGETPU_RULES, version: '13' },
    match: 'unlisted',
    bad: () =>
      oneOp({ op: 'TRANSPOSE', inputs: ['x', 'perm'], outputs: ['y'] }, [
        i8('x', [1, 4, 8]),
        i32const('perm', [0, 2, 1]),
        i8('y', [1, 8, 4]),
      ]),
    good: () => unary('EXPAND_DIMS', i8('x', [4, 8]), i8('y', [1, 4, 8])),
  },
];

function stridedSlice(strides: number[]): ModelGraph {
  return oneOp(
    { op: 'STRIDED_SLICE', inputs: ['x', 'b', 'e', 's'], outputs: ['y'], options: { begin_mask: 0 } },
    [
      i8('x', [1, 8, 8, 4]),
      i32const('b', [0, 0, 0, 0]),
      i32const('e', [1, 8, 8, 4]),
      i32const('s', strides),
      i8('y', [1, 4, 4, 4]),
    ],
  );
}

function pack(axis: number): ModelGraph {
  return oneOp({ op: 'PACK', inputs: ['a', 'b'], outputs: ['y'], options: { values_count: 2, axis } }, [
    i8('a', [1, 4, 4]),
    i8('b', [1, 4, 4]),
    i8('y', axis === 0 ? [2, 1, 4, 4] : [1, 2, 4, 4]),
  ]);
}

describe('Edge TPU rules', () => {
  for (const c of EDGETPU_CASES) {
    it(`${c.rule}: triggered by one model, not by the other`, () => {
      const table = c.table ?? EDGETPU_RULES;
      const bad = evaluate(table, c.bad());
      expect(
        bad.some((f) => f.rule.includes(c.match)),
        JSON.stringify(bad),
      ).toBe(true);
      const good = evaluate(table, c.good());
      expect(good, JSON.stringify(good)).toEqual([]);
    });
  }

  it('every rule names its source document and version', () => {
    expect(EDGETPU_RULES.source.url).toBe('https://coral.ai/docs/edgetpu/models-intro/#supported-operations');
    for (const r of [...EDGETPU_RULES.ops, ...EDGETPU_RULES.graph]) {
      expect(r.source.document).toMatch(/Coral docs/);
      expect(r.source.version).toMatch(/runtime 14/);
      // The page with the runtime-version column could not be read: every row says so.
      expect(r.source.unverified).toBe(true);
    }
    expect(EDGETPU_RULES.fallback).toEqual({ device: 'CPU', mode: 'rest-of-graph', target: 'tflite' });
    expect(EDGETPU_RULES.kind).toBe('accelerator');
  });

  it('float face detection models are not deployable as-is: not INT8-quantised, with the reason and fix', () => {
    for (const path of [MEDIAPIPE.faceShort, MEDIAPIPE.faceFull]) {
      const g = modelGraphFromTflite(readTfliteFile(path));
      const failures = evaluate(EDGETPU_RULES, g);
      const q = failures.find((f) => f.rule === 'edgetpu-int8-model');
      expect(q?.effect).toBe('incompatible');
      expect(q?.reason).toMatch(
        /^not 8-bit quantised: input 'input' is float32 \[1,(128,128|192,192),3\], no op produces/,
      );
      expect(q?.fix).toMatch(/full-integer post-training quantisation/);
      // Reported once for the model, not once per op; DEQUANTIZE of the float16 weights is the first fallback op.
      expect(failures.filter((f) => f.rule.includes('8-bit quantised ('))).toEqual([]);
      expect(failures.find((f) => f.op !== undefined)?.opType).toBe('DEQUANTIZE');
    }
  });
});

const TFLITE_CASES: Case[] = [
  {
    rule: 'builtin operators are supported; StableHLO ops without a kernel are not',
    match: 'unsupported',
    bad: () => unary('STABLEHLO_COSINE', f32('x', [4]), f32('y', [4])),
    good: () => unary('GELU', f32('x', [4]), f32('y', [4])),
  },
  {
    rule: 'placeholder codes are not operators',
    match: 'unsupported',
    bad: () => unary('DELEGATE', f32('x', [4]), f32('y', [4])),
    good: () => unary('HARD_SWISH', f32('x', [4]), f32('y', [4])),
  },
  {
    rule: 'custom ops run only when registered (the stock resolver registers TFLite_Detection_PostProcess)',
    match: 'unlisted',
    bad: () =>
      oneOp({ op: 'MyCustomOp', custom: true, inputs: ['x'], outputs: ['y'] }, [
        f32('x', [4]),
        f32('y', [4]),
      ]),
    good: () =>
      oneOp({ op: 'TFLite_Detection_PostProcess', custom: true, inputs: ['x'], outputs: ['y'] }, [
        f32('x', [4]),
        f32('y', [4]),
      ]),
  },
  {
    rule: 'MediaPipe custom ops need the MediaPipe resolver',
    match: 'unsupported',
    bad: () =>
      oneOp({ op: 'MaxUnpooling2D', custom: true, inputs: ['x'], outputs: ['y'] }, [
        f32('x', [4]),
        f32('y', [4]),
      ]),
    good: () => unary('MAX_POOL_2D', f32('x', [1, 4, 4, 1]), f32('y', [1, 2, 2, 1])),
  },
  {
    rule: 'Flex (Select TF) ops are flagged with the delegate they need',
    match: 'tflite-flex-ops',
    bad: () =>
      oneOp({ op: 'FlexErf', custom: true, inputs: ['x'], outputs: ['y'] }, [f32('x', [4]), f32('y', [4])]),
    good: () => unary('EXP', f32('x', [4]), f32('y', [4])),
  },
];

describe('stock TFLite rules', () => {
  for (const c of TFLITE_CASES) {
    it(`${c.rule}: triggered by one model, not by the other`, () => {
      const bad = evaluate(TFLITE_RULES, c.bad());
      expect(
        bad.some((f) => f.rule.includes(c.match)),
        JSON.stringify(bad),
      ).toBe(true);
      expect(evaluate(TFLITE_RULES, c.good())).toEqual([]);
    });
  }

  it('selfie_segmentation is undeployable on stock TFLite, naming Convolution2DTransposeBias and the fix', () => {
    const g = modelGraphFromTflite(readTfliteFile(MEDIAPIPE.selfie));
    const failures = evaluate(TFLITE_RULES, g);
    expect(failures).toHaveLength(1);
    const f = failures[0]!;
    expect(f.opType).toBe('Convolution2DTransposeBias');
    expect(f.rule).toBe('unsupported');
    expect(f.reason).toMatch(/^Convolution2DTransposeBias is a MediaPipe custom op/);
    expect(f.fix).toMatch(/MediaPipe's custom op resolver/);
    expect(f.fix).toMatch(/TRANSPOSE_CONV followed by ADD/);
    expect(f.source).toMatch(/MediaPipe/);
    // No engine of the known tables runs it: the checker counts that as undeployable.
    for (const t of [TFLITE_RULES, EDGETPU_RULES]) {
      const rule = t.ops.find((r) =>
        (typeof r.op === 'string' ? [r.op] : r.op).includes('Convolution2DTransposeBias'),
      );
      expect(rule?.support ?? t.unlisted).toBe('unsupported');
    }
  });

  it('the float face detection models run on stock TFLite', () => {
    for (const path of [MEDIAPIPE.faceShort, MEDIAPIPE.faceFull, MEDIAPIPE.faceSparse]) {
      expect(evaluate(TFLITE_RULES, modelGraphFromTflite(readTfliteFile(path)))).toEqual([]);
    }
  });

  it('every rule names its source document and version', () => {
    for (const r of [...TFLITE_RULES.ops, ...TFLITE_RULES.graph]) {
      expect(r.source.document.length).toBeGreaterThan(10);
      expect(r.source.version).toMatch(/\d/);
    }
  });
});
