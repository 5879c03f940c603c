// Seeded inputs for tests that run models: the same numbers on every run.

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
 * A synthetic page as a text detector sees it: rows of dark dashes on light paper, normalised with
 * ImageNet's mean and std, `[1, 3, h, w]` in CHW order.
 */
export function textPage(h: number, w: number): Float32Array {
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const data = new Float32Array(3 * h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const row = Math.floor(y / 24);
      const inRow = y % 24 >= 6 && y % 24 < 18 && x > 10 + row * 7 && x < w - 20 - row * 11;
      const ink = inRow && Math.floor(x / 6) % 3 !== 2;
      const v = ink ? 0.1 : 0.92 + 0.03 * Math.sin(x * 0.1 + y * 0.05);
      for (let c = 0; c < 3; c++) data[c * h * w + y * w + x] = (v - mean[c]!) / std[c]!;
    }
  }
  return data;
}
