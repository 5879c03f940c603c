// The image-to-tensor pipeline: inputs in, one batch tensor out, plus per image the transform
// between tensor and original coordinates. Every input is loaded and every job checked before the
// first element is written, so a bad input leaves a caller's output tensor untouched.

import { ArgumentError, invalidArgument, Tensor } from '@edge/core';
import { outputSize, placeImage } from './geometry.js';
import {
  type DecodeOptions,
  type ImageInput,
  imageFromObject,
  loadImage,
  type SourceImage,
} from './input.js';
import { allocateOutput } from './kernel/convert.js';
import type { KernelJob, OutputArray, Rect } from './kernel/job.js';
import { type KernelChoice, runJobs, runJobsSync } from './kernel/select.js';
import { type PresetName, preset } from './presets.js';
import { type PreprocessSpec, type ResolvedSpec, resolveSpec } from './spec.js';
import { type AffineTransform, invertTransform, transformFromRects } from './transform.js';

/** Options of {@link preprocess} and {@link preprocessSync}. */
export interface PreprocessOptions extends DecodeOptions {
  /**
   * A tensor to write into instead of allocating one (reuse it across frames). Its dtype and
   * shape must be exactly those of the result.
   */
  out?: Tensor;
  /** Which kernel runs: the native one when built (`auto`, default), or one explicitly. */
  kernel?: KernelChoice;
  /** Called after each image is written: `done` of `total`. */
  onProgress?: (done: number, total: number) => void;
}

/** What happened to one image of the batch. */
export interface PreprocessedImage {
  /** The input's path, or `inputs[i]`. */
  label: string;
  /** Size of the original image (after EXIF orientation). */
  sourceWidth: number;
  sourceHeight: number;
  /** The region of the original that was resampled. */
  srcRect: Rect;
  /** Where it landed in the tensor (may extend past the tensor for a crop after the resize). */
  dstRect: Rect;
  /** Tensor coordinates to original image coordinates (pixel edges; see transform.ts). */
  toSource: AffineTransform;
  /** Original image coordinates to tensor coordinates: the inverse of `toSource`. */
  toTensor: AffineTransform;
}

/** The result of {@link preprocess}. */
export interface PreprocessResult {
  /** The batch: `[N, C, H, W]` (nchw) or `[N, H, W, C]` (nhwc). */
  tensor: Tensor;
  /** One entry per input, in order. */
  images: PreprocessedImage[];
  /** Which kernel wrote it. */
  kernel: 'typescript' | 'native';
}

/** Resolves a spec given as a preset name or an object. */
export function specOf(spec: PreprocessSpec | PresetName): ResolvedSpec {
  return resolveSpec(typeof spec === 'string' ? preset(spec) : spec);
}

/** OpenCV 4's BGR2GRAY / RGB2GRAY on 8 bits: weights 0.299, 0.587, 0.114 in 15-bit fixed point. */
function toGray(img: SourceImage): SourceImage {
  if (img.channels === 1) return img;
  const bgr = img.order === 'bgr' || img.order === 'bgra';
  const [wr, wg, wb] = [9798, 19235, 3735];
  const out = new Uint8Array(img.width * img.height);
  for (let y = 0; y < img.height; y++) {
    let p = y * img.stride;
    for (let x = 0; x < img.width; x++, p += img.channels) {
      const r = img.data[bgr ? p + 2 : p]!;
      const b = img.data[bgr ? p : p + 2]!;
      out[y * img.width + x] = (r * wr + img.data[p + 1]! * wg + b * wb + 16384) >> 15;
    }
  }
  return { ...img, data: out, stride: img.width, channels: 1, order: 'gray' };
}

function channelMap(img: SourceImage, spec: ResolvedSpec): number[] {
  if (spec.color === 'gray') return [0];
  if (img.channels === 1) return [0, 0, 0];
  const srcBgr = img.order === 'bgr' || img.order === 'bgra';
  return srcBgr === (spec.color === 'bgr') ? [0, 1, 2] : [2, 1, 0];
}

interface Planned {
  jobs: KernelJob[];
  images: PreprocessedImage[];
  tensor: Tensor;
}

function plan(sources: SourceImage[], spec: ResolvedSpec, out: Tensor | undefined): Planned {
  if (sources.length === 0) throw invalidArgument('inputs', [], 'at least one image');
  const placed = sources
    .map((s) => (spec.color === 'gray' ? toGray(s) : s))
    .map((img) => ({ img, place: placeImage(spec, img.width, img.height) }));
  const first = placed[0]!.place;
  for (const { img, place } of placed) {
    if (place.outWidth !== first.outWidth || place.outHeight !== first.outHeight) {
      throw new ArgumentError(
        `${img.label}: its dynamic size ${place.outWidth}x${place.outHeight} differs from ${first.outWidth}x${first.outHeight} of ${placed[0]!.img.label}; ` +
          'a batch needs one size: preprocess these images one by one, or set spec.size',
      );
    }
  }
  const N = sources.length;
  const C = spec.channels;
  const W = first.outWidth;
  const H = first.outHeight;
  const shape = spec.layout === 'nchw' ? [N, C, H, W] : [N, H, W, C];
  let tensor: Tensor;
  if (out !== undefined) {
    const same =
      out.dtype === spec.dtype && out.shape.length === 4 && out.shape.every((d, i) => d === shape[i]);
    if (!same) {
      throw invalidArgument(
        'options.out',
        String(out),
        `Tensor<${spec.dtype}>[${shape.join(',')}] (the result's dtype and shape)`,
      );
    }
    tensor = out;
  } else {
    tensor = new Tensor(spec.dtype, shape, allocateOutput(spec.dtype, N * C * H * W) as Tensor['data']);
  }
  const slot = C * H * W;
  const mul = spec.std.map((s) => spec.scale / s);
  const add = spec.mean.map((m, c) => -m / spec.std[c]!);
  const jobs: KernelJob[] = [];
  const images: PreprocessedImage[] = [];
  placed.forEach(({ img, place }, i) => {
    jobs.push({
      src: img.data,
      srcWidth: img.width,
      srcHeight: img.height,
      srcStride: img.stride,
      srcChannels: img.channels,
      channelMap: channelMap(img, spec),
      srcRect: place.srcRect,
      dstRect: place.dstRect,
      outWidth: W,
      outHeight: H,
      interpolation: spec.interpolation,
      mul,
      add,
      pad: spec.pad,
      layout: spec.layout,
      dtype: spec.dtype,
      quantScale: spec.quantScale,
      quantZeroPoint: spec.quantZeroPoint,
      dst: tensor.data as OutputArray,
      dstOffset: i * slot,
    });
    const toSource = transformFromRects(place.srcRect, place.dstRect);
    images.push({
      label: img.label,
      sourceWidth: img.width,
      sourceHeight: img.height,
      srcRect: place.srcRect,
      dstRect: place.dstRect,
      toSource,
      toTensor: invertTransform(toSource),
    });
  });
  return { jobs, images, tensor };
}

