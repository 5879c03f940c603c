// Snapshot of the public API: any added, removed or renamed export fails here and shows in review.
import { typeOnlyExports } from '@edge/tooling/exports';
import { expect, it } from 'vitest';
import * as api from '../src/index.js';

it('exports exactly these runtime names', () => {
  expect(Object.keys(api).sort()).toEqual([
    'LIBRARY_KINDS',
    'formatCudaVersion',
    'formatTensorRTVersion',
    'libraryCandidates',
    'searchDirectories',
    'trtStatus',
  ]);
});

it('exports exactly these type-only names', () => {
  expect(typeOnlyExports(new URL('../src/index.ts', import.meta.url))).toEqual([
    'LibraryCandidate',
    'LibraryKind',
    'LibraryStatus',
    'SearchEnvironment',
    'SearchOrigin',
    'TrtDevice',
    'TrtMissing',
    'TrtStatus',
  ]);
});
