// Snapshot of the public API: any added, removed or renamed export fails here and shows in review.
import { typeOnlyExports } from '@edge/tooling/exports';
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
  expect(typeOnlyExports(new URL('../src/index.ts', import.meta.url))).toEqual([
    'CudaProviderOptions',
    'ExecutionProvider',
    'OnnxOperator',
    'OnnxruntimeBackend',
    'OnnxruntimeBackendOptions',
    'ProviderSkip',
    'SessionCounts',
    'TensorRtProviderOptions',
  ]);
});
