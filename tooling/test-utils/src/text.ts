// Text rendered with Debian's DejaVu fonts (requirement `fonts-dejavu`) or WenQuanYi Micro Hei
// (requirement `cjk-font`) through sharp, plain or over a photo, from a seeded generator so every
// run sees the same images; and a synthetic page as a text detector's input tensor, without any font.
import { join } from 'node:path';
import sharp from 'sharp';
import { TEST_DATA } from './photos.js';
import { rng } from './random.js';

/** A DejaVu face by file name (Debian's fonts-dejavu-core and fonts-dejavu-extra). */
export function dejavu(file: string): string {
  return `/usr/share/fonts/truetype/dejavu/${file}`;
}

/** WenQuanYi Micro Hei (Chinese), unpacked into the test-data cache by scripts/test-data.sh. */
export const CJK_FONT: string = join(TEST_DATA, 'wqy-fonts/wqy-microhei.ttc');

/** A line of text as an alpha mask: `channels` bytes a pixel, the first one the ink (0 = none). */
export interface Glyphs {
  alpha: Buffer;
  width: number;
  height: number;
  channels: number;
}

const FONTS = ['DejaVuSans.ttf', 'DejaVuSerif.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSansMono.ttf'].map(dejavu);
const WORDS = (
  'edge deploys convolutional networks on every device text detection with PaddleOCR quick brown fox ' +
  'jumps over the lazy dog invoice total amount due date 2026 order number 48151623 street avenue ' +
  'station platform exit open closed monday friday price sale discount coffee tea water milk bread ' +
  'calibration quantization accuracy tensor kernel engine batch image page line word letter number'
).split(' ');

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

function phrase(r: () => number, words: number): string {
  return Array.from({ length: words }, () => pick(r, WORDS)).join(' ');
}

/** One line of `text` in `font` at `dpi`, turned by `angle` degrees (the corners left without ink). */
export async function glyphs(text: string, font: string, dpi: number, angle = 0): Promise<Glyphs> {
  let image = sharp({ text: { text, fontfile: font, dpi } }).greyscale();
  if (angle !== 0) {
    image = sharp(await image.png().toBuffer())
      .rotate(angle, { background: '#000000' })
      .greyscale();
  }
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  return { alpha: data, width: info.width, height: info.height, channels: info.channels };
}

/** An RGB background: light paper, or a photo crop washed towards white so text stays legible. */
async function background(
  r: () => number,
  width: number,
  height: number,
  photo?: string,
): Promise<Uint8Array> {
  if (!photo) {
    const paper = 225 + Math.floor(r() * 30);
    return new Uint8Array(width * height * 3).fill(paper);
  }
  const { data } = await sharp(photo)
    .resize(width, height, { fit: 'cover' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const out = new Uint8Array(width * height * 3);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(data[i]! * 0.45 + 255 * 0.55);
  return out;
}

/**
 * A page of text lines (PNG): 3 to 7 lines of 2 to 6 words at 110 to 220 dpi in one of `fonts`
 * (default four DejaVu faces), dark ink on paper or over a photo.
 */
export async function textPage(
  seed: number,
  photo?: string,
  width = 640,
  height = 480,
  fonts: readonly string[] = FONTS,
): Promise<Buffer> {
  const r = rng(seed);
  const page = await background(r, width, height, photo);
  let y = 10 + Math.floor(r() * 30);
  const lines = 3 + Math.floor(r() * 5);
  for (let k = 0; k < lines && y < height - 40; k++) {
    const line = await glyphs(
      phrase(r, 2 + Math.floor(r() * 5)),
      pick(r, fonts),
      110 + Math.floor(r() * 110),
    );
    const x0 = 10 + Math.floor(r() * Math.max(1, width - line.width - 20));
    const ink = Math.floor(r() * 70);
    for (let yy = 0; yy < line.height && y + yy < height; yy++) {
      for (let xx = 0; xx < line.width && x0 + xx < width; xx++) {
        const a = line.alpha[(yy * line.width + xx) * line.channels]! / 255;
        if (a === 0) continue;
        const p = ((y + yy) * width + x0 + xx) * 3;
        for (let c = 0; c < 3; c++) page[p + c] = Math.round(page[p + c]! * (1 - a) + ink * a);
      }
    }
    y += line.height + 12 + Math.floor(r() * 40);
  }
  return sharp(page, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/**
 * One line of text cropped with a small margin (PNG), as the PaddleOCR classifier sees a detected
 * line, in one of `fonts` (default four DejaVu faces); upside down when `flipped`.
 */
export async function textLine(
  seed: number,
  flipped: boolean,
  fonts: readonly string[] = FONTS,
): Promise<Buffer> {
  const r = rng(seed);
  const line = await glyphs(phrase(r, 1 + Math.floor(r() * 4)), pick(r, fonts), 100 + Math.floor(r() * 80));
  const m = 6;
  const width = line.width + 2 * m;
  const height = line.height + 2 * m;
  const paper = 215 + Math.floor(r() * 40);
  const ink = Math.floor(r() * 80);
  const out = new Uint8Array(width * height * 3).fill(paper);
  for (let yy = 0; yy < line.height; yy++) {
    for (let xx = 0; xx < line.width; xx++) {
      const a = line.alpha[(yy * line.width + xx) * line.channels]! / 255;
      const p = ((yy + m) * width + xx + m) * 3;
      for (let c = 0; c < 3; c++) out[p + c] = Math.round(paper * (1 - a) + ink * a);
    }
  }
  const img = sharp(out, { raw: { width, height, channels: 3 } });
  return (flipped ? img.rotate(180) : img).png().toBuffer();
}

/**
 * A synthetic page as a text detector sees it, without decoding: rows of dark dashes on light
 * paper, normalised with ImageNet's mean and std, the data of a `[1, 3, h, w]` tensor.
 */
export function textPageFloats(h: number, w: number): Float32Array {
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const data = new Float32Array(3 * h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const row = Math.floor(y / 24);
      const inRow = y % 24 >= 6 && y % 24 < 18 && x > 10 + row * 7 && x < w - 20 - row * 11;
      const ink = inRow && Math.floor(x / 6) % 3 !== 2;
      const v = ink ? 0.1 : 0.92 + 0.03 * Math.sin(x * 0.1 + y * 0.05);
      for (let c = 0; c < 3; c++) data[c * h * w + y * w + x] = (v - mean[c]!) / std[c]!;
    }
  }
  return data;
}
