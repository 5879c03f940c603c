// Snapshot of the public API: an added, removed or renamed export fails here and shows in review.
import { expect, it } from 'vitest';
import * as api from '../src/index.js';

it('exports exactly these runtime names', () => {
  expect(Object.keys(api).sort()).toEqual([
    'DLA_ORIN_RULES',
    'DLA_XAVIER_RULES',
    'OPERATOR_DOCUMENTS',
    'TENSORRT_ALIASES',
    'TENSORRT_RULES',
    'tensorrtRules',
  ]);
});
