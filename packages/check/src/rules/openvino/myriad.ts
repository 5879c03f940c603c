// Intel VPU (Movidius Myriad X, MYRIAD plugin) in OpenVINO 2022.3 LTS, the last release with the
// plugin. Which ONNX op runs on the VPU is the VPU column of the "Supported Layers" table of
// Supported_Devices.md (data/openvino/supported-layers.json), read through the layer each ONNX op
// becomes; under HETERO:MYRIAD,CPU each layer the VPU lacks runs on the CPU.

import type { GraphRule, ModelGraph, ModelOp, OpCondition, OpRule, RuleSource, RuleTable } from '@edge/core';
import layers from '../../../data/openvino/supported-layers.json' with { type: 'json' };
import { MYRIAD_PLUGIN, SUPPORTED_LAYERS } from './sources.js';

/** The layer rows an ONNX op becomes (2D and, where the table has one, the 3D row). */
const LAYERS: Readonly<Record<string, readonly string[]>> = {
  Abs: ['Abs'],
  Acos: ['Acos'],
  Acosh: ['Acosh'],
  Add: ['Eltwise-Add'],
  And: ['Eltwise-LogicalAnd'],
  ArgMax: ['ArgMax'],
  Asin: ['Asin'],
  Asinh: ['Asinh'],
  Atan: ['Atan'],
  Atanh: ['Atanh'],
  AveragePool: ['Pooling(AVG,MAX)', 'Pooling(AVG,MAX) 3D'],
  BatchNormalization: ['BatchNormalization'],
  Ceil: ['Ceil'],
  Clip: ['Activation-Clamp'],
  Concat: ['Concat'],
  Conv: ['Convolution-Ordinary', 'Convolution-Ordinary 3D'],
  ConvTranspose: ['Deconvolution', 'Deconvolution 3D'],
  Cos: ['Cos'],
  Cosh: ['Cosh'],
  DepthToSpace: ['DepthToSpace'],
  Div: ['Eltwise-Div'],
  Elu: ['Activation-ELU'],
  Equal: ['Eltwise-Equal'],
  Erf: ['Erf'],
  Exp: ['Exp'],
  Expand: ['Broadcast'],
  Flatten: ['Flatten'],
  Floor: ['Floor'],
  Gather: ['Gather'],
  Gemm: ['Gemm'],
  GlobalAveragePool: ['Pooling(AVG,MAX)', 'Pooling(AVG,MAX) 3D'],
  GlobalMaxPool: ['Pooling(AVG,MAX)', 'Pooling(AVG,MAX) 3D'],
  Greater: ['Eltwise-Greater'],
  GreaterOrEqual: ['Eltwise-GreaterEqual'],
  GRU: ['GRUSequence'],
  HardSigmoid: ['HardSigmoid'],
  LeakyRelu: ['Activation-Leaky ReLU'],
  Less: ['Eltwise-Less'],
  LessOrEqual: ['Eltwise-LessEqual'],
  Log: ['Log'],
  LogSoftmax: ['LogSoftmax'],
  LRN: ['LRN (Norm)'],
  LSTM: ['LSTMSequence'],
  MatMul: ['Gemm'],
  Max: ['Eltwise-Max'],
  MaxPool: ['Pooling(AVG,MAX)', 'Pooling(AVG,MAX) 3D'],
  MeanVarianceNormalization: ['MVN'],
  Min: ['Eltwise-Min'],
  Mul: ['Eltwise-Mul'],
  Neg: ['Neg'],
  NonMaxSuppression: ['NonMaxSuppression'],
  Not: ['Activation-Not'],
  OneHot: ['OneHot'],
  Or: ['Eltwise-LogicalOr'],
  Pad: ['Pad'],
  Pow: ['Eltwise-Pow'],
  PRelu: ['Activation-PReLU'],
  Range: ['Range'],
  Reciprocal: ['Reciprocal'],
  ReduceL1: ['ReduceL1'],
  ReduceL2: ['ReduceL2'],
  ReduceLogSum: ['ReduceLogSum'],
  ReduceLogSumExp: ['ReduceLogSumExp'],
  ReduceMax: ['ReduceMax'],
  ReduceMean: ['ReduceMean'],
  ReduceMin: ['ReduceMin'],
  ReduceProd: ['ReduceProd'],
  ReduceSum: ['ReduceSum'],
  ReduceSumSquare: ['ReduceSumSquare'],
  Relu: ['Activation-ReLU'],
  Reshape: ['Reshape'],
  Resize: ['Interp'],
  ReverseSequence: ['ReverseSequence'],
  RNN: ['RNNSequence'],
  Selu: ['Selu'],
  Sigmoid: ['Activation-Sigmoid/Logistic'],
  Sign: ['Sign'],
  Sin: ['Sin'],
  Sinh: ['Sinh'],
  Slice: ['StridedSlice'],
  Softmax: ['SoftMax'],
  Softplus: ['Softplus'],
  Softsign: ['Softsign'],
  SpaceToDepth: ['SpaceToDepth'],
  Split: ['Split'],
  Squeeze: ['Squeeze'],
  Sub: ['Eltwise-Sub'],
  Sum: ['Eltwise-Sum'],
  Tan: ['Tan'],
  Tanh: ['Activation-TanH'],
  Tile: ['Tile'],
  TopK: ['TopK'],
  Transpose: ['Permute'],
  Unsqueeze: ['Unsqueeze'],
  Upsample: ['Interp'],
  Where: ['Select'],
  Xor: ['Eltwise-LogicalXor'],
};

