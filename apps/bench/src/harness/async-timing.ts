// Timing of async calls, round-robin like `timeEach`: run i of each function, in rotating order,
// so drift in the machine's speed falls on all of them alike.

import { summarize, type Timing } from './timing.js';

/** Options of {@link timeEachAsync}. */
export interface AsyncTimingOptions {
  /** Untimed rounds first; default 2. */
  warmup?: number;
  /** Timed rounds; default 10. */
  runs?: number;
  /** Checked between rounds. */
  signal?: AbortSignal;
}

/**
 * Times several async functions: `warmup` untimed rounds, then `runs` timed rounds, each round
 * calling every function once (awaited) in rotating order.
 *
 * @throws whatever a timed function throws, or the signal's reason when it aborts.
 */
export async function timeEachAsync<K extends string>(
  fns: Record<K, () => Promise<unknown>>,
  options: AsyncTimingOptions = {},
): Promise<Record<K, Timing>> {
  const warmup = options.warmup ?? 2;
  const runs = options.runs ?? 10;
  const names = Object.keys(fns) as K[];
  const samples = new Map<K, number[]>(names.map((k) => [k, []]));
  for (let i = 0; i < warmup; i++) for (const k of names) await fns[k]();
  for (let i = 0; i < runs; i++) {
    options.signal?.throwIfAborted();
    for (let j = 0; j < names.length; j++) {
      const k = names[(i + j) % names.length]!;
      const t0 = process.hrtime.bigint();
      await fns[k]();
      samples.get(k)!.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  const out = {} as Record<K, Timing>;
  for (const k of names) out[k] = summarize(samples.get(k)!);
  return out;
}
