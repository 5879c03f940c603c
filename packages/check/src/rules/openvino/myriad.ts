// Intel VPU (Movidius Myriad X, MYRIAD plugin) in OpenVINO 2022.3 LTS, the last release with the
// plugin. It runs FP16 with static shapes; under HETERO:MYRIAD,CPU each layer it lacks runs on the CPU.

import type { GraphRule, ModelGraph, OpCondition, OpRule, RuleTable } from '@edge/core';
import { MYRIAD_PLUGIN, SUPPORTED_LAYERS } from './sources.js';

const STATIC: OpCondition = {
  description: 'static shapes (the MYRIAD plugin has no dynamic shapes)',
  test: (op) => {
    const bad = [...op.inputs, ...op.outputs].find(
      (t) => t && !t.constant && t.shape?.some((d) => typeof d !== 'number'),
    );
    return !bad || `'${bad.name}' has shape [${bad.shape!.map((d) => d ?? '?').join(',')}]`;
  },
  fix: 'fix every input shape: edge convert --batch 1 --input-shape name=1x3xHxW',
  source: MYRIAD_PLUGIN,
};

const NO_INT64_MATH: OpCondition = {
  description: 'no 64-bit tensors (the VPU computes in FP16 and I32)',
  test: (op) => {
    const bad = [...op.inputs, ...op.outputs].find(
      (t) => t && !t.constant && (t.dtype === 'int64' || t.dtype === 'float64'),
    );
    return !bad || `'${bad.name}' is ${bad.dtype}`;
  },
  fix: 'fold shape arithmetic into constants: edge convert --fold-constants',
  source: MYRIAD_PLUGIN,
};

// Layers of the 2022.3 table with a VPU entry, for ONNX models.
const VPU_OPS: readonly string[] = `Abs Acos Acosh Add And ArgMax ArgMin Asin Asinh Atan Atanh AveragePool
  BatchNormalization Cast Ceil Clip Concat Conv ConvTranspose Cos Cosh CumSum DepthToSpace Div Elu Equal Erf Exp
  Expand Flatten Floor Gather GatherElements GatherND Gemm GlobalAveragePool GlobalMaxPool Greater GreaterOrEqual
  HardSigmoid HardSwish Identity InstanceNormalization LeakyRelu Less LessOrEqual Log LogSoftmax LRN LSTM MatMul Max
  MaxPool Mean Min Mul Neg NonMaxSuppression NonZero Not OneHot Or Pad Pow PRelu ReduceL1 ReduceL2 ReduceLogSumExp
  ReduceMax ReduceMean ReduceMin ReduceProd ReduceSum ReduceSumSquare Relu Reshape Resize RoiAlign Round
  ScatterElements ScatterND Selu Shape Sigmoid Sign Sin Sinh Slice Softmax Softplus Softsign SpaceToDepth Split
  Sqrt Squeeze Sub Sum Tan Tanh Tile TopK Transpose Unsqueeze Upsample Where Xor`.split(/\s+/);

const OPS: OpRule[] = [
  {
    op: 'Resize',
    support: 'supported',
    conditions: [
      STATIC,
      {
        description: "mode is 'nearest' or 'linear'",
        test: (op) => op.attributes.mode !== 'cubic' || "mode is 'cubic'",
        fix: "use mode 'linear'",
      },
    ],
    source: SUPPORTED_LAYERS,
  },
  { op: VPU_OPS, support: 'supported', conditions: [STATIC, NO_INT64_MATH], source: SUPPORTED_LAYERS },
];

const PRECISION: GraphRule = {
  id: 'precision',
  description: 'the VPU computes in FP16',
  effect: 'note',
  check: (g: ModelGraph) =>
    g.inputs.some((t) => t.dtype === 'float32')
      ? [{ message: 'FP32 weights and activations are converted to FP16 on the device' }]
      : [],
  source: MYRIAD_PLUGIN,
};

/** Intel Movidius Myriad X VPU through OpenVINO 2022.3 (HETERO:MYRIAD,CPU). */
export const MYRIAD_RULES: RuleTable = {
  id: 'myriad',
  name: 'Intel VPU (Myriad X, OpenVINO 2022.3)',
  family: 'openvino',
  version: '2022.3',
  kind: 'accelerator',
  formats: ['onnx'],
  domains: ['', 'org.openvinotoolkit'],
  unlisted: 'unsupported',
  ops: OPS,
  graph: [PRECISION],
  fallback: { device: 'CPU', mode: 'per-node', target: 'openvino-cpu' },
  source: SUPPORTED_LAYERS,
};
