// Any image-shaped tensor to a picture, choosing how to show it from its channels: three are an
// image (de-normalised), one a score map (colour-mapped), more per-class scores (argmax mask).

import { checkOneOf, invalidArgument, type Tensor } from '@edge/core';
import {
  colorizeScoreMap,
  type Image8,
  imageDims,
  maskToImage,
  type ScoreMapOptions,
  type TensorToImageOptions,
  tensorToImage,
} from './postprocess.js';

/** How {@link renderTensor} shows a tensor. */
export type TensorImageKind = 'image' | 'scores' | 'mask';

/** The kinds in a fixed order. */
export const TENSOR_IMAGE_KINDS: readonly TensorImageKind[] = Object.freeze([
  'image',
  'scores',
  'mask',
] as const);

/** Options of {@link renderTensor}: the kind, and the options of the function that kind uses. */
export interface RenderTensorOptions extends TensorToImageOptions, Omit<ScoreMapOptions, 'index'> {
  /** Default: by channel count, 3 `image`, 1 `scores`, other `mask`. */
  kind?: TensorImageKind;
  /** Colours of mask classes as [r, g, b]; default PASCAL VOC's palette. */
  palette?: readonly (readonly number[])[];
}

/** What {@link renderTensor} made. */
export interface RenderedTensor {
  readonly image: Image8;
  readonly kind: TensorImageKind;
}

/**
 * Renders one image of a tensor (`[H, W]`, 3-D or 4-D in NCHW or NHWC; layout guessed from the
 * shape unless `options.layout` says) as an 8-bit picture: `image` through {@link tensorToImage}
 * (the de-normalisation options apply), `scores` through {@link colorizeScoreMap} (`colormap`,
 * `min`, `max`), `mask` through {@link maskToImage} (`palette`; an NCHW tensor).
 *
 * @throws {@link ArgumentError} for a shape the kind cannot show, an NHWC mask of several
 * channels, or a bad option.
 */
export function renderTensor(tensor: Tensor, options: RenderTensorOptions = {}): RenderedTensor {
  const { n, c, h, w, layout } = imageDims(tensor, options.layout);
  const kind =
    options.kind === undefined
      ? c === 3
        ? 'image'
        : c === 1
          ? 'scores'
          : 'mask'
      : checkOneOf('options.kind', options.kind, TENSOR_IMAGE_KINDS);
  const index = options.index ?? 0;
  // A one-channel NHWC map holds the same elements in the same order as [N, 1, H, W].
  const map = c === 1 && layout === 'nhwc' ? tensor.reshape([n, 1, h, w]) : tensor;
  switch (kind) {
    case 'image':
      return { kind, image: tensorToImage(tensor, { ...options, layout }) };
    case 'scores': {
      const { colormap, min, max } = options;
      return { kind, image: colorizeScoreMap(map, { colormap, min, max, index }) };
    }
    case 'mask':
      if (c > 1 && layout === 'nhwc')
        throw invalidArgument('tensor.shape', [...tensor.shape], 'class scores in NCHW layout for a mask');
      return {
        kind,
        image: maskToImage(map, { index, ...(options.palette ? { palette: options.palette } : {}) }),
      };
  }
}
