import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Debian's python3 (numpy); the python3 first on PATH may lack it. */
export const PYTHON = '/usr/bin/python3';

/** Runs a python snippet; returns stdout parsed as JSON. */
export function python<T>(code: string, args: string[] = [], input?: string): T {
  const r = spawnSync(PYTHON, ['-c', code, ...args], {
    input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** A raw little-endian float32 file as an array. */
export function readF32(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}
