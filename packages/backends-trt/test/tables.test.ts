// The tables as data: every rule names its source, ids and versions are what the CLI expects, and
// version ranges pick the rule each release's operators.md implies.
import { findOpRule, type RuleTable } from '@edge/core';
import { describe, expect, it } from 'vitest';
import { DLA_ORIN_RULES, DLA_XAVIER_RULES, TRT_7_RULES, TRT_8_6_RULES, TRT_10_RULES } from '../src/index.js';

const TABLES: RuleTable[] = [TRT_7_RULES, TRT_8_6_RULES, TRT_10_RULES, DLA_XAVIER_RULES, DLA_ORIN_RULES];

describe('TensorRT and DLA tables', () => {
  it('have the ids, kinds and fallbacks the checker and CLI use', () => {
    expect(TABLES.map((t) => [t.id, t.kind, t.version, t.fallback?.target ?? null])).toEqual([
      ['trt-7', 'engine', '7.2', null],
      ['trt-8.6', 'engine', '8.6', null],
      ['trt-10', 'engine', '10.0', null],
      ['dla-xavier', 'accelerator', '8.6', 'trt-8.6'],
      ['dla-orin', 'accelerator', '8.6', 'trt-8.6'],
    ]);
  });

  it('name a document and version for every rule and condition', () => {
    for (const t of TABLES) {
      for (const r of t.ops) {
        expect(r.source.document.length, String(r.op)).toBeGreaterThan(0);
        expect(r.source.version.length).toBeGreaterThan(0);
        for (const c of r.conditions ?? []) expect(c.description.length).toBeGreaterThan(0);
      }
      for (const g of t.graph) expect(g.source.document.length).toBeGreaterThan(0);
    }
  });

  it('pick the rule of each release by version range', () => {
    const support = (t: RuleTable, op: string) => findOpRule(t, op, '')?.support ?? 'unlisted';
    expect([TRT_7_RULES, TRT_8_6_RULES, TRT_10_RULES].map((t) => support(t, 'NonMaxSuppression'))).toEqual([
      'unsupported',
      'supported',
      'supported',
    ]);
    expect([TRT_7_RULES, TRT_8_6_RULES].map((t) => support(t, 'ScatterND'))).toEqual([
      'unsupported',
      'supported',
    ]);
    expect([TRT_7_RULES, TRT_8_6_RULES, TRT_10_RULES].map((t) => support(t, 'QLinearConv'))).toEqual([
      'unsupported',
      'unsupported',
      'unsupported',
    ]);
    expect(support(TRT_8_6_RULES, 'FooBar')).toBe('unlisted');
    expect(support(DLA_XAVIER_RULES, 'Softmax')).toBe('unlisted');
    expect(support(DLA_ORIN_RULES, 'Softmax')).toBe('supported');
  });

  it('count their rules (a change here means a table changed)', () => {
    expect(TABLES.map((t) => [t.id, t.ops.length, t.graph.length])).toEqual([
      ['trt-7', expect.any(Number), 4],
      ['trt-8.6', expect.any(Number), 4],
      ['trt-10', expect.any(Number), 4],
      ['dla-xavier', 12, 2],
      ['dla-orin', 16, 2],
    ]);
  });
});
