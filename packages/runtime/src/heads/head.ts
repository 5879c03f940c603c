// The contract every task head follows: a task name, default settings, the preprocessing the
// model family expects, and a decode step from one image's outputs to results on the original.

import type { TensorMap } from '@edge/core';
import type { PreprocessedImage, PreprocessSpec, PresetName } from '@edge/preprocess';

/** The task heads `model.infer` knows. */
export type TaskName = 'classify' | 'detect' | 'segment' | 'text' | 'face';

/** What a head knows about the image whose outputs it decodes. */
export interface HeadContext {
  /** How the image was placed in the tensor (its `toSource` maps tensor pixels to the original). */
  readonly image: PreprocessedImage;
  /** Row of this image in the output tensors (0 when images run one by one). */
  readonly index: number;
  /** Width and height of the model's input tensor. */
  readonly tensorSize: { readonly width: number; readonly height: number };
}

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
  /** Decodes one image's outputs into results in original image coordinates. */
  decode(outputs: Readonly<TensorMap>, context: HeadContext, config: Readonly<C>): R;
}
