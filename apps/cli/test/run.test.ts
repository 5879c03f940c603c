// `edge run` as a user runs it: the built CLI in a child process on the real PaddleOCR models,
// its table, its JSON, the PNG it draws, and one line with exit code 2 for every bad input.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnxBuilder as b, DataType, tensorFromArray, writeModelFile } from '@edge/onnx-parse';
import { decodeNpy, encodeImage, loadImage } from '@edge/preprocess';
import { HAND_LANDMARKS, MEDIAPIPE, OCR_MODELS, photo, requires, scratchDir } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { edge } from './helpers/edge.js';

const DET = OCR_MODELS.det;
const CLS = OCR_MODELS.cls;
const REC = OCR_MODELS.rec;
const HAND = HAND_LANDMARKS;
const FACE = MEDIAPIPE.faceShort;
const PAGE = photo('skimage/page.png');
const TEXT_N = photo('opencv/imageTextN.png');
const ASTRONAUT = photo('skimage/astronaut.png');
const MESSI = photo('opencv/messi5.jpg');
const dir = scratchDir('edge-run-');

/** A "segmenter" whose class scores are the input's R, G, B: each pixel's class is its strongest channel. */
function rgbSegmenter(path: string): void {
  const g = b.graph({
    inputs: [b.value('x', [1, 3, 64, 64])],
    nodes: [b.node('Identity', ['x'], ['scores'])],
    outputs: [b.value('scores', [1, 3, 64, 64])],
  });
  writeModelFile(path, b.model(g, 13));
}

