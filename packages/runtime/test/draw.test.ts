// Drawing of results: every pixel a primitive changes is where the shape is and nothing else
// changes; whole results drawn on a decoded PNG and written as PNG/JPEG, compared with the
// original pixel by pixel; bad calls name the argument; a failed write leaves the old file.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError, FileIOError } from '@edge/core';
import { expectError, scratchDir } from '@edge/test-utils';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Canvas,
  DEFAULT_PALETTE,
  type DrawableResult,
  drawBox,
  drawKeypoints,
  drawMask,
  drawOnCanvas,
  drawPolygon,
  drawResults,
  loadCanvas,
  type Rgb,
  writeResultImage,
} from '../src/index.js';

const dir = scratchDir('edge-draw-');

const RED: Rgb = [255, 0, 0];

function blank(width: number, height: number): Canvas {
  return { data: new Uint8Array(width * height * 3), width, height, order: 'rgb', stride: width * 3 };
}

/** `x,y` of every pixel that is not black. */
function painted(c: Canvas): Set<string> {
  const out = new Set<string>();
  for (let y = 0; y < c.height; y++) {
    for (let x = 0; x < c.width; x++) {
      const i = y * c.stride + x * 3;
      if (c.data[i] || c.data[i + 1] || c.data[i + 2]) out.add(`${x},${y}`);
    }
  }
  return out;
}

function pixel(c: Canvas, x: number, y: number): number[] {
  const i = y * c.stride + x * 3;
  return [...c.data.subarray(i, i + 3)];
}

const expectArgumentError = (fn: () => unknown, message: string | RegExp) =>
  expectError(fn, ArgumentError, message);

describe('primitives', () => {
  it('a box paints exactly its stroke, inside the box, and nothing else', () => {
    for (const lineWidth of [1, 2, 3]) {
      const c = blank(40, 30);
      drawBox(c, [5, 4, 25, 20], RED, lineWidth);
      const expected = new Set<string>();
      for (let y = 4; y < 20; y++) {
        for (let x = 5; x < 25; x++) {
          const edge = x < 5 + lineWidth || x >= 25 - lineWidth || y < 4 + lineWidth || y >= 20 - lineWidth;
          if (edge) expected.add(`${x},${y}`);
        }
      }
      expect(painted(c)).toEqual(expected);
      expect(pixel(c, 5, 4)).toEqual([...RED]);
    }
  });

  it('a box with fractional edges covers the pixels holding them; one hanging off the canvas is clipped', () => {
    const c = blank(20, 20);
    drawBox(c, [2.6, 3.2, 9.4, 7.9], RED, 1);
    const xs = [...painted(c)].map((p) => Number(p.split(',')[0]));
    const ys = [...painted(c)].map((p) => Number(p.split(',')[1]));
    expect([Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]).toEqual([2, 3, 9, 7]);
    const d = blank(10, 10);
    drawBox(d, [-5, -5, 5, 15], RED, 1);
    // Left and top edges are off the canvas: only the right edge x = 4 is left.
    expect(painted(d)).toEqual(new Set(Array.from({ length: 10 }, (_, y) => `4,${y}`)));
  });

  it('a polygon paints along its edges only: every painted pixel is near an edge, every vertex is painted', () => {
    const c = blank(64, 64);
    const quad = [
      { x: 10, y: 20 },
      { x: 40, y: 8 },
      { x: 52, y: 38 },
      { x: 22, y: 50 },
    ];
    drawPolygon(c, quad, RED, 1);
    for (const p of quad) expect(pixel(c, p.x, p.y)).toEqual([...RED]);
    const distance = (px: number, py: number) =>
      Math.min(
        ...quad.map((a, i) => {
          const b = quad[(i + 1) % quad.length]!;
          const [dx, dy] = [b.x - a.x, b.y - a.y];
          const t = Math.max(0, Math.min(1, ((px - a.x) * dx + (py - a.y) * dy) / (dx * dx + dy * dy)));
          return Math.hypot(px - (a.x + t * dx), py - (a.y + t * dy));
        }),
      );
    const pixels = painted(c);
    for (const p of pixels) {
      const [x, y] = p.split(',').map(Number) as [number, number];
      expect(distance(x, y)).toBeLessThanOrEqual(1);
    }
    // Closed outline: at least one pixel per unit of its longest axis on each edge.
    expect(pixels.size).toBeGreaterThanOrEqual(30 + 30 + 30 + 30);
  });

  it('keypoints are squares of 2r + 1 pixels around the pixel holding each point', () => {
    const c = blank(30, 30);
    drawKeypoints(
      c,
      [
        { x: 10.7, y: 5.2 },
        { x: 20, y: 20 },
      ],
      RED,
      1,
    );
    const expected = new Set<string>();
    for (const [cx, cy] of [
      [10, 5],
      [20, 20],
    ] as const) {
      for (let y = cy - 1; y <= cy + 1; y++) for (let x = cx - 1; x <= cx + 1; x++) expected.add(`${x},${y}`);
    }
    expect(painted(c)).toEqual(expected);
    // A point on the far edge (heads clamp to width) lands on the last pixel.
    const d = blank(8, 8);
    drawKeypoints(d, [{ x: 8, y: 8 }], RED, 0);
    expect(painted(d)).toEqual(new Set(['7,7']));
  });

  it('a mask tints class k with palette[k - 1] at the opacity, and leaves background pixels alone', () => {
    const c = blank(4, 2);
    c.data.fill(100);
    drawMask(
      c,
      { width: 4, height: 2, data: Uint8Array.from([0, 1, 2, 0, 3, 0, 1, 9]) },
      DEFAULT_PALETTE,
      0.25,
    );
    const tint = (k: number) => DEFAULT_PALETTE[k - 1]!.map((v) => Math.round(100 * 0.75 + v * 0.25));
    expect(pixel(c, 0, 0)).toEqual([100, 100, 100]);
    expect(pixel(c, 1, 0)).toEqual(tint(1));
    expect(pixel(c, 2, 0)).toEqual(tint(2));
    expect(pixel(c, 0, 1)).toEqual(tint(3));
    expect(pixel(c, 3, 1)).toEqual(tint(9 - DEFAULT_PALETTE.length));
    expect(pixel(c, 3, 0)).toEqual([100, 100, 100]);
  });

  it('BAD CALL - a colour out of range, a zero line width, a NaN point, a box of three numbers', () => {
    const c = blank(8, 8);
    expectArgumentError(
      () => drawBox(c, [0, 0, 4, 4], [0, 256, 0]),
      'Expected integer between 0 and 255 for color[1] but received 256 of type number',
    );
    expectArgumentError(
      () => drawBox(c, [0, 0, 4, 4], RED, 0),
      'Expected integer between 1 and 256 for lineWidth but received 0 of type number',
    );
    expectArgumentError(
      () => drawKeypoints(c, [{ x: Number.NaN, y: 1 }], RED),
      'Expected finite number for points[0].x but received NaN of type number',
    );
    expectArgumentError(
      () => drawBox(c, [0, 0, 4] as never, RED),
      'Expected [x1, y1, x2, y2] of finite numbers for box but received [0, 0, 4] of type object',
    );
    expect(painted(c).size).toBe(0);
  });

  it('BAD CALL - a mask of another size than the canvas', () => {
    expectArgumentError(
      () => drawMask(blank(4, 4), { width: 2, height: 2, data: new Uint8Array(4) }),
      'Expected a 4x4 class map (one value per canvas pixel) for mask but received "2x2 with 4 values" of type string',
    );
  });
});

