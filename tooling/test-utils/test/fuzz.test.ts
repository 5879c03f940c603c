import { describe, expect, it } from 'vitest';
import { deleteSpan, expectSessionsClosed, flipBytes, insertJunk, int, rng, truncate } from '../src/index.js';

describe('fuzz mutations', () => {
  const src = Uint8Array.from({ length: 100 }, (_, i) => i);

  it('insertJunk puts 1 to 16 bytes at the position and keeps the rest in order', () => {
    const r = rng(4);
    for (let k = 0; k < 200; k++) {
      const at = int(r, src.length + 1);
      const out = insertJunk(src, at, r);
      const added = out.length - src.length;
      expect(added).toBeGreaterThanOrEqual(1);
      expect(added).toBeLessThanOrEqual(16);
      expect([...out.subarray(0, at)]).toEqual([...src.subarray(0, at)]);
      expect([...out.subarray(at + added)]).toEqual([...src.subarray(at)]);
    }
  });

  it('deleteSpan removes 1 to 64 bytes from the position (fewer at the end)', () => {
    const r = rng(5);
    for (let k = 0; k < 200; k++) {
      const at = int(r, src.length);
      const out = deleteSpan(src, at, r);
      const removed = src.length - out.length;
      expect(removed).toBeGreaterThanOrEqual(Math.min(1, src.length - at));
      expect(removed).toBeLessThanOrEqual(64);
      expect([...out]).toEqual([...src.subarray(0, at), ...src.subarray(at + removed)]);
    }
  });

  it('replays: the same seed gives the same mutations', () => {
    const a = rng(9);
    const b = rng(9);
    expect([...insertJunk(src, 10, a)]).toEqual([...insertJunk(src, 10, b)]);
  });
});

describe('expectSessionsClosed', () => {
  // A backend double: the file's afterAll checks what the test below leaves.
  const counts = { opened: 0, closed: 0 };
  const backend = { openSessions: () => counts.opened - counts.closed };
  expectSessionsClosed(backend, () => ({ ...counts }));

  it('passes after a session that was opened and closed', () => {
    counts.opened++;
    counts.closed++;
    expect(backend.openSessions()).toBe(0);
  });
});

describe('truncate and flipBytes', () => {
  it('cut a prefix, and change at most the given number of bytes where asked', () => {
    const src = new Uint8Array(50);
    const r = rng(11);
    for (let k = 0; k < 100; k++) {
      const cut = truncate(src, r);
      expect(cut.length).toBeLessThan(src.length);
      const flipped = flipBytes(src, r, 3, (length) => length - 1);
      expect(flipped).not.toBe(src);
      expect(flipped.subarray(0, 49).every((b) => b === 0)).toBe(true);
    }
    expect(src.every((b) => b === 0)).toBe(true);
  });
});
