import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileIOError, isEdgeError, writeFileAtomic } from '../src/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'edge-atomic-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('writes bytes, text and chunks, replacing what was there', () => {
    const path = join(dir, 'a.bin');
    writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    writeFileAtomic(path, 'héllo');
    expect(readFileSync(path, 'utf8')).toBe('héllo');
    writeFileAtomic(path, ['ab', new Uint8Array([0x63]), 'd']);
    expect(readFileSync(path, 'utf8')).toBe('abcd');
    expect(readdirSync(dir)).toEqual(['a.bin']);
  });

  it('streams a generator without holding the whole file', () => {
    const path = join(dir, 'big.bin');
    function* parts() {
      for (let i = 0; i < 64; i++) yield new Uint8Array(1 << 16).fill(i);
    }
    writeFileAtomic(path, parts());
    const out = readFileSync(path);
    expect(out.length).toBe(64 << 16);
    expect(out[63 << 16]).toBe(63);
  });

  it('EXPECTED FAILURE - a generator that throws leaves the old file and no temporary file', () => {
    const path = join(dir, 'keep.txt');
    writeFileSync(path, 'old');
    function* broken() {
      yield 'new part';
      throw new Error('source failed');
    }
    let error: unknown;
    try {
      writeFileAtomic(path, broken());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FileIOError);
    expect(isEdgeError(error, 'EDGE_IO')).toBe(true);
    expect((error as FileIOError).path).toBe(path);
    expect((error as Error).message).toContain('source failed');
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['keep.txt']);
  });

  it('EXPECTED FAILURE - a missing folder is a FileIOError naming the path', () => {
    const path = join(dir, 'no', 'such', 'file.txt');
    expect(() => writeFileAtomic(path, 'x')).toThrow(FileIOError);
    expect(() => writeFileAtomic(path, 'x')).toThrow(`cannot write ${path}`);
    expect(existsSync(join(dir, 'no'))).toBe(false);
  });

  it('EXPECTED FAILURE - a path that is a folder is refused and the folder kept', () => {
    const sub = join(dir, 'folder');
    mkdirSync(sub);
    expect(() => writeFileAtomic(sub, 'x')).toThrow(FileIOError);
    expect(readdirSync(dir)).toEqual(['folder']);
  });
});
