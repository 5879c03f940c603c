// End to end against OpenCV: real photos (Debian's python3-skimage and opencv-doc data, see
// fixtures/index.json) through every preset and a few hand-written specs, compared with the
// tensors that fixtures/opencv-reference.py computes with cv2 and numpy following each upstream
// recipe. Float outputs must be within 1e-5 and the resized 8-bit pixels within 1 (they are equal).

import { readFileSync } from 'node:fs';
import type { Tensor } from '@edge/core';
import { photo, requires, scratchDir } from '@edge/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preprocess } from '../src/preprocess.js';
import { PRESETS, type PresetName } from '../src/presets.js';
import type { PreprocessSpec } from '../src/spec.js';
import { maxAbsDiff, runReference } from './helpers/opencv.js';

const INDEX = JSON.parse(readFileSync(new URL('./fixtures/index.json', import.meta.url), 'utf8')) as {
  files: { name: string }[];
};
const PHOTOS = INDEX.files.map((f) => f.name);

/** The python recipe of each spec: the same intent, written with the upstream project's code. */
interface Recipe {
  mode: string;
  width?: number;
  height?: number;
  shorter?: number;
  limit_side_len?: number;
  limit_type?: string;
  multiple?: number;
  interpolation: string;
  pad: number | number[];
  color: string;
  scale: number;
  mean: number[];
  std: number[];
  layout: string;
  dtype: string;
  quant_scale?: number;
  zero_point?: number;
}

const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
const base = { interpolation: 'bilinear', pad: 0, layout: 'nchw', dtype: 'float32' };
/** PaddleOCR's recognizer and classifier recipe: 48 rows high, padded right to `width`, BGR, (x/255 - 0.5) / 0.5. */
const paddleTextLine = (width: number): Recipe => ({
  ...base,
  mode: 'pad-right',
  width,
  height: 48,
  color: 'bgr',
  scale: 1 / 255,
  mean: [0.5, 0.5, 0.5],
  std: [0.5, 0.5, 0.5],
});

const SPECS: {
  name: string;
  spec: PresetName | PreprocessSpec;
  recipe: Recipe;
  photos: string[];
  tolerance: number;
}[] = [
  {
    name: 'imagenet-torchvision',
    spec: 'imagenet-torchvision',
    recipe: {
      ...base,
      mode: 'shorter-side-crop',
      width: 224,
      height: 224,
      shorter: 256,
      color: 'rgb',
      scale: 1 / 255,
      ...IMAGENET,
    },
    photos: PHOTOS,
    tolerance: 1e-5,
  },
  {
    name: 'imagenet-caffe',
    spec: 'imagenet-caffe',
    recipe: {
      ...base,
      mode: 'stretch',
      width: 224,
      height: 224,
      color: 'bgr',
      scale: 1,
      mean: [103.94, 116.78, 123.68],
      std: [1, 1, 1],
    },
    photos: PHOTOS,
    tolerance: 1e-5,
  },
  {
    name: 'yolo',
    spec: 'yolo',
    recipe: {
      ...base,
      mode: 'letterbox',
      width: 640,
      height: 640,
      pad: 114,
      color: 'rgb',
      scale: 1 / 255,
      mean: [0, 0, 0],
      std: [1, 1, 1],
    },
    photos: PHOTOS,
    tolerance: 1e-5,
  },
  {
    name: 'paddleocr-det',
    spec: 'paddleocr-det',
    recipe: {
      ...base,
      mode: 'det-limit',
      limit_side_len: 960,
      limit_type: 'max',
      multiple: 32,
      color: 'bgr',
      scale: 1 / 255,
      ...IMAGENET,
    },
    photos: PHOTOS,
    tolerance: 1e-5,
  },
  {
    name: 'paddleocr-rec',
    spec: 'paddleocr-rec',
    recipe: paddleTextLine(320),
    photos: ['opencv/imageTextN.png', 'skimage/text.png', 'skimage/coffee.png'],
    tolerance: 1e-5,
  },
  {
    name: 'paddleocr-cls',
    spec: 'paddleocr-cls',
    recipe: paddleTextLine(192),
    photos: ['opencv/imageTextN.png', 'skimage/text.png', 'skimage/astronaut.png'],
    tolerance: 1e-5,
  },
  {
    name: 'center-crop nearest nhwc',
    spec: {
      size: { width: 300, height: 200 },
      resize: 'center-crop',
      interpolation: 'nearest',
      layout: 'nhwc',
      mean: 0.5,
      std: 0.25,
    },
    recipe: {
      ...base,
      mode: 'center-crop',
      width: 300,
      height: 200,
      interpolation: 'nearest',
      layout: 'nhwc',
      color: 'rgb',
      scale: 1 / 255,
      mean: [0.5, 0.5, 0.5],
      std: [0.25, 0.25, 0.25],
    },
    photos: PHOTOS.slice(0, 6),
    tolerance: 1e-5,
  },
  {
    name: 'stretch area gray',
    spec: { size: { width: 160, height: 96 }, interpolation: 'area', color: 'gray' },
    recipe: {
      ...base,
      mode: 'stretch',
      width: 160,
      height: 96,
      interpolation: 'area',
      color: 'gray',
      scale: 1 / 255,
      mean: [0],
      std: [1],
    },
    photos: PHOTOS.slice(0, 6),
    tolerance: 1e-5,
  },
  {
    name: 'letterbox area float16',
    spec: {
      size: { width: 256, height: 192 },
      resize: 'letterbox',
      interpolation: 'area',
      dtype: 'float16',
      pad: [0, 128, 255],
    },
    recipe: {
      ...base,
      mode: 'letterbox',
      width: 256,
      height: 192,
      interpolation: 'area',
      pad: [255, 128, 0],
      color: 'rgb',
      scale: 1 / 255,
      mean: [0, 0, 0],
      std: [1, 1, 1],
      dtype: 'float16',
    },
    photos: PHOTOS.slice(6),
    tolerance: 1e-3, // half precision: one ulp near 1 is 2^-10
  },
  {
    name: 'stretch int8 quantised',
    spec: {
      size: { width: 128, height: 128 },
      dtype: 'int8',
      quantization: { scale: 0.0186584, zeroPoint: -14 },
      ...IMAGENET,
    },
    recipe: {
      ...base,
      mode: 'stretch',
      width: 128,
      height: 128,
      color: 'rgb',
      scale: 1 / 255,
      ...IMAGENET,
      dtype: 'int8',
      quant_scale: 0.0186584,
      zero_point: -14,
    },
    photos: PHOTOS.slice(0, 6),
    tolerance: 1, // a value within 1e-5 of a rounding tie may land on the other level
  },
];

