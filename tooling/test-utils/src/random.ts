// The one seeded generator of the tests: the same numbers on every run and machine, so a failure
// names a case that replays exactly.

/** mulberry32: small, fast, seedable; numbers in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic uniform numbers in [-0.5, 0.5). */
export function random(seed: number): () => number {
  const r = rng(seed);
  return () => r() - 0.5;
}

/**
 * `size` deterministic floats (a count, or a shape whose elements are counted), uniform in
 * [offset - scale / 2, offset + scale / 2): `noise(n, seed, 2)` lies in [-1, 1).
 */
export function noise(size: number | readonly number[], seed: number, scale = 1, offset = 0): Float32Array {
  const n = typeof size === 'number' ? size : size.reduce((a, b) => a * b, 1);
  const r = random(seed);
  return Float32Array.from({ length: n }, () => r() * scale + offset);
}
