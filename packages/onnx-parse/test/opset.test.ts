import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError, GraphError } from '@edge/core';
import { expectError, OCR_MODELS, onnxCheck, scratchDir } from '@edge/test-utils';
import { expect, it } from 'vitest';
import { floats, graph, model, node, value } from '../src/build.js';
import { upgradeOpset } from '../src/edits/opset.js';
import { Graph } from '../src/graph.js';
import { readModelFile } from '../src/reader.js';
import { tensorValues } from '../src/tensor-data.js';
import type { OnnxModel } from '../src/types.js';
import { writeModel } from '../src/writer.js';

const dir = scratchDir('edge-opset-');

function checked(m: OnnxModel, name: string): Record<string, string> {
  const path = join(dir, name);
  writeFileSync(path, writeModel(m));
  return onnxCheck([path]);
}

function opset9(): OnnxModel {
  return model(
    graph({
      inputs: [value('x', [2, 1, 6])],
      nodes: [
        node('Clip', ['x'], ['c'], { min: { float: 0 }, max: { float: 6 } }),
        node('Slice', ['c'], ['s'], { starts: [1], ends: [5], axes: [2] }),
        node('Squeeze', ['s'], ['q'], { axes: [1] }),
        node('Dropout', ['q'], ['d'], { ratio: { float: 0.3 } }),
        node('Softmax', ['d'], ['y'], { axis: 1 }),
      ],
      outputs: [value('y', [2, 4])],
    }),
    9,
  );
}

it('raises opset 9 to 13: attributes that became inputs are moved, and onnx.checker accepts the result', () => {
  const before = opset9();
  const fingerprint = JSON.stringify(before.graph.nodes);
  const { model: up, changes } = upgradeOpset(before, 13);
  expect(changes).toEqual([
    { kind: 'upgrade-opset', count: 4, message: 'opset raised from 9 to 13; 4 node(s) rewritten' },
  ]);
  expect(up.opsetImports).toEqual([{ domain: '', version: 13 }]);
  expect(JSON.stringify(before.graph.nodes)).toBe(fingerprint);
  const g = new Graph(up);
  const values = (name: string) => Array.from(tensorValues(g.constant(name)!), Number);
  const [clip, slice, squeeze, dropout] = up.graph.nodes;
  expect(clip!.attributes).toEqual([]);
  expect(clip!.inputs.slice(1).map(values)).toEqual([[0], [6]]);
  expect(slice!.inputs.slice(1).map(values)).toEqual([[1], [5], [2]]);
  expect(values(squeeze!.inputs[1]!)).toEqual([1]);
  expect(dropout!.attributes).toEqual([]);
  expect(checked(up, 'up.onnx')).toEqual({});
});

it('a model already at the target comes back as it is', () => {
  const m = opset9();
  const same = upgradeOpset(m, 9);
  expect(same.model).toBe(m);
  expect(same.changes).toEqual([]);
  expect(upgradeOpset(m, 8).model).toBe(m);
});

it('raises the real PaddleOCR classifier (opset 9) to 13, and onnx.checker accepts it', () => {
  const up = upgradeOpset(readModelFile(OCR_MODELS.cls), 13).model;
  expect(up.opsetImports.find((o) => o.domain === '')?.version).toBe(13);
  expect(checked(up, 'cls13.onnx')).toEqual({});
});

it('EXPECTED FAILURE - a Softmax over more than the last axis changes meaning at 13, so it is refused', () => {
  const m = model(
    graph({
      inputs: [value('x', [1, 3, 4, 4])],
      nodes: [node('Softmax', ['x'], ['y'], { axis: 1 }, { name: 'sm' })],
      outputs: [value('y', [1, 3, 4, 4])],
    }),
    11,
  );
  expectError(
    () => upgradeOpset(m, 13),
    GraphError,
    "cannot raise node 'sm' (Softmax) from opset 11 to 13: before opset 13 it normalises over axes 1.. of a rank-4 input together, from 13 over axis 1 alone",
  );
});

it('EXPECTED FAILURE - Upsample and old models are refused by name', () => {
  const up = model(
    graph({
      inputs: [value('x', [1, 1, 2, 2])],
      nodes: [node('Upsample', ['x', 's'], ['y'], {}, { name: 'up' })],
      initializers: [floats('s', [4], 2)],
      outputs: [value('y', null)],
    }),
    9,
  );
  expect(() => upgradeOpset(up, 13)).toThrow(
    "cannot raise node 'up' (Upsample) from opset 9 to 13: Upsample's meaning changed and is not rewritten here",
  );
  const old = { ...opset9(), opsetImports: [{ domain: '', version: 6 }] };
  expect(() => upgradeOpset(old, 13)).toThrow('cannot raise a model from opset 6 (older than 7) to 13');
});

it('BAD CALL - upgradeOpset to an opset it does not know', () => {
  expectError(
    () => upgradeOpset(opset9(), 14),
    ArgumentError,
    'Expected integer between 7 and 13 for target but received 14 of type number',
  );
});
