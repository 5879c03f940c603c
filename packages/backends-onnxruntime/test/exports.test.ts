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

it('ruleTables lists every rule table the package exports, each once', () => {
  const exported = Object.values(api).filter(
    (v) => typeof v === 'object' && v !== null && 'ops' in v && 'kind' in v,
  );
  expect(api.ruleTables).toHaveLength(exported.length);
  expect(new Set(api.ruleTables)).toEqual(new Set(exported));
  expect(Object.isFrozen(api.ruleTables)).toBe(true);
});
