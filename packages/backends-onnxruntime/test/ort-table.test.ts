// The onnxruntime CPU table is generated from what the installed onnxruntime-node loads: measuring
// again must give the committed data (a new onnxruntime-node shows here first), and the table must say
// what the measurement says.
import { readFileSync } from 'node:fs';
import { findOpRule } from '@edge/core';
import { requires } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: the measuring script is plain JavaScript, run by the CLI and by this test.
import { DATA, measure } from '../scripts/measure-ort-cpu.mjs';
import { ORT_CPU_RULES } from '../src/index.js';

interface Case {
  case: string;
  loads: boolean;
  kind?: string;
}

/** Machine-dependent failures (a missing locale) are left out of the comparison. */
const comparable = (cases: Case[]) =>
  cases.filter((c) => c.kind !== 'environment').map(({ case: name, loads, kind }) => ({ name, loads, kind }));

describe('ort-cpu table from onnxruntime-node', () => {
  it('measuring again gives the committed data/ort-cpu.json (no drift)', {
    ...requires('onnx-testdata'),
    timeout: 120_000,
  }, async () => {
    const committed = JSON.parse(readFileSync(DATA, 'utf8'));
    const now = await measure();
    expect(now.onnxruntime).toBe(committed.onnxruntime);
    expect(comparable(now.cases)).toEqual(comparable(committed.cases));
  });

  it('says what the measurement says', () => {
    const rule = (op: string, domain = '') => findOpRule(ORT_CPU_RULES, op, domain)!;
    // onnxruntime-node refuses both contrib normalisations: they are not registered.
    expect(rule('LayerNormalization', 'com.microsoft').support).toBe('unsupported');
    expect(rule('SimplifiedLayerNormalization', 'com.microsoft').support).toBe('unsupported');
    expect(rule('FusedConv', 'com.microsoft').support).toBe('supported');
    expect(rule('Gelu').support).toBe('supported');
    expect(rule('Gelu').source.unverified).toBeUndefined();
    const shift = rule('BitShift').conditions!.map((c) => c.description);
    expect(shift).toContain('input 0 is not uint16 (no CPU kernel)');
    expect(rule('LSTM').conditions!.map((c) => c.description)).toContain('layout is 0');
    expect(rule('Cast').conditions!.map((c) => c.description)).toContain(
      'no bfloat16 tensors (no CPU kernel for the type)',
    );
    expect(rule('Abs').source.note).toMatch(/node\/test_abs/);
  });
});