/** A "detector" that always answers one yolov8 box, centre (32, 16) size 32x16 in its 64x64 input, class 1. */
function fixedDetector(path: string): void {
  const boxes = new Float32Array(6 * 8);
  [32, 16, 32, 16, 0.1, 0.9].forEach((v, k) => {
    boxes[k * 8] = v;
  });
  const g = b.graph({
    inputs: [b.value('x', [1, 3, 64, 64])],
    initializers: [tensorFromArray('boxes', DataType.FLOAT, [1, 6, 8], boxes), b.floats('zero', [1], 0)],
    nodes: [
      b.node('ReduceMax', ['x'], ['m'], { keepdims: 0 }),
      b.node('Mul', ['m', 'zero'], ['z']),
      b.node('Add', ['boxes', 'z'], ['output0']),
    ],
    outputs: [b.value('output0', [1, 6, 8])],
  });
  writeModelFile(path, b.model(g, 13));
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Uint8Array): [number, number] {
  expect([...bytes.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  return [v.getUint32(16), v.getUint32(20)];
}

describe('edge run', requires('photos'), () => {
  it('finds the text lines of a page, prints a table and draws them', () => {
    const out = join(dir, 'vis');
    const r = edge('run', DET, PAGE, '--task', 'text', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(': onnxruntime on cpu');
    expect(r.stdout).toMatch(/page\.png {2}384x191 {2}text: \d+ regions/);
    expect(r.stdout).toMatch(/# {2}score {2}box x1,y1,x2,y2/);
    const file = join(out, 'page.text.png');
    expect(r.stdout).toContain(`wrote ${file}`);
    expect(pngSize(readFileSync(file))).toEqual([384, 191]);
  });

  it('prints JSON with the boxes on the original image', () => {
    const r = edge('run', DET, TEXT_N, '--task', 'text', '--json');
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.backend).toBe('onnxruntime');
    const [res] = json.results;
    expect(res).toMatchObject({ task: 'text', width: 556, height: 257 });
    expect(res.boxes.length).toBeGreaterThanOrEqual(3);
    for (const b of res.boxes) expect(b.box[2]).toBeLessThanOrEqual(556);
  });

  it('classifies with a preset and a labels file, the task guessed from the [N, 2] output', () => {
    const labels = join(dir, 'labels.txt');
    writeFileSync(labels, '0 degrees\n180 degrees\n');
    const r = edge(
      'run',
      CLS,
      PAGE,
      '--preset',
      'paddleocr-cls',
      '--labels',
      labels,
      '--top-k',
      '2',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const [res] = JSON.parse(r.stdout).results;
    expect(res.task).toBe('classify');
    expect(res.classes.map((c: { label: string }) => c.label).sort()).toEqual(['0 degrees', '180 degrees']);
    expect(res.classes[0].score + res.classes[1].score).toBeCloseTo(1, 5);
  });

  it('segments (argmax) onto the original size and overlays the mask', () => {
    const model = join(dir, 'rgb-seg.onnx');
    rgbSegmenter(model);
    const out = join(dir, 'seg');
    const r = edge('run', model, ASTRONAUT, '--task', 'segment', '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const [res] = JSON.parse(r.stdout).results;
    expect(res).toMatchObject({
      task: 'segment',
      width: 512,
      height: 512,
      mask: { width: 512, height: 512 },
    });
    expect(res.classes.reduce((n: number, c: { pixels: number }) => n + c.pixels, 0)).toBe(512 * 512);
    expect(pngSize(readFileSync(join(out, 'astronaut.segment.png')))).toEqual([512, 512]);
  });

  it('detects through the letterbox: a box in the 64x64 input lands on the 512x512 original', () => {
    const model = join(dir, 'fixed-det.onnx');
    fixedDetector(model);
    const r = edge('run', model, ASTRONAUT, '--task', 'detect', '--out', join(dir, 'det'));
    expect(r.code, r.stderr).toBe(0);
    // [16, 8, 48, 24] in the input, scale 8: [128, 64, 384, 192]
    expect(r.stdout).toMatch(/1 {2}1 {6}0\.900 {2}128,64,384,192/);
    expect(pngSize(readFileSync(join(dir, 'det/astronaut.detect.png')))).toEqual([512, 512]);
  });

  it('finds the hand in a crop of messi5.jpg with the hand landmark model, the task read from its outputs', async () => {
    // The 48x48 crop around Messi's raised hand, turned fingers-up as MediaPipe's tracker turns it.
    const src = await loadImage(MESSI, 'messi');
    const [left, top, n] = [332, 144, 48];
    const data = new Uint8Array(n * n * 3);
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        // A quarter turn anticlockwise (np.rot90): the fingers, pointing right, point up.
        const sx = left + (n - 1 - y);
        const sy = top + x;
        data.set(src.data.subarray(sy * src.stride + sx * 3, sy * src.stride + sx * 3 + 3), (y * n + x) * 3);
      }
    }
    const hand = join(dir, 'hand.png');
    writeFileSync(hand, await encodeImage({ data, width: n, height: n, order: 'rgb' }));
    const r = edge('run', HAND, hand, '--json', '--out', join(dir, 'hand'));
    expect(r.code, r.stderr).toBe(0);
    const [res] = JSON.parse(r.stdout).results;
    expect(res.task).toBe('landmarks');
    expect(res.landmarks).toHaveLength(21);
    expect(res.presence).toBeGreaterThan(0.9);
    expect(pngSize(readFileSync(join(dir, 'hand/hand.landmarks.png')))).toEqual([48, 48]);
    const table = edge('run', HAND, hand);
    expect(table.stdout).toMatch(/hand\.png {2}48x48 {2}landmarks: 21 points, presence 0\.9\d\d\n {2}# +x/);
  });

  it('runs the face detector with the head and anchors read from its outputs', () => {
    const r = edge('run', FACE, ASTRONAUT, '--json');
    expect(r.code, r.stderr).toBe(0);
    const [res] = JSON.parse(r.stdout).results;
    expect(res.task).toBe('face');
    expect(res.faces).toHaveLength(1);
  });

  it('gives the raw outputs of a model no head fits, with why, and saves them as .npy', () => {
    const r = edge('run', REC, PAGE, '--preset', 'paddleocr-rec');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/page\.png {2}384x191 {2}raw: 1 output\n/);
    expect(r.stdout).toMatch(/softmax_11\.tmp_0 {2}float32 {2}\[1,40,6625\]/);
    expect(r.stdout).toContain('no task head fits this model (pass --task to choose one):');
    expect(r.stdout).toContain(
      '    detect: the input size is free, so the box count cannot be checked against a YOLO grid',
    );
    const out = join(dir, 'npy');
    const saved = edge('run', REC, PAGE, '--preset', 'paddleocr-rec', '--save-outputs', out, '--json');
    expect(saved.code, saved.stderr).toBe(0);
    const json = JSON.parse(saved.stdout);
    const file = join(out, 'page.softmax_11.tmp_0.npy');
    expect(json.written).toEqual([file]);
    expect(json.results[0].outputs[0]).toMatchObject({ name: 'softmax_11.tmp_0', shape: [1, 40, 6625] });
    expect(json.results[0]).not.toHaveProperty('tensors');
    const t = decodeNpy(readFileSync(file));
    expect(t.shape).toEqual([1, 40, 6625]);
    // Each step's probabilities sum to 1.
    const row = (t.data as Float32Array).subarray(0, 6625);
    expect(row.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 4);
  });

  it('BAD CALL - a missing image, labels file or model, an unknown task or backend, no image: one line, exit 2', () => {
    const missing = edge('run', DET, join(dir, 'nope.png'), '--task', 'text');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^edge run: .*nope\.png: cannot read \(ENOENT\)\n$/);
    const labels = edge('run', CLS, PAGE, '--task', 'classify', '--labels', join(dir, 'nope.txt'));
    expect(labels.code).toBe(2);
    expect(labels.stderr).toBe(`edge run: ${join(dir, 'nope.txt')}: cannot read (ENOENT)\n`);
    const model = edge('run', join(dir, 'nope.onnx'), PAGE);
    expect(model.code).toBe(2);
    expect(model.stderr.trim().split('\n')).toHaveLength(1);
    const task = edge('run', DET, PAGE, '--task', 'pose');
    expect(task.code).toBe(2);
    expect(task.stderr).toContain(
      "--task expects one of classify, detect, segment, text, face, landmarks, raw, got 'pose'",
    );
    const save = edge('run', DET, PAGE, '--task', 'text', '--save-outputs', dir);
    expect(save.code).toBe(2);
    expect(save.stderr).toContain(
      "--save-outputs writes the raw outputs, so it goes with --task raw, not 'text'",
    );
    const backend = edge('run', DET, PAGE, '--backend', 'openvino');
    expect(backend.code).toBe(2);
    expect(backend.stderr).toMatch(
      /^edge run: Expected one of .* for options\.backends\[0\] but received "openvino"/,
    );
    const alone = edge('run', DET);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('expected a model and at least one image, got 1 argument(s)');
  });
});