function asList(inputs: ImageInput | readonly ImageInput[]): readonly ImageInput[] {
  return Array.isArray(inputs) ? inputs : [inputs as ImageInput];
}

/**
 * Turns images into one batch tensor as `spec` describes (a preset name or a
 * {@link PreprocessSpec}), with per image the transforms between tensor and original coordinates.
 *
 * All inputs are decoded and checked before anything is written: on any error, `options.out` is
 * left as it was.
 *
 * @example
 * const { tensor, images } = await preprocess(['a.jpg', 'b.png'], 'yolo');
 * const box = transformBox(images[0].toSource, [x1, y1, x2, y2]); // on the original image
 *
 * @throws {@link ArgumentError} for a bad spec or option, a raw frame whose buffer does not match
 * its sizes, images whose dynamic sizes differ, or an `out` of the wrong dtype or shape.
 * @throws {@link FileIOError} for a file that cannot be read, is not JPEG/PNG/WebP, is corrupt or
 * truncated, or is over `options.maxPixels` (100 megapixels by default); the message names the input.
 * @throws {@link UnavailableError} when `kernel: 'native'` is asked for and not built.
 */
export async function preprocess(
  inputs: ImageInput | readonly ImageInput[],
  spec: PreprocessSpec | PresetName,
  options: PreprocessOptions = {},
): Promise<PreprocessResult> {
  const resolved = specOf(spec);
  const list = asList(inputs);
  const sources = await Promise.all(list.map((input, i) => loadImage(input, `inputs[${i}]`, options)));
  const { jobs, images, tensor } = plan(sources, resolved, options.out);
  const kernel = await runJobs(jobs, options.kernel ?? 'auto', (i) =>
    options.onProgress?.(i + 1, jobs.length),
  );
  return { tensor, images, kernel: kernel as 'typescript' | 'native' };
}

/**
 * The synchronous form of {@link preprocess} for raw frames and tensors (no decoding), for frame
 * loops: pass the previous result's tensor as `options.out` to reuse it.
 *
 * @throws {@link ArgumentError} for an encoded input (a path or Buffer), and as {@link preprocess}.
 * @throws {@link UnavailableError} when `kernel: 'native'` is asked for and not built.
 */
export function preprocessSync(
  inputs: ImageInput | readonly ImageInput[],
  spec: PreprocessSpec | PresetName,
  options: PreprocessOptions = {},
): PreprocessResult {
  const resolved = specOf(spec);
  const sources = asList(inputs).map((input, i) => imageFromObject(input, `inputs[${i}]`));
  const { jobs, images, tensor } = plan(sources, resolved, options.out);
  const kernel = runJobsSync(jobs, options.kernel ?? 'auto');
  if (options.onProgress !== undefined)
    for (let i = 0; i < jobs.length; i++) options.onProgress(i + 1, jobs.length);
  return { tensor, images, kernel: kernel as 'typescript' | 'native' };
}

/**
 * The kernel job that {@link preprocessSync} would run for one raw frame or tensor written into
 * slot `index` of `out`: for benchmarks that time {@link runKernel}, {@link runReferenceKernel}
 * and the native kernel on identical work.
 *
 * @throws {@link ArgumentError} as {@link preprocessSync}, or when `out` has no slot `index`.
 */
export function createKernelJob(
  input: ImageInput,
  spec: PreprocessSpec | PresetName,
  out: Tensor,
  index = 0,
): KernelJob {
  const resolved = specOf(spec);
  const img = imageFromObject(input, 'input');
  const N = out.shape[0] ?? 0;
  if (!Number.isInteger(index) || index < 0 || index >= N) {
    throw invalidArgument('index', index, `integer between 0 and ${N - 1} (a slot of out)`);
  }
  const single = new Tensor(
    out.dtype,
    [1, ...out.shape.slice(1)],
    out.data.subarray(0, out.size / N) as Tensor['data'],
  );
  const job = plan([img], resolved, single).jobs[0]!;
  return { ...job, dst: out.data as OutputArray, dstOffset: index * (out.size / N) };
}

/** Output size a spec gives an image of `width` x `height` (the dynamic size of PaddleOCR detection). */
export function outputSizeFor(
  spec: PreprocessSpec | PresetName,
  width: number,
  height: number,
): { width: number; height: number } {
  return outputSize(specOf(spec), width, height);
}
