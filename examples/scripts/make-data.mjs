// Makes the images in data/ (committed; run once, by hand, after scripts/test-data.sh):
//   poster.jpg        text rendered with DejaVu fonts beside skimage's astronaut.png (public domain),
//                     one line turned 6 degrees; poster.json holds each line's text and ink box
//   line.png          one rendered line of text, and line-upside-down.png, for the direction classifier
//   hand.png          48x48 of OpenCV's messi5.jpg around the raised hand, turned fingers-up
//   calibration/*.png four rendered pages of other text, for INT8 calibration in the demo
// Usage: node examples/scripts/make-data.mjs (from the repository root; needs sharp from a package)
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const sharp = createRequire(join(root, 'packages/preprocess/package.json'))('sharp');
const cache = join(root, '.cache/test-data');
const data = join(here, '../data');
const FONTS = '/usr/share/fonts/truetype/dejavu';

/** Glyph alpha of a line of text, optionally turned. */
async function glyphs(text, font, dpi, angle = 0) {
  let png = await sharp({ text: { text, fontfile: join(FONTS, font), dpi } })
    .greyscale()
    .png()
    .toBuffer();
  if (angle) png = await sharp(png).rotate(angle, { background: '#000000' }).png().toBuffer();
  const { data: a, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { a, width: info.width, height: info.height, channels: info.channels };
}

/** Paints glyphs onto an RGB page in `ink`, returns the ink box. */
function paint(page, W, g, left, top, ink) {
  let box = [Infinity, Infinity, -1, -1];
  for (let y = 0; y < g.height; y++) {
    for (let x = 0; x < g.width; x++) {
      const v = g.a[(y * g.width + x) * g.channels];
      if (!v) continue;
      const i = ((top + y) * W + left + x) * 3;
      for (let c = 0; c < 3; c++) page[i + c] = Math.round(page[i + c] + ((ink[c] - page[i + c]) * v) / 255);
      if (v > 64)
        box = [
          Math.min(box[0], left + x),
          Math.min(box[1], top + y),
          Math.max(box[2], left + x + 1),
          Math.max(box[3], top + y + 1),
        ];
    }
  }
  return box;
}

// The poster.
{
  const W = 960;
  const H = 540;
  const page = new Uint8Array(W * H * 3).fill(246);
  const photo = await sharp(join(cache, 'skimage-data/astronaut.png'))
    .resize(440, 440)
    .removeAlpha()
    .raw()
    .toBuffer();
  for (let y = 0; y < 440; y++)
    page.set(photo.subarray(y * 440 * 3, (y + 1) * 440 * 3), ((60 + y) * W + 24) * 3);
  const lines = [
    { text: 'EDGE SDK DEMO', font: 'DejaVuSans-Bold.ttf', dpi: 260, x: 490, y: 40, ink: [20, 40, 90] },
    { text: 'Commander Eileen Collins', font: 'DejaVuSans.ttf', dpi: 150, x: 492, y: 140, ink: [30, 30, 30] },
    {
      text: 'Space Shuttle Columbia, STS-93',
      font: 'DejaVuSans.ttf',
      dpi: 130,
      x: 492,
      y: 195,
      ink: [30, 30, 30],
    },
    { text: 'Launched July 23, 1999', font: 'DejaVuSerif.ttf', dpi: 140, x: 492, y: 250, ink: [90, 30, 30] },
    {
      text: 'Read on the device',
      font: 'DejaVuSans.ttf',
      dpi: 150,
      x: 500,
      y: 330,
      ink: [10, 90, 40],
      angle: -6,
    },
    {
      text: 'No cloud, no boilerplate',
      font: 'DejaVuSansMono.ttf',
      dpi: 120,
      x: 492,
      y: 430,
      ink: [40, 40, 40],
    },
  ];
  const truth = [];
  for (const l of lines) {
    const g = await glyphs(l.text, l.font, l.dpi, l.angle ?? 0);
    truth.push({ text: l.text, box: paint(page, W, g, l.x, l.y, l.ink) });
  }
  await sharp(page, { raw: { width: W, height: H, channels: 3 } })
    .jpeg({ quality: 92 })
    .toFile(join(data, 'poster.jpg'));
  writeFileSync(
    join(data, 'poster.json'),
    `${JSON.stringify({ image: 'poster.jpg', face: 'the astronaut, left', lines: truth }, null, 2)}\n`,
  );
}

// One line of text.
{
  const g = await glyphs('Deployable on every target', 'DejaVuSans.ttf', 110);
  const W = g.width + 16;
  const H = g.height + 12;
  const page = new Uint8Array(W * H * 3).fill(250);
  paint(page, W, g, 8, 6, [20, 20, 20]);
  await sharp(page, { raw: { width: W, height: H, channels: 3 } })
    .png()
    .toFile(join(data, 'line.png'));
  await sharp(page, { raw: { width: W, height: H, channels: 3 } })
    .rotate(180)
    .png()
    .toFile(join(data, 'line-upside-down.png'));
}

// The hand: messi5.jpg around (356, 168), 48 pixels, a quarter turn anticlockwise.
await sharp(join(cache, 'opencv-data/messi5.jpg'))
  .extract({ left: 332, top: 144, width: 48, height: 48 })
  .rotate(270)
  .png()
  .toFile(join(data, 'hand.png'));

// Calibration pages: other words, other layouts.
const words =
  'alpha river stone quiet orbit signal lantern meadow copper velvet harbor engine window garden ticket planet summer winter valley forest ocean battery glass silver'.split(
    ' ',
  );
let seed = 7;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
for (let p = 1; p <= 4; p++) {
  const W = 640;
  const H = 480;
  const page = new Uint8Array(W * H * 3).fill(230 + Math.floor(rand() * 25));
  let y = 20;
  while (y < H - 60) {
    const text = Array.from(
      { length: 2 + Math.floor(rand() * 4) },
      () => words[Math.floor(rand() * words.length)],
    ).join(' ');
    const font = ['DejaVuSans.ttf', 'DejaVuSerif.ttf', 'DejaVuSansMono.ttf', 'DejaVuSans-Bold.ttf'][
      Math.floor(rand() * 4)
    ];
    const g = await glyphs(text, font, 80 + Math.floor(rand() * 80));
    if (g.width > W - 40 || y + g.height > H - 10) break;
    const shade = Math.floor(rand() * 80);
    paint(page, W, g, 20 + Math.floor(rand() * (W - 40 - g.width)), y, [shade, shade, shade]);
    y += g.height + 15 + Math.floor(rand() * 30);
  }
  await sharp(page, { raw: { width: W, height: H, channels: 3 } })
    .png()
    .toFile(join(data, `calibration/page-${p}.png`));
}
console.log('wrote', data);
