// model.infer end to end on engines whose outputs are scripted: the spec built from the model's
// input under the head's recipe and the caller's overrides, images of any kind in, results on the
// original images out, the task guessed or checked, and bad calls named.

import {
  ArgumentError,
  type Backend,
  type Session,
  Tensor,
  type TensorInfo,
  type TensorMap,
} from '@edge/core';
import { describe, expect, it } from 'vitest';
import { inputSpec, loadModel, specForInput } from '../src/index.js';

/** A backend whose one session has these inputs and outputs and answers with `answer(feeds)`. */
function scripted(
  inputs: TensorInfo[],
  outputs: TensorInfo[],
  answer: (feeds: Readonly<TensorMap>) => TensorMap,
  seen: Tensor[] = [],
): Backend & { open: () => number } {
  let open = 0;
  return {
    name: 'scripted',
    priority: 0,
    devices: ['cpu'],
    formats: ['onnx', 'tflite'],
    available: async () => ({ ok: true }),
    canLoad: () => ({ ok: true }),
    openSessions: () => open,
    open: () => open,
    async load(): Promise<Session> {
      open++;
      const session: Session = {
        backend: 'scripted',
        device: 'cpu',
        detail: 'scripted outputs',
        inputs,
        outputs,
        async run(feeds) {
          seen.push(...Object.values(feeds));
          return answer(feeds);
        },
        async dispose() {
          open--;
        },
        [Symbol.asyncDispose]() {
          return session.dispose();
        },
      };
      return session;
    },
  };
}

const BYTES = new Uint8Array([8, 7]);
const frame = (width: number, height: number, value = 0) => ({
  data: new Uint8Array(width * height * 3).fill(value),
  width,
  height,
  order: 'rgb' as const,
});

describe('specForInput', () => {
  const fixed = inputSpec({ name: 'x', dtype: 'float32', shape: [1, 3, 224, 224] });
  const free = inputSpec({ name: 'x', dtype: 'float32', shape: ['N', 3, 'H', 'W'] });
  const nhwc = inputSpec({ name: 'img', dtype: 'uint8', shape: [1, 300, 300, 3] });

  it('takes size and layout from the model under a preset or recipe', () => {
    expect(specForInput(fixed, 'yolo', undefined)).toMatchObject({
      size: { width: 224, height: 224 },
      layout: 'nchw',
      resize: 'letterbox',
    });
    expect(specForInput(free, 'paddleocr-det', undefined)).toMatchObject({ dynamicSize: { limitSide: 960 } });
    // a uint8 NHWC input gets raw pixels, whatever the recipe's normalisation
    expect(specForInput(nhwc, undefined, 'imagenet-torchvision')).toMatchObject({
      size: { width: 300, height: 300 },
      layout: 'nhwc',
      dtype: 'uint8',
      scale: 1,
      resize: 'shorter-side-crop',
    });
  });

  it("lets the caller's object override the model and the recipe", () => {
    expect(specForInput(free, 'paddleocr-det', { size: { width: 64, height: 32 } })).toMatchObject({
      size: { width: 64, height: 32 },
      color: 'bgr',
    });
    expect(specForInput(fixed, 'yolo', 'imagenet-caffe')).toMatchObject({
      size: { width: 224, height: 224 },
      color: 'bgr',
      scale: 1,
    });
  });

  it('EXPECTED FAILURE - a free size and nothing that sets one', () => {
    expect(() => specForInput(free, undefined, undefined)).toThrow(
      new ArgumentError(
        "input 'x' has a free size [N,3,H,W]: pass options.preprocess with a size or a preset (e.g. 'paddleocr-det')",
      ),
    );
  });
});

