// The native kernel against the TypeScript kernel (same output on random jobs: floats within 1e-6,
// integers exactly, and nothing written outside the job's slot) and against OpenCV on real photos.
// The addon is built by `pnpm --filter @edge/preprocess build` (CI builds it): when it is missing,
// every test that needs it fails with the loader's reason, except the status tests.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ArgumentError, isEdgeError } from '@edge/core';
import { expectError, PYTHON, photo, requires, rng } from '@edge/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { allocateOutput } from '../src/kernel/convert.js';
import {
  type Interpolation,
  type KernelJob,
  loadNativeKernel,
  type NativeKernel,
  type OutputArray,
  runKernel,
  runReferenceKernel,
} from '../src/kernel/index.js';
import { nativeKernelStatus } from '../src/native.js';
import { MEAN, maxDiff, randomJob, STD, scribble } from './helpers/random-jobs.js';

const here = dirname(fileURLToPath(import.meta.url));

function native(): NativeKernel {
  const kernel = loadNativeKernel();
  if (kernel === undefined) {
    throw new Error(
      `native kernel not available (CI builds it with \`pnpm --filter @edge/preprocess build\`): ${nativeKernelStatus().reason}`,
    );
  }
  return kernel;
}

function withDst(job: KernelJob, dst: OutputArray): KernelJob {
  return { ...job, dst };
}

function describeJob(job: KernelJob): string {
  const { src, dst, ...rest } = job;
  return JSON.stringify({ ...rest, srcLength: src.length, dstLength: dst.length });
}

function expectSame(job: KernelJob, expected: OutputArray, got: OutputArray): void {
  const diff = maxDiff(expected, got);
  const limit = job.dtype === 'float32' ? 1e-6 : 0;
  if (diff > limit) throw new Error(`native differs from runKernel by ${diff} on ${describeJob(job)}`);
}

