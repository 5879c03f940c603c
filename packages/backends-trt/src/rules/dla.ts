// NVIDIA DLA (Xavier: DLA 1.0; Orin: DLA 2.0) under TensorRT 8.6: the layers DLA runs and their
// limits. Every layer DLA cannot run falls back to the GPU (GPU fallback mode), which costs a copy
// at each DLA/GPU boundary. Limits follow the "DLA Supported Layers and Restrictions" section of the
// TensorRT 8.6 developer guide as remembered; each rule's source says what was not re-read.

import type { GraphRule, ModelGraph, ModelOp, OpCondition, OpRule, RuleSource, RuleTable } from '@edge/core';
import { ints, isStatic, kernelShape, num, rank, str, within } from './predicates.js';

const GUIDE: RuleSource = {
  document: 'NVIDIA TensorRT Developer Guide, "DLA Supported Layers and Restrictions"',
  version: 'TensorRT 8.6',
  url: 'https://docs.nvidia.com/deeplearning/tensorrt/archives/tensorrt-860/developer-guide/index.html#dla-lay-supp-rest',
  note: 'limits as remembered from the 8.6 guide; not re-read for this table',
};

const ORIN_ONLY: RuleSource = {
  ...GUIDE,
  note: 'Orin (DLA 2.0) only, per the 8.6 guide as remembered; not re-read',
};

const FLOATS = ['float32', 'float16', 'int8', 'uint8'];

/** DLA runs FP16 and INT8 only: integer and boolean tensors (shape arithmetic, indices) stay on the GPU. */
const DLA_TYPES: OpCondition = {
  description: 'inputs and outputs are floating point or INT8 (DLA runs FP16/INT8 only)',
  test: (op) => {
    const bad = [...op.inputs, ...op.outputs].find(
      (t) => t && !t.constant && !FLOATS.includes(t.dtype) && t.dtype !== 'unknown',
    );
    return !bad || `'${bad.name}' is ${bad.dtype}`;
  },
  fix: 'keep integer shape arithmetic out of the network (edge convert --fold-constants) and build with --fp16 or --int8',
};

const STATIC: OpCondition = {
  description: 'static shapes (DLA has no dynamic dimensions)',
  test: (op) => {
    const bad = [...op.inputs, ...op.outputs].find((t) => t && !t.constant && t.shape && !isStatic(t.shape));
    return !bad || `'${bad.name}' has shape [${bad.shape!.map((d) => d ?? '?').join(',')}]`;
  },
  fix: 'fix every input shape: edge convert --batch 1 --input-shape name=1x3xHxW',
};

const CHW_LIMIT: OpCondition = {
  description: 'C, H and W of activations are at most 8192',
  test: (op) => {
    for (const t of [...op.inputs, ...op.outputs]) {
      if (!t || t.constant || !t.shape) continue;
      const big = t.shape.slice(1).find((d) => typeof d === 'number' && d > 8192);
      if (big !== undefined) return `'${t.name}' has a dimension of ${big}`;
    }
    return true;
  },
};

const BATCH_LIMIT: OpCondition = {
  description: 'batch is at most 4096',
  test: (op) => {
    const n = op.inputs[0]?.shape?.[0];
    return typeof n !== 'number' || n <= 4096 || `batch is ${n}`;
  },
};

const COMMON = [DLA_TYPES, STATIC, CHW_LIMIT, BATCH_LIMIT];

function rule(
  op: string | readonly string[],
  conditions: OpCondition[] = [],
  source: RuleSource = GUIDE,
): OpRule {
  return { op, support: 'supported', conditions: [...COMMON, ...conditions], source };
}

const NO_CONSTANT_LAYER: OpCondition = {
  description:
    'a constant operand is a scalar or per-channel vector (fused into a Scale layer); DLA has no Constant layer',
  test: (op) => {
    const c = op.inputs.find((t) => t?.constant);
    if (!c?.shape) return true;
    const big = c.shape.filter((d) => d !== 1);
    return big.length <= 1 || `'${c.name}' has shape [${c.shape.join(',')}]`;
  },
  fix: 'fold the constant into the preceding Conv/BatchNormalization, or make it per-channel',
};

