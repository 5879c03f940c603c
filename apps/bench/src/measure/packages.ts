// Finding installed packages (folder, version) from this package, also those whose `exports` map
// hides package.json (chart.js, sharp).

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Folder of package `name` as Node resolves it from `from` (a file URL or path): the nearest
 * folder above its entry point whose package.json has that name. Undefined when not installed.
 */
export function packageDir(name: string, from: string = import.meta.url): string | undefined {
  let entry: string;
  try {
    entry = createRequire(from).resolve(name);
  } catch {
    return undefined;
  }
  for (let dir = dirname(entry); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === name)
      return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Version of package `name` as resolved from `from`, or undefined when it is not installed. */
export function packageVersion(name: string, from: string = import.meta.url): string | undefined {
  const dir = packageDir(name, from);
  if (dir === undefined) return undefined;
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version;
}
