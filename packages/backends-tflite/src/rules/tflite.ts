// Stock TensorFlow Lite (the interpreter with its BuiltinOpResolver, CPU kernels): every builtin
// operator of schema.fbs has a kernel, except the placeholders and the StableHLO ops the schema
// marks "No runtime support". Custom operators run only when the application registers them; the
// stock resolver registers four. MediaPipe's custom ops are named with the resolver that has them.

import type { GraphRule, ModelGraph, OpRule, RuleSource, RuleTable } from '@edge/core';
import { TFLITE_CUSTOM_DOMAIN, TFLITE_DOMAIN } from '../graph.js';
import { BUILTIN_OPERATORS } from '../schema-names.js';

/** schema.fbs and the stock op resolver, the documents the table follows. */
export const TFLITE_SOURCE: RuleSource = {
  document:
    'tensorflow/lite/schema/schema.fbs (BuiltinOperator) and tensorflow/lite/core/kernels/register.cc (BuiltinOpResolver)',
  version: 'TensorFlow Lite 2.16',
  url: 'https://github.com/tensorflow/tensorflow/blob/master/tensorflow/lite/schema/schema.fbs',
  note:
    'builtin ops are taken as supported from the version that added them to the schema; the operator ' +
    'version a runtime supports (a newer converter may emit CONV_2D v8 that an older runtime lacks) is not checked',
};

const MEDIAPIPE_SOURCE: RuleSource = {
  document: 'MediaPipe mediapipe/util/tflite/op_resolver.cc (MediaPipeBuiltinOpResolver) and operations/',
  version: 'MediaPipe 0.10',
  url: 'https://github.com/google-ai-edge/mediapipe/blob/master/mediapipe/util/tflite/op_resolver.cc',
};

/** StableHLO builtins that schema.fbs marks "WARNING: No runtime support". */
const NO_RUNTIME = [
  'STABLEHLO_LOGISTIC',
  'STABLEHLO_DIVIDE',
  'STABLEHLO_RESHAPE',
  'STABLEHLO_CLAMP',
  'STABLEHLO_CONCATENATE',
  'STABLEHLO_BROADCAST_IN_DIM',
  'STABLEHLO_CONVOLUTION',
  'STABLEHLO_SLICE',
  'STABLEHLO_CUSTOM_CALL',
  'STABLEHLO_REDUCE',
  'STABLEHLO_ABS',
  'STABLEHLO_AND',
  'STABLEHLO_COSINE',
  'STABLEHLO_EXPONENTIAL',
  'STABLEHLO_FLOOR',
  'STABLEHLO_LOG',
  'STABLEHLO_NEGATE',
  'STABLEHLO_OR',
  'STABLEHLO_POWER',
  'STABLEHLO_REMAINDER',
  'STABLEHLO_RSQRT',
  'STABLEHLO_SELECT',
  'STABLEHLO_SUBTRACT',
  'STABLEHLO_TANH',
  'STABLEHLO_COMPARE',
  'STABLEHLO_CONVERT',
  'STABLEHLO_DYNAMIC_SLICE',
  'STABLEHLO_DYNAMIC_UPDATE_SLICE',
  'STABLEHLO_IOTA',
  'STABLEHLO_DOT_GENERAL',
  'STABLEHLO_SORT',
  'STABLEHLO_WHILE',
  'STABLEHLO_TRANSPOSE',
];

/** Codes that are not operators one can run: placeholders, the delegate marker, deprecated entries. */
const NOT_OPERATORS = ['CUSTOM', 'DELEGATE', 'PLACEHOLDER_FOR_GREATER_OP_CODES', 'REDUCE_WINDOW'];

const SUPPORTED_BUILTINS = BUILTIN_OPERATORS.filter(
  (n) => !NO_RUNTIME.includes(n) && !NOT_OPERATORS.includes(n),
);

const MEDIAPIPE_FIX =
  "register MediaPipe's custom op resolver (mediapipe::tflite_operations, MediaPipeBuiltinOpResolver) " +
  'with the interpreter, or run the model inside MediaPipe';

