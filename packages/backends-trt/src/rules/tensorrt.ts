// The TensorRT ONNX parser (onnx-tensorrt) for TensorRT 7.x, 8.6 and 10.x: one list of rules with
// version ranges, following docs/operators.md of each release. The 7.2 and 8.4 texts were read for
// this table; what 8.6 and 10.x add beyond them is marked in each rule's source note.

import type { GraphRule, ModelGraph, ModelOp, OpCondition, OpRule, RuleSource, RuleTable } from '@edge/core';
import { constantInput, ints, num, rank, spatial2dOr3d, str } from './predicates.js';

const DOC = 'onnx-tensorrt docs/operators.md';
const URL = 'https://github.com/onnx/onnx-tensorrt/blob/main/docs/operators.md';

/** onnx-tensorrt operators.md as of TensorRT 7.2 (read for this table). */
const V7: RuleSource = { document: DOC, version: 'release/7.2', url: URL };
/** onnx-tensorrt operators.md as of TensorRT 8.4 (read for this table); 8.6 keeps these rows. */
const V8: RuleSource = {
  document: DOC,
  version: 'release/8.4 (rows kept in 8.6)',
  url: URL,
  note: 'read from the 8.4 text; assumed unchanged in 8.6-GA',
};
/** Additions of 8.6 that the 8.4 text does not have. */
const V86: RuleSource = {
  document: DOC,
  version: 'release/8.6-GA',
  url: URL,
  note: 'from the 8.6 release notes and the issue brief; the 8.6 operators.md row was not read here',
};
/** Statements about 10.x. */
const V10: RuleSource = {
  document: DOC,
  version: 'release/10.0',
  url: URL,
  note: 'opset range 9-20 read from the 10.0 text; other 10.x rows from memory, not verified here',
};

function byVersion(...rules: OpRule[]): OpRule[] {
  return rules;
}

const always = (op: string | readonly string[], source: RuleSource = V7): OpRule => ({
  op,
  support: 'supported',
  source,
});

// Ops supported by every version from 7.2 on, without conditions.
const PLAIN =
  `Abs Acos Acosh Add And ArgMax ArgMin Asin Asinh Atan Atanh BatchNormalization Ceil Concat Constant
  ConstantOfShape Cos Cosh DepthToSpace Div Elu Equal Erf Exp Expand Flatten Floor Gather Gemm
  GlobalAveragePool GlobalMaxPool Greater HardSigmoid Identity ImageScaler LeakyRelu Less Log LogSoftmax Loop
  LRN MatMul Max Mean Min Mul Neg Not Or ParametricSoftplus Pow PRelu RandomUniform RandomUniformLike
  ReduceL1 ReduceL2 ReduceLogSum ReduceLogSumExp ReduceMax ReduceMean ReduceMin ReduceProd ReduceSum
  ReduceSumSquare Relu Reshape ScaledTanh Scan Selu Shape Sigmoid Sin Sinh Size Softmax Softplus Softsign
  SpaceToDepth Split Sqrt Sub Sum Tan Tanh ThresholdedRelu Tile Transpose Upsample Where`.split(/\s+/);

// Added between 7.2 and 8.4 (the 8.4 text lists them as Y).
const SINCE_8 = `Celu Dropout EyeLike GatherElements GatherND GlobalLpPool GreaterOrEqual IsNaN LessOrEqual
  LpNormalization LpPool Round Scatter ScatterElements ScatterND Sign Xor HardSwish`.split(/\s+/);

