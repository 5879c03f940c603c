// Snapshot of the public API: an added, removed or renamed export fails here and shows in review.
import { typeOnlyExports } from '@edge/tooling/exports';
import { expect, it } from 'vitest';
import * as api from '../src/index.js';

it('exports exactly these runtime names', () => {
  expect(Object.keys(api).sort()).toEqual([
    'DLA_ORIN_RULES',
    'DLA_XAVIER_RULES',
    'TRT_10_RULES',
    'TRT_7_RULES',
    'TRT_8_6_RULES',
    'TrtSession',
    'createBackend',
    'sessionCounts',
  ]);
});

it('exports exactly these type-only names', () => {
  expect(typeOnlyExports(new URL('../src/index.ts', import.meta.url))).toEqual([
    'TrtBackend',
    'TrtBackendOptions',
  ]);
});
