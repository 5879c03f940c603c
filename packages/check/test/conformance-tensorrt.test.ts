// Conformance, op by op: for every release's operators.md, the one-node models of each listed op
// (ONNX's node tests with constant parameters, else a generic node) get the document's Y/N from the
// table of that release, through the same checker `edge check` runs.

import { OPERATOR_DOCUMENTS, tensorrtRules } from '@edge/backends-trt';
import type { ModelGraph, RuleTable } from '@edge/core';
import { requires } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { checkGraph } from '../src/index.js';
import { genericOneNode, nodeTests } from './helpers/one-node.js';

/** Op-level failures of the graph's single op on the table (graph rules such as the opset range aside). */
function failures(table: RuleTable, g: ModelGraph): string[] {
  const r = checkGraph(g, [table], { known: [table] }).targets[0]!;
  return r.issues
    .filter((i) => i.op !== undefined && i.level !== 'note')
    .map((i) => `${i.rule}: ${i.reason}`);
}

/**
 * Y rows whose restriction no default one-node model meets, with the reason. Every other Y row
 * must pass with at least one of its models.
 */
const UNMET: Readonly<Record<string, string>> = {
  'Resize 7':
    "7.x takes only coordinate_transformation_mode 'asymmetric' with nearest_mode 'floor', which neither ONNX's defaults (half_pixel, round_prefer_floor) nor a node test of onnx 1.12 uses",
};

function unmetReason(op: string, version: string): string | undefined {
  return UNMET[`${op} ${version.split('.')[0]}`] ?? UNMET[op];
}

describe('TensorRT tables agree with their documents, op by op', requires('onnx-testdata'), () => {
  const tests = nodeTests();
  for (const doc of OPERATOR_DOCUMENTS) {
    it(`TensorRT ${doc.tensorrt} (${doc.source.branch ?? doc.source.pinnedBy}, ${doc.operators.length} rows)`, () => {
      const table = tensorrtRules(doc.tensorrt)!;
      const wrong: string[] = [];
      const unmet: string[] = [];
      for (const op of [...new Set(doc.operators.map((r) => r.op))]) {
        const rows = doc.operators.filter((r) => r.op === op);
        // A duplicated row is settled by the importer (8.4 HardSwish: Y).
        const expected = rows.some((r) => r.supported);
        const models = [...(tests.get(op) ?? []), genericOneNode(op, doc.opset.max)];
        const results = models.map((m) => ({ origin: m.origin, failed: failures(table, m.graph) }));
        if (!expected) {
          const passing = results.filter((r) => !r.failed.some((f) => f.includes('is marked N')));
          if (passing.length) wrong.push(`${op}: N in the document, accepted (${passing[0]!.origin})`);
          continue;
        }
        if (results.some((r) => r.failed.length === 0)) continue;
        if (unmetReason(op, doc.tensorrt)) {
          unmet.push(op);
          continue;
        }
        wrong.push(
          `${op}: Y in the document, refused: ${results.map((r) => `${r.origin}: ${r.failed.join('; ')}`).join(' | ')}`,
        );
      }
      expect(wrong).toEqual([]);
      // Only a restriction can leave a Y row unmet, and every listed exemption is still needed.
      for (const op of unmet) expect(doc.operators.find((r) => r.op === op)!.restrictions).not.toBe('');
      const listed = Object.keys(UNMET)
        .map((k) => k.split(' '))
        .filter(([, major]) => !major || major === doc.tensorrt.split('.')[0])
        .map(([op]) => op);
      expect(unmet).toEqual(listed);
    });
  }
});