// Unsupported in every version: no importer, or no TensorRT layer to map to.
const NEVER: readonly [string, string, string?][] = [
  [
    'QLinearConv',
    'quantised operator form',
    'export QuantizeLinear/DequantizeLinear pairs around a float Conv (QDQ format); TensorRT fuses them into INT8 layers',
  ],
  ['QLinearMatMul', 'quantised operator form', 'export Q/DQ pairs around a float MatMul (QDQ format)'],
  ['ConvInteger', 'integer convolution', 'export Q/DQ pairs around a float Conv (QDQ format)'],
  ['MatMulInteger', 'integer matmul', 'export Q/DQ pairs around a float MatMul (QDQ format)'],
  ['DynamicQuantizeLinear', 'run-time quantisation', 'calibrate offline and export static Q/DQ scales'],
  ['Unique', 'data-dependent output size', 'move Unique into post-processing'],
  ['SequenceAt', 'sequence types'],
  ['SequenceConstruct', 'sequence types'],
  ['SequenceEmpty', 'sequence types'],
  ['SequenceErase', 'sequence types'],
  ['SequenceInsert', 'sequence types'],
  ['SequenceLength', 'sequence types'],
  ['SequenceMap', 'sequence types'],
  ['ConcatFromSequence', 'sequence types', 'replace the sequence with a Concat of tensors'],
  ['SplitToSequence', 'sequence types', 'use Split with a fixed number of outputs'],
  ['DFT', 'no Fourier transform layer', 'compute the transform as a MatMul with a constant DFT matrix'],
  ['STFT', 'no Fourier transform layer', 'frame the signal and use a MatMul with a constant DFT matrix'],
  ['BitShift', 'no bit-shift layer'],
  ['Compress', 'data-dependent output size'],
  ['Det', 'no determinant layer'],
  ['MaxRoiPool', 'no importer'],
  ['MaxUnpool', 'no importer'],
  ['MeanVarianceNormalization', 'no importer in 7.x/8.x', 'decompose into ReduceMean/Sub/Pow/Div'],
  ['Multinomial', 'no importer'],
  ['NegativeLogLikelihoodLoss', 'training operator'],
  ['SoftmaxCrossEntropyLoss', 'training operator'],
  ['StringNormalizer', 'string types'],
  ['TfIdfVectorizer', 'string types'],
  ['RandomNormal', 'no importer'],
  ['RandomNormalLike', 'no importer'],
  ['Shrink', 'no importer'],
  ['Optional', 'optional types'],
  ['OptionalGetElement', 'optional types'],
  ['OptionalHasElement', 'optional types'],
];

function resizeConditions(): OpCondition[] {
  const ctm = (op: ModelOp) =>
    // Resize-10 has no attribute; its sampling is the asymmetric one.
    op.version < 11 ? 'asymmetric' : str(op, 'coordinate_transformation_mode', 'half_pixel');
  const nearestMode = (op: ModelOp) =>
    op.version < 11 ? 'floor' : str(op, 'nearest_mode', 'round_prefer_floor');
  const modes8 = ['half_pixel', 'pytorch_half_pixel', 'tf_half_pixel_for_nn', 'asymmetric', 'align_corners'];
  return [
    {
      description: "mode is 'nearest' or 'linear' (no 'cubic')",
      test: (op) =>
        ['nearest', 'linear'].includes(str(op, 'mode', 'nearest')) ||
        `mode is '${str(op, 'mode', 'nearest')}'`,
      fix: "re-export with mode 'linear' (bilinear); cubic has no TensorRT resize mode in these releases",
    },
    {
      description: "coordinate_transformation_mode is 'asymmetric'",
      until: '8.0',
      test: (op) => ctm(op) === 'asymmetric' || `it is '${ctm(op)}'`,
      fix: "export with coordinate_transformation_mode='asymmetric' (align_corners=False with PyTorch nearest), or target TensorRT 8.x",
      source: V7,
    },
    {
      description: "nearest_mode is 'floor' (for mode 'nearest')",
      until: '8.0',
      test: (op) =>
        str(op, 'mode', 'nearest') !== 'nearest' ||
        nearestMode(op) === 'floor' ||
        `it is '${nearestMode(op)}'`,
      fix: "export with nearest_mode='floor', or target TensorRT 8.x",
      source: V7,
    },
    {
      description: `coordinate_transformation_mode is one of ${modes8.join(', ')}`,
      since: '8.0',
      test: (op) => modes8.includes(ctm(op)) || `it is '${ctm(op)}'`,
      fix: "export with coordinate_transformation_mode 'half_pixel' or 'asymmetric'",
      source: V8,
    },
  ];
}

function zeroPoint(i: number, label: string): OpCondition {
  return {
    description: `${label} is 0 (symmetric quantisation)`,
    test: (op) => {
      const t = op.inputs[i];
      if (!t) return true;
      if (!t.values) return t.constant ? true : `'${t.name}' is not a constant`;
      return (
        t.values.every((v) => v === 0) || `${label} holds ${[...new Set(t.values)].slice(0, 4).join(', ')}`
      );
    },
    fix: 'quantise symmetrically (zero point 0), e.g. onnxruntime quantize_static with symmetric activations and weights',
  };
}

