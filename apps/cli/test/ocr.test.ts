// `edge ocr` as a user runs it: the built CLI in a child process with the bundled PaddleOCR
// models, on OpenCV's imageTextN.png (a photo of a printed page): its lines, JSON, drawing, and
// one line with exit code 2 for a bad call.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { photo, requires, scratchDir } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { edge } from './helpers/edge.js';

const PAGE = photo('opencv/imageTextN.png');
const dir = scratchDir('edge-ocr-');

describe('edge ocr', requires('photos'), () => {
  it('reads the page line by line, writes the drawing and the JSON', () => {
    const out = join(dir, 'out');
    const r = edge('ocr', PAGE, '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`${PAGE}  556x257  13 lines`);
    expect(lines[1]).toMatch(
      /^ {2}0\.\d\d {2}\[\d+,\d+,\d+,\d+\] {2}technical details are too complex to cover in the book itself\.$/,
    );
    expect(r.stdout).toContain(`wrote ${join(out, 'imageTextN.ocr.png')}`);
    const json = JSON.parse(readFileSync(join(out, 'imageTextN.ocr.json'), 'utf8'));
    expect(json.lines).toHaveLength(13);
    expect(json.lines.at(-1).text).toBe('inspiration from three high-level approaches:');
    expect(readFileSync(join(out, 'imageTextN.ocr.png')).subarray(1, 4).toString()).toBe('PNG');
  }, 60_000);

  it('BAD CALL - no image, a bad batch size, a missing model: one line, exit 2', () => {
    const none = edge('ocr');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('edge ocr: expected at least one image');
    const batch = edge('ocr', PAGE, '--batch', '0');
    expect(batch.code).toBe(2);
    expect(batch.stderr).toContain("--batch expects a positive integer, got '0'");
    const model = edge('ocr', PAGE, '--det', join(dir, 'nope.onnx'));
    expect(model.code).toBe(2);
    expect(model.stderr.trim().split('\n')).toHaveLength(1);
    expect(model.stderr).toContain('nope.onnx');
  });
});
