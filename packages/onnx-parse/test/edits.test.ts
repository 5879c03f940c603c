import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError, isEdgeError } from '@edge/core';
import { expectError, OCR_MODELS, onnxCheck, python, scratchDir } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { constant, floats, graph, int64s, model, node, value } from '../src/build.js';
import { DataType } from '../src/data-type.js';
import { removeUnused } from '../src/edits/cleanup.js';
import { foldConstants } from '../src/edits/constants.js';
import { exposeTensors } from '../src/edits/expose.js';
import { setBatchDimension } from '../src/edits/shapes.js';
import { readModelFile } from '../src/reader.js';
import { inferShapes } from '../src/shape-inference/index.js';
import { tensorValues } from '../src/tensor-data.js';
import type { OnnxModel, ValueInfo } from '../src/types.js';
import { writeModel } from '../src/writer.js';

/** The declared shapes of value infos, as plain data. */
function dims(vs: readonly ValueInfo[]): Record<string, (number | string | null)[] | undefined> {
  return Object.fromEntries(
    vs.map((v) => [
      v.name,
      v.type?.kind === 'tensor' ? v.type.shape?.map((d) => d.value ?? d.param ?? null) : undefined,
    ]),
  );
}

/** A structural fingerprint of a model (payload sources hold functions, so no structuredClone). */
function fingerprint(m: OnnxModel): string {
  return JSON.stringify(m.graph, (k, v) => (k === 'rawData' || k === 's' ? undefined : v));
}

const expectArgumentError = (fn: () => unknown, message: string | RegExp): void =>
  expect(isEdgeError(expectError(fn, ArgumentError, message), 'EDGE_ARGUMENT')).toBe(true);

function classifier(batch: number | string = 'N'): OnnxModel {
  return model(
    graph({
      inputs: [value('x', [batch, 3, 8, 8])],
      initializers: [floats('w', [4, 3, 3, 3])],
      nodes: [
        node('Conv', ['x', 'w'], ['c'], { pads: [1, 1, 1, 1] }),
        node('GlobalAveragePool', ['c'], ['g']),
        node('Flatten', ['g'], ['y']),
      ],
      outputs: [value('y', [batch, 4])],
      valueInfo: [value('c', [batch, 4, 8, 8]), value('g', [batch, 4, 1, 1]), value('w', [4, 3, 3, 3])],
    }),
  );
}

describe('setBatchDimension', () => {
  it('fixes a symbolic batch on inputs and outputs and drops stale value_info', () => {
    const m = classifier('N');
    const before = fingerprint(m);
    const { model: fixed, changes } = setBatchDimension(m, 2);
    expect(changes).toEqual([{ kind: 'batch', count: 1, message: 'batch fixed to 2' }]);
    expect(dims(fixed.graph.inputs)).toEqual({ x: [2, 3, 8, 8] });
    expect(dims(fixed.graph.outputs)).toEqual({ y: [2, 4] });
    expect(dims(fixed.graph.valueInfo)).toEqual({ w: [4, 3, 3, 3] });
    expect(fingerprint(m)).toBe(before);
    expect(fixed.graph.nodes[0]).toBe(m.graph.nodes[0]);
    expect(inferShapes(fixed).get('c')?.shape).toEqual([2, 4, 8, 8]);
  });

  it('frees a fixed batch under a name', () => {
    const { model: freed, changes } = setBatchDimension(classifier(1), 'batch');
    expect(changes.map((c) => c.message)).toEqual(["batch freed as 'batch'"]);
    expect(dims(freed.graph.inputs)).toEqual({ x: ['batch', 3, 8, 8] });
    expect(dims(freed.graph.outputs)).toEqual({ y: ['batch', 4] });
    // The old fixed batch 1 cannot be told apart from a real 1, so entries starting with it go.
    expect(dims(freed.graph.valueInfo)).toEqual({ w: [4, 3, 3, 3] });
  });

  it('leaves outputs that do not carry the batch, and initializer inputs', () => {
    const m = model(
      graph({
        inputs: [value('x', ['N', 4]), value('k', [4])],
        initializers: [floats('k', [4])],
        nodes: [node('Add', ['x', 'k'], ['y']), node('Shape', ['x'], ['s'])],
        outputs: [value('y', ['N', 4]), value('s', [2], DataType.INT64)],
      }),
    );
    const out = setBatchDimension(m, 8).model;
    expect(dims(out.graph.inputs)).toEqual({ x: [8, 4], k: [4] });
    expect(dims(out.graph.outputs)).toEqual({ y: [8, 4], s: [2] });
  });

  it.each([0, -1, 1.5, '', Number.NaN])('BAD CALL - setBatchDimension(model, %j)', (n) => {
    expectArgumentError(
      () => setBatchDimension(classifier(), n as number),
      /^Expected positive integer or non-empty string for n but received .* of type (number|string)$/,
    );
  });
});

