// The image results are drawn on: the original picture decoded once to packed RGB, so every drawer
// writes three bytes per pixel and the result goes straight to encodeImage.

import { type DecodeOptions, type ImageInput, loadImage } from '@edge/preprocess';

/** An 8-bit RGB image to draw on: 3 bytes per pixel, rows `width * 3` bytes apart, top to bottom. */
export interface Canvas {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly order: 'rgb';
  readonly stride: number;
}

/**
 * Decodes `image` (a path, encoded bytes, a raw frame or an HWC uint8 tensor, as `model.infer`
 * takes it) into a fresh RGB {@link Canvas}: gray is spread to three channels, BGR swapped, alpha
 * dropped.
 *
 * @param label - How errors name the image when it is not a path. Default `image`.
 * @throws {@link FileIOError} for a file that cannot be read or decoded; {@link ArgumentError} for
 * a raw frame or tensor whose sizes do not match its data.
 */
export async function loadCanvas(
  image: ImageInput,
  label: string = typeof image === 'string' ? image : 'image',
  options: DecodeOptions = {},
): Promise<Canvas> {
  const src = await loadImage(image, label, options);
  const { width, height, channels, stride } = src;
  const data = new Uint8Array(width * height * 3);
  const swap = src.order === 'bgr' || src.order === 'bgra';
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = y * stride + x * channels;
      const d = (y * width + x) * 3;
      if (channels === 1) data.fill(src.data[s]!, d, d + 3);
      else {
        data[d] = src.data[swap ? s + 2 : s]!;
        data[d + 1] = src.data[s + 1]!;
        data[d + 2] = src.data[swap ? s : s + 2]!;
      }
    }
  }
  return { data, width, height, order: 'rgb', stride: width * 3 };
}
