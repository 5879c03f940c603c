// The exports snapshot of each package (test/exports.test.ts): the names an entry point exports at
// run time and as types only (`export type { A }`, `export { type B }`, which Object.keys of the
// module cannot show), compared with the list kept beside the test (`exports.snap.txt`), so an
// added, removed or renamed export fails the test and shows in review. `vitest run -u` rewrites
// the list after a deliberate change; under CI=true a missing list fails.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect } from 'vitest';

/** @param {URL | string} indexFile */
export function typeOnlyExports(indexFile) {
  const source = ts.createSourceFile('index.ts', readFileSync(indexFile, 'utf8'), ts.ScriptTarget.ES2022);
  const types = [];
  for (const statement of source.statements) {
    if (!ts.isExportDeclaration(statement) || !statement.exportClause) continue;
    if (!ts.isNamedExports(statement.exportClause)) continue;
    for (const element of statement.exportClause.elements) {
      if (statement.isTypeOnly || element.isTypeOnly) types.push(element.name.text);
    }
  }
  return types.sort();
}

/**
 * @param {Record<string, Record<string, unknown>>} entries the imported entry modules by their
 *   source file relative to the test (`{ '../src/index.ts': api }`)
 * @param {string} testUrl the test's import.meta.url
 */
export async function expectExports(entries, testUrl) {
  const text = Object.entries(entries)
    .map(
      ([file, module]) =>
        `# ${file}: runtime names\n${Object.keys(module).sort().join('\n')}\n` +
        `# ${file}: type-only names\n${typeOnlyExports(new URL(file, testUrl)).join('\n')}\n`,
    )
    .join('');
  await expect(text).toMatchFileSnapshot(fileURLToPath(new URL('exports.snap.txt', testUrl)));
}
