// Status and typed errors on this machine, which has no TensorRT, no driver and no GPU (a CUDA
// toolkit may be installed: its libcudart then loads for real).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnavailableError } from '@edge/core';
import { requires, scratchDir } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import {
  formatCudaVersion,
  formatTensorRTVersion,
  libraryCandidates,
  searchDirectories,
  trtStatus,
} from '../src/index.js';
import { loadRuntime } from '../src/loader.js';
import { requireTensorRT, statusOf } from '../src/status.js';

const dir = scratchDir('edge-trt-status-');
const PREBUILDS = join(dirname(fileURLToPath(import.meta.url)), '..', 'prebuilds', `linux-${process.arch}`);
const PREBUILD_FILE = 'node.napi.glibc.node';

describe('library search order', () => {
  it('EDGE_TRT_LIB_DIR, then TENSORRT_ROOT, then JetPack folders, then the loader path', () => {
    const env = { EDGE_TRT_LIB_DIR: '/opt/a:/opt/b', TENSORRT_ROOT: '/opt/TensorRT-10.3' };
    expect(searchDirectories({ env, arch: 'arm64' }).map((d) => `${d.origin} ${d.dir}`)).toEqual([
      'EDGE_TRT_LIB_DIR /opt/a',
      'EDGE_TRT_LIB_DIR /opt/b',
      'TENSORRT_ROOT /opt/TensorRT-10.3/lib',
      'TENSORRT_ROOT /opt/TensorRT-10.3/lib64',
      'system /usr/lib/aarch64-linux-gnu',
      'system /usr/lib/aarch64-linux-gnu/tegra',
      'system /usr/local/cuda/targets/aarch64-linux/lib',
      'system /usr/local/cuda/lib64',
    ]);
    const nvinfer = libraryCandidates('nvinfer', { env, arch: 'arm64', tensorrtMajor: 8 });
    expect(nvinfer[0]).toEqual({ path: '/opt/a/libnvinfer.so.8', origin: 'EDGE_TRT_LIB_DIR' });
    expect(nvinfer.some((c) => c.path.includes('.so.10'))).toBe(false);
    expect(nvinfer.slice(-2)).toEqual([
      { path: 'libnvinfer.so.8', origin: 'loader path' },
      { path: 'libnvinfer.so', origin: 'loader path' },
    ]);
  });

  it('x86 looks in the apt folder and WSL, never in the Tegra folder', () => {
    const dirs = searchDirectories({ env: {}, arch: 'x64' }).map((d) => d.dir);
    expect(dirs).toContain('/usr/lib/x86_64-linux-gnu');
    expect(dirs).toContain('/usr/lib/wsl/lib');
    expect(dirs.some((d) => d.includes('tegra'))).toBe(false);
  });
});

describe('version numbers', () => {
  it('decodes TensorRT 8 and 10 and CUDA encodings', () => {
    expect(formatTensorRTVersion(8201)).toBe('8.2.1');
    expect(formatTensorRTVersion(8601)).toBe('8.6.1');
    expect(formatTensorRTVersion(100300)).toBe('10.3.0');
    expect(formatTensorRTVersion(101600)).toBe('10.16.0');
    expect(formatCudaVersion(10020)).toBe('10.2');
    expect(formatCudaVersion(12060)).toBe('12.6');
  });
});

describe('trtStatus without TensorRT', () => {
  const status = trtStatus();

  it('loads the prebuild without the TensorRT part (no TensorRT to drive) and says what is missing and where it looked', () => {
    expect(status.available).toBe(false);
    expect(status.addon.path).toBe(join(PREBUILDS, PREBUILD_FILE));
    expect(status.addon.source).toBe('prebuild');
    expect(status.addon.tensorrtHeaders).toBeNull();
    expect(status.libraries.nvinfer.path).toBeNull();
    expect(status.libraries.nvinfer.tried).toBeGreaterThan(4);
    const what = status.missing.map((m) => m.what);
    expect(what.find((w) => w.startsWith('libnvinfer'))).toContain('/usr/local/cuda/lib64');
    expect(status.reason).toContain('TensorRT cannot run here');
    expect(status.reason).toContain('sudo apt install nvidia-tensorrt');
    expect(status.searched).toEqual(searchDirectories().map((d) => d.dir));
    // With TensorRT builds in the package, installing TensorRT is the whole fix.
    if (status.addon.tensorrtBuilds.length > 0) {
      expect(what).not.toContain('the TensorRT part of the addon');
      expect(status.reason).toContain(
        `this package's builds with the TensorRT part serve ${status.addon.tensorrtBuilds.map((v) => `TensorRT ${v.split('.')[0]} from ${v}`).join(' and ')}, loaded once it is installed`,
      );
    } else {
      expect(what).toContain('the TensorRT part of the addon');
    }
  });

  it(
    'opens the CUDA toolkit runtime that is installed here and reads its version',
    requires('cuda-runtime'),
    () => {
      expect(status.libraries.cudart.path).toMatch(/libcudart\.so/);
      expect(status.versions.cudaRuntime).toMatch(/^1[0-9]\.\d$/);
      // No driver: no GPU list, and the status says so.
      expect(status.libraries.cuda.path).toBeNull();
      expect(status.devices).toEqual([]);
    },
  );

  it("reports a library that exists but cannot load with dlopen's own message", () => {
    writeFileSync(join(dir, 'libnvinfer.so.10'), 'not an ELF file');
    const rt = loadRuntime({ env: { ...process.env, EDGE_TRT_LIB_DIR: dir } });
    expect(rt.libraries.nvinfer.path).toBeNull();
    expect(rt.libraries.nvinfer.errors.join('\n')).toMatch(
      /libnvinfer\.so\.10: (invalid ELF header|file too short)/,
    );
    const s = statusOf(rt, [dir]);
    expect(s.missing.find((m) => m.what.startsWith('libnvinfer'))!.what).toContain(`looked in ${dir}`);
  });

  it('EXPECTED FAILURE - addon disabled: the status names the build command', () => {
    const rt = loadRuntime({ env: { ...process.env, EDGE_TRT_NATIVE: 'off' } });
    const s = statusOf(rt, []);
    expect(s.addon.path).toBeNull();
    expect(s.missing[0]!.what).toBe('the native addon (edge_trt.node)');
    expect(s.missing[0]!.fix).toContain('EDGE_TRT_NATIVE=off');
    expect(() => requireTensorRT('building an engine', rt)).toThrow(UnavailableError);
    expect(() => requireTensorRT('building an engine', rt)).toThrow(
      /^building an engine needs TensorRT\. TensorRT cannot run here: the native addon \(edge_trt\.node\) is missing .*fix: the package ships builds for linux-x64 and linux-arm64; elsewhere build it from source with `npx node-gyp rebuild --directory node_modules\/@edge\/trt\/native`/,
    );
  });

  it('EXPECTED FAILURE - every entry point needing TensorRT throws UnavailableError naming the fix', () => {
    expect(() => requireTensorRT('running an engine')).toThrow(UnavailableError);
    expect(() => requireTensorRT('running an engine')).toThrow(/install TensorRT/);
  });
});