function maxPoolNoIndices(): OpCondition {
  return {
    description: 'the Indices output is not used',
    test: (op) => op.outputs.length < 2 || `output '${op.outputs[1]!.name}' is requested`,
    fix: 'drop the Indices output (MaxUnpool-style decoders need a plugin)',
    source: V8,
  };
}

function sameActivationsBothWays(): OpCondition {
  return {
    description: 'bidirectional: the same activation functions forward and reverse',
    test: (op) => {
      if (str(op, 'direction', 'forward') !== 'bidirectional') return true;
      const a = op.attributes.activations;
      if (!Array.isArray(a) || a.length === 0) return true;
      const half = a.length / 2;
      return a.slice(0, half).every((x, k) => x === a[half + k]) || `activations are ${a.join(', ')}`;
    },
    source: V8,
  };
}

// float, float16, int32, int8, bool, and int64/double, which the parser casts down to int32/float.
const CAST_TYPES_8 = [1, 10, 6, 3, 9, 7, 11];
const CAST_TYPES_10 = [...CAST_TYPES_8, 2, 16]; // + uint8, bfloat16

const RULES: OpRule[] = byVersion(
  always(PLAIN),
  { op: SINCE_8, support: 'supported', since: '8.0', source: V8 },
  {
    op: SINCE_8,
    support: 'unsupported',
    until: '8.0',
    reason: 'not in the 7.x operator list',
    fix: 'target TensorRT 8.x or later',
    source: V7,
  },
  {
    op: 'Resize',
    support: 'supported',
    conditions: resizeConditions(),
    source: V8,
  },
  {
    op: 'Conv',
    support: 'supported',
    conditions: [
      spatial2dOr3d('the convolution', { fix: 'reshape 1D data to 2D (N,C,1,W) around a 2D Conv' }),
      constantInput(1, 'W (weights)', { since: '8.0', until: '10.0', source: V8 }),
    ],
    source: V8,
  },
  {
    op: 'ConvTranspose',
    support: 'supported',
    conditions: [spatial2dOr3d('the deconvolution'), constantInput(1, 'W (weights)')],
    source: V7,
  },
  {
    op: 'AveragePool',
    support: 'supported',
    conditions: [spatial2dOr3d('the pooling', { fix: 'reshape 1D data to 2D around the pooling' })],
    source: V7,
  },
  {
    op: 'MaxPool',
    support: 'supported',
    conditions: [spatial2dOr3d('the pooling'), maxPoolNoIndices()],
    source: V8,
  },
  {
    op: 'TopK',
    support: 'supported',
    conditions: [constantInput(1, 'K', { since: '8.0', source: V8 })],
    source: V8,
  },
  { op: 'Slice', support: 'supported', conditions: [constantInput(3, 'axes')], source: V7 },
  {
    op: ['Squeeze', 'Unsqueeze'],
    support: 'supported',
    conditions: [constantInput(1, 'axes', { since: '8.0', source: V8 })],
    source: V8,
  },
  {
    op: 'Pad',
    support: 'supported',
    conditions: [
      constantInput(1, 'pads', { until: '8.0' }),
      constantInput(3, 'axes', { source: V10 }),
      {
        description: 'constant zero padding of the last two dimensions only',
        until: '8.0',
        test: (op) => {
          if (str(op, 'mode', 'constant') !== 'constant') return `mode is '${str(op, 'mode', 'constant')}'`;
          const pads = op.inputs[1]?.values ?? ints(op, 'pads');
          const r = pads.length / 2;
          const bad = pads.some((p, k) => p !== 0 && k % r < r - 2);
          return !bad || `pads are [${pads.join(', ')}]`;
        },
        fix: 'pad only H and W with zeros, or target TensorRT 8.x',
      },
    ],
    source: V7,
  },
  {
    op: 'Clip',
    support: 'supported',
    conditions: [constantInput(1, 'min', { until: '8.0' }), constantInput(2, 'max', { until: '8.0' })],
    source: V7,
  },
  {
    op: ['QuantizeLinear', 'DequantizeLinear'],
    support: 'supported',
    conditions: [constantInput(1, 'scale', { until: '8.0' }), zeroPoint(2, 'the zero point')],
    source: V8,
  },
  {
    op: 'InstanceNormalization',
    support: 'supported',
    conditions: [
      constantInput(1, 'scale'),
      constantInput(2, 'B'),
      {
        description: 'input rank is 3 to 5',
        since: '8.0',
        test: (op) => {
          const r = rank(op.inputs[0]);
          return r === undefined || (r >= 3 && r <= 5) || `input rank is ${r}`;
        },
      },
    ],
    source: V8,
  },
  { op: 'CumSum', support: 'supported', since: '8.0', conditions: [constantInput(1, 'axis')], source: V8 },
  {
    op: 'Range',
    support: 'supported',
    conditions: [
      {
        description: 'float start/limit/delta are initializers',
        test: (op) => {
          const floats = op.inputs.some((t) => t?.dtype.startsWith('float'));
          return (
            !floats || op.inputs.every((t) => !t || t.constant) || 'float inputs are computed at run time'
          );
        },
      },
    ],
    source: V7,
  },
  {
    op: 'Einsum',
    support: 'supported',
    since: '8.0',
    conditions: [
      {
        description: 'no ellipsis or diagonal terms in the equation',
        test: (op) => {
          const eq = str(op, 'equation', '');
          const lhs = eq.split('->')[0] ?? '';
          const diagonal = lhs.split(',').some((term) => new Set(term.trim()).size !== term.trim().length);
          return (!eq.includes('...') && !diagonal) || `equation is '${eq}'`;
        },
        fix: 'rewrite the Einsum as Transpose/Reshape/MatMul',
      },
    ],
    source: V8,
  },
  { op: ['GRU', 'LSTM', 'RNN'], support: 'supported', conditions: [sameActivationsBothWays()], source: V8 },
  {
    op: 'Cast',
    support: 'supported',
    conditions: [
      {
        description:
          'the target type is a TensorRT type (float, float16, int32, int8, bool; int64 and double are cast down)',
        until: '10.0',
        test: (op) => CAST_TYPES_8.includes(num(op, 'to', 1)) || `to is type ${num(op, 'to', 1)}`,
        fix: 'cast to float, float16, int32, int8 or bool',
      },
      {
        description:
          'the target type is a TensorRT 10 type (float, float16, bfloat16, int32, int64, int8, uint8, bool)',
        since: '10.0',
        test: (op) => CAST_TYPES_10.includes(num(op, 'to', 1)) || `to is type ${num(op, 'to', 1)}`,
        source: V10,
      },
    ],
    source: V7,
  },
  { op: 'If', support: 'supported', since: '8.0', source: V8 },
  {
    op: 'If',
    support: 'unsupported',
    until: '8.0',
    reason: 'no conditional layer in 7.x',
    fix: 'fold the condition (edge convert --fold-constants) or target TensorRT 8.x',
    source: V7,
  },
  { op: 'ReverseSequence', support: 'supported', since: '8.0', source: V8 },
  {
    op: 'NonMaxSuppression',
    support: 'supported',
    since: '8.6',
    conditions: [
      constantInput(2, 'max_output_boxes_per_class'),
      constantInput(3, 'iou_threshold'),
      constantInput(4, 'score_threshold'),
    ],
    source: V86,
  },
  {
    op: 'NonMaxSuppression',
    support: 'unsupported',
    until: '8.6',
    reason: 'no NMS importer before 8.6 (8.4/8.5 mark it experimental)',
    fix: 'run NMS in post-processing, use the EfficientNMS_TRT plugin, or target TensorRT 8.6',
    source: V8,
  },
  {
    op: ['NonZero', 'OneHot', 'LayerNormalization', 'GridSample'],
    support: 'supported',
    since: '8.6',
    source: V86,
  },
  {
    op: ['NonZero', 'OneHot', 'LayerNormalization', 'GridSample'],
    support: 'unsupported',
    until: '8.6',
    reason: 'not in the operator list before 8.6',
    fix: 'target TensorRT 8.6 or later',
    source: V86,
  },
  {
    op: ['IsInf', 'Reciprocal', 'Mod', 'Hardmax', 'RoiAlign', 'GroupNormalization', 'Mish'],
    support: 'supported',
    since: '10.0',
    source: V10,
  },
  ...NEVER.map(
    ([op, why, fix]): OpRule => ({
      op,
      support: 'unsupported',
      reason: `${op} is not supported by the TensorRT ONNX parser (${why})`,
      ...(fix ? { fix } : {}),
      source: V10,
    }),
  ),
);

