// The contract between the spec layer and the fused kernels (TypeScript and native): one image
// into one slot of a batch tensor, with every decision already resolved into numbers. Both
// kernels implement exactly this and must give the same output (floats within 1e-6).

/** Resampling of the source region onto the destination rectangle. */
export type Interpolation = 'bilinear' | 'nearest' | 'area';

/** Memory layout of the output tensor. */
export type Layout = 'nchw' | 'nhwc';

/** Element type of the output tensor (float16 is stored as Uint16Array half bits). */
export type OutputDType = 'float32' | 'float16' | 'uint8' | 'int8';

/** An integer pixel rectangle. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Output arrays by dtype. */
export type OutputArray = Float32Array | Uint16Array | Uint8Array | Int8Array;

/**
 * One fused pass: read `srcRect` of an interleaved uint8 image, resample it onto `dstRect` of an
 * `outWidth` x `outHeight` image (pixels outside `dstRect` take `pad`), pick channels, normalise
 * and convert, and write into `dst` at `dstOffset` in `layout`.
 *
 * Per output channel c and output pixel p (after resampling the uint8 source):
 *   v = p * mul[c] + add[c]                      (scale, mean and std folded in by the caller)
 *   float32: v;  float16: half bits of v (round to nearest even);
 *   uint8 / int8: clamp(round_half_even(v / quantScale) + quantZeroPoint) to the type's range.
 * Bilinear on uint8 sources must equal OpenCV's cv2.resize(INTER_LINEAR) pixel for pixel (it
 * uses 11-bit fixed-point weights), so the normalised floats match OpenCV pipelines to 1e-5.
 */
export interface KernelJob {
  /** Source pixels, interleaved, `srcChannels` bytes per pixel, rows `srcStride` bytes apart. */
  src: Uint8Array;
  srcWidth: number;
  srcHeight: number;
  srcStride: number;
  srcChannels: 1 | 3 | 4;
  /** For output channel c, the source channel it reads: BGR source to RGB output is [2, 1, 0]. */
  channelMap: readonly number[];
  /** Region of the source to resample (integer pixels, inside the source). */
  srcRect: Rect;
  /** Where that region lands in the output image (integer pixels, inside the output). */
  dstRect: Rect;
  outWidth: number;
  outHeight: number;
  interpolation: Interpolation;
  /** Per output channel multiplier and offset applied to the resampled 0..255 value. */
  mul: readonly number[];
  add: readonly number[];
  /** Per output channel raw (0..255) value of padding, normalised like any pixel. */
  pad: readonly number[];
  layout: Layout;
  dtype: OutputDType;
  /** For uint8/int8 outputs: quantisation scale and zero point (1 and 0 for plain uint8). */
  quantScale: number;
  quantZeroPoint: number;
  /** The batch tensor's data, and the element offset of this image's slot in it. */
  dst: OutputArray;
  dstOffset: number;
}
