// The declarative description of what a network wants as input, and its validation into a
// resolved form with every default filled in.

import {
  ArgumentError,
  checkInteger,
  checkNumber,
  checkOneOf,
  checkPositiveInteger,
  invalidArgument,
} from '@edge/core';
import type { Interpolation, Layout, OutputDType } from './kernel/job.js';

/**
 * How the image is fitted into the output size:
 * - `stretch`: the whole image resized to the output size (aspect ratio not kept);
 * - `letterbox`: resized to fit inside, aspect kept, centred (or top-left), the rest padded
 *   (the YOLO recipe of ultralytics);
 * - `center-crop`: the largest centred region with the output's aspect ratio, resized;
 * - `shorter-side-crop`: the shorter side resized to `shorterSide` (aspect kept), then the centre
 *   cropped to the output size (the torchvision ImageNet recipe, 256 then 224);
 * - `pad-right`: resized to the output height, the width following the aspect ratio (rounded up,
 *   at most the output width), padded on the right (PaddleOCR's text recogniser and classifier).
 */
export type ResizeMode = 'stretch' | 'letterbox' | 'center-crop' | 'shorter-side-crop' | 'pad-right';

/** Channel order of the output tensor. `gray` gives one channel (OpenCV's BGR2GRAY weights). */
export type ColorOrder = 'rgb' | 'bgr' | 'gray';

/** An output size in pixels. */
export interface Size {
  width: number;
  height: number;
}

/**
 * A size that follows each image, as PaddleOCR's text detector wants it (DetResizeForTest): the
 * image is scaled so its longer side (`limitType: 'max'`) is at most, or its shorter side
 * (`'min'`) at least, `limitSide`, then each side is rounded to a multiple of `multiple`.
 */
export interface DynamicSize {
  limitSide: number;
  limitType: 'max' | 'min';
  multiple: number;
}

/**
 * What a network wants as input. Only `size` (or `dynamicSize`) is required; see each field for
 * its default. Values are applied in this order: resize, channel order, then per channel
 * `(pixel * scale - mean) / std`, then the dtype.
 */
export interface PreprocessSpec {
  /** Output width and height. Required unless `dynamicSize` is given. */
  size?: Size;
  /** A per-image output size (PaddleOCR detection); then a batch needs images of one size. */
  dynamicSize?: DynamicSize;
  /** How the image is fitted into the size. Default `stretch`. */
  resize?: ResizeMode;
  /** For `shorter-side-crop`: the shorter side before the crop. Default round(256 / 224 x the larger output side). */
  shorterSide?: number;
  /** For `letterbox`: where the resized image sits. Default `center`. */
  align?: 'center' | 'top-left';
  /** Padding as a raw pixel value (0..255, normalised like a pixel), one or one per channel. Default 114 for letterbox, else 0. */
  pad?: number | readonly number[];
  /** Resampling. Default `bilinear` (OpenCV INTER_LINEAR, pixel for pixel). */
  interpolation?: Interpolation;
  /** Channel order of the output. Default `rgb`. */
  color?: ColorOrder;
  /** Multiplier applied to the raw 0..255 value first. Default 1/255 (1 for a uint8 output without quantisation). */
  scale?: number;
  /** Subtracted after scaling, one per channel (or one for all). Default 0. */
  mean?: number | readonly number[];
  /** Divides after the mean, one per channel (or one for all). Default 1. */
  std?: number | readonly number[];
  /** Memory layout. Default `nchw`. */
  layout?: Layout;
  /** Element type. Default `float32`. */
  dtype?: OutputDType;
  /** For uint8/int8: the value stored is round(v / scale) + zeroPoint, clamped. Default scale 1, zero point 0. */
  quantization?: { scale: number; zeroPoint: number };
}

/** A {@link PreprocessSpec} with every default filled in and every value checked. */
export interface ResolvedSpec {
  size: Size | undefined;
  dynamicSize: DynamicSize | undefined;
  resize: ResizeMode;
  shorterSide: number | undefined;
  align: 'center' | 'top-left';
  pad: number[];
  interpolation: Interpolation;
  color: ColorOrder;
  channels: number;
  scale: number;
  mean: number[];
  std: number[];
  layout: Layout;
  dtype: OutputDType;
  quantScale: number;
  quantZeroPoint: number;
}

/** Largest output side accepted (keeps every offset a safe integer). */
const MAX_SIDE = 1 << 16;

function perChannel(
  name: string,
  value: unknown,
  channels: number,
  fallback: number,
  check: (n: string, v: unknown) => number,
): number[] {
  if (value === undefined) return Array(channels).fill(fallback);
  if (typeof value === 'number') {
    check(name, value);
    return Array(channels).fill(value);
  }
  if (!Array.isArray(value) || value.length !== channels) {
    throw invalidArgument(name, value, `number or array of ${channels} numbers (one per output channel)`);
  }
  return value.map((v, i) => check(`${name}[${i}]`, v));
}

/**
 * Checks a spec and fills in its defaults.
 *
 * @throws {@link ArgumentError} naming the first field that is wrong, e.g. `Expected positive
 * integer of at most 65536 for spec.size.width but received 0 of type number`.
 */
