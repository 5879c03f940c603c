// The addon finder on made-up package folders: which prebuild fits which machine, and what the
// answer says when nothing can be loaded. Loading real addons is tested where they are built
// (@edge/preprocess's prebuilds test).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { currentPrebuildTarget, findPrebuilds, loadNativeAddon, type PrebuildTarget } from '../src/index.js';

let pkg: string;
beforeEach(() => {
  pkg = mkdtempSync(join(tmpdir(), 'edge-addon-'));
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@edge/example' }));
  mkdirSync(join(pkg, 'dist'));
  writeFileSync(join(pkg, 'dist', 'index.js'), '');
});
afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(pkg, { recursive: true, force: true });
});

function files(folder: string, names: string[]): void {
  mkdirSync(join(pkg, 'prebuilds', folder), { recursive: true });
  for (const name of names) writeFileSync(join(pkg, 'prebuilds', folder, name), 'not an ELF file');
}

const LINUX_ARM64: PrebuildTarget = {
  platform: 'linux',
  arch: 'arm64',
  libc: 'glibc',
  abi: '115',
  armv: '8',
};

describe('findPrebuilds', () => {
  it('picks the folder of the platform and architecture, and in it the files whose tags fit, most specific first', () => {
    files('linux-x64', ['node.napi.glibc.node']);
    files('linux-arm64', ['node.napi.node', 'node.napi.glibc.node', 'node.napi.musl.node', 'README.md']);
    const found = findPrebuilds(pkg, LINUX_ARM64);
    expect(found.paths).toEqual([
      join(pkg, 'prebuilds', 'linux-arm64', 'node.napi.glibc.node'),
      join(pkg, 'prebuilds', 'linux-arm64', 'node.napi.node'),
    ]);
    expect(found.ruledOut).toEqual([
      {
        path: join(pkg, 'prebuilds', 'linux-arm64', 'node.napi.musl.node'),
        source: 'prebuild',
        problem: 'built for musl, this is glibc',
      },
    ]);
    expect(findPrebuilds(pkg, { ...LINUX_ARM64, libc: 'musl' }).paths).toEqual([
      join(pkg, 'prebuilds', 'linux-arm64', 'node.napi.musl.node'),
      join(pkg, 'prebuilds', 'linux-arm64', 'node.napi.node'),
    ]);
  });

  it('holds abi-tagged files to the Node ABI unless they are Node-API builds; skips other runtimes and ARM versions', () => {
    files('linux-arm64', [
      'node.abi108.node',
      'node.abi115.node',
      'electron.napi.node',
      'node.napi.armv7.node',
    ]);
    const found = findPrebuilds(pkg, LINUX_ARM64);
    expect(found.paths).toEqual([join(pkg, 'prebuilds', 'linux-arm64', 'node.abi115.node')]);
    expect(found.ruledOut.map((r) => r.problem)).toEqual([
      'built for electron, not Node',
      'built for Node ABI 108, this is 115',
      'built for armv7, this is armv8',
    ]);
  });

  it('takes a folder shared by several architectures when there is none of its own', () => {
    files('darwin-x64+arm64', ['node.napi.node']);
    const mac = { ...LINUX_ARM64, platform: 'darwin', libc: '' };
    expect(findPrebuilds(pkg, mac).paths).toEqual([
      join(pkg, 'prebuilds', 'darwin-x64+arm64', 'node.napi.node'),
    ]);
    files('darwin-arm64', ['node.napi.node']);
    expect(findPrebuilds(pkg, mac).paths).toEqual([join(pkg, 'prebuilds', 'darwin-arm64', 'node.napi.node')]);
  });

  it('finds nothing for a platform the package has no folder for', () => {
    files('linux-x64', ['node.napi.glibc.node']);
    expect(findPrebuilds(pkg, { ...LINUX_ARM64, arch: 'riscv64' })).toEqual({ paths: [], ruledOut: [] });
    expect(findPrebuilds(join(pkg, 'nowhere'), LINUX_ARM64)).toEqual({ paths: [], ruledOut: [] });
  });
});

