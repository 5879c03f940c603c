import { mkdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { FileIOError } from '@edge/core';

/** Creates the folder a command writes into (and its parents). */
export function outFolder(path: string): string {
  try {
    mkdirSync(path, { recursive: true });
  } catch (e) {
    throw new FileIOError(
      `${path}: cannot create the output folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      path,
      { cause: e },
    );
  }
  return path;
}

/**
 * Paths `<folder>/<image stem><suffix>` for each source, `-2`, `-3`... after the stem when two
 * images share a name.
 */
export function namesFor(
  folder: string,
  sources: readonly string[],
  suffix: (index: number) => string,
): string[] {
  const used = new Set<string>();
  return sources.map((source, index) => {
    const stem = basename(source, extname(source));
    let name = `${stem}${suffix(index)}`;
    for (let i = 2; used.has(name); i++) name = `${stem}-${i}${suffix(index)}`;
    used.add(name);
    return join(folder, name);
  });
}
