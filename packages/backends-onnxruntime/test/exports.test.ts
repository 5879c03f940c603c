// Snapshot of the public API: any added, removed or renamed export fails here and shows in review.
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { expect, it } from 'vitest';
import * as api from '../src/index.js';

it('exports exactly these runtime names', () => {
  expect(Object.keys(api).sort()).toEqual([
    'ONNX_OPERATORS',
    'ORT_CPU_RULES',
    'OnnxruntimeSession',
    'createBackend',
    'sessionCounts',
  ]);
});

it('exports exactly these type-only names', () => {
  const file = new URL('../src/index.ts', import.meta.url);
  const source = ts.createSourceFile('index.ts', readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022);
  const types: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isExportDeclaration(statement) || !statement.exportClause) continue;
    if (!ts.isNamedExports(statement.exportClause)) continue;
    for (const element of statement.exportClause.elements) {
      if (statement.isTypeOnly || element.isTypeOnly) types.push(element.name.text);
    }
  }
  expect(types.sort()).toEqual([
    'ExecutionProvider',
    'OnnxOperator',
    'OnnxruntimeBackend',
    'OnnxruntimeBackendOptions',
    'ProviderSkip',
    'SessionCounts',
  ]);
});
