// The engine cache: keys, atomic entries, a second process waiting for the first one's build
// (two real child processes), a stale lock taken over, a damaged entry rebuilt.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AbortedError } from '@edge/core';
import { scratchDir } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { defaultCacheDir, EngineCache, engineCacheKey } from '../src/engine-cache.js';
import { acquireLock } from '../src/file-lock.js';
import { fakePlan, orinHeader } from './helpers/engine.js';

const here = dirname(fileURLToPath(import.meta.url));
const CHILD = join(here, 'helpers', 'cache-child.mjs');
const root = scratchDir('edge-trt-cache-');

const header = orinHeader();
const parts = {
  modelSha256: header.model.sha256,
  tensorrt: header.tensorrt,
  gpu: header.gpu,
  build: header.build,
  dlaCore: header.dlaCore,
};

describe('cache keys', () => {
  it('depend on model, build options, GPU, TensorRT, DLA core; not on key order or transitions', () => {
    const key = engineCacheKey(parts);
    expect(key).toMatch(/^[0-9a-f]{40}$/);
    const reordered = Object.fromEntries(Object.entries(parts.build).reverse());
    expect(engineCacheKey({ ...parts, build: { ...reordered, transitions: 9 } })).toBe(key);
    const variants = [
      { ...parts, modelSha256: 'cd'.repeat(32) },
      { ...parts, tensorrt: '10.3.1' },
      { ...parts, gpu: { name: 'Orin', computeCapability: '8.6' } },
      { ...parts, gpu: { name: 'Orin Nano', computeCapability: '8.7' } },
      { ...parts, dlaCore: 0 },
      { ...parts, build: { ...parts.build, precision: 'int8' } },
      { ...parts, build: { ...parts.build, profile: [] } },
    ];
    const keys = new Set(variants.map(engineCacheKey));
    expect(keys.size).toBe(variants.length);
    expect(keys.has(key)).toBe(false);
  });

  it('the default folder follows EDGE_TRT_CACHE, then XDG_CACHE_HOME', () => {
    expect(defaultCacheDir({ EDGE_TRT_CACHE: '/data/engines' })).toBe('/data/engines');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/edge/trt');
  });
});

describe('getOrBuild in one process', () => {
  it('builds once, writes atomically (no temporary file left), then serves from the cache', async () => {
    const cache = new EngineCache({ dir: join(root, 'one') });
    let builds = 0;
    const build = async () => {
      builds++;
      return { header, plan: fakePlan() };
    };
    const first = await cache.getOrBuild('k1', build);
    const second = await cache.getOrBuild('k1', build);
    expect([first.source, second.source, builds]).toEqual(['built', 'cache', 1]);
    expect(Buffer.compare(second.plan, fakePlan())).toBe(0);
    expect(readdirSync(cache.dir).sort()).toEqual(['k1.engine']);
  });

  it('a damaged entry is reported, removed and rebuilt, never returned', async () => {
    const cache = new EngineCache({ dir: join(root, 'damaged') });
    await cache.getOrBuild('k', async () => ({ header, plan: fakePlan() }));
    const path = cache.pathOf('k');
    const bytes = readFileSync(path);
    bytes[bytes.length - 1]! ^= 0xff;
    writeFileSync(path, bytes);
    const events: string[] = [];
    const again = await cache.getOrBuild('k', async () => ({ header, plan: fakePlan(4096, 8) }), {
      onEvent: (e) => events.push(e.kind === 'damaged' ? `damaged: ${e.reason.split(';')[0]}` : e.kind),
    });
    expect(again.source).toBe('rebuilt');
    expect(events).toEqual([`damaged: ${path}: the plan does not match its SHA-256`, 'building']);
    expect(Buffer.compare(again.plan, fakePlan(4096, 8))).toBe(0);
  });

  it('a failed build writes nothing and releases the lock', async () => {
    const cache = new EngineCache({ dir: join(root, 'failed') });
    await expect(
      cache.getOrBuild('k', async () => Promise.reject(new Error('parser: bad model'))),
    ).rejects.toThrow('parser: bad model');
    expect(readdirSync(cache.dir)).toEqual([]);
  });
});

describe('locks', () => {
  it('a lock left by a dead process on this host is taken over', async () => {
    const dir = join(root, 'stale');
    const cache = new EngineCache({ dir, pollMs: 10 });
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    await cache.getOrBuild('warm', async () => ({ header, plan: fakePlan(8) })); // creates the folder
    writeFileSync(
      join(dir, 'k.lock'),
      JSON.stringify({ pid: Number(dead.stdout), host: hostname(), started: '2026-01-01T00:00:00Z' }),
    );
    const waits: string[] = [];
    const entry = await cache.getOrBuild('k', async () => ({ header, plan: fakePlan(8) }), {
      onEvent: (e) => waits.push(e.kind),
    });
    expect(entry.source).toBe('built');
    expect(waits).toEqual(['building']);
    expect(existsSync(join(dir, 'k.lock'))).toBe(false);
  });

  it('EXPECTED FAILURE - waiting on a live lock stops with AbortedError when the signal aborts', async () => {
    const path = join(root, 'live.lock');
    const release = await acquireLock(path);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user')), 50);
    await expect(acquireLock(path, { pollMs: 10, signal: controller.signal })).rejects.toThrow(AbortedError);
    release();
    expect(existsSync(path)).toBe(false);
  });
});

function runChild(dir: string, key: string, log: string, ms: number) {
  const child = spawn(process.execPath, [CHILD, dir, key, log, String(ms)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise<{ source: string; plan: string; events: string[] }>((resolve, reject) => {
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited ${code}: ${err}`)),
    );
  });
}

describe('two processes, one key', () => {
  it('the second waits for the first instead of building twice', async () => {
    const dir = join(root, 'two');
    const log = join(root, 'builds.log');
    const first = runChild(dir, 'same', log, 1500);
    // Start the second only once the first is building, so the order is certain.
    for (let i = 0; i < 400 && !existsSync(`${log}.started`); i++)
      await new Promise((r) => setTimeout(r, 25));
    const second = runChild(dir, 'same', log, 10);
    const [a, b] = await Promise.all([first, second]);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(a.source).toBe('built');
    expect(b.source).toBe('waited');
    expect(b.events).toEqual(['waiting']);
    expect(b.plan).toBe(a.plan);
    expect(readdirSync(dir)).toEqual(['same.engine']);
  }, 60_000);
});
