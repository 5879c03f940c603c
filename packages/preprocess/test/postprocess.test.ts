// The reverse direction, .npy files checked with numpy itself, and the spec's argument checks.

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError, Tensor } from '@edge/core';
import { PYTHON, photo, requires, scratchDir } from '@edge/test-utils';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy } from '../src/npy.js';
import {
  colorizeScoreMap,
  denormalizationOf,
  encodeImage,
  maskToImage,
  resizeToSource,
  tensorToImage,
} from '../src/postprocess.js';
import { preprocess, preprocessSync } from '../src/preprocess.js';
import { preset } from '../src/presets.js';
import { renderTensor } from '../src/render-tensor.js';
import { resolveSpec } from '../src/spec.js';

const dir = scratchDir('edge-preprocess-');

function frame(w: number, h: number) {
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37) % 256;
  return { data, width: w, height: h, order: 'rgb' as const };
}

describe('tensor to image', () => {
  it('undoes every preset normalisation exactly when no resize happened', () => {
    const f = frame(48, 40);
    for (const name of ['imagenet-caffe', 'yolo', 'paddleocr-rec'] as const) {
      const spec = preset(name, { size: { width: 48, height: 40 }, resize: 'stretch' });
      const { tensor } = preprocessSync(f, spec);
      const img = tensorToImage(tensor, denormalizationOf(name));
      expect(img.order).toBe('rgb');
      expect(Array.from(img.data), name).toEqual(Array.from(f.data));
    }
    // NHWC float16 and int8 with quantisation come back too.
    const half = preprocessSync(f, {
      size: { width: 48, height: 40 },
      layout: 'nhwc',
      dtype: 'float16',
    }).tensor;
    expect(Array.from(tensorToImage(half, { layout: 'nhwc' }).data)).toEqual(Array.from(f.data));
    const q = preprocessSync(f, {
      size: { width: 48, height: 40 },
      dtype: 'int8',
      quantization: { scale: 1 / 255, zeroPoint: -128 },
    }).tensor;
    expect(Array.from(tensorToImage(q, { quantization: { scale: 1 / 255, zeroPoint: -128 } }).data)).toEqual(
      Array.from(f.data),
    );
  });

  it('clamps out-of-range values and encodes PNG (lossless) and JPEG', async () => {
    const t = new Tensor('float32', [1, 1, 2, 2], new Float32Array([-0.5, 0.25, 1.5, Number.NaN]));
    const img = tensorToImage(t);
    expect(Array.from(img.data)).toEqual([0, 64, 255, 0]);
    const png = await encodeImage(img, 'png');
    const back = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect(back.info.format).toBe('raw');
    expect(
      Array.from(back.data.subarray(0, 4 * back.info.channels)).filter(
        (_, i) => i % back.info.channels === 0,
      ),
    ).toEqual([0, 64, 255, 0]);
    const jpeg = await encodeImage(
      tensorToImage(preprocessSync(frame(32, 32), { size: { width: 32, height: 32 } }).tensor),
      'jpeg',
      80,
    );
    expect((await sharp(jpeg).metadata()).format).toBe('jpeg');
  });

  it('colour-maps a score map and a mask', () => {
    const scores = new Tensor('float32', [1, 1, 1, 3], new Float32Array([0, 0.5, 1]));
    const viridis = colorizeScoreMap(scores);
    expect(Array.from(viridis.data.subarray(0, 3))).toEqual([68, 1, 84]);
    expect(Array.from(viridis.data.subarray(6, 9))).toEqual([253, 231, 37]);
    expect(Array.from(colorizeScoreMap(scores, { colormap: 'gray' }).data)).toEqual([
      0, 0, 0, 128, 128, 128, 255, 255, 255,
    ]);
    const mask = new Tensor('int32', [1, 3], new Int32Array([0, 1, 2]));
    expect(Array.from(maskToImage(mask).data)).toEqual([0, 0, 0, 128, 0, 0, 0, 128, 0]);
    const logits = new Tensor('float32', [1, 2, 1, 2], new Float32Array([0.9, 0.1, 0.2, 0.8]));
    expect(
      Array.from(
        maskToImage(logits, {
          palette: [
            [1, 2, 3],
            [4, 5, 6],
          ],
        }).data,
      ),
    ).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it(
    'resizes a letterboxed result back onto the original image through the inverse transform',
    requires('photos'),
    async () => {
      // A "mask" made in tensor space: 255 where the image is, 0 in the padding.
      const { images } = await preprocess(photo('skimage/coffee.png'), 'yolo');
      const item = images[0]!;
      const mask = new Uint8Array(640 * 640);
      for (let y = item.dstRect.y; y < item.dstRect.y + item.dstRect.height; y++)
        mask.fill(255, y * 640, y * 640 + 640);
      const back = resizeToSource(
        { data: mask, width: 640, height: 640, order: 'gray', stride: 640 },
        item.toTensor,
        600,
        400,
        'nearest',
      );
      expect([back.width, back.height]).toEqual([600, 400]);
      expect(back.data.every((v) => v === 255)).toBe(true);
    },
  );

  it('BAD CALL - a tensor that is not an image', () => {
    expect(() => tensorToImage(Tensor.zeros('float32', [1, 5, 4, 4]))).toThrow(
      new ArgumentError(
        'Expected 1 or 3 (use colorizeScoreMap for other maps) for tensor channels but received 5 of type number',
      ),
    );
    expect(() => colorizeScoreMap(Tensor.zeros('float32', [1, 1, 2, 2]), { min: 1, max: 1 })).toThrow(
      'Expected options.max (1) above options.min (1)',
    );
  });
});

describe('renderTensor', () => {
  const ramp = (shape: number[], scale = 1) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return new Tensor(
      'float32',
      shape,
      Float32Array.from({ length: n }, (_, i) => (((i * 13) % 97) / 97) * scale),
    );
  };

  it('shows 3 channels as the image, 1 as a score map, more as an argmax mask, in either layout', () => {
    const rgb = ramp([1, 3, 4, 5]);
    expect(renderTensor(rgb)).toEqual({ kind: 'image', image: tensorToImage(rgb) });
    const hwc = ramp([1, 4, 5, 3]);
    expect(renderTensor(hwc)).toEqual({ kind: 'image', image: tensorToImage(hwc, { layout: 'nhwc' }) });
    const map = ramp([2, 1, 4, 5]);
    expect(renderTensor(map, { index: 1, colormap: 'jet' })).toEqual({
      kind: 'scores',
      image: colorizeScoreMap(map, { index: 1, colormap: 'jet' }),
    });
    // [N, H, W, 1] holds the same elements as [N, 1, H, W].
    const nhwcMap = new Tensor('float32', [2, 4, 5, 1], map.data as Float32Array);
    expect(renderTensor(nhwcMap, { index: 1, colormap: 'jet' }).image).toEqual(
      colorizeScoreMap(map, { index: 1, colormap: 'jet' }),
    );
    const scores = ramp([1, 6, 4, 5]);
    expect(renderTensor(scores)).toEqual({ kind: 'mask', image: maskToImage(scores) });
    expect(renderTensor(map, { kind: 'mask' }).kind).toBe('mask');
  });

  it('undoes a preset normalisation for the image kind', () => {
    const f = frame(6, 4);
    const spec = preset('imagenet-caffe', { size: { width: 6, height: 4 }, resize: 'stretch' });
    const { image, kind } = renderTensor(preprocessSync(f, spec).tensor, denormalizationOf('imagenet-caffe'));
    expect(kind).toBe('image');
    expect(Array.from(image.data)).toEqual(Array.from(f.data));
  });

  it('BAD CALL - an unknown kind, a several-channel mask in NHWC', () => {
    expect(() => renderTensor(ramp([1, 3, 4, 5]), { kind: 'heatmap' as 'mask' })).toThrow(
      new ArgumentError(
        'Expected one of "image", "scores", "mask" for options.kind but received "heatmap" of type string',
      ),
    );
    expect(() => renderTensor(ramp([1, 4, 5, 6]), { layout: 'nhwc' })).toThrow(
      new ArgumentError(
        'Expected class scores in NCHW layout for a mask for tensor.shape but received [1, 4, 5, 6] of type object',
      ),
    );
  });
});

describe('.npy', requires('python-numpy'), () => {
  it('writes files numpy reads back with the same values, and reads what numpy writes', () => {
    const t = preprocessSync(frame(5, 4), { size: { width: 5, height: 4 }, mean: 0.5 }).tensor;
    const h = preprocessSync(frame(5, 4), { size: { width: 5, height: 4 }, dtype: 'float16' }).tensor;
    writeFileSync(join(dir, 'a.npy'), encodeNpy(t));
    writeFileSync(join(dir, 'h.npy'), encodeNpy(h));
    const r = spawnSync(
      PYTHON,
      [
        '-c',
        `import numpy as np, sys
a = np.load(sys.argv[1]); h = np.load(sys.argv[2])
print(a.dtype, a.shape, h.dtype, h.shape, repr(float(a[0,2,3,4])), repr(float(h[0,1,0,1])))
np.save(sys.argv[3], (np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 8))`,
        join(dir, 'a.npy'),
        join(dir, 'h.npy'),
        join(dir, 'b.npy'),
      ],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    const [dt, ...rest] = r.stdout.trim().split(' ');
    expect(dt).toBe('float32');
    expect(rest.join(' ')).toContain('(1, 3, 4, 5) float16 (1, 3, 4, 5)');
    const values = r.stdout.trim().split(' ').slice(-2).map(Number);
    expect(values[0]).toBe((t.data as Float32Array)[2 * 20 + 3 * 5 + 4]);
    expect(values[1]).toBe(h.toFloat32()[20 + 1]);
    const b = decodeNpy(readFileSync(join(dir, 'b.npy')));
    expect(b.dtype).toBe('float32');
    expect(b.shape).toEqual([2, 3, 4]);
    expect(b.toFloat32()[23]).toBe(23 / 8);
  });

  it('EXPECTED FAILURE - a file that is not .npy', () => {
    expect(() => decodeNpy(new Uint8Array([1, 2, 3]), 'x.npy')).toThrow(
      new ArgumentError('x.npy: not a readable .npy file: missing the \\x93NUMPY magic'),
    );
  });
});

describe('spec', () => {
  it('fills in the defaults', () => {
    const s = resolveSpec({ size: { width: 4, height: 2 } });
    expect(s).toMatchObject({
      resize: 'stretch',
      interpolation: 'bilinear',
      color: 'rgb',
      scale: 1 / 255,
      mean: [0, 0, 0],
      std: [1, 1, 1],
      layout: 'nchw',
      dtype: 'float32',
      pad: [0, 0, 0],
    });
    expect(resolveSpec({ size: { width: 4, height: 2 }, dtype: 'uint8' }).scale).toBe(1);
    expect(resolveSpec({ size: { width: 4, height: 2 }, resize: 'letterbox' }).pad).toEqual([114, 114, 114]);
    expect(
      resolveSpec(
        preset('imagenet-torchvision', { size: { width: 384, height: 384 }, shorterSide: undefined }),
      ).shorterSide,
    ).toBe(439);
  });

  it('BAD CALL - each wrong field is named', () => {
    const cases: [object, string][] = [
      [
        { size: { width: 0, height: 2 } },
        'Expected positive integer of at most 65536 for spec.size.width but received 0 of type number',
      ],
      [{}, 'Expected exactly one of spec.size and spec.dynamicSize'],
      [
        { size: { width: 2, height: 2 }, resize: 'fill' },
        'Expected one of "stretch", "letterbox", "center-crop", "shorter-side-crop", "pad-right" for spec.resize but received "fill" of type string',
      ],
      [
        { size: { width: 2, height: 2 }, mean: [1, 2] },
        'Expected number or array of 3 numbers (one per output channel) for spec.mean but received [1, 2] of type object',
      ],
      [
        { size: { width: 2, height: 2 }, std: [1, 0, 1] },
        'Expected non-zero finite number for spec.std[1] but received 0 of type number',
      ],
      [
        { size: { width: 2, height: 2 }, pad: 300 },
        'Expected finite number between 0 and 255 for spec.pad but received 300 of type number',
      ],
      [
        { size: { width: 2, height: 2 }, quantization: { scale: 1, zeroPoint: 0 } },
        'Expected "uint8" or "int8" (spec.quantization is given) for spec.dtype but received "float32" of type string',
      ],
      [
        { size: { width: 2, height: 2 }, dtype: 'int8', quantization: { scale: 0.1, zeroPoint: 200 } },
        'Expected integer between -128 and 127 for spec.quantization.zeroPoint but received 200 of type number',
      ],
      [
        { size: { width: 2, height: 2 }, layout: 'chw' },
        'Expected one of "nchw", "nhwc" for spec.layout but received "chw" of type string',
      ],
    ];
    for (const [spec, message] of cases)
      expect(() => resolveSpec(spec), message).toThrow(new ArgumentError(message));
    expect(() => preset('resnet' as never)).toThrow(
      /^Expected one of "imagenet-torchvision", .* for preset but received "resnet" of type string$/,
    );
  });
});
