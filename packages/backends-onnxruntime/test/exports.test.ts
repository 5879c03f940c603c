// Snapshot of the public API: any added, removed or renamed export fails here and shows in review.
import { typeOnlyExports } from '@edge/tooling/exports';
import { expect, it } from 'vitest';
import * as api from '../src/index.js';

it('exports exactly these runtime names', () => {
  expect(Object.keys(api).sort()).toEqual([
    'ORT_CPU_RULES',
    'OnnxruntimeSession',
    'createBackend',
    'ruleTables',
    'sessionCounts',
  ]);
});

it('exports exactly these type-only names', () => {
  expect(typeOnlyExports(new URL('../src/index.ts', import.meta.url))).toEqual([
    'ExecutionProvider',
    'OnnxruntimeBackend',
    'OnnxruntimeBackendOptions',
    'ProviderSkip',
    'SessionCounts',
  ]);
});
