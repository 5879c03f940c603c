// `edge calibrate`, `edge quantize` and `edge compare` as a user runs them: the built CLI in a child
// process on PaddleOCR's direction classifier and six photos, from a calibration cache to an INT8
// and an FP16 model and their accuracy against the FP32 one; and one line with exit code 2 for
// every bad input.
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { writeCalibrationCache } from '@edge/calibrate';
import { DataType, readModelFile } from '@edge/onnx-parse';
import { preset } from '@edge/preprocess';
import { isMet, OCR_MODELS, photoDir, requires, scratchDir } from '@edge/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { progressBar } from '../src/progress.js';
import { CLI, edge } from './helpers/edge.js';

const CLS = OCR_MODELS.cls;
const SKIMAGE = photoDir('skimage');
// The first files of skimage-data by name include a TIFF, which @edge/preprocess does not decode:
// the set is six PNGs of it, copied.
const PHOTOS = ['astronaut.png', 'camera.png', 'chelsea.png', 'coins.png', 'page.png', 'text.png'];
const dir = scratchDir('edge-calibrate-');
// A copy of the model, so that the default cache path (beside it) lies in the temporary folder.
const MODEL = join(dir, 'cls.onnx');
const IMAGES = join(dir, 'images');
const CACHE = join(dir, 'cls.calib.cache');
const INT8 = join(dir, 'cls.int8.onnx');
const FP16 = join(dir, 'cls.fp16.onnx');
// A cache that records another model.
const FOREIGN = join(dir, 'foreign.cache');
const SET = ['--images', IMAGES, '--preset', 'paddleocr-cls'];
const PROGRESS = /^\[[#.]{20}\] 6\/6 images {2}[\d.]+ s {2}[\d.]+ s\/image$/m;

beforeAll(() => {
  copyFileSync(CLS, MODEL);
  mkdirSync(IMAGES);
  // Without the photos the tests that use them are skipped (requires('photos')).
  if (isMet('photos')) for (const p of PHOTOS) copyFileSync(join(SKIMAGE, p), join(IMAGES, p));
  writeCalibrationCache(FOREIGN, {
    ranges: { x: 1 },
    method: 'minmax',
    modelSha256: 'f'.repeat(64),
    datasetHash: 'd',
  });
});

/** A bad call: exit 2 and the reason as the first line of stderr (the usage may follow). */
function refused(r: ReturnType<typeof edge>, reason: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.split('\n')[0]).toMatch(reason);
}

describe('edge calibrate', requires('photos'), () => {
  it("writes a TensorRT percentile cache, its JSON and onnxruntime's table beside the model, with progress on stderr", () => {
    const r = edge('calibrate', MODEL, ...SET);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^computed percentile ranges of \d+ tensors over 6 images: model runs [\d.]+ s \([\d.]+ s\/image\)/,
    );
    expect(r.stdout).toContain(`cache ${CACHE} (TRT-8601-EntropyCalibration2)`);
    expect(r.stdout).toContain(`onnxruntime ${CACHE}.onnxruntime.flatbuffers, ${CACHE}.onnxruntime.cache`);
    expect(r.stderr).toMatch(PROGRESS);
    expect(r.stderr).toMatch(/^\[#{20}\] (\d+)\/\1 tensors/m);
    const lines = readFileSync(CACHE, 'utf8').split('\n');
    expect(lines[0]).toBe('TRT-8601-EntropyCalibration2');
    expect(lines[1]).toMatch(/^x: [0-9a-f]{8}$/);
    const json = JSON.parse(readFileSync(`${CACHE}.json`, 'utf8'));
    expect(json).toMatchObject({
      format: 'edge-calibration-cache/1',
      method: 'percentile',
      params: { percentile: 99.99 },
      inputs: { x: [1, 3, 48, 192] },
    });
    expect(json.images.map((i: { name: string }) => i.name)).toEqual(PHOTOS);
    expect(json.tensors.x).toMatchObject({
      amax: expect.any(Number),
      min: expect.any(Number),
      max: expect.any(Number),
    });
    const ort = readFileSync(`${CACHE}.onnxruntime.cache`, 'utf8').split('\n');
    expect(ort[0]).toMatch(/^\S+ [\d.e+-]+$/);
  }, 180_000);

  it('--split 3 holds out every third image, prints both sets and records them in the JSON', () => {
    const cache = join(dir, 'split.cache');
    const r = edge('calibrate', MODEL, ...SET, '--cache', cache, '--split', '3');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/over 4 images/);
    expect(r.stdout).toContain(`every 3th image of ${IMAGES} held out (2), calibrated on the other 4`);
    expect(r.stdout).toMatch(/^calibration +4 +softmax_0\.tmp_0 +[\d.]+ +[\d.]+%/m);
    expect(r.stdout).toMatch(/^held out +2 +softmax_0\.tmp_0 /m);
    expect(r.stdout).toMatch(/^(no sign of over-fitting|OVER-FITTING): /m);
    const json = JSON.parse(readFileSync(`${cache}.json`, 'utf8'));
    expect(json.images).toHaveLength(4);
    expect(json.evaluation).toMatchObject({
      heldOut: { split: 3 },
      scores: { calibration: expect.any(Number) },
    });
    refused(
      edge('calibrate', MODEL, ...SET, '--split', '3', '--eval', IMAGES),
      /give one of --eval and --split/,
    );
  }, 180_000);

  it('reuses the cache for the same model, images and method without running the model', () => {
    const before = statSync(CACHE).mtimeMs;
    const r = edge('calibrate', MODEL, ...SET);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^reused .*cls\.calib\.cache: \d+ tensors.*no image was run/);
    expect(r.stderr).toBe('');
    expect(statSync(CACHE).mtimeMs).toBe(before);
  });

  it('minmax names MinMaxCalibration; --force recomputes a cache it would reuse', () => {
    const cache = join(dir, 'minmax.cache');
    const args = [
      'calibrate',
      MODEL,
      ...SET,
      '--method',
      'minmax',
      '--cache',
      cache,
      '--trt-version',
      '10000',
    ];
    expect(edge(...args).code).toBe(0);
    expect(readFileSync(cache, 'utf8').split('\n')[0]).toBe('TRT-10000-MinMaxCalibration');
    expect(edge(...args).stdout).toMatch(/^reused/);
    const forced = edge(...args, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/^computed minmax ranges/);
  });

  it('EXPECTED FAILURE - Ctrl-C stops the run with exit code 130 and writes no cache', async () => {
    const many = join(dir, 'many');
    mkdirSync(many);
    for (let i = 0; i < 40; i++)
      symlinkSync(join(IMAGES, 'page.png'), join(many, `${String(i).padStart(2, '0')}.png`));
    const cache = join(dir, 'interrupted.cache');
    const child = spawn(process.execPath, [
      CLI,
      'calibrate',
      MODEL,
      '--images',
      many,
      '--preset',
      'paddleocr-cls',
      '--method',
      'minmax',
      '--cache',
      cache,
    ]);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // Once: a second Ctrl-C kills the process outright.
      if (/1\/40 images/.test(stderr) && child.signalCode === null && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/interrupted; stopping after the current image/);
    expect(stderr).toMatch(/calibration was aborted after \d+ feeds; nothing was written/);
    expect(readdirSync(dir).filter((f) => f.startsWith('interrupted'))).toEqual([]);
  });

  it('BAD CALL - no --images, an unknown --method or preset, a folder without images: one line, exit 2', () => {
    refused(
      edge('calibrate', MODEL, '--preset', 'paddleocr-cls'),
      /^edge calibrate: --images DIR is required$/,
    );
    refused(
      edge('calibrate', MODEL, ...SET, '--method', 'kl'),
      /--method expects one of entropy, minmax, percentile, mse, got 'kl'/,
    );
    refused(
      edge('calibrate', MODEL, '--images', IMAGES, '--preset', 'nope'),
      /--preset expects one of .*paddleocr-cls.*, got 'nope'/,
    );
    refused(
      edge('calibrate', MODEL, ...SET, '--method', 'minmax', '--percentile', '99'),
      /--percentile applies to --method percentile only/,
    );
    const foreign = edge('calibrate', MODEL, ...SET, '--cache', FOREIGN);
    refused(
      foreign,
      /^edge calibrate: calibration cache .*foreign\.cache was computed for modelSha256 f{64}, not [0-9a-f]{64}; pass --force to replace it$/,
    );
    expect(foreign.stderr).not.toContain('images  ');
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'notes.txt'), 'no image here\n');
    const r = edge('calibrate', MODEL, '--images', empty, '--preset', 'paddleocr-cls');
    refused(r, /^edge calibrate: the folder .*empty holds no image/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('edge quantize', requires('photos'), () => {
  it('--int8 with the cache writes a QDQ model', () => {
    const r = edge('quantize', MODEL, '--int8', '--cache', CACHE, '--out', INT8);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^activations (int8|uint8): faster here \(onnxruntime CPU, median of 5 runs at 1x3x48x192: int8 [\d.]+ ms, uint8 [\d.]+ ms\)$/m,
    );
    expect(r.stdout).toMatch(
      /^quantized \d+ nodes with percentile ranges of .*; \d+ weights int8, \d+ activations u?int8, \d+ nodes folded first/m,
    );
    expect(r.stdout).toMatch(new RegExp(`wrote ${INT8}: [\\d.]+ KiB \\(\\d+% of [\\d.]+ KiB\\)`));
    const ops = readModelFile(INT8).graph.nodes.map((n) => n.opType);
    expect(ops.filter((o) => o === 'QuantizeLinear').length).toBeGreaterThan(10);
    expect(ops).toContain('DequantizeLinear');
  });

  it('--int8 --target keeps the costliest node groups in float32 until the score on the images is reached', () => {
    // One activation type for both models: left to `auto`, each call times the two types and may
    // pick the other one under load, which changes the number of QuantizeLinear nodes.
    const plain = join(dir, 'cls.uint8.onnx');
    const mixed = join(dir, 'cls.mixed.onnx');
    const q = ['quantize', MODEL, '--int8', '--activations', 'uint8', '--cache', CACHE, '--out'];
    expect(edge(...q, plain).code).toBe(0);
    const r = edge(...q, mixed, ...SET, '--target', '1', '--group', '40');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^mixed precision on 6 images: score [\d.]+( -> [\d.]+)* \(target 1\); \d+ tensors kept in float32$/m,
    );
    expect(r.stderr).toMatch(/\d+\/\d+ groups/);
    const count = (path: string) =>
      readModelFile(path).graph.nodes.filter((n) => n.opType === 'QuantizeLinear').length;
    // A perfect score asks for more float32 than the plain INT8 model has.
    expect(count(mixed)).toBeLessThan(count(plain));
  });

  it('--fp16 writes float16 weights behind float32 inputs and outputs', () => {
    const r = edge('quantize', MODEL, '--fp16', '--out', FP16);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^converted \d+ nodes to float16; \d+ Casts added/);
    // The classifier (Paddle2ONNX) holds its weights in Constant nodes, not initializers.
    const g = readModelFile(FP16).graph;
    const weights = [...g.initializers, ...g.nodes.flatMap((n) => n.attributes.flatMap((a) => a.t ?? []))];
    const conv = weights.filter((t) => t.dims.length === 4);
    expect(conv.length).toBeGreaterThan(10);
    expect(conv.every((t) => t.dataType === DataType.FLOAT16)).toBe(true);
    expect(g.inputs[0]!.type).toMatchObject({ kind: 'tensor', elemType: DataType.FLOAT });
  });

  it('BAD CALL - a cache of another model, no --out, both or neither of --int8 and --fp16: one line, exit 2', () => {
    const foreign = join(dir, 'foreign.cache');
    writeCalibrationCache(foreign, {
      ranges: { x: 1 },
      method: 'minmax',
      modelSha256: 'f'.repeat(64),
      datasetHash: 'd',
    });
    const other = edge('quantize', MODEL, '--int8', '--cache', FOREIGN, '--out', join(dir, 'x.onnx'));
    refused(
      other,
      /^edge quantize: calibration cache .*foreign\.cache was computed for modelSha256 f{64}, not [0-9a-f]{64}$/,
    );
    expect(other.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(dir, 'x.onnx'))).toBe(false);
    refused(edge('quantize', MODEL, '--int8', '--cache', CACHE), /--out FILE is required/);
    refused(edge('quantize', MODEL, '--out', join(dir, 'x.onnx')), /give one of --int8 and --fp16/);
    refused(
      edge('quantize', MODEL, '--fp16', '--bias', 'float', '--out', join(dir, 'x.onnx')),
      /--bias does not apply to --fp16/,
    );
  });
});