function opsetRange(min: number, max: number, source: RuleSource): GraphRule {
  return {
    id: 'opset-range',
    description: `the model's default-domain opset is between ${min} and ${max}`,
    effect: 'incompatible',
    check: (g: ModelGraph) => {
      const v = g.opsets[''];
      return v !== undefined && (v < min || v > max) ? [{ message: `the model imports opset ${v}` }] : [];
    },
    fix: `convert the model to an opset in ${min}..${max} (onnx.version_converter, or re-export)`,
    source,
  };
}

const INT64_WEIGHTS: GraphRule = {
  id: 'int64-weights',
  description: 'no INT64 weights (TensorRT before 10 casts them down to INT32)',
  effect: 'note',
  until: '10.0',
  check: (g: ModelGraph) => {
    const ops = g.ops.filter((op) =>
      op.inputs.some((t) => t?.constant && t.dtype === 'int64' && t.values === undefined),
    );
    return ops.length
      ? [
          {
            message: `${ops.length} op(s) read large INT64 constants; values beyond INT32 are clamped`,
            ops: ops.map((o) => o.index),
          },
        ]
      : [];
  },
  fix: 'store index and shape constants as INT32 where the model allows',
  source: V8,
};

const DYNAMIC_DIMS: GraphRule = {
  id: 'dynamic-dims',
  description: 'every dynamic input dimension has an optimization profile (explicit-batch network)',
  effect: 'note',
  check: (g: ModelGraph) => {
    const dynamic = g.inputs.filter((t) => !t.shape || t.shape.some((d) => typeof d !== 'number'));
    return dynamic.length
      ? [
          {
            message: `dynamic inputs ${dynamic.map((t) => `'${t.name}' [${(t.shape ?? ['?']).map((d) => d ?? '?').join(',')}]`).join(', ')}: build an explicit-batch network with an optimization profile (min/opt/max shapes) per input`,
          },
        ]
      : [];
  },
  fix: 'fix the shapes (edge convert --batch 1 --input-shape ...) or pass min/opt/max shapes when building',
  source: V8,
};

