// A calibration or comparison set from a folder of images: each image preprocessed by a spec (a
// preset name or a spec object of @edge/preprocess) into the feed of the model's image input,
// one at a time, so a folder of any size costs one image of memory.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { FileIOError, type TensorMap } from '@edge/core';
import { type ImageInput, type PreprocessSpec, type PresetName, preprocess } from '@edge/preprocess';

// What @edge/preprocess decodes (through sharp): other files in the folder are not images to it.
const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp']);

/**
 * The image files of a folder (by extension, not recursive), sorted by name.
 *
 * @throws FileIOError when the folder cannot be read or holds no image.
 */
export function listImages(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new FileIOError(`cannot read the image folder ${dir}: ${(e as Error).message}`, dir, { cause: e });
  }
  const files = names
    .filter((n) => IMAGE_EXTENSIONS.has(extname(n).toLowerCase()))
    .sort()
    .map((n) => resolve(join(dir, n)))
    .filter((p) => statSync(p).isFile());
  if (files.length === 0) {
    throw new FileIOError(
      `the folder ${dir} holds no image (expected ${[...IMAGE_EXTENSIONS].join(', ')} files)`,
      dir,
    );
  }
  return files;
}

/**
 * Feeds of `input`, one image (a path or encoded bytes) at a time, preprocessed by `spec`.
 *
 * @throws FileIOError / ArgumentError from @edge/preprocess for an unreadable or damaged image,
 *   naming the file.
 */
export async function* imageFeeds(
  images: readonly ImageInput[],
  spec: PreprocessSpec | PresetName,
  input: string,
): AsyncGenerator<TensorMap> {
  for (const path of images) yield { [input]: (await preprocess(path, spec)).tensor };
}

function readBytes(p: string): Buffer {
  try {
    return readFileSync(p);
  } catch (e) {
    throw new FileIOError(`cannot read ${p}: ${(e as Error).message}`, p, { cause: e });
  }
}

/**
 * Each file's name and the sha256 of its bytes: which images a calibration used, as its JSON
 * records them.
 *
 * @throws FileIOError when a file cannot be read.
 */
export function imageHashes(paths: readonly string[]): { name: string; sha256: string }[] {
  return paths.map((p) => ({
    name: p.split('/').pop()!,
    sha256: createHash('sha256').update(readBytes(p)).digest('hex'),
  }));
}

/**
 * A hash of a set of files and of how they are preprocessed (sha256 over each file's name and
 * contents, and the spec): what a calibration cache records to know whether it may be reused.
 *
 * @throws FileIOError when a file cannot be read.
 */
export function datasetHash(paths: readonly string[], spec: PreprocessSpec | PresetName): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(spec));
  for (const p of paths) {
    const bytes = readBytes(p);
    h.update(`${p.split('/').pop()}\0${bytes.length}\0`);
    h.update(bytes);
  }
  return h.digest('hex');
}
