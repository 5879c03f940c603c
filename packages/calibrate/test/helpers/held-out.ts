// The held-out protocol of the INT8 accuracy tests, defined once so that no test or experiment
// quietly tunes on what it reports.
//
// Two independent sources:
// - source A, the one calibration and development use: the photos of OpenCV's samples
//   (opencv-doc, Debian), crops of them, and text rendered in four DejaVu faces (Sans, Serif and
//   their slanted forms) over those photos or over paper;
// - source B, held out: the photos of scikit-image (python3-skimage, Debian), crops of them, and
//   text rendered in four other DejaVu faces (Sans Mono, Sans Bold, the condensed Serif Bold and
//   Sans) with other seeds, over those photos or over paper.
// Source A is split once more, deterministically: every fourth item is the development set on which
// recipes are chosen (range methods, what stays in float); the rest is the calibration set. Source B
// is only ever reported on.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { dejavu, photoDir, rng, textLine, textPage } from '@edge/test-utils';
import sharp from 'sharp';

/** Faces of source A's rendered text. */
export const FONTS_A: readonly string[] = [
  'DejaVuSans.ttf',
  'DejaVuSerif.ttf',
  'DejaVuSans-Oblique.ttf',
  'DejaVuSerif-Italic.ttf',
].map(dejavu);
/** Faces of source B's rendered text: none of source A's. */
export const FONTS_B: readonly string[] = [
  'DejaVuSansMono.ttf',
  'DejaVuSans-Bold.ttf',
  'DejaVuSerifCondensed-Bold.ttf',
  'DejaVuSansCondensed.ttf',
].map(dejavu);

// The chessboard series of OpenCV's camera-calibration sample are 28 near-copies of one scene;
// a few-pixel image is not a photo.
const SKIP = /^(left|right)\d\d\.jpg$|^(block|checker_bilevel|foo3x5x4indexed|palette_\w+|truncated)\./;

function listPhotos(source: 'skimage' | 'opencv'): string[] {
  const dir = photoDir(source);
  return readdirSync(dir)
    .filter((f) => /\.(jpg|png)$/.test(f) && !SKIP.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** Source A's photos (OpenCV samples), sorted. */
export function photosA(): string[] {
  return listPhotos('opencv');
}

/** Source B's photos (scikit-image), sorted. */
export function photosB(): string[] {
  return listPhotos('skimage');
}

/** A seeded crop of a photo with the given width / height (PNG): as a detected line or a region. */
export async function photoCrop(photo: string, seed: number, aspect: number): Promise<Buffer> {
  const r = rng(seed);
  const { width = 1, height = 1 } = await sharp(photo).metadata();
  const w = Math.max(8, Math.round(Math.min(width, height * aspect) * (0.3 + 0.6 * r())));
  const h = Math.max(8, Math.min(height, Math.round(w / aspect)));
  const left = Math.floor(r() * (width - w + 1));
  const top = Math.floor(r() * (height - h + 1));
  return sharp(photo).extract({ left, top, width: w, height: h }).removeAlpha().png().toBuffer();
}

/** Images of one split: calibration, development (choosing recipes) and held-out (reporting). */
export interface Split<T> {
  readonly calibration: readonly T[];
  readonly dev: readonly T[];
  readonly heldOut: readonly T[];
}

/** Every fourth item of each kind (from the second) to dev, the rest to calibration, kinds interleaved. */
function splitA<T>(a: readonly T[], b: readonly T[]): { calibration: T[]; dev: T[] } {
  const dev = (_: T, i: number) => i % 4 === 1;
  const calibration = (_: T, i: number) => i % 4 !== 1;
  return {
    calibration: interleave(a.filter(calibration), b.filter(calibration)),
    dev: interleave(a.filter(dev), b.filter(dev)),
  };
}

/** Sizes of {@link detectorSplit}: text pages and photos from source A (before the dev split) and B. */
export interface DetectorSizes {
  readonly pagesA: number;
  readonly photosA: number;
  readonly pagesB: number;
  readonly photosB: number;
}

/**
 * The text detector's images: pages of text (half over a photo of the same source, half on paper)
 * and whole photos. Source A's pages use seeds from 1, source B's from 100,000.
 */
export async function detectorSplit(sizes: DetectorSizes): Promise<Split<Buffer | string>> {
  const a = photosA();
  const b = photosB();
  const pages = (n: number, seed: number, photos: string[], fonts: readonly string[]) =>
    Promise.all(
      Array.from({ length: n }, (_, k) =>
        textPage(seed + k, k % 2 ? photos[(k * 7) % photos.length] : undefined, 640, 480, fonts),
      ),
    );
  const spread = <T>(list: readonly T[], n: number) =>
    Array.from({ length: Math.min(n, list.length) }, (_, k) => list[Math.floor((k * list.length) / n)]!);
  const A = splitA<Buffer | string>(await pages(sizes.pagesA, 1, a, FONTS_A), spread(a, sizes.photosA));
  const heldOut = interleave<Buffer | string>(
    await pages(sizes.pagesB, 100_000, b, FONTS_B),
    spread(b, sizes.photosB),
  );
  return { ...A, heldOut };
}

/** Sizes of {@link classifierSplit}: text lines and photo crops from source A (before the dev split) and B. */
export interface ClassifierSizes {
  readonly linesA: number;
  readonly cropsA: number;
  readonly linesB: number;
  readonly cropsB: number;
}

/**
 * The direction classifier's images: lines of text (every other one upside down) and crops of
 * photos at a line's aspect ratio (2:1 to 6:1), as a detector hands them over.
 */
export async function classifierSplit(sizes: ClassifierSizes): Promise<Split<Buffer>> {
  const lines = (n: number, seed: number, fonts: readonly string[]) =>
    Promise.all(Array.from({ length: n }, (_, k) => textLine(seed + k, k % 2 === 1, fonts)));
  const crops = (n: number, seed: number, photos: string[]) =>
    Promise.all(
      Array.from({ length: n }, (_, k) => photoCrop(photos[k % photos.length]!, seed + k, 2 + (k % 5))),
    );
  const A = splitA(await lines(sizes.linesA, 1, FONTS_A), await crops(sizes.cropsA, 1, photosA()));
  const heldOut = interleave(
    await lines(sizes.linesB, 100_000, FONTS_B),
    await crops(sizes.cropsB, 100_000, photosB()),
  );
  return { ...A, heldOut };
}

/** a0, b0, a1, b1, ... then the rest of the longer list: so a prefix holds both kinds. */
function interleave<T>(a: readonly T[], b: readonly T[]): T[] {
  const out: T[] = [];
  for (let k = 0; k < Math.max(a.length, b.length); k++) {
    if (k < a.length) out.push(a[k]!);
    if (k < b.length) out.push(b[k]!);
  }
  return out;
}