const EXPLICIT_BATCH_7: GraphRule = {
  id: 'explicit-batch',
  description:
    'the network is created with the kEXPLICIT_BATCH flag (the 7.x ONNX parser rejects implicit batch)',
  effect: 'note',
  until: '8.0',
  check: () => [
    { message: 'TensorRT 7.x: create the network with NetworkDefinitionCreationFlag::kEXPLICIT_BATCH' },
  ],
  source: V7,
};

function table(id: string, version: string, name: string, graph: GraphRule[]): RuleTable {
  return {
    id,
    name,
    family: 'tensorrt',
    version,
    kind: 'engine',
    formats: ['onnx'],
    domains: [''],
    unlisted: 'unsupported',
    ops: RULES,
    graph: [...graph, INT64_WEIGHTS, DYNAMIC_DIMS, EXPLICIT_BATCH_7],
    source: version.startsWith('7') ? V7 : version.startsWith('8') ? V86 : V10,
  };
}

/** TensorRT 7.2 ONNX parser: opsets 7 to 11, explicit batch only. */
export const TRT_7_RULES: RuleTable = table('trt-7', '7.2', 'TensorRT 7.x', [opsetRange(7, 11, V7)]);

/** TensorRT 8.6 ONNX parser: opsets 7 to 17. */
export const TRT_8_6_RULES: RuleTable = table('trt-8.6', '8.6', 'TensorRT 8.6', [
  opsetRange(7, 17, {
    ...V86,
    note: 'opset 17 ceiling as stated in the 8.5/8.6 texts; floor 7 not stated there',
  }),
]);

/** TensorRT 10.x ONNX parser: opsets 9 to 20, no implicit batch at all. */
export const TRT_10_RULES: RuleTable = table('trt-10', '10.0', 'TensorRT 10.x', [opsetRange(9, 20, V10)]);