describe('currentPrebuildTarget', () => {
  it('describes this process, overrides in place of its own values', () => {
    const t = currentPrebuildTarget();
    expect(t.platform).toBe(process.platform);
    expect(t.arch).toBe(process.arch);
    expect(t.abi).toBe(process.versions.modules);
    if (process.platform === 'linux') expect(['glibc', 'musl']).toContain(t.libc);
    expect(currentPrebuildTarget({ arch: 'arm64', libc: 'musl' })).toMatchObject({
      arch: 'arm64',
      libc: 'musl',
    });
  });
});

describe('loadNativeAddon', () => {
  const options = () => ({
    packageName: '@edge/example',
    from: pathToFileURL(join(pkg, 'dist', 'index.js')),
    name: 'example',
    envVar: 'EDGE_EXAMPLE_NATIVE',
  });

  it('EXPECTED FAILURE - nothing built: names the missing prebuild folder and the source build, never throws', () => {
    const addon = loadNativeAddon({ ...options(), target: { platform: 'linux', arch: 'riscv64' } });
    expect(addon.binding).toBeUndefined();
    expect(addon.disabled).toBe(false);
    expect(addon.attempts).toEqual([
      {
        path: join(pkg, 'prebuilds', 'linux-riscv64'),
        source: 'prebuild',
        problem: 'no prebuilt binary for linux-riscv64 in this package',
      },
      {
        path: join(pkg, 'native', 'build', 'Release', 'example.node'),
        source: 'source-build',
        problem: 'not found',
      },
    ]);
    expect(addon.reason).toBe(
      `${join(pkg, 'prebuilds', 'linux-riscv64')} (prebuild): no prebuilt binary for linux-riscv64 in this package; ` +
        `${join(pkg, 'native', 'build', 'Release', 'example.node')} (source-build): not found`,
    );
  });

  it('EXPECTED FAILURE - a damaged prebuild is reported as failing to load, then the source build is tried', () => {
    files(`${process.platform}-${process.arch}`, ['node.napi.node']);
    const addon = loadNativeAddon(options());
    expect(addon.binding).toBeUndefined();
    expect(addon.attempts[0]).toMatchObject({ source: 'prebuild' });
    expect(addon.attempts[0]!.problem).toMatch(/^failed to load \(/);
    expect(addon.attempts[1]).toMatchObject({ source: 'source-build', problem: 'not found' });
  });

  it('EXPECTED FAILURE - the package folder cannot be found above `from`', () => {
    const addon = loadNativeAddon({ ...options(), packageName: '@edge/other' });
    expect(addon.binding).toBeUndefined();
    expect(addon.reason).toMatch(/^cannot find @edge\/other's package\.json above file:/);
  });

  it('is switched off by its environment variable (0 or off), and loads the file it names instead of searching', () => {
    for (const value of ['0', 'off']) {
      vi.stubEnv('EDGE_EXAMPLE_NATIVE', value);
      expect(loadNativeAddon(options())).toEqual({
        disabled: true,
        attempts: [],
        reason: `native code of @edge/example is disabled by EDGE_EXAMPLE_NATIVE=${value}`,
      });
    }
    const elsewhere = join(pkg, 'elsewhere.node');
    vi.stubEnv('EDGE_EXAMPLE_NATIVE', elsewhere);
    expect(loadNativeAddon(options()).attempts).toEqual([
      { path: elsewhere, source: 'environment', problem: 'not found' },
    ]);
    // An environment of the caller's own replaces the process's.
    expect(loadNativeAddon({ ...options(), env: { EDGE_EXAMPLE_NATIVE: 'off' } }).disabled).toBe(true);
    expect(loadNativeAddon({ ...options(), env: {} }).attempts.map((a) => a.source)).toEqual([
      'prebuild',
      'source-build',
    ]);
  });
});