/** Custom ops of MediaPipe models, with what to do about each. */
const MEDIAPIPE_OPS: readonly OpRule[] = [
  {
    op: 'Convolution2DTransposeBias',
    domain: TFLITE_CUSTOM_DOMAIN,
    support: 'unsupported',
    reason:
      'Convolution2DTransposeBias is a MediaPipe custom op (transposed convolution with fused bias); ' +
      'stock TFLite has no kernel for it and the interpreter fails with "Encountered unresolved custom op"',
    fix:
      `${MEDIAPIPE_FIX} (RegisterConvolution2DTransposeBias), or rewrite the op as the builtin ` +
      'TRANSPOSE_CONV followed by ADD of the bias (its custom options hold padding and strides)',
    source: MEDIAPIPE_SOURCE,
  },
  {
    op: ['MaxPoolingWithArgmax2D', 'MaxUnpooling2D'],
    domain: TFLITE_CUSTOM_DOMAIN,
    support: 'unsupported',
    reason: 'a MediaPipe custom op (pooling with argmax / unpooling); stock TFLite has no kernel for it',
    fix: MEDIAPIPE_FIX,
    source: MEDIAPIPE_SOURCE,
  },
  {
    op: ['TransformTensorBilinear', 'TransformLandmarks', 'Landmarks2TransformMatrix'],
    domain: TFLITE_CUSTOM_DOMAIN,
    support: 'unsupported',
    reason: 'a MediaPipe custom op (version 2, landmark/ROI transforms); stock TFLite has no kernel for it',
    fix: MEDIAPIPE_FIX,
    source: MEDIAPIPE_SOURCE,
  },
];

const FLEX_OPS: GraphRule = {
  id: 'tflite-flex-ops',
  description: 'no TensorFlow (Flex) ops, which need the Select TF ops delegate',
  effect: 'note',
  fix:
    'link the Flex delegate (tensorflow-lite-select-tf-ops) into the runtime, or convert without ' +
    'SELECT_TF_OPS so that the converter uses builtin ops',
  source: {
    document: 'TensorFlow Lite guide: Select TensorFlow operators',
    version: 'TensorFlow Lite 2.16',
    url: 'https://www.tensorflow.org/lite/guide/ops_select',
  },
  check: (graph: ModelGraph) =>
    graph.ops
      .filter((op) => op.domain === TFLITE_CUSTOM_DOMAIN && op.opType.startsWith('Flex'))
      .map((op) => ({
        message: `${op.opType} is a TensorFlow op embedded by the converter (SELECT_TF_OPS): stock TFLite runs it only with the Flex delegate`,
        ops: [op.index],
      })),
};

/**
 * Rule table of stock TensorFlow Lite (id `tflite`): the interpreter with its builtin op resolver.
 * Builtin ops are supported; custom ops are undeployable unless registered, and the table names
 * MediaPipe's custom ops with the resolver that provides them. It is also the CPU fallback of
 * the Edge TPU table.
 */
export const TFLITE_RULES: RuleTable = {
  id: 'tflite',
  name: 'TensorFlow Lite (builtin op resolver, CPU)',
  family: 'tflite',
  version: '2.16',
  kind: 'engine',
  formats: ['tflite'],
  domains: [TFLITE_DOMAIN, TFLITE_CUSTOM_DOMAIN],
  unlisted: 'unsupported',
  ops: [
    { op: SUPPORTED_BUILTINS, domain: TFLITE_DOMAIN, support: 'supported', source: TFLITE_SOURCE },
    {
      op: NO_RUNTIME,
      domain: TFLITE_DOMAIN,
      support: 'unsupported',
      reason: 'schema.fbs marks this StableHLO op "No runtime support": the interpreter has no kernel for it',
      fix: 'convert through the default TFLite converter path (TFLite builtin ops) instead of StableHLO',
      source: TFLITE_SOURCE,
    },
    {
      op: NOT_OPERATORS,
      domain: TFLITE_DOMAIN,
      support: 'unsupported',
      reason: 'not an executable builtin operator (a placeholder, delegate marker or deprecated code)',
      source: TFLITE_SOURCE,
    },
    {
      op: ['TFLite_Detection_PostProcess', 'Mfcc', 'AudioSpectrogram', 'NumericVerify'],
      domain: TFLITE_CUSTOM_DOMAIN,
      support: 'supported',
      source: {
        ...TFLITE_SOURCE,
        note: 'custom ops that BuiltinOpResolver registers (register.cc AddCustom)',
      },
    },
    ...MEDIAPIPE_OPS,
  ],
  graph: [FLEX_OPS],
  source: TFLITE_SOURCE,
};
