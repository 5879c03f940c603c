// Every example run as a user runs it, each checked on what it should find in the bundled
// pictures: the poster's lines (their ink boxes and text are in data/poster.json), the face
// beside them, the hand, the line of text both ways up; and the built programs run from a shell.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { iou } from '@edge/runtime';
import { scratchDir } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { DATA } from '../src/assets.js';
import { main as classify } from '../src/classify.js';
import { main as detect } from '../src/detect.js';
import { main as detectText } from '../src/detect-text.js';
import { main as face } from '../src/face.js';
import { main as landmarks } from '../src/landmarks.js';
import { main as readText } from '../src/ocr.js';
import { main as segment } from '../src/segment.js';

const here = dirname(fileURLToPath(import.meta.url));
const dir = scratchDir('edge-examples-');
const poster: { lines: { text: string; box: [number, number, number, number] }[] } = JSON.parse(
  readFileSync(DATA.posterTruth, 'utf8'),
);
const pngSize = (file: string) => {
  const b = readFileSync(file);
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
};

describe('examples', () => {
  it('classify: the line upright, and upside down', async () => {
    const [up, down] = await classify();
    expect(up!.classes[0]!.label).toBe('upright');
    expect(down!.classes[0]!.label).toBe('upside down');
    expect(down!.classes[0]!.score).toBeGreaterThan(0.9);
  });

  it('detect: the stand-in boxes through the letterbox onto the 960x540 poster, drawn', async () => {
    const out = join(dir, 'detect.png');
    const r = await detect(['', DATA.poster, out]);
    // 960x540 into 320x320: scale 1/3, 70 rows of padding above. Box 0, x 20..140 and y 100..220
    // in the tensor, is x 60..420, y 90..450 on the poster; box 1, x 190..290, y 90..150, is
    // x 570..870, y 60..240.
    expect(r.detections.map((d) => d.label)).toEqual(['person', 'rocket']);
    expect(r.detections.map((d) => d.box.map((v) => Math.round(v)))).toEqual([
      [60, 90, 420, 450],
      [570, 60, 870, 240],
    ]);
    expect(pngSize(out)).toEqual([960, 540]);
  });

  it('segment: a class per poster pixel; the orange suit is red, the title ink blue', async () => {
    const r = await segment(['', DATA.poster, join(dir, 'segment.png')]);
    const { width, data } = r.mask;
    expect([r.mask.width, r.mask.height]).toEqual([960, 540]);
    expect(r.classes.reduce((n, c) => n + c.pixels, 0)).toBe(960 * 540);
    expect(data[400 * width + 100]).toBe(0); // the suit
    expect(data[60 * width + 505]).toBe(2); // the E of EDGE, ink (20, 40, 90)
  });

  it('detect-text: every line of the poster where it was written', async () => {
    const page = await detectText([DATA.poster, join(dir, 'text.png')]);
    for (const line of poster.lines) {
      expect(Math.max(...page.boxes.map((b) => iou(b.box, line.box))), line.text).toBeGreaterThan(0.5);
    }
  });

  it('ocr: the poster read, each line near what was written', async () => {
    const [page] = await readText();
    const read = page!.lines.map((l) => l.text.replace(/\s/g, ''));
    // PP-OCRv4 drops some spaces in large or comma-separated text; the characters must be there.
    for (const line of poster.lines) expect(read).toContain(line.text.replace(/\s/g, ''));
  });

  it('face: the astronaut beside the text', async () => {
    const r = await face([DATA.poster, join(dir, 'face.png')]);
    expect(r.faces).toHaveLength(1);
    // The photo spans x 24..464, y 60..500; her face about x 170..270, y 110..210.
    expect(iou(r.faces[0]!.box, [170, 110, 270, 210])).toBeGreaterThan(0.5);
  });

  it('landmarks: a hand in hand.png, fingertips above the wrist', async () => {
    const hand = await landmarks([DATA.hand, join(dir, 'hand.png')]);
    expect(hand.present).toBe(true);
    expect(hand.landmarks).toHaveLength(21);
    for (const tip of [8, 12, 16, 20]) expect(hand.landmarks[tip]!.y).toBeLessThan(hand.landmarks[0]!.y);
  });

  it('the built programs run from a shell and print what they found', () => {
    const run = (name: string, ...args: string[]) =>
      spawnSync(process.execPath, [join(here, `../dist/${name}.js`), ...args], { encoding: 'utf8' });
    const ocr = run('ocr');
    expect(ocr.status, ocr.stderr).toBe(0);
    expect(ocr.stdout).toContain('Commander Eileen Collins');
    const bad = run('detect-text', join(dir, 'missing.png'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('missing.png: cannot read (ENOENT)');
  });
});