describe('foldConstants', () => {
  const shapeChain = [
    node('Shape', ['x'], ['s']),
    constant('zero', int64s('', [0], [])),
    node('Gather', ['s', 'zero'], ['n']),
    node('Unsqueeze', ['n', 'axes'], ['n1']),
    constant('minus1', int64s('', [-1])),
    node('Concat', ['n1', 'minus1'], ['t'], { axis: 0 }),
    node('Reshape', ['x', 't'], ['y']),
  ];

  it('folds a static Shape subgraph into one int64 initializer and drops what fed it', () => {
    const m = model(
      graph({
        inputs: [value('x', [2, 3, 4, 5])],
        initializers: [int64s('axes', [0])],
        nodes: shapeChain,
        outputs: [value('y', [2, 60])],
      }),
    );
    const before = fingerprint(m);
    const { model: folded, changes } = foldConstants(m);
    expect(folded.graph.nodes.map((n) => n.opType)).toEqual(['Reshape']);
    expect(changes).toEqual([
      { kind: 'fold-constants', count: 6, message: 'constant folding: 6 node(s) folded or removed' },
    ]);
    expect(folded.graph.initializers.map((t) => t.name)).toEqual(['t']);
    const t = folded.graph.initializers[0]!;
    expect(t.dataType).toBe(DataType.INT64);
    expect([...(tensorValues(t) as BigInt64Array)]).toEqual([2n, -1n]);
    expect(inferShapes(folded).get('y')?.shape).toEqual([2, 60]);
    expect(fingerprint(m)).toBe(before);
  });

  it('with a symbolic batch, folds only the Constant nodes', () => {
    const m = model(
      graph({
        inputs: [value('x', ['N', 3, 4, 5])],
        initializers: [int64s('axes', [0])],
        nodes: shapeChain,
        outputs: [value('y', ['N', 60])],
      }),
    );
    const folded = foldConstants(m).model;
    expect(folded.graph.nodes.map((n) => n.opType)).toEqual([
      'Shape',
      'Gather',
      'Unsqueeze',
      'Concat',
      'Reshape',
    ]);
    expect(folded.graph.initializers.map((t) => t.name).sort()).toEqual(['axes', 'minus1', 'zero']);
  });

  it('keeps INT64_MAX exact, keeps nodes that produce graph outputs, and lists initializers as inputs for IR 3', () => {
    const m = model(
      graph({
        inputs: [value('x', [4]), value('starts', [1], DataType.INT64)],
        nodes: [
          constant('a', int64s('', [1])),
          node('Constant', [], ['b'], { value_ints: [Number(2n ** 63n - 1n)] }),
          node('Concat', ['a', 'b'], ['ends'], { axis: 0 }),
          node('Slice', ['x', 'starts', 'ends2'], ['y']),
          node('Identity', ['ends'], ['ends2']),
          constant('out', int64s('', [7])),
        ],
        initializers: [int64s('starts', [0])],
        outputs: [value('y', [4]), value('out', [1], DataType.INT64)],
      }),
      13,
      { irVersion: 3 },
    );
    const folded = foldConstants(m).model;
    expect(folded.graph.nodes.map((n) => n.opType)).toEqual(['Slice', 'Constant']);
    const ends = folded.graph.initializers.find((t) => t.name === 'ends2')!;
    expect([...(tensorValues(ends) as BigInt64Array)]).toEqual([1n, 9223372036854775807n]);
    expect(folded.graph.inputs.map((v) => v.name).sort()).toEqual(['ends2', 'starts', 'x']);
  });
});

describe('removeUnused', () => {
  it('drops dead nodes, unused initializers and their value_info, keeps graph inputs', () => {
    const m = model(
      graph({
        inputs: [value('x', [4]), value('unused', [4]), value('dead_init', [4])],
        initializers: [floats('k', [4]), floats('dead_init', [4])],
        nodes: [
          node('Add', ['x', 'k'], ['a']),
          node('Neg', ['x'], ['dead']),
          node('Mul', ['dead', 'dead_init'], ['dead2']),
          node('Relu', ['a'], ['y']),
        ],
        outputs: [value('y', [4])],
        valueInfo: [value('a', [4]), value('dead', [4])],
      }),
    );
    const { model: out, changes } = removeUnused(m);
    expect(changes).toEqual([
      { kind: 'remove-unused', count: 3, message: '2 unused node(s) and 1 unused initializer(s) removed' },
    ]);
    expect(out.graph.nodes.map((n) => n.name)).toEqual(['a', 'y']);
    expect(out.graph.initializers.map((t) => t.name)).toEqual(['k']);
    expect(out.graph.inputs.map((v) => v.name)).toEqual(['x', 'unused']);
    expect(out.graph.valueInfo.map((v) => v.name)).toEqual(['a']);
    expect(m.graph.nodes).toHaveLength(4);
  });

  it('keeps producers that only subgraphs read', () => {
    const body = graph({ nodes: [node('Identity', ['outer'], ['r'])], outputs: [value('r', [4])] });
    const m = model(
      graph({
        inputs: [value('x', [4]), value('c', [], DataType.BOOL)],
        nodes: [
          node('Neg', ['x'], ['outer']),
          node('If', ['c'], ['y'], { then_branch: body, else_branch: body }),
        ],
        outputs: [value('y', [4])],
      }),
    );
    const { model: out, changes } = removeUnused(m);
    expect(out.graph.nodes.map((n) => n.opType)).toEqual(['Neg', 'If']);
    expect(changes).toEqual([]);
  });
});

