// The one atomic file writer of the SDK. Files that cost time to make (models, engines, caches,
// tensors) go through it, so a reader never sees half a file and a failed write leaves the old
// file as it was: temporary file in the same folder (same file system, so rename is atomic),
// fsync of the file, rename over the target, fsync of the folder (so the rename survives a crash).

import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FileIOError } from './errors.js';

/** What {@link writeFileAtomic} writes: bytes, text (UTF-8), or chunks written in order. */
export type AtomicFileData = Uint8Array | string | Iterable<Uint8Array | string>;

const UTF8 = new TextEncoder();
let counter = 0;

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

function chunks(data: AtomicFileData): Iterable<Uint8Array | string> {
  return typeof data === 'string' || data instanceof Uint8Array ? [data] : data;
}

/**
 * Writes `data` to `path` atomically: a temporary file in the same folder, flushed to disk, then
 * renamed over `path`. On any failure the temporary file is removed and `path` is left as it was
 * (absent, or its previous content). An iterable is consumed while the file is open, so a generator
 * can stream a large file without holding it in memory; if it throws, nothing is written.
 *
 * @throws {@link FileIOError} naming `path` when the file cannot be written; the cause is kept.
 */
export function writeFileAtomic(path: string, data: AtomicFileData): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${(counter++).toString(36)}.tmp`);
  try {
    const fd = openSync(tmp, 'wx', 0o644);
    try {
      for (const chunk of chunks(data)) writeAll(fd, typeof chunk === 'string' ? UTF8.encode(chunk) : chunk);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (cause) {
    rmSync(tmp, { force: true });
    throw new FileIOError(`cannot write ${path}: ${(cause as Error)?.message ?? String(cause)}`, path, {
      cause,
    });
  }
  syncFolder(dir);
}

// The rename is durable only once the folder is flushed. Some file systems refuse to open or fsync
// a folder (EISDIR, EINVAL, EPERM): the file itself is already complete, so that is not an error.
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // best effort, see above
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
