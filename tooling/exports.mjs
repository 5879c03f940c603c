// For the exports snapshot tests: the names a package's src/index.ts exports as types only
// (`export type { A }`, `export { type B }`), which Object.keys of the module cannot show.
import { readFileSync } from 'node:fs';
import ts from 'typescript';

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
