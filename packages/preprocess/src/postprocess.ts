// The reverse direction: a tensor back to an 8-bit image (layout to HWC, de-normalise, clamp),
// score maps and masks to colour images, any image resized back onto the original through the
// inverse transform, and PNG/JPEG encoding.

import {
  ArgumentError,
  checkInteger,
  checkNumber,
  checkOneOf,
  invalidArgument,
  type Tensor,
} from '@edge/core';
import sharp from 'sharp';
import type { RawImage } from './input.js';
import { roundHalfEven } from './kernel/tables.js';
import { PRESETS, type PresetName } from './presets.js';
import { resolveSpec } from './spec.js';
import type { AffineTransform } from './transform.js';

/** An 8-bit interleaved image produced by the reverse functions (`order` rgb or gray). */
export interface Image8 extends RawImage {
  order: 'rgb' | 'gray';
  stride: number;
}

/** How {@link tensorToImage} reads a tensor. */
export interface TensorToImageOptions {
  /** Layout of the tensor; by default guessed from the shape (a last axis of 1 or 3 means nhwc). */
  layout?: 'nchw' | 'nhwc';
  /** Which image of the batch. Default 0. */
  index?: number;
  /** Channel order of the tensor (3 channels). Default `rgb`. */
  color?: 'rgb' | 'bgr';
  /** The normalisation to undo: pixel = (v * std + mean) / scale. Default scale 1/255, mean 0, std 1. */
  scale?: number;
  mean?: number | readonly number[];
  std?: number | readonly number[];
  /** For int8/uint8 tensors: the value is (q - zeroPoint) * scale first. */
  quantization?: { scale: number; zeroPoint: number };
}

/** The normalisation options of a preset, for {@link tensorToImage}. */
export function denormalizationOf(name: PresetName): TensorToImageOptions {
  const spec = resolveSpec(PRESETS[name]);
  return {
    layout: spec.layout,
    color: spec.color === 'bgr' ? 'bgr' : 'rgb',
    scale: spec.scale,
    mean: spec.mean,
    std: spec.std,
  };
}

function perChannel(
  name: string,
  v: number | readonly number[] | undefined,
  n: number,
  fallback: number,
): number[] {
  if (v === undefined) return Array(n).fill(fallback);
  if (typeof v === 'number') return Array(n).fill(checkNumber(name, v));
  if (!Array.isArray(v) || v.length !== n) throw invalidArgument(name, v, `number or array of ${n} numbers`);
  return v.map((x, i) => checkNumber(`${name}[${i}]`, x));
}

/** The tensor's elements as numbers, dequantised for int8/uint8 with `quantization`. */
function values(t: Tensor, q: TensorToImageOptions['quantization']): Float32Array {
  if (t.dtype === 'int64' || t.dtype === 'bool')
    throw invalidArgument('tensor.dtype', t.dtype, 'float32, float16, int32, int8 or uint8');
  const v = t.toFloat32();
  if (q !== undefined) {
    const s = checkNumber('options.quantization.scale', q.scale);
    const z = checkNumber('options.quantization.zeroPoint', q.zeroPoint);
    for (let i = 0; i < v.length; i++) v[i] = (v[i]! - z) * s;
  }
  return v;
}

/** @internal Splits a 2-4 D image tensor into (batch, channels, height, width, layout); no layout: guessed (a last axis of 1 or 3 means nhwc). */
export function imageDims(
  t: Tensor,
  layout: 'nchw' | 'nhwc' | undefined,
): { n: number; c: number; h: number; w: number; layout: 'nchw' | 'nhwc' } {
  const s = t.shape;
  if (s.length === 2) return { n: 1, c: 1, h: s[0]!, w: s[1]!, layout: 'nchw' };
  if (s.length !== 3 && s.length !== 4)
    throw invalidArgument(
      'tensor.shape',
      [...s],
      'image shape [H, W], [C, H, W], [H, W, C] or 4-D with a batch',
    );
  const dims = s.length === 3 ? [1, ...s] : [...s];
  const guess = layout ?? (dims[3] === 1 || dims[3] === 3 ? 'nhwc' : 'nchw');
  const [n, a, b, c] = dims as [number, number, number, number];
  return guess === 'nchw' ? { n, c: a, h: b, w: c, layout: guess } : { n, h: a, w: b, c, layout: guess };
}

