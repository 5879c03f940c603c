// The README's figures cannot go stale by hand: every figures block is exactly what
// scripts/readme-figures.mjs renders from the stored results, and each says when and on which CPU
// (with its flags) it was measured.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import { benchPackageDir } from '../src/harness/paths.js';

const ROOT = join(benchPackageDir(), '../..');

it('every figures block of the README is what its stored result renders, with date and CPU flags', async () => {
  const script = pathToFileURL(join(ROOT, 'scripts/readme-figures.mjs')).href;
  const { renderReadme } = (await import(script)) as { renderReadme(text: string): Promise<string> };
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  expect(await renderReadme(readme)).toBe(readme);
  const blocks = [...readme.matchAll(/<!-- figures:([a-z-]+) -->\n([\s\S]*?)<!-- \/figures:\1 -->/g)];
  expect(blocks.map((b) => b[1])).toEqual([
    'edge-bench',
    'parse',
    'preprocess',
    'runtime-overhead',
    'runtime-batching',
    'runtime-soak',
    'quantize',
  ]);
  for (const [, name, body] of blocks) {
    expect(body, name).toMatch(/, 20\d\d-\d\d-\d\d, on /);
    expect(body, name).toMatch(/flags [a-z0-9_ ]+/);
  }
});