function channels(op: ModelOp): number[] {
  const w = op.inputs[1]?.shape;
  return typeof w?.[0] === 'number' ? [w[0]] : [];
}

const CONV: OpCondition[] = [
  {
    description: '2D convolution (input rank 4)',
    test: (op) =>
      rank(op.inputs[0]) === undefined || rank(op.inputs[0]) === 4 || `input rank is ${rank(op.inputs[0])}`,
  },
  within('kernel size is 1..32 in each dimension', kernelShape, 1, 32),
  within('stride is 1..8', (op) => ints(op, 'strides', [1, 1]), 1, 8),
  within('padding is 0..31', (op) => ints(op, 'pads', [0, 0, 0, 0]), 0, 31),
  within('dilation is 1..32', (op) => ints(op, 'dilations', [1, 1]), 1, 32),
  within('output channels are 1..8192', channels, 1, 8192),
  {
    description: 'weights are constant',
    test: (op) => op.inputs[1]?.constant !== false || 'weights are computed at run time',
  },
];

const DECONV: OpCondition[] = [
  {
    description: '2D deconvolution (input rank 4)',
    test: (op) =>
      rank(op.inputs[0]) === undefined || rank(op.inputs[0]) === 4 || `input rank is ${rank(op.inputs[0])}`,
  },
  within('kernel size is 1..32 in each dimension', kernelShape, 1, 32),
  within('no padding', (op) => ints(op, 'pads', [0, 0, 0, 0]), 0, 0, {
    fix: 'crop after the deconvolution instead of padding it',
  }),
  { description: 'group is 1', test: (op) => num(op, 'group', 1) === 1 || `group is ${num(op, 'group', 1)}` },
  within('no dilation', (op) => ints(op, 'dilations', [1, 1]), 1, 1),
  within('stride is 1..32', (op) => ints(op, 'strides', [1, 1]), 1, 32),
];

function poolWindow(op: ModelOp): number[] {
  if (op.opType.startsWith('Global')) {
    const s = op.inputs[0]?.shape;
    return s ? s.slice(2).filter((d): d is number => typeof d === 'number') : [];
  }
  return [...ints(op, 'kernel_shape')];
}

const POOL: OpCondition[] = [
  {
    description: '2D pooling (input rank 4)',
    test: (op) =>
      rank(op.inputs[0]) === undefined || rank(op.inputs[0]) === 4 || `input rank is ${rank(op.inputs[0])}`,
  },
  within('window is 1..8 in each dimension', poolWindow, 1, 8, {
    fix: 'split a large window into several pools, or accept the GPU fallback',
  }),
  within('stride is 1..16', (op) => ints(op, 'strides', [1, 1]), 1, 16),
  within('padding is 0..7', (op) => ints(op, 'pads', [0, 0, 0, 0]), 0, 7),
  { description: 'no Indices output', test: (op) => op.outputs.length < 2 || 'Indices are requested' },
];

const CONCAT_CHANNELS: OpCondition = {
  description: 'concatenation along the channel axis only',
  test: (op) => {
    const r = rank(op.inputs[0]) ?? 4;
    const axis = num(op, 'axis', 1);
    return axis === 1 || axis === 1 - r || `axis is ${axis}`;
  },
  fix: 'concatenate on channels (axis 1), or transpose around the Concat',
};

const LRN_WINDOW: OpCondition = {
  description: 'window size is 3, 5, 7 or 9',
  test: (op) => [3, 5, 7, 9].includes(num(op, 'size', 0)) || `size is ${num(op, 'size', 0)}`,
};

const CLIP_RELU: OpCondition = {
  description: 'Clip with min 0 (a clipped ReLU)',
  test: (op) => {
    const min = op.inputs[1]?.values?.[0] ?? num(op, 'min', Number.NEGATIVE_INFINITY);
    return min === 0 || `min is ${min}`;
  },
};

