// The engine cache: a folder of engine files named by a key of everything that makes an engine
// what it is (model hash, build options, GPU, TensorRT version, container format), so an engine
// is built once per machine and reused, never reused where it does not belong. Entries are
// written with the SDK's one atomic writer; a second process asking for the same key while the
// first builds waits on the key's lock and then reads the first one's engine; an entry that fails
// its checksums is removed and rebuilt, never handed to TensorRT.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isEdgeError, writeFileAtomic } from '@edge/core';
import {
  decodeEngineFile,
  ENGINE_FORMAT_VERSION,
  type EngineHeader,
  type EngineHeaderFields,
  encodeEngineFile,
} from './engine-file.js';
import { acquireLock, type LockOwner } from './file-lock.js';

/** What identifies an engine. */
export interface EngineCacheKeyParts {
  readonly modelSha256: string;
  readonly tensorrt: string;
  readonly gpu: { readonly name: string; readonly computeCapability: string };
  /** The build options as the header records them (`EngineHeader['build']` less `transitions`). */
  readonly build: Readonly<Record<string, unknown>>;
  readonly dlaCore: number | null;
}

/** Something that happened while getting an engine, for progress output. */
export type EngineCacheEvent =
  | { readonly kind: 'damaged'; readonly path: string; readonly reason: string }
  | { readonly kind: 'waiting'; readonly path: string; readonly owner?: LockOwner }
  | { readonly kind: 'building'; readonly path: string };

/** An engine from the cache. */
export interface EngineCacheEntry {
  readonly path: string;
  readonly header: EngineHeader;
  readonly plan: Uint8Array;
  /**
   * `cache`: found; `waited`: built meanwhile by another process; `built`: built now;
   * `rebuilt`: built now in place of a damaged entry.
   */
  readonly source: 'cache' | 'waited' | 'built' | 'rebuilt';
}

/** Options of {@link EngineCache}. */
export interface EngineCacheOptions {
  /** Default: EDGE_TRT_CACHE, else $XDG_CACHE_HOME/edge/trt, else ~/.cache/edge/trt. */
  readonly dir?: string;
  /** A lock from another host older than this is taken over; default 2 h. */
  readonly staleLockMs?: number;
  /** How often a waiting process looks at the lock; default 200 ms. */
  readonly pollMs?: number;
}

/** The cache folder used when none is given. */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.EDGE_TRT_CACHE) return env.EDGE_TRT_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'edge', 'trt');
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The cache key of an engine: 40 hex digits of the SHA-256 of its parts, in a canonical order. */
export function engineCacheKey(parts: EngineCacheKeyParts): string {
  const { transitions: _, ...build } = parts.build as Record<string, unknown>;
  return createHash('sha256')
    .update(canonical({ ...parts, build, format: ENGINE_FORMAT_VERSION }))
    .digest('hex')
    .slice(0, 40);
}

/** A folder of engines by key. */
export class EngineCache {
  /** The folder. */
  readonly dir: string;
  readonly #options: EngineCacheOptions;

  constructor(options: EngineCacheOptions = {}) {
    this.dir = options.dir ?? defaultCacheDir();
    this.#options = options;
  }

  /** Where the engine of `key` lives. */
  pathOf(key: string): string {
    return join(this.dir, `${key}.engine`);
  }

  /**
   * The engine of `key` from the cache, or undefined; a damaged entry is removed (and reported
   * through `onEvent`) and counts as absent.
   */
  read(
    key: string,
    onEvent?: (e: EngineCacheEvent) => void,
  ): { header: EngineHeader; plan: Uint8Array } | undefined {
    const path = this.pathOf(key);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch {
      return undefined;
    }
    try {
      return decodeEngineFile(bytes, path);
    } catch (e) {
      if (!isEdgeError(e)) throw e;
      onEvent?.({ kind: 'damaged', path, reason: e.message });
      rmSync(path, { force: true });
      return undefined;
    }
  }

  /**
   * The engine of `key`: from the cache, or built by `build` (once per key across processes:
   * another process building the same key is waited for) and written atomically.
   *
   * @throws whatever `build` throws (nothing is written then).
   * @throws {@link AbortedError} when `signal` aborts the wait for another process.
   * @throws {@link FileIOError} when the folder or the entry cannot be written.
   */
  async getOrBuild(
    key: string,
    build: () => Promise<{ header: EngineHeaderFields; plan: Uint8Array }>,
    options: { signal?: AbortSignal; onEvent?: (e: EngineCacheEvent) => void } = {},
  ): Promise<EngineCacheEntry> {
    const path = this.pathOf(key);
    let damaged = false;
    const onEvent = (e: EngineCacheEvent) => {
      if (e.kind === 'damaged') damaged = true;
      options.onEvent?.(e);
    };
    const hit = this.read(key, onEvent);
    if (hit) return { path, ...hit, source: 'cache' };
    mkdirSync(this.dir, { recursive: true });
    let waited = false;
    const release = await acquireLock(join(this.dir, `${key}.lock`), {
      ...(this.#options.staleLockMs !== undefined ? { staleMs: this.#options.staleLockMs } : {}),
      ...(this.#options.pollMs !== undefined ? { pollMs: this.#options.pollMs } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      onWait: (owner) => {
        waited = true;
        onEvent({ kind: 'waiting', path, ...(owner ? { owner } : {}) });
      },
    });
    try {
      const done = this.read(key, onEvent);
      if (done) return { path, ...done, source: waited ? 'waited' : 'cache' };
      onEvent({ kind: 'building', path });
      const built = await build();
      const file = encodeEngineFile(built.header, built.plan);
      writeFileAtomic(path, file.chunks);
      return { path, header: file.header, plan: built.plan, source: damaged ? 'rebuilt' : 'built' };
    } finally {
      release();
    }
  }
}