describe('edge compare', requires('photos'), () => {
  it('compares the FP32 classifier with its INT8 rewrite: a table with top-1, and the report as JSON', () => {
    const json = join(dir, 'report.json');
    const r = edge('compare', MODEL, INT8, ...SET, '--json', json);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^6 feeds compared in/m);
    expect(r.stdout).toMatch(/^output +kind +cosine +max \|err\| +mean \|err\| +top-1/m);
    expect(r.stdout).toContain('layers whose relative error grew most');
    expect(r.stderr).toMatch(PROGRESS);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report).toMatchObject({ reference: MODEL, candidate: INT8, samples: 6 });
    expect(report.outputs[0].kind).toBe('classification');
    expect(report.outputs[0].top1Agreement).toBeGreaterThanOrEqual(0);
    expect(report.outputs[0].top1Agreement).toBeLessThanOrEqual(1);
    expect(report.layers.length).toBe(10);
  });

  it('--html writes a page with the error of every layer as a chart, the chart library inlined', () => {
    const html = join(dir, 'report.html');
    const r = edge('compare', MODEL, INT8, ...SET, '--html', html, '--layers', '5');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`wrote ${html}`);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('new uPlot(');
    expect(page).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    const layers = JSON.parse(/const layers = (\[.*\]);/.exec(page)![1]!) as [
      string,
      string,
      number,
      number,
    ][];
    expect(layers.length).toBeGreaterThan(50);
    expect(layers[0]![1]).toMatch(/^[A-Z]/);
    refused(
      edge('compare', MODEL, INT8, ...SET, '--html', html, '--layers', '0'),
      /--html charts the layer comparison/,
    );
  });

  it('--exact and the fused kernels agree on a model quantized with --reduce-range', () => {
    const reduced = join(dir, 'cls.reduced.onnx');
    expect(edge('quantize', MODEL, '--int8', '--cache', CACHE, '--reduce-range', '--out', reduced).code).toBe(
      0,
    );
    const cosine = (...extra: string[]) => {
      const json = join(dir, `r${extra.length}.json`);
      const r = edge('compare', MODEL, reduced, ...SET, '--layers', '0', '--json', json, ...extra);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(readFileSync(json, 'utf8')).outputs[0].cosine as number;
    };
    expect(Math.abs(cosine('--exact') - cosine())).toBeLessThan(1e-3);
  });

  it('reads the preprocessing from a --spec file: FP16 agrees with FP32 on every image', () => {
    const spec = join(dir, 'cls.json');
    writeFileSync(spec, JSON.stringify(preset('paddleocr-cls')));
    const r = edge(
      'compare',
      MODEL,
      FP16,
      '--images',
      IMAGES,
      '--spec',
      spec,
      '--limit',
      '3',
      '--layers',
      '0',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^3 feeds compared/m);
    expect(r.stdout).toMatch(/classification +0\.99\d+ .* 100\.00%/);
    expect(r.stdout).not.toContain('layers whose');
  });

  it('BAD CALL - one model, a bad --kind, both --preset and --spec, a bad spec file: exit 2', () => {
    refused(edge('compare', MODEL, ...SET), /expected a reference and a candidate model, got 1/);
    refused(
      edge('compare', MODEL, INT8, ...SET, '--kind', 'boxes'),
      /--kind expects one of classification, map, segmentation, raw/,
    );
    refused(
      edge('compare', MODEL, INT8, ...SET, '--spec', 'x.json'),
      /give one of --preset NAME and --spec FILE/,
    );
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"size": {"width": 0, "height": 48}}');
    refused(
      edge('compare', MODEL, INT8, '--images', IMAGES, '--spec', bad),
      /bad\.json: Expected positive integer .*spec\.size\.width/,
    );
  });
});