describe('nativeKernelStatus', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('reports whether the addon loaded, and the reason when it did not', () => {
    const status = nativeKernelStatus();
    if (status.available) {
      expect(status.reason).toBeUndefined();
      expect(status.path).toMatch(/\.node$/);
      expect(['prebuild', 'source-build']).toContain(status.source);
      expect(status.threads).toBeGreaterThanOrEqual(1);
      expect(loadNativeKernel()).toBeDefined();
    } else {
      expect(status.reason).toMatch(/build:native/);
      expect(loadNativeKernel()).toBeUndefined();
    }
  });

  it('says how to build it when the addon file is missing (EDGE_PREPROCESS_NATIVE points nowhere)', async () => {
    vi.stubEnv('EDGE_PREPROCESS_NATIVE', join(tmpdir(), 'no-such-dir', 'edge_preprocess.node'));
    vi.resetModules();
    const fresh = await import('../src/native.js');
    expect(fresh.loadNativeKernel()).toBeUndefined();
    const status = fresh.nativeKernelStatus();
    expect(status.available).toBe(false);
    expect(status.reason).toContain('no-such-dir');
    expect(status.reason).toContain('not found');
    expect(status.reason).toContain('pnpm --filter @edge/preprocess build:native');
  });

  it('reports a file that is not an addon as failing to load, without throwing', async () => {
    vi.stubEnv('EDGE_PREPROCESS_NATIVE', join(here, 'native.test.ts'));
    vi.resetModules();
    const fresh = await import('../src/native.js');
    expect(fresh.loadNativeKernel()).toBeUndefined();
    expect(fresh.nativeKernelStatus().reason).toMatch(/failed to load/);
  });

  it("finds the addon from its own files, not the caller's, when called from `node -e` (ESM and CommonJS builds)", () => {
    const root = join(here, '..');
    const expected = nativeKernelStatus();
    for (const script of [
      `import(${JSON.stringify(join(root, 'dist/index.js'))}).then((m) => console.log(JSON.stringify(m.nativeKernelStatus())))`,
      `console.log(JSON.stringify(require(${JSON.stringify(join(root, 'dist/index.cjs'))}).nativeKernelStatus()))`,
    ]) {
      const r = spawnSync(process.execPath, ['-e', script], { cwd: tmpdir(), encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const status = JSON.parse(r.stdout);
      expect(status.reason ?? '').not.toContain('[eval]');
      expect(status.available).toBe(expected.available);
      // The prebuild for this platform and architecture first: what the package ships.
      const prebuilds = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
      if (status.available) expect(status.path).toBe(join(prebuilds, 'node.napi.glibc.node'));
      else expect(status.reason).toContain(prebuilds);
    }
  });

  it('can be switched off with EDGE_PREPROCESS_NATIVE=off', async () => {
    vi.stubEnv('EDGE_PREPROCESS_NATIVE', 'off');
    vi.resetModules();
    const fresh = await import('../src/native.js');
    expect(fresh.loadNativeKernel()).toBeUndefined();
    expect(fresh.nativeKernelStatus()).toEqual({
      available: false,
      reason: 'the native kernel is disabled by EDGE_PREPROCESS_NATIVE=off',
    });
  });
});

describe('native kernel = TypeScript kernel', () => {
  it('gives the same output on 600 random jobs (every interpolation, dtype, layout; crops, pads, overhangs)', () => {
    const kernel = native();
    const r = rng(20261126);
    const seen = new Set<string>();
    for (let n = 0; n < 600; n++) {
      const job = randomJob(r);
      seen.add(`${job.interpolation}/${job.dtype}/${job.layout}/${job.srcChannels}`);
      const expected = job.dst;
      scribble(expected, n);
      const got = expected.slice();
      runKernel(job);
      kernel.run(withDst(job, got));
      expectSame(job, expected, got);
    }
    // 3 interpolations x 4 dtypes x 2 layouts x 3 source channel counts.
    expect(seen.size).toBe(72);
  });

  it('matches on frame-sized jobs (1920x1080 to 640x640 letterbox and 224x224), split across threads', () => {
    const kernel = native();
    const r = rng(7);
    for (const [ow, oh, dstRect] of [
      [640, 640, { x: 0, y: 140, width: 640, height: 360 }],
      [224, 224, { x: 0, y: 0, width: 224, height: 224 }],
      [256, 256, { x: -99, y: -16, width: 455, height: 256 }],
    ] as const) {
      for (const interpolation of ['bilinear', 'nearest', 'area'] as const) {
        const job = randomJob(r, {
          srcWidth: 1920,
          srcHeight: 1080,
          srcChannels: 3,
          outWidth: ow,
          outHeight: oh,
          dstRect,
          interpolation,
          dtype: 'float32',
          channelMap: [2, 1, 0],
          mul: STD.map((s) => 1 / (255 * s)),
          add: MEAN.map((m, c) => -m / STD[c]!),
          pad: [114, 114, 114],
          quantScale: 1,
          quantZeroPoint: 0,
        });
        const full = { x: 0, y: 0, width: 1920, height: 1080 };
        const size = 3 * ow * oh;
        const frame = {
          ...job,
          srcRect: full,
          srcStride: 1920 * 3,
          dstOffset: 0,
          dst: new Float32Array(size),
        };
        frame.src = new Uint8Array(1920 * 1080 * 3);
        for (let i = 0; i < frame.src.length; i++) frame.src[i] = (i * 13 + (i >> 11)) & 255;
        const got = new Float32Array(size);
        runKernel(frame);
        kernel.run(withDst(frame, got));
        expectSame(frame, frame.dst, got);
      }
    }
  });

  it('runAsync writes a batch into one tensor exactly as runKernel does job by job', async () => {
    const kernel = native();
    const r = rng(99);
    const batch = 8;
    const template = randomJob(r, { dtype: 'float32', outWidth: 64, outHeight: 48, srcChannels: 3 });
    const size = template.channelMap.length * 64 * 48;
    const expected = new Float32Array(batch * size + 5);
    scribble(expected, 1);
    const got = expected.slice();
    const jobs: KernelJob[] = [];
    for (let k = 0; k < batch; k++) {
      const job = randomJob(r, {
        dtype: 'float32',
        srcChannels: 3,
        outWidth: 64,
        outHeight: 48,
        channelMap: template.channelMap,
        layout: template.layout,
        dst: expected,
        dstOffset: k * size,
      });
      runKernel(job);
      jobs.push(withDst(job, got));
    }
    await kernel.runAsync(jobs);
    expect(maxDiff(expected, got)).toBeLessThanOrEqual(1e-6);
  });

  it('runs several runAsync calls at once, each correct (the worker pool is shared)', async () => {
    const kernel = native();
    const r = rng(5);
    const jobs = Array.from({ length: 6 }, () =>
      randomJob(r, { srcWidth: 400, srcHeight: 300, outWidth: 200, outHeight: 150 }),
    );
    const expected = jobs.map((job) => {
      runKernel(job);
      return job.dst;
    });
    const outs = jobs.map((job) => allocateOutput(job.dtype, job.dst.length));
    await Promise.all(jobs.map((job, i) => kernel.runAsync([withDst(job, outs[i]!)])));
    jobs.forEach((job, i) => {
      expectSame(job, expected[i]!, outs[i]!);
    });
  });

  it('keeps the arrays alive while the work runs off the main thread', async () => {
    const kernel = native();
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const r = rng(11);
    const make = () =>
      randomJob(r, { srcWidth: 1920, srcHeight: 1080, outWidth: 640, outHeight: 640, dtype: 'float32' });
    const job = make();
    runKernel(job);
    const expected = job.dst.slice();
    const got = allocateOutput('float32', job.dst.length);
    // Only the kernel holds the source and its copy of the job after this call.
    const pending = kernel.runAsync([{ ...job, src: job.src.slice(), dst: got }]);
    for (let i = 0; i < 5; i++) gc();
    await pending;
    expect(maxDiff(expected, got)).toBeLessThanOrEqual(1e-6);
  });
});

describe('argument checks: one validator before every kernel (nothing reaches C++ unchecked, nothing is half written)', () => {
  const base = (): KernelJob =>
    randomJob(rng(3), {
      srcWidth: 8,
      srcHeight: 6,
      srcChannels: 3,
      srcStride: 24,
      srcRect: { x: 0, y: 0, width: 8, height: 6 },
      outWidth: 4,
      outHeight: 4,
      dstRect: { x: 0, y: 0, width: 4, height: 4 },
      channelMap: [2, 1, 0],
      mul: [1, 1, 1],
      add: [0, 0, 0],
      pad: [0, 0, 0],
      dtype: 'float32',
      dst: new Float32Array(48),
      dstOffset: 0,
    });

  const expectArgumentError = (fn: () => unknown, message: string | RegExp): void =>
    expect(isEdgeError(expectError(fn, ArgumentError, message), 'EDGE_ARGUMENT')).toBe(true);

  // Jobs that differ from base() in the fields given: what is wrong, those fields, the message.
  const badJobs: [string, Partial<KernelJob>, string | RegExp][] = [
    [
      'srcChannels 2',
      { srcChannels: 2 as 3 },
      'Expected one of 1, 3, 4 for job.srcChannels but received 2 of type number',
    ],
    [
      'a source shorter than its rows',
      { src: new Uint8Array(100) },
      'Expected at least 144 (srcHeight 6 rows of srcStride 24 bytes) for job.src.length but received 100 of type number',
    ],
    [
      'srcRect reaching past the source',
      { srcRect: { x: 4, y: 0, width: 5, height: 6 } },
      'Expected positive integer of at most 4 for job.srcRect.width but received 5 of type number',
    ],
    [
      'a fractional dstRect position',
      { dstRect: { x: 0.5, y: 0, width: 4, height: 4 } },
      /^Expected integer between -1048576 and 1048576 for job\.dstRect\.x but received 0\.5/,
    ],
    [
      'a channel map entry the source does not have',
      { channelMap: [0, 3, 1] },
      'Expected integer between 0 and 2 for job.channelMap[1] but received 3 of type number',
    ],
    ['mul with the wrong count', { mul: [1, 1] }, /^Expected array of 3 finite numbers/],
    [
      'NaN in add',
      { add: [0, Number.NaN, 0] },
      'Expected finite number for job.add[1] but received NaN of type number',
    ],
    [
      'dst of another element type than dtype',
      { dst: new Uint8Array(48) },
      'Expected Float32Array (the storage of float32) for job.dst but received Uint8Array of type object',
    ],
    ['no room at dstOffset', { dstOffset: 1 }, /for job\.dstOffset but received 1/],
    [
      'a zero quantScale',
      { dtype: 'uint8', dst: new Uint8Array(48), quantScale: 0 },
      'Expected positive finite number for job.quantScale but received 0 of type number',
    ],
    [
      'an unknown interpolation',
      { interpolation: 'cubic' as 'area' },
      'Expected one of "bilinear", "nearest", "area" for job.interpolation but received "cubic" of type string',
    ],
  ];

  const kernels: [string, (job: KernelJob) => void][] = [
    ['runKernel', runKernel],
    ['runReferenceKernel', runReferenceKernel],
    ['native run', (job) => native().run(job)],
  ];
  describe.each(kernels)('%s', (_, run) => {
    it.each(badJobs)('BAD CALL - %s', (_, fields, message) => {
      expectArgumentError(() => run({ ...base(), ...fields }), message);
    });

    it('BAD CALL - dst sharing bytes with src', () => {
      const memory = new ArrayBuffer(4096);
      const src = new Uint8Array(memory, 0, 144);
      const dst = new Float32Array(memory, 128, 48);
      expectArgumentError(() => run({ ...base(), src, dst }), /^job\.dst overlaps job\.src/);
    });

    it('BAD CALL - a job that fails its checks writes nothing', () => {
      const dst = new Float32Array(48).fill(7);
      expectArgumentError(
        () => run({ ...base(), dst, pad: [0, 0, Number.POSITIVE_INFINITY] }),
        /for job\.pad\[2\]/,
      );
      expect(dst.every((v) => v === 7)).toBe(true);
    });
  });

  it('BAD CALL - runAsync with two jobs writing the same elements rejects and writes nothing', async () => {
    const dst = new Float32Array(96).fill(7);
    const a = { ...base(), dst, dstOffset: 0 };
    const b = { ...base(), dst, dstOffset: 40 };
    await expect(native().runAsync([a, b])).rejects.toThrow(
      /jobs\[0\] and jobs\[1\] write overlapping elements/,
    );
    expect(dst.every((v) => v === 7)).toBe(true);
  });

  it('BAD CALL - runAsync with a bad second job rejects (does not throw) and writes nothing', async () => {
    const dst = new Float32Array(96).fill(7);
    const promise = native().runAsync([
      { ...base(), dst, dstOffset: 0 },
      { ...base(), dst, dstOffset: 48, srcHeight: 0 },
    ]);
    await expect(promise).rejects.toBeInstanceOf(ArgumentError);
    await expect(promise).rejects.toThrow(
      'Expected positive integer of at most 1048576 for jobs[1].srcHeight',
    );
    expect(dst.every((v) => v === 7)).toBe(true);
  });

  it('BAD CALL - runAsync of something that is not an array', async () => {
    await expect(native().runAsync({} as KernelJob[])).rejects.toThrow(
      'Expected array of KernelJob for jobs but received Object of type object',
    );
  });

  it('EXPECTED FAILURE - the addon itself refuses a bad packed job with an exception, never a stray write', () => {
    native();
    const binding = createRequire(import.meta.url)(nativeKernelStatus().path!) as {
      run(src: Uint8Array, dst: Float32Array, ints: Int32Array, floats: Float64Array): void;
    };
    const ints = new Int32Array(24);
    // 8x6 BGR source, srcRect 8 wide starting at x = 4: past the source.
    ints.set([8, 6, 24, 3, 4, 0, 8, 6, 0, 0, 4, 4, 4, 4, 0, 0, 0, 3, 2, 1, 0, 0]);
    const floats = new Float64Array(16);
    floats[12] = 1;
    expect(() => binding.run(new Uint8Array(144), new Float32Array(48), ints, floats)).toThrow(
      'srcRect outside the source',
    );
    ints[4] = 0;
    floats[13] = 1; // dstOffset 1: no room for 48 elements
    expect(() => binding.run(new Uint8Array(144), new Float32Array(48), ints, floats)).toThrow(
      /destination too short/,
    );
  });
});

// Golden tensors straight from OpenCV: the photo is decoded by cv2.imread and handed over as raw BGR
// bytes, so only the resize and the normalisation are compared.
const PHOTOS = [photo('opencv/fruits.jpg'), photo('skimage/astronaut.png')];

const GOLDEN = `
import json, sys
import cv2, numpy as np
photo, out, name = sys.argv[1], sys.argv[2], sys.argv[3]
img = cv2.imread(photo, cv2.IMREAD_COLOR)
frame = cv2.resize(img, (1920, 1080), interpolation=cv2.INTER_CUBIC)
mean = np.array([0.485, 0.456, 0.406], np.float32)
std = np.array([0.229, 0.224, 0.225], np.float32)
interps = {"bilinear": cv2.INTER_LINEAR, "nearest": cv2.INTER_NEAREST, "area": cv2.INTER_AREA}
cases = []
for src_name, src in (("photo", img), ("frame", frame)):
    np.ascontiguousarray(src).tofile(f"{out}/{name}.{src_name}.bgr")
    for (w, h, letterbox) in ((224, 224, False), (640, 640, True), (300, 200, False)):
        for interp in ("bilinear", "nearest", "area"):
            H, W = src.shape[:2]
            if letterbox:
                r = min(w / W, h / H)
                nw, nh = int(round(W * r)), int(round(H * r))
                x, y = (w - nw) // 2, (h - nh) // 2
                canvas = np.full((h, w, 3), 114, np.uint8)
                canvas[y:y + nh, x:x + nw] = cv2.resize(src, (nw, nh), interpolation=interps[interp])
                rect = [x, y, nw, nh]
            else:
                canvas = cv2.resize(src, (w, h), interpolation=interps[interp])
                rect = [0, 0, w, h]
            norm = ((canvas[..., ::-1].astype(np.float32) / np.float32(255) - mean) / std).transpose(2, 0, 1)
            case = f"{name}.{src_name}.{w}x{h}.{interp}"
            canvas.tofile(f"{out}/{case}.u8")
            np.ascontiguousarray(norm, dtype="<f4").tofile(f"{out}/{case}.f32")
            cases.append({"case": case, "src": src_name, "srcWidth": W, "srcHeight": H, "width": w, "height": h,
                          "interpolation": interp, "rect": rect})
print(json.dumps({"opencv": cv2.__version__, "cases": cases}))
`;

interface GoldenCase {
  case: string;
  src: string;
  srcWidth: number;
  srcHeight: number;
  width: number;
  height: number;
  interpolation: Interpolation;
  rect: [number, number, number, number];
}

describe(
  'native kernel = OpenCV on real photos (python3-opencv goldens)',
  requires('python-opencv', 'photos'),
  () => {
    let dir = '';
    const cases: { photo: string; golden: GoldenCase }[] = [];

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'edge-native-golden-'));
      PHOTOS.forEach((photo, i) => {
        const run = spawnSync(PYTHON, ['-c', GOLDEN, photo, dir, `p${i}`], { encoding: 'utf8' });
        if (run.status !== 0) throw new Error(`golden script failed: ${run.stderr}`);
        const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as { cases: GoldenCase[] };
        for (const golden of out.cases) cases.push({ photo: `p${i}`, golden });
      });
    });
    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    function jobFor(photo: string, g: GoldenCase, dtype: 'float32' | 'uint8'): KernelJob {
      const src = new Uint8Array(readFileSync(join(dir, `${photo}.${g.src}.bgr`)));
      const [x, y, width, height] = g.rect;
      const float = dtype === 'float32';
      return {
        src,
        srcWidth: g.srcWidth,
        srcHeight: g.srcHeight,
        srcStride: g.srcWidth * 3,
        srcChannels: 3,
        channelMap: float ? [2, 1, 0] : [0, 1, 2],
        srcRect: { x: 0, y: 0, width: g.srcWidth, height: g.srcHeight },
        dstRect: { x, y, width, height },
        outWidth: g.width,
        outHeight: g.height,
        interpolation: g.interpolation,
        mul: float ? STD.map((s) => 1 / (255 * s)) : [1, 1, 1],
        add: float ? MEAN.map((m, c) => -m / STD[c]!) : [0, 0, 0],
        pad: [114, 114, 114],
        layout: float ? 'nchw' : 'nhwc',
        dtype,
        quantScale: 1,
        quantZeroPoint: 0,
        dst: float ? new Float32Array(3 * g.width * g.height) : new Uint8Array(3 * g.width * g.height),
        dstOffset: 0,
      };
    }

    it('resized uint8 pixels equal cv2.resize exactly (bilinear, nearest, area; down and up; letterbox pad)', () => {
      const kernel = native();
      expect(cases.length).toBe(36);
      for (const { photo, golden } of cases) {
        const job = jobFor(photo, golden, 'uint8');
        kernel.run(job);
        const want = new Uint8Array(readFileSync(join(dir, `${golden.case}.u8`)));
        const diff = maxDiff(want, job.dst);
        if (diff !== 0) throw new Error(`${golden.case}: uint8 differs from cv2.resize by up to ${diff}`);
      }
    });

    it('normalised float32 NCHW is within 1e-5 of cv2.resize + numpy normalisation (sync and async)', async () => {
      const kernel = native();
      for (const { photo, golden } of cases) {
        const want = new Float32Array(new Uint8Array(readFileSync(join(dir, `${golden.case}.f32`))).buffer);
        const job = jobFor(photo, golden, 'float32');
        kernel.run(job);
        expect(maxDiff(want, job.dst), golden.case).toBeLessThanOrEqual(1e-5);
        const again = { ...job, dst: new Float32Array(job.dst.length) };
        await kernel.runAsync([again]);
        expect(maxDiff(job.dst, again.dst), golden.case).toBe(0);
      }
    });
  },
);