/**
 * Turns one image of a tensor back into 8-bit pixels: layout to HWC, pixel = (v * std + mean) /
 * scale, rounded and clamped to 0..255, BGR swapped to RGB.
 *
 * @throws {@link ArgumentError} when the tensor is not an image (1 or 3 channels) or an option is bad.
 */
export function tensorToImage(tensor: Tensor, options: TensorToImageOptions = {}): Image8 {
  const { n, c, h, w, layout } = imageDims(tensor, options.layout);
  if (c !== 1 && c !== 3)
    throw invalidArgument('tensor channels', c, '1 or 3 (use colorizeScoreMap for other maps)');
  const index = checkInteger('options.index', options.index ?? 0, { min: 0, max: n - 1 });
  const color = checkOneOf('options.color', options.color ?? 'rgb', ['rgb', 'bgr'] as const);
  const scale = checkNumber('options.scale', options.scale ?? 1 / 255);
  if (scale === 0) throw invalidArgument('options.scale', scale, 'non-zero finite number');
  const mean = perChannel('options.mean', options.mean, c, 0);
  const std = perChannel('options.std', options.std, c, 1);
  const v = values(tensor, options.quantization);
  const out = new Uint8Array(w * h * c);
  const base = index * c * h * w;
  for (let ch = 0; ch < c; ch++) {
    const to = color === 'bgr' && c === 3 ? 2 - ch : ch;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = layout === 'nchw' ? base + ch * h * w + y * w + x : base + (y * w + x) * c + ch;
        const p = roundHalfEven((v[i]! * std[ch]! + mean[ch]!) / scale);
        out[(y * w + x) * c + to] = p < 0 ? 0 : p > 255 ? 255 : Number.isNaN(p) ? 0 : p;
      }
    }
  }
  return { data: out, width: w, height: h, order: c === 1 ? 'gray' : 'rgb', stride: w * c };
}

/** Colour maps for {@link colorizeScoreMap}. */
export type ColorMapName = 'viridis' | 'jet' | 'gray';

// Key colours of each map at evenly spaced positions, interpolated linearly.
const COLOR_KEYS: Readonly<Record<ColorMapName, readonly (readonly [number, number, number])[]>> = {
  viridis: [
    [68, 1, 84],
    [72, 40, 120],
    [62, 74, 137],
    [49, 104, 142],
    [38, 130, 142],
    [31, 158, 137],
    [53, 183, 121],
    [109, 205, 89],
    [180, 222, 44],
    [253, 231, 37],
  ],
  jet: [
    [0, 0, 128],
    [0, 0, 255],
    [0, 128, 255],
    [0, 255, 255],
    [128, 255, 128],
    [255, 255, 0],
    [255, 128, 0],
    [255, 0, 0],
    [128, 0, 0],
  ],
  gray: [
    [0, 0, 0],
    [255, 255, 255],
  ],
};

function colorTable(name: ColorMapName): Uint8Array {
  const keys = COLOR_KEYS[name];
  const table = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (keys.length - 1);
    const k = Math.min(Math.floor(t), keys.length - 2);
    const f = t - k;
    for (let ch = 0; ch < 3; ch++)
      table[i * 3 + ch] = Math.round(keys[k]![ch]! * (1 - f) + keys[k + 1]![ch]! * f);
  }
  return table;
}

/** Options of {@link colorizeScoreMap}. */
export interface ScoreMapOptions {
  /** Colour map. Default `viridis`. */
  colormap?: ColorMapName;
  /** Value shown as the low end of the map. Default 0. */
  min?: number;
  /** Value shown as the high end of the map. Default 1. */
  max?: number;
  /** Which map of a batch (`[N, 1, H, W]`). Default 0. */
  index?: number;
}

/**
 * Renders a score map (probabilities, a depth map: `[H, W]`, `[1, H, W]` or `[N, 1, H, W]`) as an
 * RGB image through a colour map, `min`..`max` spread over the map.
 *
 * @throws {@link ArgumentError} when the tensor is not a single-channel map or an option is bad.
 */
