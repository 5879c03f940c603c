// The flags `edge calibrate` and `edge compare` share: a folder of images, how to preprocess them,
// how many to use, and the threads per inference; and the one input those images feed.

import { readFileSync } from 'node:fs';
import { listImages } from '@edge/calibrate';
import { ArgumentError, FileIOError } from '@edge/core';
import { Graph, type OnnxModel } from '@edge/onnx-parse';
import { PRESET_NAMES, type PreprocessSpec, type PresetName, resolveSpec } from '@edge/preprocess';
import { type Flags, UsageError } from '../command.js';

/** `parse` options of the shared flags. */
export const IMAGE_SET_FLAGS: Flags = { string: ['images', 'preset', 'spec', 'limit', 'threads'] };

/** Help lines of the shared flags. */
export const IMAGE_SET_USAGE: string = `  --images DIR         the images (JPEG, PNG, WebP, taken in name order; not recursive)
  --preset NAME        preprocessing preset, one of
                       ${PRESET_NAMES.join(', ')}
  --spec FILE          preprocessing spec as JSON (the fields of @edge/preprocess's PreprocessSpec)
  --limit N            use only the first N images
  --threads N          threads per inference (default: onnxruntime's choice)`;

/** Images and how to preprocess them, from the shared flags. */
export interface ImageSet {
  readonly paths: readonly string[];
  readonly spec: PreprocessSpec | PresetName;
  readonly threads: number | undefined;
}

/**
 * A positive integer flag, or undefined when absent.
 *
 * @throws UsageError when it is not a positive integer.
 */
export function positiveInteger(flag: string, text: unknown): number | undefined {
  if (text === undefined) return undefined;
  if (typeof text !== 'string' || !/^\d+$/.test(text) || Number(text) < 1)
    throw new UsageError(`--${flag} expects a positive integer, got '${String(text)}'`);
  return Number(text);
}

function readSpec(file: string): PreprocessSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new FileIOError(`cannot read the spec ${file}: ${(e as Error).message}`, file, { cause: e });
  }
  try {
    const spec = JSON.parse(text) as PreprocessSpec;
    resolveSpec(spec);
    return spec;
  } catch (e) {
    throw new ArgumentError(`${file}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Reads the shared flags and lists the images.
 *
 * @throws UsageError when --images is missing, or not exactly one of --preset and --spec is given.
 * @throws FileIOError when the folder cannot be read or holds no image, or the spec file is unreadable.
 * @throws ArgumentError when the spec file is not a valid spec.
 */
export function imageSet(values: Record<string, unknown>): ImageSet {
  const dir = values.images as string | undefined;
  if (dir === undefined) throw new UsageError('--images DIR is required');
  const presetName = values.preset as string | undefined;
  const specFile = values.spec as string | undefined;
  if ((presetName === undefined) === (specFile === undefined))
    throw new UsageError('give one of --preset NAME and --spec FILE');
  if (presetName !== undefined && !(PRESET_NAMES as readonly string[]).includes(presetName))
    throw new UsageError(`--preset expects one of ${PRESET_NAMES.join(', ')}, got '${presetName}'`);
  const limit = positiveInteger('limit', values.limit);
  const threads = positiveInteger('threads', values.threads);
  const spec = specFile === undefined ? (presetName as PresetName) : readSpec(specFile);
  return { paths: listImages(dir).slice(0, limit), spec, threads };
}

/**
 * The name of the model's one input, the one the images feed.
 *
 * @throws ArgumentError when the model has several inputs (or none).
 */
export function singleInput(model: OnnxModel, path: string): string {
  const inputs = new Graph(model).inputs.map((v) => v.name);
  if (inputs.length !== 1) {
    throw new ArgumentError(
      `${path} has ${inputs.length} inputs (${inputs.join(', ')}); images can feed a model with exactly one`,
    );
  }
  return inputs[0]!;
}
