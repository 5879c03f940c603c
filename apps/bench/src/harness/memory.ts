// Memory sampling. In-process snapshots for coarse figures, and a probe that calls one exported
// function in a fresh Node process: the harness itself allocates hundreds of megabytes for its
// baselines, so the peak resident size of this process says nothing about a single call.

import { runFreshProcess } from './fresh-process.js';

/** One sample of `process.memoryUsage()` plus the peak resident size so far, all in bytes. */
export interface MemorySnapshot {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /**
   * Highest resident size so far. In {@link probeMemory} on Linux this is VmHWM, reset just before
   * the call; `resourceUsage().maxRSS` elsewhere (on Linux it carries the parent's peak over exec).
   */
  maxRss: number;
}

/** Samples the memory of this process. */
export function memorySnapshot(): MemorySnapshot {
  const m = process.memoryUsage();
  return {
    rss: m.rss,
    heapUsed: m.heapUsed,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    maxRss: process.resourceUsage().maxRSS * 1024,
  };
}

/** What {@link probeMemory} measured around one call, in bytes. */
export interface MemoryProbe {
  /** After loading the module and a full GC, before the call. */
  before: MemorySnapshot;
  /** Right after the call, before any forced GC (garbage of the call included). */
  after: MemorySnapshot;
  /** After a full GC, with the call's result still held. */
  retained: MemorySnapshot;
  /**
   * Peak resident size during the call minus the resident size before it. Exact on Linux (VmHWM is
   * reset before the call); elsewhere only an upper bound.
   */
  peakGrowth: number;
  /** JS heap the result keeps alive: retained minus before. */
  retainedHeap: number;
  /** ArrayBuffer memory (Buffers, typed arrays) the result keeps alive. */
  retainedBuffers: number;
  /** Highest ArrayBuffer memory seen: right after the call, garbage included. */
  transientBuffers: number;
}

/** Options of {@link probeMemory}. */
export interface MemoryProbeOptions {
  /** Absolute path of a CommonJS module (e.g. from `createRequire(...).resolve`). */
  modulePath: string;
  /** Name of the exported function to call. */
  exportName: string;
  /** JSON-serialisable arguments. */
  args: unknown[];
  signal?: AbortSignal;
  /** Default 60 000. */
  timeoutMs?: number;
}

// Runs in the fresh process (CommonJS, with --expose-gc). One warmup call first, so the measured
// call does not include compiling the function; then GC, reset of the peak, and the measured call.
const PROBE = `
'use strict';
const [modulePath, exportName, argsJson] = process.argv.slice(1);
const fn = require(modulePath)[exportName];
if (typeof fn !== 'function') throw new Error(exportName + ' is not a function of ' + modulePath);
const args = JSON.parse(argsJson);
const fs = require('node:fs');
const linux = process.platform === 'linux';
const hwm = () => {
  if (!linux) return process.resourceUsage().maxRSS * 1024;
  const m = /VmHWM:\\s*(\\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
};
const snap = () => {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, maxRss: hwm() };
};
fn(...args);
gc(); gc();
// Reset the peak resident size (Linux: "5" to clear_refs) so the peak below is this call's.
if (linux) { try { fs.writeFileSync('/proc/self/clear_refs', '5'); } catch {} }
const before = snap();
let result = fn(...args);
const after = snap();
gc(); gc();
const retained = snap();
if (result === undefined) throw new Error('no result');
result = undefined;
process.stdout.write(JSON.stringify({ before, after, retained }) + '\\n');
`;

/**
 * Calls `exportName(...args)` of a module in a fresh Node process started with `--expose-gc` and
 * reports memory before, right after, and after a full GC holding the result.
 *
 * @throws Error when the process fails or prints no result (with its stderr).
 */
export async function probeMemory(options: MemoryProbeOptions): Promise<MemoryProbe> {
  let r: Pick<MemoryProbe, 'before' | 'after' | 'retained'>;
  try {
    ({ value: r } = await runFreshProcess<typeof r>(
      PROBE,
      [options.modulePath, options.exportName, JSON.stringify(options.args)],
      { nodeOptions: ['--expose-gc'], signal: options.signal, timeoutMs: options.timeoutMs ?? 60_000 },
    ));
  } catch (e) {
    if (options.signal?.aborted) throw e;
    throw new Error(`memory probe of ${options.exportName} failed: ${(e as Error).message}`, { cause: e });
  }
  return {
    ...r,
    peakGrowth: Math.max(0, r.retained.maxRss - r.before.rss),
    retainedHeap: r.retained.heapUsed - r.before.heapUsed,
    retainedBuffers: r.retained.arrayBuffers - r.before.arrayBuffers,
    transientBuffers: Math.max(0, r.after.arrayBuffers - r.before.arrayBuffers),
  };
}