describe('model.infer', () => {
  it('classifies raw frames: preprocessed to the model input, one run per image, softmax top-k', async () => {
    const seen: Tensor[] = [];
    const backend = scripted(
      [{ name: 'data', dtype: 'float32', shape: [1, 3, 8, 8] }],
      [{ name: 'logits', dtype: 'float32', shape: [1, 3] }],
      (feeds) => {
        // the class is the image's mean brightness band: lets each result be traced to its image
        const mean = (feeds.data!.data as Float32Array).reduce((a, b) => a + b, 0) / feeds.data!.size;
        return {
          logits: new Tensor(
            'float32',
            [1, 3],
            Float32Array.from([0, 1, 2].map((k) => -Math.abs(mean * 2 - k))),
          ),
        };
      },
      seen,
    );
    const model = await loadModel(BYTES, { backends: [backend] });
    const results = await model.infer([frame(16, 16, 0), frame(20, 10, 255), frame(8, 8, 128)], {
      task: 'classify',
      config: { topK: 1, labels: ['dark', 'mid', 'light'] },
    });
    expect(results.map((r) => r.task)).toEqual(['classify', 'classify', 'classify']);
    expect(results.map((r) => r.classes[0]!.label)).toEqual(['dark', 'light', 'mid']);
    expect(results.map((r) => [r.source, r.width, r.height])).toEqual([
      ['images[0]', 16, 16],
      ['images[1]', 20, 10],
      ['images[2]', 8, 8],
    ]);
    expect(seen.map((t) => t.shape)).toEqual([
      [1, 3, 8, 8],
      [1, 3, 8, 8],
      [1, 3, 8, 8],
    ]);
    await model.dispose();
    expect(backend.open()).toBe(0);
  });

  it('finds a face through a letterboxed NHWC input in -1..1 (BlazeFace outputs)', async () => {
    const seen: Tensor[] = [];
    const backend = scripted(
      [{ name: 'input', dtype: 'float32', shape: [1, 128, 128, 3] }],
      [
        { name: 'regressors', dtype: 'float32', shape: [1, 896, 16] },
        { name: 'classificators', dtype: 'float32', shape: [1, 896, 1] },
      ],
      () => {
        const reg = new Float32Array(896 * 16);
        reg.set([0, 0, 32, 32], 272 * 16);
        const cls = new Float32Array(896).fill(-20);
        cls[272] = 4;
        return {
          regressors: new Tensor('float32', [1, 896, 16], reg),
          classificators: new Tensor('float32', [1, 896, 1], cls),
        };
      },
      seen,
    );
    const model = await loadModel(BYTES, { backends: [backend] });
    const [r] = await model.infer(frame(256, 128, 255)); // task guessed from the two outputs
    expect(r!.task).toBe('face');
    if (r!.task !== 'face') return;
    expect(r!.faces).toHaveLength(1);
    expect(r!.faces[0]!.box.map((v) => Math.round(v * 1000) / 1000)).toEqual([104, 40, 168, 104]);
    // white pixels are 1, the letterbox padding (pixel 0) is -1
    const x = seen[0]!.data as Float32Array;
    expect([x[0], x[64 * 128 * 3]]).toEqual([-1, 1]);
    await model.dispose();
  });

  it('returns the raw outputs, with every head tried and why, when no head fits', async () => {
    const values = Float32Array.from({ length: 32 }, (_, i) => i - 8);
    values[3] = Number.NaN;
    const odd = scripted(
      [{ name: 'x', dtype: 'float32', shape: [1, 3, 8, 8] }],
      [{ name: 'y', dtype: 'float32', shape: [1, 2, 2, 2, 4] }],
      () => ({ y: new Tensor('float32', [1, 2, 2, 2, 4], values) }),
    );
    const model = await loadModel(BYTES, { backends: [odd] });
    const [r] = await model.infer(frame(8, 8));
    expect(r!.task).toBe('raw');
    if (r!.task !== 'raw') return;
    expect(r!.tried!.map((t) => t.task)).toEqual([
      'face',
      'landmarks',
      'text',
      'detect',
      'segment',
      'classify',
    ]);
    expect(r!.tried![0]!.reason).toBe(
      "needs two outputs per anchor, boxes with keypoints [N, A, 4 + 2K] and scores [N, A, 1]; the model has 'y' [1,2,2,2,4]",
    );
    expect(r!.note).toMatch(
      /^no task head fits <bytes>, so its raw outputs are returned .*: face: needs two/,
    );
    const finite = [...values].filter((v) => !Number.isNaN(v));
    const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
    expect(r!.outputs).toHaveLength(1);
    const y = r!.outputs[0]!;
    expect(y).toMatchObject({
      name: 'y',
      dtype: 'float32',
      shape: [1, 2, 2, 2, 4],
      min: -8,
      max: 23,
      nonFinite: 1,
    });
    expect(y.mean).toBeCloseTo(mean, 5);
    expect(y.std).toBeCloseTo(Math.sqrt(finite.reduce((a, v) => a + (v - mean) ** 2, 0) / finite.length), 5);
    expect(r!.tensors.y!.data).toEqual(values);
    // Asked for by name, raw says nothing of the heads.
    const [forced] = await model.infer(frame(8, 8), { task: 'raw' });
    expect(forced).not.toHaveProperty('tried');
    await model.dispose();
  });

  it('BAD CALL - an unknown task, a model with two inputs, no images', async () => {
    const one = scripted(
      [{ name: 'x', dtype: 'float32', shape: [1, 3, 4, 4] }],
      [{ name: 'y', dtype: 'float32', shape: [1, 1, 4, 4] }],
      () => ({}),
    );
    const model = await loadModel(BYTES, { backends: [one] });
    await expect(model.infer(frame(4, 4), { task: 'pose' as 'face' })).rejects.toThrow(
      /Expected one of .*"classify".* for options.task but received "pose"/,
    );
    await expect(model.infer([], { task: 'segment' })).rejects.toThrow(ArgumentError);
    await model.dispose();
    const two = scripted(
      [
        { name: 'a', dtype: 'float32', shape: [1, 3, 4, 4] },
        { name: 'b', dtype: 'float32', shape: [1, 2] },
      ],
      [{ name: 'y', dtype: 'float32', shape: [1, 2] }],
      () => ({}),
    );
    const m2 = await loadModel(BYTES, { backends: [two] });
    await expect(m2.infer(frame(4, 4), { task: 'classify' })).rejects.toThrow(
      /needs a model with one 4-D image input/,
    );
    await m2.dispose();
  });
});
