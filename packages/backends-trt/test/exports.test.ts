// Snapshot of the public API: an added, removed or renamed export fails here and shows in review.
import { expect, it } from 'vitest';
import * as api from '../src/index.js';

it('exports exactly these runtime names', () => {
  expect(Object.keys(api).sort()).toEqual([
    'DLA_ALIASES',
    'DLA_RULES',
    'JETPACK_ALIASES',
    'OPERATOR_DOCUMENTS',
    'TENSORRT_ALIASES',
    'TENSORRT_RULES',
    'ruleTableAliases',
    'ruleTables',
    'tensorrtRules',
  ]);
});
