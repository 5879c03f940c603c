// OpenVINO 2022.3 LTS, CPU plugin, reading ONNX through its ONNX frontend: nearly every standard op
// of opsets up to 16, minus the families the frontend has no conversion for.

import type { GraphRule, ModelGraph, OpRule, RuleTable } from '@edge/core';
import { ONNX_FRONTEND } from './sources.js';

const NOT_CONVERTED: readonly string[] =
  `SequenceAt SequenceConstruct SequenceEmpty SequenceErase SequenceInsert
  SequenceLength SequenceMap ConcatFromSequence SplitToSequence Optional OptionalGetElement OptionalHasElement
  StringNormalizer TfIdfVectorizer NegativeLogLikelihoodLoss SoftmaxCrossEntropyLoss Multinomial Det
  STFT BlackmanWindow HannWindow HammingWindow MelWeightMatrix Bernoulli Unique ConvInteger MatMulInteger
  BitShift Col2Im GroupNormalization LayerNormalization CenterCropPad`.split(/\s+/);

const OPS: OpRule[] = [
  {
    op: 'Resize',
    support: 'supported',
    conditions: [
      {
        description: "coordinate_transformation_mode is not 'tf_crop_and_resize'",
        test: (op) =>
          op.attributes.coordinate_transformation_mode !== 'tf_crop_and_resize' || 'it is tf_crop_and_resize',
      },
    ],
    source: ONNX_FRONTEND,
  },
  {
    op: NOT_CONVERTED,
    support: 'unsupported',
    reason: 'the OpenVINO 2022.3 ONNX frontend has no conversion for this op',
    fix: 'replace it with standard tensor ops, or run this part of the model elsewhere',
    source: ONNX_FRONTEND,
  },
];

const OPSET: GraphRule = {
  id: 'opset-range',
  description: "the model's default-domain opset is at most 16",
  effect: 'incompatible',
  check: (g: ModelGraph) => {
    const v = g.opsets[''];
    return v !== undefined && v > 16 ? [{ message: `the model imports opset ${v}` }] : [];
  },
  fix: 'export with opset 16 or lower',
  source: {
    ...ONNX_FRONTEND,
    note: 'opset ceiling 16 for the 2022.3 ONNX frontend as remembered; not verified',
  },
};

/** OpenVINO 2022.3 CPU plugin (ONNX frontend). */
export const OPENVINO_CPU_RULES: RuleTable = {
  id: 'openvino-cpu',
  name: 'OpenVINO 2022.3 CPU',
  family: 'openvino',
  version: '2022.3',
  kind: 'engine',
  formats: ['onnx'],
  domains: ['', 'org.openvinotoolkit'],
  unlisted: 'supported',
  ops: OPS,
  graph: [OPSET],
  source: ONNX_FRONTEND,
};
