// Snapshot of the public API: an added, removed or renamed export fails here and shows in review.
import { typeOnlyExports } from '@edge/tooling/exports';
import { expect, it } from 'vitest';
import * as api from '../src/index.js';

it('exports exactly these runtime names', () => {
  expect(Object.keys(api).sort()).toEqual([
    'CHECK_REPORT_SCHEMA_VERSION',
    'MYRIAD_RULES',
    'OPENVINO_CPU_RULES',
    'checkGraph',
    'checkModelFile',
    'loadRuleTables',
    'loadTargetAliases',
    'readModelGraph',
    'resolveTargets',
    'verdictExitCode',
    'worstVerdict',
  ]);
});

it('exports exactly these type-only names', () => {
  expect(typeOnlyExports(new URL('../src/index.ts', import.meta.url))).toEqual([
    'CheckIssue',
    'CheckOptions',
    'CheckReport',
    'FallbackSummary',
    'IssueLevel',
    'TargetReport',
    'Verdict',
  ]);
});
