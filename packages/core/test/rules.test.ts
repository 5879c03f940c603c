import { describe, expect, it } from 'vitest';
import { compareVersions, findOpRule, inVersionRange, type RuleTable } from '../src/index.js';

const SRC = { document: 'doc', version: '1' };

describe('rule helpers', () => {
  it('compareVersions compares dotted versions numerically', () => {
    expect(compareVersions('8.6', '8.6.0')).toBe(0);
    expect(compareVersions('10.0', '8.6')).toBeGreaterThan(0);
    expect(compareVersions('7.2', '8.0')).toBeLessThan(0);
    expect(compareVersions('2022.3', '2022.10')).toBeLessThan(0);
  });

  it('inVersionRange is [since, until)', () => {
    expect(inVersionRange('8.6', {})).toBe(true);
    expect(inVersionRange('8.6', { since: '8.6' })).toBe(true);
    expect(inVersionRange('8.6', { until: '8.6' })).toBe(false);
    expect(inVersionRange('7.2', { since: '8.0', until: '10.0' })).toBe(false);
  });

  it('findOpRule takes the first rule whose op, domain and range match', () => {
    const table: RuleTable = {
      id: 't',
      name: 'T',
      family: 't',
      version: '8.6',
      kind: 'engine',
      formats: ['onnx'],
      domains: [''],
      unlisted: 'unsupported',
      ops: [
        { op: 'Nms', support: 'unsupported', until: '8.6', source: SRC },
        { op: ['Nms', 'Relu'], support: 'supported', source: SRC },
        { op: 'Relu', domain: 'x', support: 'unsupported', source: SRC },
      ],
      graph: [],
      source: SRC,
    };
    expect(findOpRule(table, 'Nms', '')?.support).toBe('supported');
    expect(findOpRule({ ...table, version: '8.5' }, 'Nms', '')?.support).toBe('unsupported');
    expect(findOpRule(table, 'Relu', 'x')?.support).toBe('unsupported');
    expect(findOpRule(table, 'Conv', '')).toBeUndefined();
  });
});