const RESIZE: OpCondition = {
  description: "mode 'nearest' or 'linear' with integer scales on H and W",
  test: (op) => {
    if (!['nearest', 'linear'].includes(str(op, 'mode', 'nearest')))
      return `mode is '${str(op, 'mode', 'nearest')}'`;
    const inS = op.inputs[0]?.shape;
    const outS = op.outputs[0]?.shape;
    if (!inS || !outS || inS.length !== 4 || outS.length !== 4) return true;
    for (const k of [2, 3]) {
      const a = inS[k];
      const b = outS[k];
      if (typeof a === 'number' && typeof b === 'number' && b % a !== 0)
        return `scale ${b}/${a} on axis ${k}`;
    }
    return true;
  },
};

const OPS = (orin: boolean): OpRule[] => [
  rule('Conv', CONV),
  rule('ConvTranspose', DECONV),
  rule(['MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool'], POOL),
  rule(['Relu', 'Sigmoid', 'Tanh', 'LeakyRelu']),
  rule('Clip', [CLIP_RELU]),
  rule('PRelu', [
    {
      description: 'slope is constant',
      test: (op) => op.inputs[1]?.constant !== false || 'slope computed at run time',
    },
  ]),
  rule(['Add', 'Sub', 'Mul', 'Max', 'Min'], [NO_CONSTANT_LAYER]),
  rule('BatchNormalization'),
  rule('LRN', [LRN_WINDOW]),
  rule('Concat', [CONCAT_CHANNELS]),
  rule(
    ['Gemm'],
    [
      {
        description: 'B (weights) is constant',
        test: (op) => op.inputs[1]?.constant !== false || 'B computed at run time',
      },
    ],
  ),
  rule('Resize', [RESIZE], ORIN_ONLY),
  ...(orin
    ? [
        rule(
          'Softmax',
          [
            {
              description: 'softmax over channels',
              test: (op) => num(op, 'axis', -1) === 1 || `axis is ${num(op, 'axis', -1)}`,
            },
          ],
          ORIN_ONLY,
        ),
        rule(['Equal', 'Greater', 'Less'], [], ORIN_ONLY),
        rule(['Reshape', 'Transpose', 'Flatten', 'Slice'], [], ORIN_ONLY),
        rule(['Abs', 'Sin', 'Cos', 'Neg', 'Exp'], [], ORIN_ONLY),
      ]
    : []),
];

const DYNAMIC: GraphRule = {
  id: 'dynamic-dims',
  description: 'every input shape is static (DLA engines have no dynamic dimensions)',
  effect: 'note',
  check: (g: ModelGraph) => {
    const dynamic = g.inputs.filter((t) => !isStatic(t.shape));
    return dynamic.length
      ? [
          {
            message: `dynamic inputs ${dynamic.map((t) => `'${t.name}'`).join(', ')}: every layer touching a dynamic dimension runs on the GPU`,
          },
        ]
      : [];
  },
  fix: 'fix every input shape: edge convert --batch 1 --input-shape name=1x3xHxW',
  source: GUIDE,
};

const PRECISION: GraphRule = {
  id: 'precision',
  description: 'DLA runs FP16 or INT8 only',
  effect: 'note',
  check: (g: ModelGraph) =>
    g.inputs.some((t) => t.dtype === 'float32')
      ? [{ message: 'build with --fp16 (or --int8 with a calibration cache); FP32 layers cannot use DLA' }]
      : [],
  source: GUIDE,
};

function dla(id: string, name: string, orin: boolean): RuleTable {
  return {
    id,
    name,
    family: 'dla',
    version: '8.6',
    kind: 'accelerator',
    formats: ['onnx'],
    domains: [''],
    unlisted: 'unsupported',
    ops: OPS(orin),
    graph: [PRECISION, DYNAMIC],
    fallback: { device: 'GPU', mode: 'per-node', target: 'trt-8.6' },
    source: GUIDE,
  };
}

/** DLA 1.0 of Jetson AGX Xavier / Xavier NX, under TensorRT 8.6 with GPU fallback. */
export const DLA_XAVIER_RULES: RuleTable = dla('dla-xavier', 'DLA (Xavier)', false);

/** DLA 2.0 of Jetson AGX Orin / Orin NX, under TensorRT 8.6 with GPU fallback. */
export const DLA_ORIN_RULES: RuleTable = dla('dla-orin', 'DLA (Orin)', true);
