// The preprocessing of one model input: what the model states (size, layout, channels, dtype)
// under the task head's family recipe, under the caller's own spec or preset.

import { ArgumentError } from '@edge/core';
import { type PreprocessSpec, type PresetName, preset } from '@edge/preprocess';
import type { InputSpec } from '../load/input-spec.js';

const asSpec = (s: PreprocessSpec | PresetName | undefined): PreprocessSpec =>
  s === undefined ? {} : typeof s === 'string' ? preset(s) : s;

/**
 * Builds the spec for an input. A preset name from the caller replaces the head's recipe; an
 * object is merged over it. What the model fixes (size, layout, channels, integer dtypes) wins
 * unless the caller's object sets that field itself.
 *
 * @throws {@link ArgumentError} when nothing gives an output size (a free-size input without a
 * spec or preset that sets one).
 */
export function specForInput(
  input: InputSpec,
  headRecipe: PreprocessSpec | PresetName | undefined,
  user: PreprocessSpec | PresetName | undefined,
): PreprocessSpec {
  const own: PreprocessSpec = typeof user === 'object' ? user : {};
  const spec: PreprocessSpec =
    user === undefined || typeof user === 'object' ? { ...asSpec(headRecipe), ...own } : asSpec(user);
  if (input.layout !== null && own.layout === undefined)
    spec.layout = input.layout === 'NCHW' ? 'nchw' : 'nhwc';
  if (
    input.width !== null &&
    input.height !== null &&
    own.size === undefined &&
    own.dynamicSize === undefined
  ) {
    spec.size = { width: input.width, height: input.height };
    delete spec.dynamicSize;
  }
  if (input.channels === 1 && own.color === undefined) spec.color = 'gray';
  if (
    (input.dtype === 'uint8' || input.dtype === 'int8' || input.dtype === 'float16') &&
    own.dtype === undefined
  ) {
    spec.dtype = input.dtype;
    if (
      input.dtype === 'uint8' &&
      own.scale === undefined &&
      own.mean === undefined &&
      own.std === undefined
    ) {
      spec.scale = 1;
      delete spec.mean;
      delete spec.std;
    }
  }
  if (spec.size === undefined && spec.dynamicSize === undefined) {
    throw new ArgumentError(
      `input '${input.name}' has a free size [${input.shape.join(',')}]: pass options.preprocess with a size or a preset (e.g. 'paddleocr-det')`,
    );
  }
  return spec;
}
