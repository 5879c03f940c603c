// `edge preprocess` and `edge postprocess` as a user runs them: the built CLI in a child process,
// its .npy checked with numpy.load against the library, and the round trip back to an image.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { preprocess } from '@edge/preprocess';
import { photo, requires, runPython, scratchDir } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { CLI, edge } from './helpers/edge.js';

const ASTRONAUT = photo('skimage/astronaut.png');
const FRUITS = photo('opencv/fruits.jpg');
const dir = scratchDir('edge-cli-pre-');

function numpy(code: string, ...args: string[]): string {
  return runPython(['-c', `import sys, numpy as np\n${code}`, ...args])
    .toString()
    .trim();
}

describe('edge preprocess', requires('photos', 'python-numpy'), () => {
  it('writes a batch numpy loads, equal to the library output', async () => {
    const out = join(dir, 'yolo.npy');
    const r = edge(
      'preprocess',
      ASTRONAUT,
      FRUITS,
      '--preset',
      'yolo',
      '--kernel',
      'typescript',
      '--out',
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/yolo\.npy {2}float32 \[2, 3, 640, 640\] {2}9\.38 MiB {2}\(typescript kernel\)/);
    expect(r.stdout).toMatch(/fruits\.jpg {2}512x480 {2}tensor -> original: x \* 0\.8 \+ 0, y \* 0\.8 - 16/);
    const facts = numpy(
      'a = np.load(sys.argv[1]); print(a.dtype, a.shape, repr(float(a[1, 2, 300, 301])), repr(float(a.sum(dtype=np.float64))))',
      out,
    ).split(' ');
    const { tensor } = await preprocess([ASTRONAUT, FRUITS], 'yolo', { kernel: 'typescript' });
    expect(facts.slice(0, 5).join(' ')).toBe('float32 (2, 3, 640, 640)');
    expect(Number(facts[5])).toBe(
      (tensor.data as Float32Array)[640 * 640 * 3 + 2 * 640 * 640 + 300 * 640 + 301],
    );
    const sum = (tensor.data as Float32Array).reduce((a, b) => a + b, 0);
    expect(Number(facts[6])).toBeCloseTo(sum, 0);
  });

  it('builds the spec from flags (NHWC uint8) and prints JSON', () => {
    const out = join(dir, 'u8.npy');
    const r = edge(
      'preprocess',
      ASTRONAUT,
      '--size',
      '64x48',
      '--mode',
      'center-crop',
      '--layout',
      'nhwc',
      '--dtype',
      'uint8',
      '--json',
      '--out',
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.shape).toEqual([1, 48, 64, 3]);
    expect(report.images[0].srcRect).toEqual({ x: 0, y: 64, width: 512, height: 384 });
    expect(numpy('a = np.load(sys.argv[1]); print(a.dtype, a.shape, a.max())', out)).toBe(
      'uint8 (1, 48, 64, 3) 255',
    );
  });

  it('BAD CALL - no spec, a bad flag value, a missing --out: exit 2 with the usage', () => {
    const none = edge('preprocess', ASTRONAUT, '--out', join(dir, 'x.npy'));
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^edge preprocess: give --preset NAME or --size WxH\nusage: edge preprocess/);
    const size = edge('preprocess', ASTRONAUT, '--size', '64', '--out', join(dir, 'x.npy'));
    expect(size.code).toBe(2);
    expect(size.stderr).toMatch(/^edge preprocess: --size expects WxH like 640x640, got '64'/);
    const out = edge('preprocess', ASTRONAUT, '--preset', 'yolo');
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/^edge preprocess: --out FILE is required/);
    const layout = edge(
      'preprocess',
      ASTRONAUT,
      '--size',
      '8x8',
      '--layout',
      'chw',
      '--out',
      join(dir, 'x.npy'),
    );
    expect(layout.code).toBe(2);
    expect(layout.stderr).toBe(
      'edge preprocess: Expected one of "nchw", "nhwc" for spec.layout but received "chw" of type string\n',
    );
  });

  it('EXPECTED FAILURE - a write that fails (file size limit, as on a full disk) leaves the old file whole', () => {
    const sub = mkdtempSync(join(dir, 'full-'));
    const out = join(sub, 'kept.npy');
    writeFileSync(out, 'old tensor');
    // 64x64 float32 RGB is 48 KiB; ulimit -f 8 allows 8 KiB, so the write fails with EFBIG part way.
    const r = spawnSync(
      'bash',
      [
        '-c',
        'ulimit -f 8; exec "$@"',
        'bash',
        process.execPath,
        CLI,
        'preprocess',
        ASTRONAUT,
        '--size',
        '64x64',
        '--out',
        out,
      ],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^edge preprocess: cannot write .*EFBIG/);
    expect(r.stderr).toContain(`cannot write ${out}: `);
    expect(readFileSync(out, 'utf8')).toBe('old tensor');
    expect(readdirSync(sub)).toEqual(['kept.npy']);
  });

  it('EXPECTED FAILURE - an unreadable image is one line naming it, exit 2, no file written', () => {
    const out = join(dir, 'never.npy');
    const r = edge('preprocess', ASTRONAUT, join(dir, 'missing.png'), '--preset', 'yolo', '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`edge preprocess: ${join(dir, 'missing.png')}: cannot read (ENOENT)\n`);
    expect(existsSync(out)).toBe(false);
  });
});

describe('edge postprocess', requires('photos', 'python-numpy'), () => {
  it('turns a preprocessed tensor back into the image (lossless without a resize)', () => {
    const npy = join(dir, 'same.npy');
    expect(
      edge('preprocess', ASTRONAUT, '--preset', 'imagenet-caffe', '--size', '512x512', '--out', npy).code,
    ).toBe(0);
    const png = join(dir, 'same.png');
    const r = edge('postprocess', npy, '--preset', 'imagenet-caffe', '--out', png);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${png}  512x512 rgb (image)\n`);
    // OpenCV reads both files to the same pixels.
    expect(
      numpy(
        'import cv2; print(int(np.abs(cv2.imread(sys.argv[1]).astype(int) - cv2.imread(sys.argv[2])).max()))',
        png,
        ASTRONAUT,
      ),
    ).toBe('0');
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
  });

  it('colour-maps a score map', () => {
    const npy = join(dir, 'scores.npy');
    numpy('np.save(sys.argv[1], np.linspace(0, 1, 64, dtype=np.float32).reshape(1, 1, 8, 8))', npy);
    const r = edge('postprocess', npy, '--colormap', 'jet', '--out', join(dir, 'scores.jpg'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/scores\.jpg {2}8x8 rgb \(scores\)/);
  });

  it('EXPECTED FAILURE - a file that is not .npy', () => {
    const r = edge('postprocess', ASTRONAUT, '--out', join(dir, 'x.png'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `edge postprocess: ${ASTRONAUT}: not a readable .npy file: missing the \\x93NUMPY magic\n`,
    );
  });

  it('EXPECTED FAILURE - a .npy that cannot be read is one line naming it, exit 2, no image written', () => {
    const out = join(dir, 'never.png');
    const r = edge('postprocess', join(dir, 'missing.npy'), '--preset', 'imagenet', '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`edge postprocess: ${join(dir, 'missing.npy')}: cannot read (ENOENT)\n`);
    expect(existsSync(out)).toBe(false);
  });
});
