// What a figure was measured on: CPU model and the flags that change inference speed, cores,
// memory, OS, Node and the versions of the libraries that ran the model.

import { readFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, release, totalmem, type } from 'node:os';
import type { BenchMachine } from '@edge/core';

/**
 * CPU flags that change how fast a CNN runs: x86 vector widths and int8/bf16 dot products
 * (VNNI, AMX), and their Arm counterparts.
 */
export const SPEED_FLAGS: readonly string[] = [
  'avx2',
  'fma',
  'avx512f',
  'avx512_vnni',
  'avx512_bf16',
  'avx_vnni',
  'amx_int8',
  'amx_bf16',
  'asimd',
  'asimddp',
  'i8mm',
  'sve',
];

/** The {@link SPEED_FLAGS} that `/proc/cpuinfo` lists (sorted); empty where there is no such file. */
export function cpuSpeedFlags(cpuinfo: string = readText('/proc/cpuinfo')): string[] {
  const found = new Set<string>();
  for (const line of cpuinfo.split('\n')) {
    if (!/^(flags|Features)\s*:/.test(line)) continue;
    for (const flag of line
      .slice(line.indexOf(':') + 1)
      .trim()
      .split(/\s+/))
      if (SPEED_FLAGS.includes(flag)) found.add(flag);
  }
  return [...found].sort();
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function osName(): string {
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readText('/etc/os-release'))?.[1];
  const kernel = `${type()} ${release()} ${arch()}`;
  return pretty ? `${pretty}, ${kernel}` : kernel;
}

/**
 * This machine: CPU model and speed flags, logical cores, memory, OS, Node, and the versions of
 * `libraries` (package name to version; pass those that ran the figures).
 */
export function benchMachine(libraries: Readonly<Record<string, string>> = {}): BenchMachine {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cpuFlags: cpuSpeedFlags(),
    cores: availableParallelism(),
    memoryBytes: totalmem(),
    os: osName(),
    node: process.version,
    libraries: { ...libraries },
  };
}
