import { describe, expect, it } from 'vitest';
import { dejavu, glyphs, requires, textLine, textPage } from '../src/index.js';

describe('rendered text', requires('fonts-dejavu'), () => {
  it('glyphs: an alpha mask with ink, and half a turn moves every pixel to the opposite corner', async () => {
    const font = dejavu('DejaVuSans.ttf');
    const up = await glyphs('edge 2026', font, 120);
    const down = await glyphs('edge 2026', font, 120, 180);
    expect(up.channels).toBe(1);
    expect([down.width, down.height, down.channels]).toEqual([up.width, up.height, up.channels]);
    expect(up.alpha.some((a) => a === 0)).toBe(true);
    expect(up.alpha.some((a) => a > 200)).toBe(true);
    const { width: w, height: h } = up;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) expect(down.alpha[(h - 1 - y) * w + (w - 1 - x)]).toBe(up.alpha[y * w + x]);
    }
  });

  it('textPage and textLine: the same seed, the same PNG; another seed, another', async () => {
    expect((await textPage(1)).equals(await textPage(1))).toBe(true);
    expect((await textPage(1)).equals(await textPage(2))).toBe(false);
    expect((await textLine(5, false)).equals(await textLine(5, false))).toBe(true);
    expect((await textLine(5, false)).equals(await textLine(5, true))).toBe(false);
  });
});
