// Every kind of input the pipeline takes, brought to one form: interleaved 8-bit pixels with a
// known channel order. Encoded files go through sharp; raw frames and tensors are checked and
// wrapped without a copy.

import { readFile } from 'node:fs/promises';
import { ArgumentError, checkOneOf, checkPositiveInteger, FileIOError, invalidArgument } from '@edge/core';
import sharp, { type Metadata } from 'sharp';

/** Channel order of a raw frame. */
export type PixelOrder = 'rgb' | 'bgr' | 'rgba' | 'bgra' | 'gray';

/** An uncompressed frame, e.g. from a camera: 8-bit interleaved pixels. */
export interface RawImage {
  /** The pixels, rows top to bottom, `stride` bytes apart. */
  data: Uint8Array;
  width: number;
  height: number;
  /** What the bytes of a pixel are. */
  order: PixelOrder;
  /** Bytes from one row to the next. Default width x channels. */
  stride?: number;
}

/** Structural view of an `@edge/core` Tensor holding an 8-bit HWC image. */
export interface ImageTensor {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/**
 * One image: a file path; a Buffer/Uint8Array holding an encoded JPEG, PNG or WebP; a
 * {@link RawImage}; or a uint8 tensor in HWC layout (`[H, W, C]` or `[1, H, W, C]`, C = 1 gray,
 * 3 RGB, 4 RGBA).
 */
export type ImageInput = string | Uint8Array | RawImage | ImageTensor;

/** An input brought to interleaved 8-bit pixels. */
export interface SourceImage {
  data: Uint8Array;
  width: number;
  height: number;
  stride: number;
  channels: 1 | 3 | 4;
  order: PixelOrder;
  /** How errors name the input: its path, or `inputs[i]`. */
  label: string;
}

/** Options of decoding. */
export interface DecodeOptions {
  /** Largest accepted image, in pixels (width x height), against decompression bombs. Default 100 megapixels. */
  maxPixels?: number;
}

/** Default pixel limit of encoded inputs: 100 megapixels. */
export const DEFAULT_MAX_PIXELS = 100_000_000;

const CHANNELS: Readonly<Record<PixelOrder, 1 | 3 | 4>> = { rgb: 3, bgr: 3, rgba: 4, bgra: 4, gray: 1 };
const FORMATS = ['jpeg', 'png', 'webp'];

function isRaw(input: object): input is RawImage {
  return 'data' in input && 'order' in input && 'width' in input;
}

function isTensor(input: object): input is ImageTensor {
  return 'dtype' in input && 'shape' in input && 'data' in input;
}

/** Wraps a raw frame after checking its sizes against its buffer. */
function fromRaw(raw: RawImage, label: string): SourceImage {
  const order = checkOneOf(`${label}.order`, raw.order, ['rgb', 'bgr', 'rgba', 'bgra', 'gray'] as const);
  const width = checkPositiveInteger(`${label}.width`, raw.width);
  const height = checkPositiveInteger(`${label}.height`, raw.height);
  const channels = CHANNELS[order];
  const stride = raw.stride ?? width * channels;
  if (!Number.isSafeInteger(stride) || stride < width * channels) {
    throw invalidArgument(
      `${label}.stride`,
      raw.stride,
      `integer of at least ${width * channels} (width x ${channels} channels)`,
    );
  }
  if (!(raw.data instanceof Uint8Array)) throw invalidArgument(`${label}.data`, raw.data, 'Uint8Array');
  // The last row needs only its pixels, not a full stride (a crop of a larger frame ends early).
  const needed = stride * (height - 1) + width * channels;
  if (raw.data.length < needed || raw.data.length > stride * height) {
    throw new ArgumentError(
      `${label}: raw ${order} data of ${raw.data.length} bytes does not match ${width}x${height}, ` +
        `${channels} channel(s), stride ${stride} (expected ${needed === stride * height ? needed : `${needed} to ${stride * height}`} bytes)`,
    );
  }
  return { data: raw.data, width, height, stride, channels, order, label };
}

/** Wraps a uint8 HWC tensor. */
function fromTensor(t: ImageTensor, label: string): SourceImage {
  if (t.dtype !== 'uint8') {
    throw invalidArgument(
      `${label}.dtype`,
      t.dtype,
      '"uint8" (an 8-bit HWC image tensor; convert float tensors first)',
    );
  }
  const shape = t.shape.length === 4 && t.shape[0] === 1 ? t.shape.slice(1) : t.shape;
  const [height, width, channels] = shape;
  if (shape.length !== 3 || (channels !== 1 && channels !== 3 && channels !== 4)) {
    throw invalidArgument(
      `${label}.shape`,
      [...t.shape],
      'HWC shape [H, W, C] or [1, H, W, C] with C 1, 3 or 4',
    );
  }
  if (height === 0 || width === 0)
    throw new ArgumentError(`${label}: the image tensor is empty (shape [${t.shape.join(', ')}])`);
  const order: PixelOrder = channels === 1 ? 'gray' : channels === 3 ? 'rgb' : 'rgba';
  return {
    data: t.data as Uint8Array,
    width: width!,
    height: height!,
    stride: width! * channels,
    channels,
    order,
    label,
  };
}

async function decode(bytes: Uint8Array, label: string, maxPixels: number): Promise<SourceImage> {
  if (bytes.length === 0) throw new FileIOError(`${label}: empty file (0 bytes), not an image`, label);
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new FileIOError(
      `${label}: not a readable image (${(e as Error).message}); expected JPEG, PNG or WebP`,
      label,
      { cause: e },
    );
  }
  if (meta.format === undefined || !FORMATS.includes(meta.format)) {
    throw new FileIOError(
      `${label}: unsupported image format '${meta.format}' (expected JPEG, PNG or WebP)`,
      label,
    );
  }
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (w < 1 || h < 1) throw new FileIOError(`${label}: the image is empty (${w}x${h} pixels)`, label);
  if (w * h > maxPixels) {
    throw new FileIOError(
      `${label}: ${w}x${h} is ${((w * h) / 1e6).toFixed(1)} megapixels, over the limit of ${maxPixels / 1e6} megapixels ` +
        '(a decompression bomb? raise options.maxPixels to accept it)',
      label,
    );
  }
  try {
    // ignoreIcc: no colour management, the pixels as stored, as cv2.imread returns them.
    // failOn 'warning' (sharp's default) rejects truncated and damaged files instead of guessing.
    const { data, info } = await sharp(bytes, {
      limitInputPixels: maxPixels,
      ignoreIcc: true,
      autoOrient: true,
      failOn: 'warning',
    })
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const channels = info.channels as number;
    if (channels !== 1 && channels !== 3)
      throw new FileIOError(`${label}: decoded to ${channels} channels`, label);
    const pixels = new Uint8Array(data.buffer, data.byteOffset, data.length);
    return {
      data: pixels,
      width: info.width,
      height: info.height,
      stride: info.width * channels,
      channels,
      order: channels === 1 ? 'gray' : 'rgb',
      label,
    };
  } catch (e) {
    if (e instanceof FileIOError) throw e;
    throw new FileIOError(
      `${label}: corrupt or truncated ${meta.format} image (${(e as Error).message})`,
      label,
      { cause: e },
    );
  }
}

