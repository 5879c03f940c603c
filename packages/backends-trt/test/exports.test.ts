// Snapshot of the public API: an added, removed or renamed export fails here and shows in review.
import { expect, it } from 'vitest';
import * as api from '../src/index.js';

it('exports exactly these runtime names', () => {
  expect(Object.keys(api).sort()).toEqual([
    'DLA_ORIN_RULES',
    'DLA_XAVIER_RULES',
    'TRT_10_RULES',
    'TRT_7_RULES',
    'TRT_8_6_RULES',
    'ruleTables',
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
