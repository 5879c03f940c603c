// Snapshot of the public API: any added, removed or renamed export fails here and shows in review.
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { expect, it } from 'vitest';
import * as core from '../src/index.js';

it('exports exactly these runtime names', () => {
  expect(Object.keys(core).sort()).toEqual([
    'AbortedError',
    'ArgumentError',
    'BYTES_PER_ELEMENT',
    'DTYPES',
    'DisposedError',
    'EdgeError',
    'FeedError',
    'FileIOError',
    'GraphError',
    'InferenceError',
    'ModelLoadError',
    'ModelParseError',
    'NoBackendError',
    'QueueFullError',
    'Tensor',
    'TimeoutError',
    'UnavailableError',
    'UnsafePathError',
    'checkBoolean',
    'checkFeeds',
    'checkInteger',
    'checkNumber',
    'checkOneOf',
    'checkPositiveInteger',
    'checkShape',
    'checkString',
    'compareVersions',
    'describeTensorInfo',
    'describeValue',
    'findOpRule',
    'float16BitsToFloat32',
    'float32ToFloat16Bits',
    'formatShape',
    'fromFloat16Array',
    'inVersionRange',
    'invalidArgument',
    'isAcceleratorDevice',
    'isDType',
    'isEdgeError',
    'isTensorLike',
    'toFloat16Array',
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
    'Availability',
    'Backend',
    'BackendLoadOptions',
    'BackendModule',
    'BackendSkip',
    'DType',
    'DataOf',
    'DataTypeMap',
    'EdgeErrorCode',
    'EdgeErrorOptions',
    'ElementType',
    'FallbackMode',
    'GraphFinding',
    'GraphRule',
    'GraphRuleEffect',
    'ModelAttribute',
    'ModelDim',
    'ModelFormat',
    'ModelGraph',
    'ModelOp',
    'ModelSource',
    'ModelTensor',
    'OpCondition',
    'OpRule',
    'ParseLocation',
    'RangeOptions',
    'RuleSource',
    'RuleTable',
    'Session',
    'SessionRunOptions',
    'StringOptions',
    'TargetFallback',
    'TargetKind',
    'TensorData',
    'TensorInfo',
    'TensorMap',
    'TensorQuantization',
  ]);
});