export function colorizeScoreMap(tensor: Tensor, options: ScoreMapOptions = {}): Image8 {
  const { n, c, h, w } = imageDims(tensor, 'nchw');
  if (c !== 1)
    throw invalidArgument(
      'tensor.shape',
      [...tensor.shape],
      'single-channel map [H, W], [1, H, W] or [N, 1, H, W]',
    );
  const index = checkInteger('options.index', options.index ?? 0, { min: 0, max: n - 1 });
  const min = checkNumber('options.min', options.min ?? 0);
  const max = checkNumber('options.max', options.max ?? 1);
  if (!(max > min)) throw new ArgumentError(`Expected options.max (${max}) above options.min (${min})`);
  const table = colorTable(
    checkOneOf('options.colormap', options.colormap ?? 'viridis', ['viridis', 'jet', 'gray'] as const),
  );
  const v = values(tensor, undefined);
  const out = new Uint8Array(w * h * 3);
  const base = index * h * w;
  for (let i = 0; i < w * h; i++) {
    const t = (v[base + i]! - min) / (max - min);
    const k = Number.isNaN(t) ? 0 : Math.round(Math.min(Math.max(t, 0), 1) * 255);
    out[i * 3] = table[k * 3]!;
    out[i * 3 + 1] = table[k * 3 + 1]!;
    out[i * 3 + 2] = table[k * 3 + 2]!;
  }
  return { data: out, width: w, height: h, order: 'rgb', stride: w * 3 };
}

/** A 21-colour palette (PASCAL VOC's), class 0 black. */
const VOC_PALETTE: Uint8Array = (() => {
  const p = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    let c = i;
    let r = 0;
    let g = 0;
    let b = 0;
    for (let j = 0; j < 8; j++) {
      r |= ((c >> 0) & 1) << (7 - j);
      g |= ((c >> 1) & 1) << (7 - j);
      b |= ((c >> 2) & 1) << (7 - j);
      c >>= 3;
    }
    p.set([r, g, b], i * 3);
  }
  return p;
})();

/**
 * Renders a segmentation result as an RGB image, one colour per class (PASCAL VOC's palette, or
 * `palette` as [r, g, b] triples). Takes class indices (`[H, W]`, `[1, H, W]`, `[N, 1, H, W]`, any
 * integer or float dtype) or per-class scores `[N, K, H, W]` (K > 1), whose argmax is taken.
 *
 * @throws {@link ArgumentError} when the tensor is not a mask or the palette is too short.
 */
export function maskToImage(
  tensor: Tensor,
  options: { index?: number; palette?: readonly (readonly number[])[] } = {},
): Image8 {
  const { n, c, h, w } = imageDims(tensor, 'nchw');
  const index = checkInteger('options.index', options.index ?? 0, { min: 0, max: n - 1 });
  const v = values(tensor, undefined);
  const out = new Uint8Array(w * h * 3);
  const base = index * c * h * w;
  for (let i = 0; i < w * h; i++) {
    let cls = 0;
    if (c === 1) cls = Math.round(v[base + i]!);
    else {
      let best = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < c; k++) {
        const s = v[base + k * w * h + i]!;
        if (s > best) {
          best = s;
          cls = k;
        }
      }
    }
    if (options.palette !== undefined) {
      const colour = options.palette[cls];
      if (colour === undefined)
        throw invalidArgument('options.palette', options.palette, `array with a colour for class ${cls}`);
      out[i * 3] = colour[0]!;
      out[i * 3 + 1] = colour[1]!;
      out[i * 3 + 2] = colour[2]!;
    } else {
      const k = ((cls % 256) + 256) % 256;
      out.set(VOC_PALETTE.subarray(k * 3, k * 3 + 3), i * 3);
    }
  }
  return { data: out, width: w, height: h, order: 'rgb', stride: w * 3 };
}

/**
 * Resamples a result image made in tensor coordinates (a mask, a score map, a restored image)
 * back onto the original image: each original pixel centre goes through `toTensor` (the inverse
 * transform of the preprocessed image) and takes the nearest or bilinear value there; pixels that
 * fall outside the result (a letterbox pad, a crop) are 0.
 *
 * @param toTensor - `PreprocessedImage.toTensor` of the image.
 * @throws {@link ArgumentError} for a bad size or interpolation.
 */
