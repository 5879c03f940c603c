// Stock TensorFlow Lite (the interpreter with its BuiltinOpResolver, CPU kernels), with the bundled
// runtime as its own source: data/tflite-builtins.json records, per builtin operator, the versions the
// resolver of @tensorflow/tfjs-tflite's wasm TFLite registers (test/helpers/measure-builtins.ts loads a
// one-op model of each at each version; test/tflite-runtime.test.ts measures again and fails on drift).
// Custom operators run only when the application registers them; the stock resolver registers four.
// MediaPipe's custom ops are named with the resolver that has them.

import type { GraphRule, ModelGraph, OpRule, RuleSource, RuleTable } from '@edge/core';
import measured from '../../data/tflite-builtins.json' with { type: 'json' };
import { TFLITE_CUSTOM_DOMAIN, TFLITE_DOMAIN } from '../graph.js';

/** The measurement of the bundled runtime, the document the table follows. */
export const TFLITE_SOURCE: RuleSource = {
  document: `${measured.runtime} (${measured.build}): one-op models of every builtin at every version, loaded by test/helpers/measure-builtins.ts`,
  version: measured.runtime,
  path: 'packages/backends-tflite/data/tflite-builtins.json',
  note:
    'the wasm build knows builtin codes up to SIGN (158) and not BITCAST (159), which puts it at the ' +
    "TensorFlow Lite 2.12 schema; register.cc of that release was not read: the runtime's own resolver is the source",
};

function builtinSource(b: (typeof measured.builtins)[number]): RuleSource {
  return { ...TFLITE_SOURCE, note: `${b.op} version 1: ${b.evidence}` };
}

const MEDIAPIPE_SOURCE: RuleSource = {
  document: 'MediaPipe mediapipe/util/tflite/op_resolver.cc (MediaPipeBuiltinOpResolver) and operations/',
  version: 'MediaPipe 0.10',
  url: 'https://github.com/google-ai-edge/mediapipe/blob/master/mediapipe/util/tflite/op_resolver.cc',
};

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
    version: 'TensorFlow Lite 2.x guide (not tied to a release)',
    url: 'https://www.tensorflow.org/lite/guide/ops_select',
    unverified: true,
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
  name: 'TensorFlow Lite 2.12 schema (the bundled runtime, builtin op resolver, CPU)',
  family: 'tflite',
  version: '2.12',
  kind: 'engine',
  formats: ['tflite'],
  domains: [TFLITE_DOMAIN, TFLITE_CUSTOM_DOMAIN],
  unlisted: 'unsupported',
  ops: [
    ...measured.builtins.map(
      (b): OpRule =>
        b.status === 'registered'
          ? {
              op: b.op,
              domain: TFLITE_DOMAIN,
              support: 'supported',
              conditions: [
                {
                  description: `the operator version is ${b.minVersion === b.maxVersion ? b.minVersion : `${b.minVersion} to ${b.maxVersion}`} (what the runtime registers)`,
                  test: (op) =>
                    (op.version >= b.minVersion && op.version <= b.maxVersion) ||
                    `the model has version ${op.version}`,
                  fix: 'convert with a TensorFlow Lite converter no newer than the runtime, or update the runtime',
                },
              ],
              source: builtinSource(b),
            }
          : {
              op: b.op,
              domain: TFLITE_DOMAIN,
              support: 'unsupported',
              reason:
                b.status === 'unknown-code'
                  ? `the bundled TFLite does not know builtin code ${b.code} (a newer schema): ${b.evidence}`
                  : `the bundled TFLite registers no kernel for it: ${b.evidence}`,
              fix: 'convert through the default TFLite converter path (TFLite builtin ops the runtime has)',
              source: builtinSource(b),
            },
    ),
    {
      op: ['DELEGATE', 'PLACEHOLDER_FOR_GREATER_OP_CODES'],
      domain: TFLITE_DOMAIN,
      support: 'unsupported',
      reason: 'not an executable builtin operator (a delegate marker or a placeholder code)',
      source: {
        document: 'tensorflow/lite/schema/schema.fbs (BuiltinOperator)',
        version: 'TensorFlow Lite 2.12',
        url: 'https://github.com/tensorflow/tensorflow/blob/v2.12.0/tensorflow/lite/schema/schema.fbs',
      },
    },
    ...measured.customs
      .filter((c) => c.registered)
      .map(
        (c): OpRule => ({
          op: c.op,
          domain: TFLITE_CUSTOM_DOMAIN,
          support: 'supported',
          source: { ...TFLITE_SOURCE, note: `custom op the stock resolver registers: ${c.evidence}` },
        }),
      ),
    ...MEDIAPIPE_OPS,
  ],
  graph: [FLEX_OPS],
  source: TFLITE_SOURCE,
};
