// The outside reference of issue 14: onnxruntime's own static quantisation (quantize_static, QDQ,
// per-channel weights, uint8 activations, its MinMax and Percentile calibrators) of the PaddleOCR
// direction classifier, calibrated on the same images as ours (source A of helpers/held-out.ts),
// against our default recipe, both judged on source B by the same Python code and the same
// onnxruntime. It needs a Python with onnxruntime: set EDGE_ORT_PYTHON to it (Debian has no
// python3-onnxruntime); without it the test is skipped and the README says so.

import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBackend } from '@edge/backends-onnxruntime';
import { readModelFile, writeModel } from '@edge/onnx-parse';
import { encodeNpy } from '@edge/preprocess';
import { OCR_MODELS, requires, scratchDir } from '@edge/test-utils';
import { expect, it } from 'vitest';
import { calibrate, imageFeeds, quantizeQdq } from '../src/index.js';
import { classifierSplit } from './helpers/held-out.js';

const PYTHON = process.env.EDGE_ORT_PYTHON;
const dir = scratchDir('edge-ort-reference-');

const SCRIPT = `
import glob, json, sys
import numpy as np
import onnxruntime as ort
from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType, quantize_static

d = sys.argv[1]
load = lambda sub: [np.load(p) for p in sorted(glob.glob(f'{d}/{sub}/*.npy'))]
calib, held = load('calibration'), load('held-out')

class Reader(CalibrationDataReader):
    def __init__(self): self.it = iter(calib)
    def get_next(self):
        x = next(self.it, None)
        return None if x is None else {'x': x}

results = {'onnxruntime': ort.__version__}
for name, method in [('MinMax', CalibrationMethod.MinMax), ('Percentile', CalibrationMethod.Percentile), ('Entropy', CalibrationMethod.Entropy)]:
    quantize_static(f'{d}/fp32.onnx', f'{d}/ort-{name}.onnx', Reader(), quant_format=QuantFormat.QDQ,
                    per_channel=True, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    calibrate_method=method)

opts = ort.SessionOptions()
opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
run = lambda path: np.concatenate([ort.InferenceSession(path, opts, providers=['CPUExecutionProvider']).run(None, {'x': x})[0] for x in held])
ref = run(f'{d}/fp32.onnx')
sure = ref.max(1) >= 0.9
for label in ['ours', 'ort-MinMax', 'ort-Percentile', 'ort-Entropy']:
    out = run(f'{d}/{label}.onnx')
    agree = out.argmax(1) == ref.argmax(1)
    cos = float((ref * out).sum() / np.sqrt((ref * ref).sum() * (out * out).sum()))
    results[label] = {'cosine': cos, 'top1': float(agree.mean()), 'confident': int(sure.sum()),
                      'top1Confident': float(agree[sure].mean()), 'top1Other': float(agree[~sure].mean())}
print(json.dumps(results))
`;

// An optional outside reference, not a check of this project's own behaviour: the project installs
// only from npm and Debian, neither of which has onnxruntime for Python, so CI never runs it.
it('ours is at least as accurate as onnxruntime quantize_static on held-out images', {
  ...requires('ort-python', 'photos', 'fonts-dejavu'),
  timeout: 600_000,
}, async () => {
  const split = await classifierSplit({ linesA: 120, cropsA: 120, linesB: 100, cropsB: 100 });
  const model = readModelFile(OCR_MODELS.cls);
  for (const [sub, images] of [
    ['calibration', split.calibration],
    ['held-out', split.heldOut],
  ] as const) {
    mkdirSync(join(dir, sub));
    let k = 0;
    for await (const feed of imageFeeds(images, 'paddleocr-cls', 'x'))
      writeFileSync(join(dir, sub, `${String(k++).padStart(4, '0')}.npy`), encodeNpy(feed.x!));
  }
  const backend = createBackend({ graphOptimizationLevel: 'basic', executionProviders: ['cpu'] });
  const { ranges, statistics } = await calibrate(model, imageFeeds(split.calibration, 'paddleocr-cls', 'x'), {
    backend,
  });
  const minimums = Object.fromEntries([...statistics.tensors].map(([n, t]) => [n, t.min]));
  writeFileSync(join(dir, 'fp32.onnx'), writeModel(model));
  writeFileSync(
    join(dir, 'ours.onnx'),
    writeModel(quantizeQdq(model, ranges, { activationType: 'uint8', minimums }).model),
  );
  const r = spawnSync(PYTHON!, ['-c', SCRIPT, dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
  expect(r.status, r.stderr).toBe(0);
  const results = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<
    string,
    { cosine: number; top1Confident: number }
  >;
  console.log(JSON.stringify(results, null, 2));
  const best = Math.max(
    ...['ort-MinMax', 'ort-Percentile', 'ort-Entropy'].map((k) => results[k]!.top1Confident),
  );
  expect(results.ours!.top1Confident).toBeGreaterThanOrEqual(best);
  expect(results.ours!.cosine).toBeGreaterThanOrEqual(results['ort-MinMax']!.cosine);
});