/**
 * Brings one input to interleaved 8-bit pixels: decodes files and buffers with sharp (EXIF
 * orientation applied, alpha dropped, no colour management: the pixels cv2.imread gives), checks
 * raw frames and tensors.
 *
 * @param label - How errors name the input when it is not a path, e.g. `inputs[2]`.
 * @throws {@link FileIOError} for a file that cannot be read, is not JPEG/PNG/WebP, is corrupt or
 * truncated, or is over the pixel limit; {@link ArgumentError} for a raw frame or tensor whose
 * sizes do not match its data.
 */
export async function loadImage(
  input: ImageInput,
  label: string,
  options: DecodeOptions = {},
): Promise<SourceImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (typeof input === 'string') {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(input);
    } catch (e) {
      throw new FileIOError(
        `${input}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        input,
        { cause: e },
      );
    }
    return decode(bytes, input, maxPixels);
  }
  if (input instanceof Uint8Array) return decode(input, label, maxPixels);
  return imageFromObject(input, label);
}

/**
 * The synchronous part of {@link loadImage}: raw frames and tensors (no decoding).
 *
 * @throws {@link ArgumentError} for an encoded input (use the async API) or bad sizes.
 */
export function imageFromObject(input: ImageInput, label: string): SourceImage {
  if (typeof input === 'object' && input !== null && !(input instanceof Uint8Array)) {
    if (isTensor(input)) return fromTensor(input, label);
    if (isRaw(input)) return fromRaw(input, label);
  }
  if (typeof input === 'string' || input instanceof Uint8Array) {
    throw invalidArgument(
      label,
      input,
      'raw frame or tensor (files and encoded buffers need the async preprocess())',
    );
  }
  throw invalidArgument(
    label,
    input,
    'path, encoded Buffer, RawImage { data, width, height, order } or uint8 HWC tensor',
  );
}