/** The same geometry and colour as `spec`, as raw 8-bit HWC pixels (the resized image). */
function rawOf(spec: PresetName | PreprocessSpec): PreprocessSpec {
  const s = typeof spec === 'string' ? PRESETS[spec] : spec;
  return { ...s, dtype: 'uint8', scale: 1, mean: 0, std: 1, layout: 'nhwc', quantization: undefined };
}

const results: Record<string, { float: number; pixels: number }> = {};

describe('preprocessing real photos matches OpenCV pipelines', requires('python-opencv', 'photos'), () => {
  const dir = scratchDir('edge-preprocess-');
  let read: (file: string) => Tensor;
  beforeAll(() => {
    const cases: object[] = [];
    SPECS.forEach((s, i) => {
      for (const [j, p] of s.photos.entries()) {
        cases.push({ id: `s${i}p${j}`, kind: 'preprocess', image: photo(p), recipe: s.recipe });
      }
    });
    read = runReference(dir, cases);
  });
  afterAll(() => {
    // The figures quoted in the README: largest difference to OpenCV per spec over all photos.
    console.info(
      `max abs diff to OpenCV (float output, resized uint8):\n${Object.entries(results)
        .map(([k, v]) => `  ${k.padEnd(26)} ${v.float.toExponential(2)}  ${v.pixels}`)
        .join('\n')}`,
    );
  });

  SPECS.forEach((s, i) => {
    it(`${s.name}: ${s.photos.length} photos within ${s.tolerance} (floats) and 1 (pixels) of OpenCV`, async () => {
      let worstFloat = 0;
      let worstPixel = 0;
      for (const [j, p] of s.photos.entries()) {
        const { tensor } = await preprocess(photo(p), s.spec, { kernel: 'typescript' });
        const expected = read(`s${i}p${j}.npy`);
        expect(tensor.shape, p).toEqual(expected.shape);
        worstFloat = Math.max(worstFloat, maxAbsDiff(tensor, expected));
        // The resized pixels, before normalisation: compare the region OpenCV's image covers.
        const resized = read(`s${i}p${j}.resized.npy`);
        const { tensor: raw } = await preprocess(photo(p), rawOf(s.spec), { kernel: 'typescript' });
        const [rh, rw] = resized.shape as [number, number];
        const rc = resized.shape[2] ?? 1;
        const [, , W, C] = raw.shape as [number, number, number, number];
        for (let y = 0; y < rh; y++) {
          for (let x = 0; x < rw; x++) {
            for (let c = 0; c < rc; c++) {
              const d = Math.abs(
                (raw.data[(y * W + x) * C + c] as number) - (resized.data[(y * rw + x) * rc + c] as number),
              );
              if (d > worstPixel) worstPixel = d;
            }
          }
        }
      }
      results[s.name] = { float: worstFloat, pixels: worstPixel };
      expect(worstFloat).toBeLessThanOrEqual(s.tolerance);
      expect(worstPixel).toBeLessThanOrEqual(1);
    });
  });
});
