// Runs the committed OpenCV reference script (fixtures/opencv-reference.py) with Debian's python
// and reads its .npy outputs back. Fixtures (photos from Debian data packages) are fetched by
// scripts/test-data.sh into a git-ignored cache the first time.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tensor } from '@edge/core';
import { decodeNpy, encodeNpy } from '../../src/npy.js';

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURES: string = join(here, '../fixtures');
export const CACHE: string = join(FIXTURES, '.cache');
const SCRIPT = join(FIXTURES, 'opencv-reference.py');
export const PYTHON = '/usr/bin/python3';

/** Makes sure python3-opencv and the photo cache are there (runs scripts/test-data.sh once). */
export function ensureFixtures(): void {
  const ok =
    existsSync(join(CACHE, 'skimage-data')) &&
    existsSync(join(CACHE, 'opencv-data')) &&
    spawnSync(PYTHON, ['-c', 'import cv2, numpy'], { stdio: 'ignore' }).status === 0;
  if (!ok) execFileSync('bash', [join(here, '../../../../scripts/test-data.sh')], { stdio: 'inherit' });
}

/** A fixture photo's path, by the name used in fixtures/index.json (`skimage/astronaut.png`). */
export function photo(name: string): string {
  const [pkg, file] = name.split('/') as [string, string];
  return join(CACHE, pkg === 'skimage' ? 'skimage-data' : 'opencv-data', file);
}

/** A scratch folder removed by the returned function. */
export function scratch(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'edge-preprocess-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

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
  const r = spawnSync(PYTHON, [SCRIPT, list, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`opencv-reference.py failed: ${r.stderr}`);
  return (file: string) => decodeNpy(readFileSync(join(dir, file)), file);
}

/** Largest absolute difference between two tensors' values (Infinity when the shapes differ). */
export function maxAbsDiff(a: Tensor, b: Tensor): number {
  if (a.shape.join() !== b.shape.join()) return Number.POSITIVE_INFINITY;
  const x = a.toFloat32();
  const y = b.toFloat32();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}