/** Ops the earlier table had on the VPU that no row of the 2022.3 table names. */
const NO_ROW =
  `Cast CumSum GatherElements GatherND HardSwish Identity InstanceNormalization Mean NonZero RoiAlign
  Round ScatterElements ScatterND Shape Sqrt`.split(/\s+/);

interface LayerRow {
  readonly layer: string;
  readonly vpu: string;
}

const ROWS: readonly LayerRow[] = layers.rows;

function rowSource(layer: string): RuleSource {
  return { ...SUPPORTED_LAYERS, note: `row "${layer}" of the Supported Layers table (VPU column)` };
}

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

const is3d = (op: ModelOp) => (op.inputs[0]?.shape?.length ?? 4) === 5;

function rule(op: string, names: readonly string[]): OpRule {
  const [plain, threeD] = names.map((n) => ROWS.find((r) => r.layer === n)!);
  if (!plain!.vpu.startsWith('S')) {
    return {
      op,
      support: 'unsupported',
      reason: `the Supported Layers table marks ${plain!.layer} "Not Supported" on the VPU`,
      fix: 'accept the CPU fallback (HETERO:MYRIAD,CPU), or replace the op with ones the VPU runs',
      source: rowSource(plain!.layer),
    };
  }
  const conditions: OpCondition[] = [STATIC, NO_INT64_MATH];
  if (threeD && !threeD.vpu.startsWith('S')) {
    conditions.push({
      description: `2D only (the table marks ${threeD.layer} "Not Supported" on the VPU)`,
      test: (o) => !is3d(o) || 'the input has rank 5',
      source: rowSource(threeD.layer),
    });
  }
  if (plain!.vpu.includes('*')) {
    conditions.push({
      description: `${plain!.layer}: "support is limited to the specific parameters" (Known Layers Limitation, not checked here)`,
      effect: 'note',
      test: () => 'limited support',
      source: { ...rowSource(plain!.layer), unverified: true },
    });
  }
  return { op, support: 'supported', conditions, source: rowSource(plain!.layer) };
}

const OPS: OpRule[] = [
  ...Object.entries(LAYERS).map(([op, names]) => rule(op, names)),
  {
    op: NO_ROW,
    support: 'supported',
    conditions: [STATIC, NO_INT64_MATH],
    source: {
      ...SUPPORTED_LAYERS,
      unverified: true,
      note: 'no row of the Supported Layers table names the layer this op becomes; kept from the earlier table',
    },
  },
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
