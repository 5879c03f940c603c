// `edge convert` fixes: every output passes onnx.checker and gives the same outputs as its input
// model on onnxruntime-node CPU (max abs difference <= 1e-5), on PaddleOCR and generated models.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArgumentError } from '@edge/core';
import { maxAbsDiff, OCR_MODELS, onnxCheck } from '@edge/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { constant, floats, graph, int64s, model, node, value } from '../src/build.js';
import { DataType } from '../src/data-type.js';
import { type ConvertOptions, convertModel } from '../src/edits/convert.js';
import { upsampleToResize } from '../src/edits/upsample.js';
import { readModelFile } from '../src/reader.js';
import { tensorFromArray } from '../src/tensor-data.js';
import type { OnnxModel } from '../src/types.js';
import { writeModel } from '../src/writer.js';
import { openSessions, runModel } from './helpers/ort.js';

const dir = mkdtempSync(join(tmpdir(), 'edge-convert-'));
afterAll(() => {
  expect(openSessions()).toBe(0);
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
function save(m: OnnxModel): string {
  const p = join(dir, `m${n++}.onnx`);
  writeFileSync(p, writeModel(m));
  return p;
}

async function expectSameOutputs(
  before: string,
  after: string,
  inputs: Record<string, number[]>,
): Promise<void> {
  const feeds = Object.fromEntries(Object.entries(inputs).map(([k, dims]) => [k, { dims }]));
  const a = await runModel(before, feeds);
  const b = await runModel(after, feeds);
  expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
  for (const k of Object.keys(a)) {
    expect(b[k]!.dims).toEqual(a[k]!.dims);
    expect(maxAbsDiff(a[k]!.data, b[k]!.data)).toBeLessThanOrEqual(1e-5);
  }
}

const ALL: ConvertOptions = {
  foldConstants: true,
  constantsToInitializers: true,
  dropIdentity: true,
  upsampleToResize: true,
};

describe('edge convert on PaddleOCR', () => {
  const cases = [
    ['det', [1, 3, 64, 96]],
    ['rec', [1, 3, 48, 96]],
    ['cls', [1, 3, 48, 192]],
  ] as const;
  for (const [key, dims] of cases) {
    it(`${key}: fixed batch and shape, all fixes; onnx.checker passes and outputs match`, async () => {
      const path = OCR_MODELS[key];
      const src = readModelFile(path);
      const fixed = convertModel(src, { ...ALL, inputShapes: { x: [...dims] } });
      const freed = convertModel(src, { ...ALL, batch: 'N' });
      expect(fixed.model.graph.nodes.filter((x) => x.opType === 'Constant')).toEqual([]);
      expect(fixed.model.graph.nodes.length).toBeLessThan(src.graph.nodes.length);
      const outFixed = save(fixed.model);
      const outFreed = save(freed.model);
      expect(onnxCheck([outFixed, outFreed])).toEqual({});
      await expectSameOutputs(path, outFixed, { x: [...dims] });
      await expectSameOutputs(path, outFreed, { x: [...dims] });
    });
  }
});

describe('edge convert on generated models', () => {
  it('Upsample (opset 9) becomes Resize (opset 11), Identity/Dropout go, Constants become initializers', async () => {
    const upsample = (mode: string) =>
      model(
        graph({
          inputs: [value('x', [1, 2, 4, 4])],
          initializers: [floats('w', [2, 2, 3, 3], 0.1), scales('sc', [1, 1, 2, 2])],
          nodes: [
            constant('s2', floats('', [1], 3)),
            node('Conv', ['x', 'w'], ['c'], { pads: [1, 1, 1, 1] }),
            node('Identity', ['c'], ['i']),
            node('Dropout', ['i'], ['d']),
            node('Upsample', ['d', 'sc'], ['u'], { mode }),
            node('Mul', ['u', 's2'], ['y0']),
            node('Identity', ['y0'], ['y']),
          ],
          outputs: [value('y', [1, 2, 8, 8])],
        }),
        9,
      );
    for (const mode of ['nearest', 'linear']) {
      const m = upsample(mode);
      const r = convertModel(m, ALL);
      expect(r.model.graph.nodes.map((x) => x.opType)).toEqual(['Conv', 'Resize', 'Mul']);
      expect(r.changes.map((c) => [c.kind, c.count])).toEqual([
        ['upsample-to-resize', 1],
        ['drop-identity', 3],
        ['constants-to-initializers', 1],
      ]);
      expect(r.model.opsetImports.find((o) => o.domain === '')!.version).toBe(11);
      expect(r.model.graph.outputs.map((v) => v.name)).toEqual(['y']);
      const after = save(r.model);
      expect(onnxCheck([after])).toEqual({});
      await expectSameOutputs(save(m), after, { x: [1, 2, 4, 4] });
    }
  });

  it('a Shape subgraph folds once the batch is fixed', async () => {
    const m = model(
      graph({
        inputs: [value('x', ['N', 3, 4, 4])],
        initializers: [int64s('idx', [0]), int64s('rest', [48])],
        nodes: [
          node('Shape', ['x'], ['shp']),
          node('Gather', ['shp', 'idx'], ['n'], { axis: 0 }),
          node('Concat', ['n', 'rest'], ['target'], { axis: 0 }),
          node('Reshape', ['x', 'target'], ['y']),
        ],
        outputs: [value('y', ['N', 48])],
      }),
      13,
    );
    const r = convertModel(m, { batch: 2, foldConstants: true });
    expect(r.model.graph.nodes.map((x) => x.opType)).toEqual(['Reshape']);
    expect(r.changes.map((c) => c.message)).toEqual([
      'batch fixed to 2',
      'constant folding: 3 node(s) folded or removed',
    ]);
    expect(r.model.graph.inputs[0]!.type).toMatchObject({
      shape: [{ value: 2 }, { value: 3 }, { value: 4 }, { value: 4 }],
    });
    const after = save(r.model);
    expect(onnxCheck([after])).toEqual({});
    await expectSameOutputs(save(m), after, { x: [2, 3, 4, 4] });
  });

  it('BAD CALL - setting the shape of an unknown input names the inputs', () => {
    const m = model(
      graph({
        inputs: [value('x', [1, 3])],
        nodes: [node('Relu', ['x'], ['y'])],
        outputs: [value('y', [1, 3])],
      }),
    );
    expect(() => convertModel(m, { inputShapes: { nope: [1, 3] } })).toThrowError(ArgumentError);
    expect(() => convertModel(m, { inputShapes: { nope: [1, 3] } })).toThrowError(
      "input 'nope' is not a graph input (inputs: x)",
    );
    expect(() => convertModel(m, { inputShapes: { x: [1, 3, 4] } })).toThrowError(
      "Expected 2 dims for input 'x' but received 3 (1x3x4)",
    );
  });

  it('EXPECTED FAILURE - Upsample in an opset-9 model with Slice-1 cannot be raised to Resize', () => {
    const m = model(
      graph({
        inputs: [value('x', [1, 1, 2, 2])],
        initializers: [scales('sc', [1, 1, 2, 2])],
        nodes: [
          node('Slice', ['x'], ['s'], { starts: [0], ends: [1], axes: [1] }),
          node('Upsample', ['s', 'sc'], ['y']),
        ],
        outputs: [value('y', [1, 1, 4, 4])],
      }),
      9,
    );
    expect(() => upsampleToResize(m)).toThrowError(ArgumentError);
    expect(() => upsampleToResize(m)).toThrowError(/Slice \('s'\) changed meaning at opset 10/);
  });
});

function scales(name: string, v: number[]) {
  return tensorFromArray(name, DataType.FLOAT, [v.length], Float32Array.from(v));
}
