// Snapshot of the public API: any added, removed or renamed export fails here and shows in review.
import { typeOnlyExports } from '@edge/tooling/exports';
import { expect, it } from 'vitest';
import * as api from '../src/index.js';

it('exports exactly these runtime names', () => {
  expect(Object.keys(api).sort()).toEqual([
    'ENGINE_FORMAT_VERSION',
    'EngineCache',
    'EngineMismatchError',
    'LIBRARY_KINDS',
    'acquireLock',
    'atLeast',
    'checkEngineHost',
    'decodeEngineFile',
    'defaultCacheDir',
    'deriveProfile',
    'encodeEngineFile',
    'engineCacheKey',
    'formatCudaVersion',
    'formatTensorRTVersion',
    'formatVersion',
    'libraryCandidates',
    'parseTensorRTVersion',
    'parseTrtexecLog',
    'planBuild',
    'readEngineHeader',
    'readModelFacts',
    'searchDirectories',
    'trtStatus',
    'trtexecCommand',
  ]);
});

it('exports exactly these type-only names', () => {
  expect(typeOnlyExports(new URL('../src/index.ts', import.meta.url))).toEqual([
    'BuildOptions',
    'BuildPlan',
    'EngineCacheEntry',
    'EngineCacheEvent',
    'EngineCacheKeyParts',
    'EngineCacheOptions',
    'EngineFileInfo',
    'EngineHeader',
    'EngineHeaderFields',
    'EngineHost',
    'LibraryCandidate',
    'LibraryKind',
    'LibraryStatus',
    'LockOptions',
    'LockOwner',
    'ModelFacts',
    'ModelInput',
    'Precision',
    'ProfileEntry',
    'ProfileOptions',
    'SearchEnvironment',
    'SearchOrigin',
    'ShapeRange',
    'TensorRTVersion',
    'TrtDevice',
    'TrtMissing',
    'TrtStatus',
    'TrtexecCommand',
    'TrtexecPaths',
  ]);
});
