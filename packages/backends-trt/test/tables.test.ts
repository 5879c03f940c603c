// The TensorRT tables against their documents: one table per release, one rule per row citing its
// line, every restriction clause understood, aliases pointing at the newest release of a major.
import { findOpRule } from '@edge/core';
import { describe, expect, it } from 'vitest';
import { OPERATOR_DOCUMENTS, TENSORRT_ALIASES, TENSORRT_RULES, tensorrtRules } from '../src/index.js';
import { documentSource } from '../src/rules/operator-documents.js';
import { rowConditions, splitClauses } from '../src/rules/restrictions.js';

describe('TensorRT tables from onnx-tensorrt docs/operators.md', () => {
  it('one table per release with a document, plus 10.3 derived from 10.1', () => {
    expect(TENSORRT_RULES.map((t) => t.id)).toEqual([
      'trt-7.0',
      'trt-7.1',
      'trt-7.2',
      'trt-8.0',
      'trt-8.2',
      'trt-8.4',
      'trt-8.5',
      'trt-8.6',
      'trt-9.0',
      'trt-9.1',
      'trt-9.2',
      'trt-9.3',
      'trt-10.0',
      'trt-10.1',
      'trt-10.3',
      'trt-10.14',
      'trt-10.15',
      'trt-10.16',
      'trt-11.1',
    ]);
    expect(TENSORRT_RULES.filter((t) => t.source.unverified).map((t) => t.id)).toEqual(['trt-10.3']);
  });

  it("every row is a rule with the document's Y/N, citing the row's line at the document's commit", () => {
    for (const doc of OPERATOR_DOCUMENTS) {
      const table = tensorrtRules(doc.tensorrt)!;
      expect(table.ops.length).toBe(new Set(doc.operators.map((r) => r.op)).size);
      for (const row of doc.operators) {
        // 8.4 lists HardSwish as N and as Y; its importer settles it (Y).
        if (doc.tensorrt === '8.4' && row.op === 'HardSwish' && !row.supported) continue;
        const rule = findOpRule(table, row.op, '')!;
        expect(rule.support, `${doc.tensorrt} ${row.op}`).toBe(row.supported ? 'supported' : 'unsupported');
        expect(rule.source).toMatchObject(documentSource(doc, row.line));
        expect(rule.source.url).toBe(`${doc.source.url}#L${row.line}`);
      }
    }
  });

  it('every restriction clause of every document becomes conditions (none left unread)', () => {
    const unread: string[] = [];
    for (const doc of OPERATOR_DOCUMENTS) {
      for (const row of doc.operators.filter((r) => r.supported)) {
        const { unhandled } = rowConditions({ doc, row, source: documentSource(doc, row.line) });
        unread.push(...unhandled.map((u) => `${doc.tensorrt} ${row.op}: ${u}`));
      }
    }
    expect(unread).toEqual([]);
  });

  it('cuts restriction cells into clauses at sentences and <br />', () => {
    expect(splitClauses('2D or 3D convolutions only\\. Weights `W` must be an initailizer   |')).toEqual([
      '2D or 3D convolutions only',
      'Weights `W` must be an initailizer',
    ]);
    expect(
      splitClauses('Supported resize modes: `nearest`, `linear`.<br />Antialiasing is not supported.|'),
    ).toEqual(['Supported resize modes: `nearest`, `linear`', 'Antialiasing is not supported']);
  });

  it('the opset range is the sentence of the document', () => {
    const range = (v: string) => tensorrtRules(v)!.graph.find((g) => g.id === 'opset-range')!;
    expect(range('7.2').description).toMatch(/at most 13/);
    expect(range('8.6').description).toMatch(/at most 17/);
    expect(range('10.0').description).toMatch(/between 9 and 20/);
    expect(range('10.16').description).toMatch(/between 9 and 24/);
    expect(range('8.6').source.row).toBe(5);
  });

  it('the issue rows: 7.2 has CumSum/Celu, 8.6 has Trilu/Mod/RoiAlign, 10.0 has no Gelu row but 10.16 has', () => {
    const support = (v: string, op: string) => findOpRule(tensorrtRules(v)!, op, '')?.support ?? 'unlisted';
    expect(['7.1', '7.2'].map((v) => support(v, 'CumSum'))).toEqual(['unsupported', 'supported']);
    expect(
      ['Trilu', 'Mod', 'RoiAlign', 'IsInf', 'Reciprocal', 'Shrink'].map((op) => support('8.6', op)),
    ).toEqual(Array(6).fill('supported'));
    expect(support('10.0', 'Gelu')).toBe('supported');
    expect(support('8.6', 'Gelu')).toBe('unlisted');
    expect(support('10.16', 'CastLike')).toBe('supported');
  });

  it('TensorRT 10.3 is 10.1 with the Slice axes restriction lifted by the 10.3 changelog, all unverified', () => {
    const s101 = findOpRule(tensorrtRules('10.1')!, 'Slice', '')!;
    const s103 = findOpRule(tensorrtRules('10.3')!, 'Slice', '')!;
    expect(s101.conditions!.map((c) => c.description)).toEqual(['input axes is an initializer (constant)']);
    expect(s103.conditions).toEqual([]);
    expect(s103.source).toMatchObject({ path: 'docs/Changelog.md', row: 31, unverified: true });
    expect(findOpRule(tensorrtRules('10.3')!, 'Conv', '')!.source.unverified).toBe(true);
  });

  it('major aliases name the newest release with a document', () => {
    expect(TENSORRT_ALIASES.map((a) => [a.id, a.targets])).toEqual([
      ['trt-7', ['trt-7.2']],
      ['trt-8', ['trt-8.6']],
      ['trt-9', ['trt-9.3']],
      ['trt-10', ['trt-10.16']],
      ['trt-11', ['trt-11.1']],
    ]);
  });
});
