// The contract every task head follows: a task name, default settings, the preprocessing the
// model family expects, a test of whether a model's outputs mean what the head decodes, and a
// decode step from one image's outputs to results on the original.

import type { ModelDim, TensorMap } from '@edge/core';
import type { PreprocessedImage, PreprocessSpec, PresetName } from '@edge/preprocess';
import type { InputSpec } from '../load/input-spec.js';

/** The task heads `model.infer` knows. */
export type TaskName = 'classify' | 'detect' | 'segment' | 'text' | 'face' | 'landmarks' | 'raw';

/** What a head knows about the image whose outputs it decodes. */
export interface HeadContext {
  /** How the image was placed in the tensor (its `toSource` maps tensor pixels to the original). */
  readonly image: PreprocessedImage;
  /** Row of this image in the output tensors (0 when images run one by one). */
  readonly index: number;
  /** Width and height of the model's input tensor. */
  readonly tensorSize: { readonly width: number; readonly height: number };
}

/** What a head reads of a model to tell whether it fits: the image input and the declared outputs. */
export interface ModelOutline {
  readonly inputSpecs: readonly InputSpec[];
  readonly outputs: readonly { readonly name: string; readonly shape: readonly ModelDim[] }[];
}

/** A head's answer to a model: it fits (with the settings the layout implies), or why not. */
export type HeadFit<C> =
  | { readonly ok: true; readonly config?: Partial<C> }
  | { readonly ok: false; readonly reason: string };

/**
 * A task head: a small config object plus a decode function, one file per head.
 *
 * @typeParam C - the head's settings; @typeParam R - what it returns per image.
 */
export interface Head<C, R> {
  readonly task: TaskName;
  /** Settings used where the caller gives none. */
  readonly defaults: Readonly<C>;
  /** Preprocessing of the model family, applied under the caller's own overrides; none: from the model. */
  readonly preprocess?: PreprocessSpec | PresetName;
  /**
   * Whether the model's outputs have the layout this head decodes, read from the declared shapes
   * alone before any run, with the settings that layout implies (which output is which, the anchor
   * grid); or why not. `model.infer` without a task tries the heads in turn.
   */
  fits(model: ModelOutline): HeadFit<C>;
  /** Decodes one image's outputs into results in original image coordinates. */
  decode(outputs: Readonly<TensorMap>, context: HeadContext, config: Readonly<C>): R;
}
