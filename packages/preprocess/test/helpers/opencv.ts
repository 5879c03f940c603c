// Runs the committed OpenCV reference script (fixtures/opencv-reference.py) with Debian's python
// and reads its .npy outputs back. The photos come from the test-data cache of @edge/test-utils.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '@edge/core';
import { maxAbsDiff as maxDiff, runPython } from '@edge/test-utils';
import { decodeNpy, encodeNpy } from '../../src/npy.js';

const SCRIPT = new URL('../fixtures/opencv-reference.py', import.meta.url).pathname;

/** Writes a uint8 HWC image as .npy for the script. */
export function saveImage(
  dir: string,
  name: string,
  data: Uint8Array,
  h: number,
  w: number,
  c: number,
): string {
  const path = join(dir, `${name}.npy`);
  writeFileSync(path, encodeNpy(new Tensor('uint8', c === 1 ? [h, w] : [h, w, c], data)));
  return path;
}

/** Runs the reference script on `cases` and returns a reader of its outputs. */
export function runReference(dir: string, cases: object[]): (file: string) => Tensor {
  const list = join(dir, 'cases.json');
  writeFileSync(list, JSON.stringify(cases));
  runPython([SCRIPT, list, dir]);
  return (file: string) => decodeNpy(readFileSync(join(dir, file)), file);
}

/** Largest absolute difference between two tensors' values (Infinity when the shapes differ). */
export function maxAbsDiff(a: Tensor, b: Tensor): number {
  if (a.shape.join() !== b.shape.join()) return Number.POSITIVE_INFINITY;
  return maxDiff(a.toFloat32(), b.toFloat32());
}