export function resizeToSource(
  image: Image8,
  toTensor: AffineTransform,
  sourceWidth: number,
  sourceHeight: number,
  interpolation: 'nearest' | 'bilinear' = 'bilinear',
): Image8 {
  checkInteger('sourceWidth', sourceWidth, { min: 1 });
  checkInteger('sourceHeight', sourceHeight, { min: 1 });
  checkOneOf('interpolation', interpolation, ['nearest', 'bilinear'] as const);
  const c = image.order === 'gray' ? 1 : 3;
  const { width: w, height: h, data, stride } = image;
  const out = new Uint8Array(sourceWidth * sourceHeight * c);
  for (let y = 0; y < sourceHeight; y++) {
    const ty = (y + 0.5) * toTensor.scaleY + toTensor.offsetY - 0.5;
    for (let x = 0; x < sourceWidth; x++) {
      const tx = (x + 0.5) * toTensor.scaleX + toTensor.offsetX - 0.5;
      const o = (y * sourceWidth + x) * c;
      if (tx < -0.5 || ty < -0.5 || tx > w - 0.5 || ty > h - 0.5) continue;
      if (interpolation === 'nearest') {
        const sx = Math.min(Math.max(Math.round(tx), 0), w - 1);
        const sy = Math.min(Math.max(Math.round(ty), 0), h - 1);
        for (let ch = 0; ch < c; ch++) out[o + ch] = data[sy * stride + sx * c + ch]!;
        continue;
      }
      const cx = Math.min(Math.max(tx, 0), w - 1);
      const cy = Math.min(Math.max(ty, 0), h - 1);
      const x0 = Math.floor(cx);
      const y0 = Math.floor(cy);
      const x1 = Math.min(x0 + 1, w - 1);
      const y1 = Math.min(y0 + 1, h - 1);
      const fx = cx - x0;
      const fy = cy - y0;
      for (let ch = 0; ch < c; ch++) {
        const a = data[y0 * stride + x0 * c + ch]! * (1 - fx) + data[y0 * stride + x1 * c + ch]! * fx;
        const b = data[y1 * stride + x0 * c + ch]! * (1 - fx) + data[y1 * stride + x1 * c + ch]! * fx;
        out[o + ch] = Math.round(a * (1 - fy) + b * fy);
      }
    }
  }
  return { data: out, width: sourceWidth, height: sourceHeight, order: image.order, stride: sourceWidth * c };
}

/**
 * Encodes an 8-bit image as PNG (lossless, default) or JPEG with sharp.
 *
 * @throws {@link ArgumentError} for a bad format, quality or image.
 */
export async function encodeImage(
  image: Image8 | RawImage,
  format: 'png' | 'jpeg' = 'png',
  quality = 90,
): Promise<Buffer> {
  checkOneOf('format', format, ['png', 'jpeg'] as const);
  checkInteger('quality', quality, { min: 1, max: 100 });
  const channels = ({ gray: 1, rgb: 3, bgr: 3, rgba: 4, bgra: 4 } as const)[image.order];
  if (channels === undefined)
    throw invalidArgument('image.order', image.order, 'one of rgb, bgr, rgba, bgra, gray');
  let data = image.data;
  const stride = image.stride ?? image.width * channels;
  const swap = image.order === 'bgr' || image.order === 'bgra';
  if (stride !== image.width * channels || swap) {
    data = new Uint8Array(image.width * image.height * channels);
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < image.width; x++) {
        for (let ch = 0; ch < channels; ch++) {
          const from = swap && ch < 3 ? 2 - ch : ch;
          data[(y * image.width + x) * channels + ch] = image.data[y * stride + x * channels + from]!;
        }
      }
    }
  }
  if (data.length < image.width * image.height * channels) {
    throw invalidArgument(
      'image.data.length',
      data.length,
      `${image.width * image.height * channels} (width x height x channels)`,
    );
  }
  const s = sharp(data, { raw: { width: image.width, height: image.height, channels } });
  return format === 'png' ? s.png().toBuffer() : s.jpeg({ quality }).toBuffer();
}
