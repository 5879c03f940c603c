// Mutations the fuzz tests of the model readers share; each takes its random numbers from `r` in a
// fixed order, so a seeded case replays exactly.

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