describe('exposeTensors', () => {
  it('adds intermediate tensors as outputs with inferred types', () => {
    const m = classifier('N');
    const { model: out, changes } = exposeTensors(m, ['c', 'g', 'y']);
    expect(changes.map((c) => [c.kind, c.count])).toEqual([['expose-tensors', 2]]);
    expect(dims(out.graph.outputs)).toEqual({ y: ['N', 4], c: ['N', 4, 8, 8], g: ['N', 4, 1, 1] });
    expect(out.graph.valueInfo.map((v) => v.name)).toEqual(['w']);
    expect(m.graph.outputs).toHaveLength(1);
  });

  it('BAD CALL - names that no node produces', () => {
    const m = classifier();
    expectArgumentError(
      () => exposeTensors(m, ['c', 'nope']),
      "tensor 'nope' in names[1] is not produced by any node of the graph",
    );
    expectArgumentError(
      () => exposeTensors(m, ['x']),
      "tensor 'x' in names[0] is not produced by any node of the graph",
    );
  });

  it('BAD CALL - a tensor whose type cannot be inferred', () => {
    const m = model(
      graph({
        inputs: [value('x', [4])],
        nodes: [node('Custom', ['x'], ['z'], {}, { domain: 'my' })],
        outputs: [value('x', [4])],
      }),
    );
    expectArgumentError(() => exposeTensors(m, ['z']), /type of tensor 'z' in names\[0\] cannot be inferred/);
  });
});

describe('edited PaddleOCR models stay valid for onnx', () => {
  const dir = scratchDir('edge-edits-');

  const PY_OUTPUTS = `
import json, sys, onnx
from onnx import shape_inference
res = {}
for p in json.load(sys.stdin):
    m = shape_inference.infer_shapes(onnx.load(p), strict_mode=True)
    res[p] = [[d.dim_value if d.HasField('dim_value') else (d.dim_param or None) for d in o.type.tensor_type.shape.dim] for o in m.graph.output]
print(json.dumps(res))
`;

  it('every edit passes onnx.checker; removeUnused and foldConstants keep the output shapes', {
    timeout: 120_000,
  }, () => {
    const files: Record<string, string> = {};
    const save = (name: string, m: OnnxModel) => {
      const p = join(dir, `${name}.onnx`);
      writeFileSync(p, writeModel(m));
      files[name] = p;
    };
    const folded: Record<string, number> = {};
    for (const key of ['det', 'rec', 'cls'] as const) {
      const m = readModelFile(OCR_MODELS[key]);
      save(`${key}-original`, m);
      save(`${key}-batch1`, setBatchDimension(m, 1).model);
      save(`${key}-batchB`, setBatchDimension(m, 'B').model);
      save(`${key}-unused`, removeUnused(m).model);
      const f = foldConstants(m).model;
      save(`${key}-folded`, f);
      const fixed = foldConstants(setBatchDimension(m, 1).model).model;
      save(`${key}-batch1-folded`, fixed);
      folded[key] = m.graph.nodes.length - fixed.graph.nodes.length;
      const conv = m.graph.nodes.find((n) => n.opType === 'Conv')!.outputs[0]!;
      save(`${key}-exposed`, exposeTensors(m, [conv]).model);
      expect(f.graph.nodes.some((n) => n.opType === 'Constant')).toBe(false);
    }
    expect(onnxCheck(Object.values(files))).toEqual({});
    const outputs = python<Record<string, unknown[]>>(PY_OUTPUTS, [], JSON.stringify(Object.values(files)));
    for (const key of ['det', 'rec', 'cls']) {
      const original = outputs[files[`${key}-original`]!];
      expect(outputs[files[`${key}-unused`]!]).toEqual(original);
      expect(outputs[files[`${key}-folded`]!]).toEqual(original);
      expect((outputs[files[`${key}-batch1`]!]![0] as unknown[])[0]).toBe(1);
      expect((outputs[files[`${key}-batchB`]!]![0] as unknown[])[0]).toBe('B');
      expect(outputs[files[`${key}-exposed`]!]).toHaveLength(2);
    }
    // With the batch fixed the classifier's Shape -> Slice -> Concat chain folds away.
    expect(folded.cls).toBeGreaterThan(250);
  });
});
