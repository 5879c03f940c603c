// Golden reports on the real PaddleOCR models, and the verdicts the tables imply on Debian's
// libonnx-testdata node tests.
import { join } from 'node:path';
import { MEDIAPIPE, NODE_TESTS, OCR_MODELS, requires } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { type CheckReport, checkModelFile } from '../src/index.js';

/** Every TensorRT release a JetPack ships, the newest of 7, 10 and 11, their DLA tables, and the rest. */
const TARGETS = [
  'trt-7.2',
  'trt-8.0',
  'trt-8.2',
  'trt-8.5',
  'trt-8.6',
  'trt-10.3',
  'trt-10.16',
  'trt-11.1',
  'dla-xavier-8.0',
  'dla-xavier-8.5',
  'dla-orin-8.5',
  'dla-orin-8.6',
  'dla-orin-10.3',
  'myriad',
  'openvino-cpu',
  'ort-cpu',
];

/** The report as a golden text: per target the verdict, fallback counts, and each failed rule once. */
function digest(r: CheckReport): string {
  return r.targets
    .map((t) => {
      const head = `${t.target}: ${t.verdict}${t.unverified ? ' (unverified)' : ''}${t.fallback ? ` (${t.fallback.layers}/${t.ops} ops on ${t.fallback.device}, ${t.fallback.transitions} transitions)` : ''}`;
      const rules = [...new Set(t.issues.map((i) => `  ${i.level} [${i.table}] ${i.rule}`))].sort();
      return [head, ...rules].join('\n');
    })
    .join('\n');
}

const SHAPES = { det: 'x=1x3x640x640', rec: 'x=1x3x48x320', cls: 'x=1x3x48x192' } as const;

describe('PaddleOCR golden reports', () => {
  for (const [key, path] of Object.entries(OCR_MODELS)) {
    it(`${key}: as shipped (dynamic shapes) and with fixed shapes`, async () => {
      const dynamic = await checkModelFile(path, TARGETS);
      const [, dims] = SHAPES[key as keyof typeof SHAPES].split('=');
      const fixed = await checkModelFile(path, TARGETS, { inputShapes: { x: dims!.split('x').map(Number) } });
      await expect(
        `# as shipped\n${digest(dynamic)}\n\n# input x fixed to ${dims}\n${digest(fixed)}\n`,
      ).toMatchFileSnapshot(`golden/paddleocr-${key}.txt`);
    });
  }
});

const MEDIAPIPE_MODELS: Record<string, string> = {
  'face-short': MEDIAPIPE.faceShort,
  'face-full': MEDIAPIPE.faceFull,
  'face-full-sparse': MEDIAPIPE.faceSparse,
  selfie: MEDIAPIPE.selfie,
};

describe('MediaPipe golden reports (stock TFLite, Edge TPU)', () => {
  for (const [key, file] of Object.entries(MEDIAPIPE_MODELS)) {
    it(key, async () => {
      const r = await checkModelFile(file, ['tflite', 'edgetpu']);
      await expect(`${digest(r)}\n`).toMatchFileSnapshot(`golden/mediapipe-${key}.txt`);
    });
  }
});

/**
 * What the tables imply for one libonnx-testdata node test, per target. Node tests feed every input
 * at run time, so rules that want an initializer (NMS limits in 8.0-8.4, Conv weights in 8.2/8.4)
 * fail there.
 */
const EXPECTED: Record<string, Record<string, string>> = {
  // 8.0-8.4 list NMS with its limits as initializers; from 8.5 (native NMS) the row has no restriction.
  test_nonmaxsuppression_center_point_box_format: {
    'trt-7.2': 'incompatible',
    'trt-8.4': 'incompatible',
    'trt-8.6': 'deployable',
    'ort-cpu': 'deployable',
  },
  test_nonmaxsuppression_suppress_by_IOU: {
    'trt-7.2': 'incompatible',
    'trt-8.6': 'deployable',
    'trt-10.16': 'deployable',
  },
  test_resize_upsample_sizes_cubic: {
    'trt-7.2': 'incompatible',
    'trt-8.6': 'incompatible',
    'trt-10.16': 'incompatible',
    'ort-cpu': 'deployable',
  },
  test_resize_downsample_scales_linear: {
    'trt-7.2': 'incompatible',
    'trt-8.6': 'deployable',
    myriad: 'deployable',
  },
  test_resize_upsample_scales_nearest: {
    'trt-7.2': 'incompatible',
    'trt-8.6': 'deployable',
    'dla-orin-8.6': 'deployable',
  },
  test_resize_tf_crop_and_resize: {
    'trt-8.6': 'incompatible',
    'openvino-cpu': 'incompatible',
    'ort-cpu': 'deployable',
  },
  test_qlinearconv: {
    'trt-7.2': 'incompatible',
    'trt-8.6': 'incompatible',
    'trt-10.16': 'incompatible',
    'ort-cpu': 'deployable',
  },
  test_qlinearmatmul_2D: { 'trt-10.16': 'incompatible', 'ort-cpu': 'deployable' },
  test_nonzero_example: { 'trt-7.2': 'incompatible', 'trt-8.6': 'deployable' },
  test_unique_sorted_with_axis: { 'trt-10.16': 'incompatible', 'ort-cpu': 'deployable' },
  test_gathernd_example_float32: { 'trt-7.2': 'incompatible', 'trt-8.6': 'deployable' },
  test_adam: { 'ort-cpu': 'undeployable', 'trt-8.6': 'undeployable' },
  // Weights fed at run time: refused where the row says "Weights `W` must be an initializer" (8.2, 8.4).
  test_conv_with_strides_padding: {
    'trt-8.4': 'incompatible',
    'trt-8.6': 'deployable',
    'trt-10.16': 'deployable',
    'dla-orin-8.6': 'deployable',
    myriad: 'deployable',
    'ort-cpu': 'deployable',
  },
  test_sequence_insert_at_back: {
    'trt-10.16': 'incompatible',
    'openvino-cpu': 'incompatible',
    'ort-cpu': 'deployable',
  },
  test_lstm_batchwise: { 'ort-cpu': 'incompatible' },
  test_upsample_nearest: { 'ort-cpu': 'deployable', 'trt-8.6': 'deployable' },
};

describe('libonnx-testdata node tests', requires('onnx-testdata'), () => {
  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`${name}: ${Object.entries(expected)
      .map(([t, v]) => `${t} ${v}`)
      .join(', ')}`, async () => {
      const r = await checkModelFile(join(NODE_TESTS, name, 'model.onnx'), Object.keys(expected));
      expect(Object.fromEntries(r.targets.map((t) => [t.target, t.verdict]))).toEqual(expected);
    });
  }
});
