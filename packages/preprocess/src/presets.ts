// Presets for the common model families, as data: each is a plain PreprocessSpec, so a preset
// and a hand-written spec take the same code path.

import { invalidArgument } from '@edge/core';
import type { PreprocessSpec } from './spec.js';

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];
// PaddleOCR's recogniser and direction classifier take text lines alike; only the size differs.
const PADDLEOCR_TEXT = {
  resize: 'pad-right',
  pad: 127.5,
  color: 'bgr',
  scale: 1 / 255,
  mean: 0.5,
  std: 0.5,
} as const satisfies PreprocessSpec;

/**
 * The built-in presets:
 * - `imagenet-torchvision`: resize the shorter side to 256, centre crop 224, RGB, /255, ImageNet mean/std, NCHW;
 * - `imagenet-caffe`: 224x224 stretch, BGR, raw 0..255 minus mean [103.94, 116.78, 123.68], no std (caffe / Keras "caffe" mode);
 * - `yolo`: letterbox into 640x640 padded with 114, RGB, 0..1 (ultralytics);
 * - `paddleocr-det`: longer side at most 960, sides rounded to multiples of 32, BGR as cv2 reads it,
 *   /255, ImageNet mean/std applied in that BGR order (PaddleOCR DetResizeForTest + NormalizeImage);
 * - `paddleocr-rec`: height 48, width up to 320 padded on the right, BGR, (x/255 - 0.5)/0.5;
 * - `paddleocr-cls`: the same at 48x192.
 */
export const PRESETS: Readonly<Record<PresetName, Readonly<PreprocessSpec>>> = Object.freeze({
  'imagenet-torchvision': {
    size: { width: 224, height: 224 },
    resize: 'shorter-side-crop',
    shorterSide: 256,
    color: 'rgb',
    scale: 1 / 255,
    mean: IMAGENET_MEAN,
    std: IMAGENET_STD,
  },
  'imagenet-caffe': {
    size: { width: 224, height: 224 },
    resize: 'stretch',
    color: 'bgr',
    scale: 1,
    mean: [103.94, 116.78, 123.68],
  },
  yolo: {
    size: { width: 640, height: 640 },
    resize: 'letterbox',
    pad: 114,
    color: 'rgb',
    scale: 1 / 255,
  },
  'paddleocr-det': {
    dynamicSize: { limitSide: 960, limitType: 'max', multiple: 32 },
    color: 'bgr',
    scale: 1 / 255,
    mean: IMAGENET_MEAN,
    std: IMAGENET_STD,
  },
  'paddleocr-rec': { size: { width: 320, height: 48 }, ...PADDLEOCR_TEXT },
  'paddleocr-cls': { size: { width: 192, height: 48 }, ...PADDLEOCR_TEXT },
} satisfies Record<PresetName, PreprocessSpec>);

/** Names of the built-in presets. */
export type PresetName =
  | 'imagenet-torchvision'
  | 'imagenet-caffe'
  | 'yolo'
  | 'paddleocr-det'
  | 'paddleocr-rec'
  | 'paddleocr-cls';

/** Every preset name, in a fixed order. */
export const PRESET_NAMES: readonly PresetName[] = Object.freeze(Object.keys(PRESETS) as PresetName[]);

/**
 * A preset by name, optionally with some fields overridden (`{ size: { width: 320, height: 320 } }`).
 *
 * @throws {@link ArgumentError} when `name` is not a preset.
 */
export function preset(name: PresetName, overrides: PreprocessSpec = {}): PreprocessSpec {
  const base = PRESETS[name];
  if (base === undefined || !Object.hasOwn(PRESETS, name)) {
    throw invalidArgument('preset', name, `one of ${PRESET_NAMES.map((n) => `"${n}"`).join(', ')}`);
  }
  const merged: PreprocessSpec = { ...base, ...overrides };
  if (overrides.size !== undefined && base.dynamicSize !== undefined && overrides.dynamicSize === undefined) {
    delete merged.dynamicSize;
  }
  return merged;
}
