// `tflite-read`: how fast @edge/backends-tflite decodes a .tflite model already in memory (every
// table, option and buffer view, all checks on), against a bare read of the same file, round-robin
// in one invocation, on the MediaPipe models. The hand-written decoder the reader replaced was
// measured against it here before it was removed (commit f799298 has both: 1.2-1.6x, 0.1-0.5 ms).

import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { readTflite, readTfliteFile } from '@edge/backends-tflite';
import { FileIOError } from '@edge/core';
import { resolveFromBench } from '../harness/paths.js';
import { ratio } from '../harness/ratio.js';
import { emptyResult } from '../harness/result.js';
import { timeEach, timingFigure } from '../harness/timing.js';
import type { Baseline, BenchContext, Benchmark, BenchResult } from '../harness/types.js';

interface Subject {
  name: string;
  path: string;
  origin: string;
}

const MEDIAPIPE: readonly [pkg: string, file: string, origin: string][] = [
  ['@mediapipe/face_detection', 'face_detection_short_range.tflite', 'BlazeFace short range, 1x128x128x3'],
  ['@mediapipe/face_detection', 'face_detection_full_range.tflite', 'BlazeFace full range, 1x192x192x3'],
  [
    '@mediapipe/face_detection',
    'face_detection_full_range_sparse.tflite',
    'the same, sparse weights (DENSIFY)',
  ],
  [
    '@mediapipe/selfie_segmentation',
    'selfie_segmentation.tflite',
    'selfie segmentation, 1x256x256x3, a custom op',
  ],
];

function subjects(ctx: BenchContext, notes: string[]): Subject[] {
  // A --model that is missing or not a .tflite fails in run() with readTfliteFile's typed error.
  if (ctx.modelPath !== undefined) {
    const path = resolve(ctx.modelPath);
    return [{ name: basename(path), path, origin: 'given with --model' }];
  }
  const list: Subject[] = [];
  for (const [pkg, file, origin] of MEDIAPIPE) {
    try {
      const path = join(dirname(resolveFromBench(`${pkg}/package.json`)), file);
      statSync(path);
      list.push({ name: file.replace(/\.tflite$/, ''), path, origin });
    } catch {
      notes.push(`${pkg} is not installed (dev dependency): ${file} was skipped`);
    }
  }
  if (list.length === 0)
    throw new FileIOError(
      'no MediaPipe model is installed (dev dependencies of @edge/bench): pass --model <file.tflite>',
      '@mediapipe/face_detection',
    );
  return list;
}

async function run(ctx: BenchContext): Promise<BenchResult> {
  const result = emptyResult();
  const { groups, figures, baselines, ratios, notes } = result;
  const { warmup, runs } = ctx.repetitions;
  for (const s of subjects(ctx, notes)) {
    ctx.signal.throwIfAborted();
    ctx.progress(`${s.name}: decoding and reading the file, round-robin`);
    const model = readTfliteFile(s.path);
    const bytes = new Uint8Array(readFileSync(s.path));
    groups.push({
      name: s.name,
      description: `${s.origin}; ${(bytes.length / 1e6).toFixed(2)} MB, ${model.subgraphs[0]!.operators.length} operators, ${model.subgraphs[0]!.tensors.length} tensors`,
    });
    // Sub-millisecond work: at least 300 ms of runs each, for a stable median.
    const t = timeEach(
      {
        decode: () => readTflite(bytes),
        fileRead: () => readFileSync(s.path),
      },
      { warmup, runs, minTotalMs: 300 },
    );
    const decode = timingFigure('readTflite (flatc-generated, checked buffer)', s.name, t.decode);
    const fileRead: Baseline = {
      ...timingFigure('fs.readFileSync of the file', s.name, t.fileRead),
      source: 'node fs.readFileSync',
    };
    figures.push(decode);
    baselines.push(fileRead);
    ratios.push(ratio('decode / file read', decode, fileRead));
  }
  notes.push('warm medians; the decode starts from bytes already in memory, the file read is for scale');
  return result;
}

/** The `tflite-read` benchmark. */
export const tfliteReadBenchmark: Benchmark = {
  name: 'tflite-read',
  description: '.tflite decode (readTflite, flatc-generated) against a bare file read, on MediaPipe models',
  acceptsModel: true,
  repetitions: { warmup: 20, runs: 50 },
  run,
};
