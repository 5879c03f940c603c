// ONNX Runtime, CPU execution provider: every standard ONNX operator from the opset it appeared in,
// with the exceptions found by loading Debian's libonnx-testdata node tests (onnx 1.12) into
// onnxruntime-node 1.30.0 on this machine (CPU provider): those sessions that failed to build are
// the conditions below.

import type { GraphRule, ModelGraph, ModelOp, OpCondition, OpRule, RuleSource, RuleTable } from '@edge/core';
import { ONNX_OPERATORS } from '@edge/onnx-parse';

const SPEC: RuleSource = {
  document: 'ONNX Operators.md (operator schemas, default domain)',
  version: 'onnx 1.12 (opsets 1-17); later opsets from the ONNX changelog',
  url: 'https://github.com/onnx/onnx/blob/main/docs/Operators.md',
};

const MEASURED: RuleSource = {
  document: 'libonnx-testdata 1.12 node tests loaded into onnxruntime-node 1.30.0, CPU provider',
  version: 'onnxruntime 1.30.0',
  note: 'measured on this machine: InferenceSession.create failed for these cases',
};

const ORT_DOCS: RuleSource = {
  document: 'ONNX Runtime docs: compatibility (ONNX opset support) and ContribOperators.md',
  version: 'onnxruntime 1.30',
  url: 'https://onnxruntime.ai/docs/reference/compatibility.html',
  note: 'opset floor of 7 and the contrib-op list are from the docs as remembered, not checked against 1.30 text',
};

function dtypeOf(op: ModelOp, input: number): string {
  return op.inputs[input]?.dtype ?? 'unknown';
}

function notTypes(description: string, input: number, bad: readonly string[], fix?: string): OpCondition {
  return {
    description,
    test: (op) => (bad.includes(dtypeOf(op, input)) ? `input ${input} is ${dtypeOf(op, input)}` : true),
    ...(fix ? { fix } : {}),
    source: MEASURED,
  };
}

const LAYOUT_0: OpCondition = {
  description: 'layout is 0 (sequence-major)',
  test: (op) => (op.attributes.layout ?? 0) === 0 || `layout is ${String(op.attributes.layout)}`,
  fix: 'export with layout=0 (transpose the input and outputs around the RNN instead)',
  source: MEASURED,
};

// Conditions on standard ops the CPU provider has kernels for only in some types or layouts.
const EXCEPTIONS: Readonly<Record<string, readonly OpCondition[]>> = {
  BitShift: [notTypes('input type is uint8, uint32 or uint64', 0, ['uint16'])],
  Cast: [notTypes('no bfloat16 input', 0, ['bfloat16']), castTo()],
  CastLike: [notTypes('no bfloat16 input', 0, ['bfloat16']), notTypes('no bfloat16 target', 1, ['bfloat16'])],
  Max: [notTypes('input type is not int16/uint16', 0, ['int16', 'uint16'])],
  Min: [notTypes('input type is not int16/uint16', 0, ['int16', 'uint16'])],
  Pow: [notTypes('exponent type is not uint32/uint64', 1, ['uint32', 'uint64'])],
  RNN: [LAYOUT_0],
  GRU: [LAYOUT_0],
  LSTM: [LAYOUT_0],
};

function castTo(): OpCondition {
  return {
    description: 'target type is not bfloat16',
    test: (op) => op.attributes.to !== 16 || 'to is bfloat16',
    source: MEASURED,
  };
}

function opsetCondition(name: string, since: number, deprecated: number | undefined): OpCondition {
  return {
    description: deprecated
      ? `the model's opset is from ${since} to ${deprecated - 1} (${name} is deprecated from opset ${deprecated})`
      : `the model's opset is at least ${since}`,
    test: (op) => {
      if (op.version < since) return `the model imports opset ${op.version}`;
      if (deprecated !== undefined && op.version >= deprecated)
        return `the model imports opset ${op.version}`;
      return true;
    },
    ...(name === 'Upsample'
      ? { fix: 'replace Upsample with Resize: edge convert --upsample-to-resize' }
      : {}),
    source: SPEC,
  };
}

const STANDARD: OpRule[] = Object.entries(ONNX_OPERATORS).map(([name, o]) => ({
  op: name,
  support: 'supported' as const,
  conditions: [opsetCondition(name, o.since, o.deprecated), ...(EXCEPTIONS[name] ?? [])],
  source: o.unverified
    ? { ...SPEC, note: `${name}: added after opset 17; not checked against a local schema` }
    : SPEC,
}));

const ML_OPS =
  `ArrayFeatureExtractor Binarizer CastMap CategoryMapper DictVectorizer FeatureVectorizer Imputer
  LabelEncoder LinearClassifier LinearRegressor Normalizer OneHotEncoder SVMClassifier SVMRegressor Scaler
  TreeEnsembleClassifier TreeEnsembleRegressor ZipMap`.split(/\s+/);

// Contrib ops that the CPU provider registers and that converters and quantisers emit.
const CONTRIB_OPS = `QLinearAdd QLinearMul QLinearSigmoid QLinearLeakyRelu QLinearConcat QLinearAveragePool
  QLinearGlobalAveragePool QLinearSoftmax FusedConv FusedGemm FusedMatMul Gelu FastGelu BiasGelu QuickGelu
  DynamicQuantizeMatMul MatMulInteger16 MatMulIntegerToFloat NhwcMaxPool Attention SkipLayerNormalization
  EmbedLayerNormalization LayerNormalization SimplifiedLayerNormalization Inverse Trilu Unique
  MaxpoolWithMask Pad Range ExpandDims CropAndResize GridSample`.split(/\s+/);

const OPSET_FLOOR: GraphRule = {
  id: 'opset-range',
  description: "the model's default-domain opset is at least 7",
  effect: 'incompatible',
  check: (graph: ModelGraph) => {
    const v = graph.opsets[''];
    return v !== undefined && v < 7 ? [{ message: `the model imports opset ${v}` }] : [];
  },
  fix: 'convert the model to opset 7 or later (onnx.version_converter)',
  source: ORT_DOCS,
};

/** ONNX Runtime 1.30 with the CPU execution provider. */
export const ORT_CPU_RULES: RuleTable = {
  id: 'ort-cpu',
  name: 'ONNX Runtime 1.30 CPU',
  family: 'onnxruntime',
  version: '1.30',
  kind: 'engine',
  formats: ['onnx'],
  domains: ['', 'ai.onnx.ml', 'com.microsoft'],
  unlisted: 'unsupported',
  ops: [
    ...STANDARD,
    { op: ML_OPS, domain: 'ai.onnx.ml', support: 'supported', source: SPEC },
    { op: CONTRIB_OPS, domain: 'com.microsoft', support: 'supported', source: ORT_DOCS },
  ],
  graph: [OPSET_FLOOR],
  source: SPEC,
};