describe('drawResults and writeResultImage', () => {
  const W = 48;
  const H = 32;
  const png = join(dir, 'photo.png');
  let original: Canvas;

  beforeAll(async () => {
    // A gradient photo: every pixel differs from its neighbours, so any stray write shows.
    const raw = new Uint8Array(W * H * 3);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) raw.set([x * 5, y * 7, (x + y) * 2], (y * W + x) * 3);
    }
    writeFileSync(
      png,
      await sharp(raw, { raw: { width: W, height: H, channels: 3 } })
        .png()
        .toBuffer(),
    );
    original = await loadCanvas(png);
  });

  const detect: DrawableResult = {
    task: 'detect',
    detections: [
      { box: [4, 2, 20, 14], score: 0.9, classId: 2 },
      { box: [30, 10, 44, 28], score: 0.8, classId: 0 },
    ],
  };

  /** Pixels that differ from the original, as `x,y`. */
  function changed(c: Canvas): Set<string> {
    const out = new Set<string>();
    for (let i = 0; i < c.data.length; i += 3) {
      if (
        c.data[i] !== original.data[i] ||
        c.data[i + 1] !== original.data[i + 1] ||
        c.data[i + 2] !== original.data[i + 2]
      )
        out.add(`${(i / 3) % W},${Math.floor(i / 3 / W)}`);
    }
    return out;
  }

  it('decodes the picture the result came from and draws detections in their class colours, nothing else', async () => {
    const c = await drawResults(png, detect, { lineWidth: 1 });
    expect([c.width, c.height]).toEqual([W, H]);
    const onStroke = (x: number, y: number) =>
      detect.task === 'detect' &&
      detect.detections.some(
        ({ box: [x1, y1, x2, y2] }) =>
          x >= x1 && x < x2 && y >= y1 && y < y2 && (x === x1 || x === x2 - 1 || y === y1 || y === y2 - 1),
      );
    const diff = changed(c);
    expect(diff.size).toBeGreaterThan(0);
    for (const p of diff) {
      const [x, y] = p.split(',').map(Number) as [number, number];
      expect(onStroke(x, y), p).toBe(true);
    }
    expect(pixel(c, 4, 2)).toEqual([...DEFAULT_PALETTE[2]!]);
    expect(pixel(c, 43, 27)).toEqual([...DEFAULT_PALETTE[0]!]);
    // Bytes of the photo give the same picture as its path.
    expect((await drawResults(readFileSync(png), detect, { lineWidth: 1 })).data).toEqual(c.data);
  });

  it('draws faces (box and keypoints), text polygons and a segmentation mask', async () => {
    const face = await drawResults(png, {
      task: 'face',
      faces: [{ box: [10, 5, 30, 25], score: 0.9, keypoints: [{ x: 15, y: 12 }] }],
    });
    expect(pixel(face, 10, 5)).toEqual([...DEFAULT_PALETTE[1]!]);
    expect(pixel(face, 15, 12)).toEqual([...DEFAULT_PALETTE[0]!]);
    expect(pixel(face, 20, 18)).toEqual(pixel(original, 20, 18));

    const text = await drawResults(png, {
      task: 'text',
      boxes: [
        {
          polygon: [
            { x: 5, y: 5 },
            { x: 40, y: 5 },
            { x: 40, y: 20 },
            { x: 5, y: 20 },
          ],
          box: [5, 5, 40, 20],
          score: 0.8,
        },
      ],
    });
    expect(pixel(text, 20, 5)).toEqual([...DEFAULT_PALETTE[0]!]);
    expect(pixel(text, 20, 12)).toEqual(pixel(original, 20, 12));

    const mask = new Uint8Array(W * H);
    mask.fill(1, 0, W); // the first row is class 1
    const seg = await drawResults(png, {
      task: 'segment',
      mask: { width: W, height: H, data: mask },
      classes: [{ classId: 1, pixels: W }],
    });
    expect(changed(seg)).toEqual(new Set(Array.from({ length: W }, (_, x) => `${x},0`)));

    // Landmarks: confident points in palette[1], those judged invisible (or a weak heatmap peak) in palette[0].
    const marks = await drawResults(
      png,
      {
        task: 'landmarks',
        landmarks: [
          { x: 10.5, y: 10.5, visibility: 0.9 },
          { x: 30.5, y: 20.5, visibility: 0.1 },
          { x: 20.5, y: 5.5, score: 0.2 },
        ],
        present: true,
        scores: {},
      },
      { keypointRadius: 0 },
    );
    expect(changed(marks)).toEqual(new Set(['10,10', '30,20', '20,5']));
    expect(pixel(marks, 10, 10)).toEqual([...DEFAULT_PALETTE[1]!]);
    expect(pixel(marks, 30, 20)).toEqual([...DEFAULT_PALETTE[0]!]);
    expect(pixel(marks, 20, 5)).toEqual([...DEFAULT_PALETTE[0]!]);
  });

  it('writes a PNG that decodes to the drawn pixels, and a JPEG close to them', async () => {
    const drawn = await drawResults(png, detect);
    const out = join(dir, 'photo.detect.png');
    await writeResultImage(out, png, detect);
    const back = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    expect(back.info).toMatchObject({ width: W, height: H, channels: 3 });
    expect(new Uint8Array(back.data)).toEqual(drawn.data);

    const jpeg = join(dir, 'photo.detect.jpg');
    await writeResultImage(jpeg, png, detect, { quality: 95 });
    const j = await sharp(jpeg).raw().toBuffer();
    let sum = 0;
    for (let i = 0; i < j.length; i++) sum += Math.abs(j[i]! - drawn.data[i]!);
    expect(sum / j.length).toBeLessThan(6);
  });

  it('EXPECTED FAILURE - a write that fails leaves the old file as it was', async () => {
    const out = join(dir, 'kept.png');
    writeFileSync(out, 'old content');
    await expect(writeResultImage(out, join(dir, 'missing.png'), detect)).rejects.toBeInstanceOf(FileIOError);
    await expect(
      writeResultImage(out, png, { task: 'classify', classes: [] } as unknown as DrawableResult),
    ).rejects.toBeInstanceOf(ArgumentError);
    expect(readFileSync(out, 'utf8')).toBe('old content');
    // The folder does not exist: nothing is written anywhere, the error names the path.
    await expect(writeResultImage(join(dir, 'no-such-dir', 'x.png'), png, detect)).rejects.toThrow(
      /cannot write .*no-such-dir/,
    );
  });

  it('BAD CALL - a classify result, an unknown extension, a bad option', async () => {
    await expect(
      drawResults(png, { task: 'classify', classes: [] } as unknown as DrawableResult),
    ).rejects.toThrow(
      'Expected one of "detect", "face", "text", "segment", "landmarks" for result.task but received "classify" of type string',
    );
    await expect(writeResultImage(join(dir, 'x.gif'), png, detect)).rejects.toThrow(
      /^Expected file name ending in \.png, \.jpg or \.jpeg for path but received ".*x\.gif" of type string$/,
    );
    await expect(drawResults(png, detect, { maskOpacity: 2 })).rejects.toThrow(
      'Expected finite number between 0 and 1 for options.maskOpacity but received 2 of type number',
    );
    expectArgumentError(
      () => drawOnCanvas(blank(4, 4), detect, { palette: [] }),
      'Expected non-empty array of [red, green, blue] for options.palette but received [] of type object',
    );
  });
});
