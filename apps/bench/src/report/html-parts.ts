// What the HTML pages share: escaping, JSON inside a script element, and inlining a library's
// browser build from its installed package (no network when the page opens).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UnavailableError } from '@edge/core';
import { packageDir } from '../measure/packages.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** Text safe inside an element or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ESCAPES[c]!);
}

/** JSON that can sit inside a <script> element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

const inlined = new Map<string, string>();

/**
 * A file of an installed package (a dependency of @edge/bench), ready to sit inside a <script>
 * element; read once.
 *
 * @throws {@link UnavailableError} when the package is not installed.
 */
export function inlineScript(pkg: string, file: string): string {
  const key = `${pkg}/${file}`;
  let text = inlined.get(key);
  if (text === undefined) {
    const dir = packageDir(pkg, import.meta.url);
    if (dir === undefined)
      throw new UnavailableError(`${pkg} is not installed (a dependency of @edge/bench): run pnpm install`);
    text = readFileSync(join(dir, file), 'utf8').replace(/<\/script/gi, '<\\/script');
    inlined.set(key, text);
  }
  return text;
}