describe('progress bar', () => {
  const run = (isTTY: boolean, total: number, msPerItem: number) => {
    let out = '';
    const bar = progressBar({
      stdout: { write: () => true },
      stderr: { isTTY, write: (t: string) => (out += t) },
    } as never);
    for (let done = 1; done <= total; done++) bar.update({ done, total, elapsedMs: done * msPerItem });
    bar.finish();
    return out;
  };

  it('redraws in place on a terminal, at most every 100 ms, and ends the line', () => {
    const out = run(true, 40, 50);
    expect(out.startsWith('\r[....................] 1/40 images  0.1 s  0.05 s/image')).toBe(true);
    expect(out.endsWith('\r[####################] 40/40 images  2.0 s  0.05 s/image\n')).toBe(true);
    expect(out.split('\r').length - 1).toBe(21);
  });

  it('elsewhere prints a line at every tenth of the job, or after 5 s without one', () => {
    expect(run(false, 40, 50).split('\n').filter(Boolean)).toHaveLength(11);
    const slow = run(false, 4, 6000).split('\n');
    expect(slow).toEqual([
      '[#####...............] 1/4 images  6.0 s  6.00 s/image',
      '[##########..........] 2/4 images  12.0 s  6.00 s/image',
      '[###############.....] 3/4 images  18.0 s  6.00 s/image',
      '[####################] 4/4 images  24.0 s  6.00 s/image',
      '',
    ]);
  });
});
