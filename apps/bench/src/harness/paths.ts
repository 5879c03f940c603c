// Where the bench package lives and where it keeps generated inputs.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of `@edge/bench`'s package.json, found by walking up from this module: the same
 * answer from `src/` (tests) and from the bundled `dist/cli.js`.
 *
 * @throws Error when no such package.json is above this module.
 */
export function benchPackageDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (
      existsSync(pkg) &&
      (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === '@edge/bench'
    )
      return dir;
    const up = dirname(dir);
    if (up === dir)
      throw new Error(`cannot find @edge/bench's package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** Generated inputs (models) kept between runs: `apps/bench/.bench-out/` (git-ignored). */
export function defaultOutDir(): string {
  return join(benchPackageDir(), '.bench-out');
}

/** Resolves a dependency of the bench package to a file path, as Node's `require.resolve` would. */
export function resolveFromBench(specifier: string): string {
  return createRequire(join(benchPackageDir(), 'package.json')).resolve(specifier);
}
