// Reading a model's declared shapes for the heads' `fits` tests: fixed and free dimensions, the
// one image input, vectors and scalars per image.

import type { ModelDim } from '@edge/core';
import type { InputSpec } from '../load/input-spec.js';
import type { HeadFit, ModelOutline } from './head.js';

/** @internal A fit, with the settings the layout implies. */
export function fit<C>(config?: Partial<C>): HeadFit<C> {
  return config === undefined ? { ok: true } : { ok: true, config };
}

/** @internal A failed fit with its reason. */
export function unfit<C>(reason: string): HeadFit<C> {
  return { ok: false, reason };
}

/** @internal A dimension as a number, or null when the model leaves it free. */
export function fixed(d: ModelDim | undefined): number | null {
  return typeof d === 'number' ? d : null;
}

/** @internal A shape for a reason: free dimensions as `?`. */
export function dims(shape: readonly ModelDim[]): string {
  return `[${shape.map((d) => (typeof d === 'number' ? String(d) : '?')).join(',')}]`;
}

/** @internal The outputs in words: `'a' [1,2], 'b' [1,?]`. */
export function listOutputs(model: ModelOutline): string {
  return model.outputs.map((o) => `'${o.name}' ${dims(o.shape)}`).join(', ');
}

/** @internal The model's one 4-D image input, if it has exactly one. */
export function imageInput(model: ModelOutline): InputSpec | undefined {
  const images = model.inputSpecs.filter((s) => s.shape.length === 4);
  return images.length === 1 ? images[0] : undefined;
}

/**
 * @internal Values per image of an output shaped `[N, L]` or `[N, 1, 1, L]` (the MediaPipe
 * landmark vectors, the flags), or null for any other shape or a free `L`.
 */
export function perImageLength(shape: readonly ModelDim[]): number | null {
  if (shape.length < 2 || shape.slice(1, -1).some((d) => d !== 1)) return null;
  return fixed(shape.at(-1));
}

/**
 * @internal Whether a map `h` x `w` covers the input at a stride of 1, 2, 4 or 8 (each side the
 * input's divided by that stride). True when it does, false when it cannot, null when the input or
 * the map leaves a side free.
 */
export function mapStride(
  input: InputSpec | undefined,
  h: ModelDim | undefined,
  w: ModelDim | undefined,
): number | false | null {
  const mh = fixed(h);
  const mw = fixed(w);
  if (input?.height == null || input.width == null || mh === null || mw === null) return null;
  for (const s of [1, 2, 4, 8]) {
    if (Math.ceil(input.height / s) === mh && Math.ceil(input.width / s) === mw) return s;
  }
  return false;
}

/**
 * @internal The last test of the heads whose `[N, C, H, W]` map must be the size of the image
 * input (segmentation, text detection): a fit when it is or a free side leaves it open.
 */
export function fitsInputSize<C>(model: ModelOutline, shape: readonly ModelDim[]): HeadFit<C> {
  const stride = mapStride(imageInput(model), shape[2], shape[3]);
  if (stride !== null && stride !== 1) {
    return unfit(`needs a map the size of the input; the output ${dims(shape)} is smaller`);
  }
  return fit();
}
