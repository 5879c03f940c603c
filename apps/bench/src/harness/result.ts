// The result a benchmark's `run` starts from.

import type { BenchResult } from './types.js';

/** A result with every list empty, for a benchmark's `run` to fill and return. */
export function emptyResult(): BenchResult {
  return { groups: [], figures: [], baselines: [], ratios: [], notes: [] };
}