export function resolveSpec(spec: PreprocessSpec): ResolvedSpec {
  if (typeof spec !== 'object' || spec === null)
    throw invalidArgument('spec', spec, 'PreprocessSpec object or preset name');
  let size: Size | undefined;
  let dynamicSize: DynamicSize | undefined;
  if (spec.size !== undefined) {
    if (typeof spec.size !== 'object' || spec.size === null)
      throw invalidArgument('spec.size', spec.size, '{ width, height }');
    size = {
      width: checkPositiveInteger('spec.size.width', spec.size.width, { max: MAX_SIDE }),
      height: checkPositiveInteger('spec.size.height', spec.size.height, { max: MAX_SIDE }),
    };
  }
  if (spec.dynamicSize !== undefined) {
    const d = spec.dynamicSize;
    if (typeof d !== 'object' || d === null)
      throw invalidArgument('spec.dynamicSize', d, '{ limitSide, limitType, multiple }');
    dynamicSize = {
      limitSide: checkPositiveInteger('spec.dynamicSize.limitSide', d.limitSide, { max: MAX_SIDE }),
      limitType: checkOneOf('spec.dynamicSize.limitType', d.limitType, ['max', 'min'] as const),
      multiple: checkPositiveInteger('spec.dynamicSize.multiple', d.multiple, { max: 4096 }),
    };
  }
  if ((size === undefined) === (dynamicSize === undefined)) {
    throw new ArgumentError('Expected exactly one of spec.size and spec.dynamicSize');
  }
  const resize = checkOneOf('spec.resize', spec.resize ?? 'stretch', [
    'stretch',
    'letterbox',
    'center-crop',
    'shorter-side-crop',
    'pad-right',
  ] as const);
  if (dynamicSize !== undefined && resize !== 'stretch') {
    throw invalidArgument('spec.resize', resize, '"stretch" (the only mode with spec.dynamicSize)');
  }
  const color = checkOneOf('spec.color', spec.color ?? 'rgb', ['rgb', 'bgr', 'gray'] as const);
  const channels = color === 'gray' ? 1 : 3;
  const dtype = checkOneOf('spec.dtype', spec.dtype ?? 'float32', [
    'float32',
    'float16',
    'uint8',
    'int8',
  ] as const);
  let quantScale = 1;
  let quantZeroPoint = 0;
  if (spec.quantization !== undefined) {
    if (dtype !== 'uint8' && dtype !== 'int8') {
      throw invalidArgument('spec.dtype', dtype, '"uint8" or "int8" (spec.quantization is given)');
    }
    const q = spec.quantization;
    if (typeof q !== 'object' || q === null)
      throw invalidArgument('spec.quantization', q, '{ scale, zeroPoint }');
    quantScale = checkNumber('spec.quantization.scale', q.scale, { min: Number.MIN_VALUE });
    quantZeroPoint =
      dtype === 'uint8'
        ? checkInteger('spec.quantization.zeroPoint', q.zeroPoint, { min: 0, max: 255 })
        : checkInteger('spec.quantization.zeroPoint', q.zeroPoint, { min: -128, max: 127 });
  }
  const defaultScale = dtype === 'uint8' && spec.quantization === undefined ? 1 : 1 / 255;
  const finite = (n: string, v: unknown) => checkNumber(n, v);
  const positive = (n: string, v: unknown) => {
    const x = checkNumber(n, v);
    if (x === 0) throw invalidArgument(n, v, 'non-zero finite number');
    return x;
  };
  let shorterSide: number | undefined;
  if (resize === 'shorter-side-crop') {
    const larger = Math.max(size!.width, size!.height);
    shorterSide =
      spec.shorterSide === undefined
        ? Math.round((larger * 256) / 224)
        : checkPositiveInteger('spec.shorterSide', spec.shorterSide, { max: MAX_SIDE });
  } else if (spec.shorterSide !== undefined) {
    throw invalidArgument('spec.resize', resize, '"shorter-side-crop" (spec.shorterSide is given)');
  }
  return {
    size,
    dynamicSize,
    resize,
    shorterSide,
    align: checkOneOf('spec.align', spec.align ?? 'center', ['center', 'top-left'] as const),
    pad: perChannel('spec.pad', spec.pad, channels, resize === 'letterbox' ? 114 : 0, (n, v) =>
      checkNumber(n, v, { min: 0, max: 255 }),
    ),
    interpolation: checkOneOf('spec.interpolation', spec.interpolation ?? 'bilinear', [
      'bilinear',
      'nearest',
      'area',
    ] as const),
    color,
    channels,
    scale: spec.scale === undefined ? defaultScale : finite('spec.scale', spec.scale),
    mean: perChannel('spec.mean', spec.mean, channels, 0, finite),
    std: perChannel('spec.std', spec.std, channels, 1, positive),
    layout: checkOneOf('spec.layout', spec.layout ?? 'nchw', ['nchw', 'nhwc'] as const),
    dtype,
    quantScale,
    quantZeroPoint,
  };
}
