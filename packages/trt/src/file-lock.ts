// A lock file so that two processes building the same engine do not both spend minutes on it:
// the first creates `<name>.lock` exclusively (O_EXCL) with its pid, host and start time; the
// others wait until it is gone. A lock is stale, and taken over, when its process is dead (same
// host: signal 0 fails with ESRCH) or, for a lock from another host or an unreadable one, when it
// is older than `staleMs`.

import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { AbortedError, FileIOError } from '@edge/core';

/** What a lock file holds. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
}

/** Options of {@link acquireLock}. */
export interface LockOptions {
  /** A lock older than this from another host (or unreadable) is stale; default 2 h. */
  readonly staleMs?: number;
  /** How often to look again while waiting; default 200 ms. */
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
  /** Called once when the lock is held by someone else and this call starts waiting. */
  readonly onWait?: (owner: LockOwner | undefined) => void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    return typeof o.pid === 'number' && typeof o.host === 'string' ? o : undefined;
  } catch {
    return undefined;
  }
}

function isStale(path: string, staleMs: number): boolean {
  const owner = readOwner(path);
  if (owner !== undefined && owner.host === hostname()) return !alive(owner.pid);
  try {
    return Date.now() - statSync(path).mtimeMs > staleMs;
  } catch {
    return true; // gone already
  }
}

function tryCreate(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new FileIOError(`cannot create lock file ${path}: ${(e as Error).message}`, path, { cause: e });
  }
  try {
    const owner: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
    writeSync(fd, JSON.stringify(owner));
  } finally {
    closeSync(fd);
  }
  return true;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError('stopped waiting for the lock', { cause: signal.reason }));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError('stopped waiting for the lock', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Removes a stale lock without removing a fresh one that another waiter put in its place meanwhile:
 * the lock is moved aside atomically, and put back if what was moved is not what was judged stale.
 */
function removeStale(path: string): void {
  let before: string;
  try {
    before = readFileSync(path, 'utf8');
  } catch {
    return;
  }
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else moved it first
  }
  let moved = '';
  try {
    moved = readFileSync(aside, 'utf8');
  } catch {
    // unreadable: treat as the stale one
    moved = before;
  }
  if (moved !== before) {
    try {
      linkSync(aside, path);
    } catch {
      // a third lock exists now: it stays
    }
  }
  rmSync(aside, { force: true });
}

/**
 * Takes the lock at `path`, waiting while another live process holds it. Returns the function
 * that releases it.
 *
 * @throws {@link AbortedError} when `signal` aborts the wait.
 * @throws {@link FileIOError} when the lock file cannot be created (no folder, no permission).
 */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<() => void> {
  const staleMs = options.staleMs ?? 2 * 3600_000;
  const pollMs = options.pollMs ?? 200;
  let waiting = false;
  for (;;) {
    if (tryCreate(path)) {
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(path, { force: true });
      };
    }
    if (isStale(path, staleMs)) {
      removeStale(path);
      continue;
    }
    if (!waiting) {
      waiting = true;
      options.onWait?.(readOwner(path));
    }
    await sleep(pollMs, options.signal);
  }
}
