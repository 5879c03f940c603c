// Mutations the fuzz tests of the model readers share, and their loop; each takes its random numbers
// from `r` in a fixed order, so a seeded case replays exactly.

import { expect } from 'vitest';

/** A mutation of a model file's bytes. */
export type Mutation = (src: Uint8Array, r: () => number) => Uint8Array;

/** A random integer in [0, n). */
export const int = (r: () => number, n: number): number => Math.floor(r() * n);

/** The first 0 to length - 1 bytes of `src`. */
export function truncate(src: Uint8Array, r: () => number): Uint8Array {
  return src.slice(0, int(r, src.length));
}

/** A copy of `src` with 1 to `most` bytes set to random values, each at `where(length)`. */
export function flipBytes(
  src: Uint8Array,
  r: () => number,
  most: number,
  where: (length: number) => number,
): Uint8Array {
  const out = src.slice();
  for (let k = 1 + int(r, most); k > 0; k--) out[where(out.length)] = int(r, 256);
  return out;
}

/** `src` with 1 to 16 random bytes inserted at `at`. */
export function insertJunk(src: Uint8Array, at: number, r: () => number): Uint8Array {
  const junk = Uint8Array.from({ length: 1 + int(r, 16) }, () => int(r, 256));
  return Buffer.concat([src.subarray(0, at), junk, src.subarray(at)]);
}

/** `src` without 1 to 64 bytes from `at`. */
export function deleteSpan(src: Uint8Array, at: number, r: () => number): Uint8Array {
  return Buffer.concat([src.subarray(0, at), src.subarray(Math.min(src.length, at + 1 + int(r, 64)))]);
}

/** What {@link fuzzReader} runs. */
export interface FuzzOptions {
  /** Cases to run at most. */
  readonly cases: number;
  /** Stop before `cases` once this many milliseconds have passed; default: no limit. */
  readonly budgetMs?: number;
  /** A case taking longer than this many milliseconds is a hang: the run throws. */
  readonly hangMs: number;
  readonly mutations: readonly (readonly [name: string, mutate: Mutation])[];
  /** Seeded random numbers: each case draws its seed input first, then its mutation. */
  readonly r: () => number;
  /** The input case `k` mutates; it may draw from `r`. Must not be mutated in place. */
  readonly seed: (k: number) => Uint8Array;
  /** Reads (and uses) one mutated input; a rejection throws. */
  readonly read: (input: Uint8Array, label: string) => void;
  /** The class of a typed rejection (ModelParseError); anything else thrown ends the run. */
  readonly rejection: abstract new (
    ...args: never[]
  ) => { readonly offset: number; readonly fieldPath: string };
  /** What a rejection's field path must match. */
  readonly fieldPath: RegExp;
}

/** What a {@link fuzzReader} run saw. */
export interface FuzzOutcome {
  readonly done: number;
  readonly parsed: number;
  readonly rejected: number;
  /** Rejections by mutation name. */
  readonly byMutation: ReadonlyMap<string, number>;
  /** The most JS heap plus array buffers seen (sampled every 500 cases), in bytes. */
  readonly peakBytes: number;
}

/**
 * Mutates seed inputs and reads each: every case must parse or throw `rejection` with a byte
 * offset inside the input and a field path matching `fieldPath`, within `hangMs`.
 */
export function fuzzReader(o: FuzzOptions): FuzzOutcome {
  const started = Date.now();
  const byMutation = new Map<string, number>();
  let parsed = 0;
  let rejected = 0;
  let peakBytes = 0;
  let done = 0;
  for (; done < o.cases && !(o.budgetMs !== undefined && Date.now() - started >= o.budgetMs); done++) {
    const src = o.seed(done);
    const [name, mutate] = o.mutations[int(o.r, o.mutations.length)]!;
    const input = mutate(src, o.r);
    const t0 = performance.now();
    try {
      o.read(input, `case ${done}`);
      parsed++;
    } catch (e) {
      if (!(e instanceof o.rejection)) {
        throw new Error(`case ${done} (${name}, ${input.length} bytes) threw ${(e as Error).stack}`, {
          cause: e,
        });
      }
      expect(e.offset).toBeGreaterThanOrEqual(0);
      expect(e.offset).toBeLessThanOrEqual(input.length);
      expect(e.fieldPath).toMatch(o.fieldPath);
      rejected++;
      byMutation.set(name, (byMutation.get(name) ?? 0) + 1);
    }
    const ms = performance.now() - t0;
    if (ms > o.hangMs) throw new Error(`case ${done} (${name}) took ${ms.toFixed(0)} ms`);
    if (done % 500 === 0) {
      const m = process.memoryUsage();
      peakBytes = Math.max(peakBytes, m.heapUsed + m.arrayBuffers);
    }
  }
  console.log(`fuzz: ${done} cases, ${parsed} parsed, ${rejected} rejected`);
  return { done, parsed, rejected, byMutation, peakBytes };
}
