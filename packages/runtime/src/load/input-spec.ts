// What an image input looks like, read from the model alone: layout, batch, channels and size.
// Preprocessing uses it as its default and the user may override any part of it.

import type { DType, ModelDim, TensorInfo } from '@edge/core';

/** Memory layout of a 4-D image input. */
export type ImageLayout = 'NCHW' | 'NHWC';

/** An input as the model declares it, with its image layout when the shape tells it. */
export interface InputSpec {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly ModelDim[];
  /**
   * `NCHW` or `NHWC` when the shape says so (a 4-D input with 1, 3 or 4 channels on one side
   * only); null otherwise (not 4-D, or ambiguous like `[1,3,3,3]`, or every dimension free).
   */
  readonly layout: ImageLayout | null;
  /** The fixed batch size, or null when it is free (the model batches). */
  readonly batch: number | null;
  /** Channels, height and width as fixed numbers, null where free or where the layout is unknown. */
  readonly channels: number | null;
  readonly height: number | null;
  readonly width: number | null;
}

const CHANNELS = new Set([1, 3, 4]);

function isChannelCount(d: ModelDim | undefined): boolean {
  return typeof d === 'number' && CHANNELS.has(d);
}

function fixed(d: ModelDim | undefined): number | null {
  return typeof d === 'number' ? d : null;
}

/** Reads the {@link InputSpec} of one input from its declared shape. */
export function inputSpec(info: TensorInfo): InputSpec {
  const s = info.shape;
  let layout: ImageLayout | null = null;
  if (s.length === 4) {
    const first = isChannelCount(s[1]);
    const last = isChannelCount(s[3]);
    if (first && !last) layout = 'NCHW';
    else if (last && !first) layout = 'NHWC';
  }
  const batch = s.length >= 1 ? fixed(s[0]) : null;
  if (layout === 'NCHW') {
    return { ...info, layout, batch, channels: fixed(s[1]), height: fixed(s[2]), width: fixed(s[3]) };
  }
  if (layout === 'NHWC') {
    return { ...info, layout, batch, channels: fixed(s[3]), height: fixed(s[1]), width: fixed(s[2]) };
  }
  return { ...info, layout, batch, channels: null, height: null, width: null };
}

/** True when every input and output has a free dimension 0: requests can be stacked along it. */
export function hasFreeBatch(inputs: readonly TensorInfo[], outputs: readonly TensorInfo[]): boolean {
  const free = (t: TensorInfo): boolean => t.shape.length > 0 && typeof t.shape[0] !== 'number';
  return inputs.length > 0 && inputs.every(free) && outputs.every(free);
}
