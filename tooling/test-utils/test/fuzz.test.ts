import { describe, expect, it } from 'vitest';
import {
  deleteSpan,
  expectSessionsClosed,
  flipBytes,
  fuzzReader,
  insertJunk,
  int,
  type Mutation,
  rng,
  truncate,
} from '../src/index.js';

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

describe('fuzzReader', () => {
  // A toy format: a length byte, then that many bytes; a short input is rejected at its end.
  class ToyParseError extends Error {
    constructor(
      readonly offset: number,
      readonly fieldPath: string,
    ) {
      super(`toy: short at ${offset}`);
    }
  }
  const seed = Uint8Array.from({ length: 33 }, (_, i) => (i === 0 ? 32 : i));
  const readToy = (input: Uint8Array): void => {
    if (input.length === 0 || input.length < 1 + input[0]!) throw new ToyParseError(input.length, 'Toy.body');
  };
  const base = {
    cases: 400,
    hangMs: 1000,
    mutations: [
      ['truncate', truncate],
      // After the length byte, so it stays 32.
      ['insert', (s, r) => insertJunk(s, 1 + int(r, s.length - 1), r)],
    ] as [string, Mutation][],
    seed: () => seed,
    rejection: ToyParseError,
    fieldPath: /^Toy\./,
  };

  it('counts parses and typed rejections by mutation, the same for the same seed', () => {
    const a = fuzzReader({ ...base, r: rng(3), read: readToy });
    expect(a.done).toBe(400);
    expect(a.parsed + a.rejected).toBe(400);
    // Every truncation is short; no insertion is.
    expect(a.byMutation.get('truncate')).toBe(a.rejected);
    expect(a.byMutation.has('insert')).toBe(false);
    expect(a.rejected).toBeGreaterThan(100);
    expect(a.parsed).toBeGreaterThan(100);
    const b = fuzzReader({ ...base, r: rng(3), read: readToy });
    expect([b.parsed, b.rejected]).toEqual([a.parsed, a.rejected]);
  });

  it('EXPECTED FAILURE - an untyped error ends the run, naming the case and mutation', () => {
    const read = (input: Uint8Array): void => {
      if (input.length < 33) throw new RangeError('offset out of bounds');
    };
    expect(() => fuzzReader({ ...base, r: rng(3), read })).toThrow(
      /^case \d+ \(truncate, \d+ bytes\) threw RangeError: offset out of bounds/,
    );
  });

  it('EXPECTED FAILURE - a rejection outside the input or with another field path fails its assertion', () => {
    const outside = (input: Uint8Array): void => {
      throw new ToyParseError(input.length + 1, 'Toy.body');
    };
    expect(() => fuzzReader({ ...base, r: rng(3), read: outside })).toThrow(/to be less than or equal to/);
    const foreign = (input: Uint8Array): void => {
      throw new ToyParseError(input.length, 'Other');
    };
    expect(() => fuzzReader({ ...base, r: rng(3), read: foreign })).toThrow(/to match/);
  });

  it('stops at the time budget before the case count', () => {
    const slow = (): void => {
      const end = Date.now() + 5;
      while (Date.now() < end) {}
    };
    const out = fuzzReader({ ...base, cases: 10_000, budgetMs: 50, r: rng(3), read: slow });
    expect(out.done).toBeGreaterThan(0);
    expect(out.done).toBeLessThan(10_000);
  });
});
