// Conv + BatchNormalization / per-channel Mul / Add folding and the hard-swish rewrite: what folds,
// what must not, and that the folded model computes the same function on onnxruntime.
import { readFileSync } from 'node:fs';
import { checkModels, noise, OCR_MODELS, scratchDir, textPageFloats as textPage } from '@edge/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import * as B from '../src/build.js';
import { DataType } from '../src/data-type.js';
import type { EditResult } from '../src/edits/edit-result.js';
import { foldForQuantization } from '../src/edits/fold-for-quantization.js';
import { readModel } from '../src/reader.js';
import { tensorFromArray } from '../src/tensor-data.js';
import type { NodeProto, OnnxModel, TensorProto } from '../src/types.js';
import { writeModel } from '../src/writer.js';
import { openSessions, runModel } from './helpers/ort.js';

const dir = scratchDir('edge-fold-');

afterAll(() => expect(openSessions()).toBe(0));

/** Nodes folded into a Conv, and hard-swish patterns rewritten, as the result's changes count them. */
function counts(r: EditResult): [number, number] {
  const count = (kind: string) => r.changes.find((c) => c.kind === kind)?.count ?? 0;
  return [count('fold-into-conv'), count('hard-swish')];
}

const floats = (name: string, dims: number[], seed: number, scale = 1, offset = 0): TensorProto =>
  tensorFromArray(name, DataType.FLOAT, dims, noise(dims, seed, scale, offset));
const scalar = (name: string, v: number, dims: number[] = []) =>
  tensorFromArray(name, DataType.FLOAT, dims, Float32Array.of(v));

const M = 4;
const X = [1, 3, 4, 4];

/** A model on input x [1, 3, 4, 4] whose outputs are [1, M, 4, 4]. */
function model(nodes: NodeProto[], outputs: string[], initializers: TensorProto[]): OnnxModel {
  return B.model(
    B.graph({
      nodes,
      inputs: [B.value('x', X)],
      outputs: outputs.map((o) => B.value(o, [1, M, 4, 4])),
      initializers: [floats('w', [M, 3, 3, 3], 1), floats('b', [M], 2), ...initializers],
    }),
  );
}

const conv = (out: string, bias = true) =>
  B.node('Conv', bias ? ['x', 'w', 'b'] : ['x', 'w'], [out], { pads: [1, 1, 1, 1] }, { name: `conv_${out}` });

type Feeds = Record<string, { dims: number[]; data: Float32Array }>;

async function run(m: OnnxModel, feeds: Feeds): Promise<Record<string, Float32Array>> {
  const out = await runModel(writeModel(m), feeds);
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data]));
}

/**
 * Largest |a - b| over the largest |a|, per output, of both models on the same inputs (x random
 * unless given).
 */
async function relativeError(
  a: OnnxModel,
  b: OnnxModel,
  feeds: Feeds = { x: { dims: X, data: noise(X, 99, 4) } },
): Promise<Record<string, number>> {
  const [ra, rb] = [await run(a, feeds), await run(b, feeds)];
  expect(Object.keys(rb).sort()).toEqual(Object.keys(ra).sort());
  return Object.fromEntries(
    Object.keys(ra).map((k) => {
      let diff = 0;
      let top = 0;
      for (let i = 0; i < ra[k]!.length; i++) {
        diff = Math.max(diff, Math.abs(ra[k]![i]! - rb[k]![i]!));
        top = Math.max(top, Math.abs(ra[k]![i]!));
      }
      expect(top, k).toBeGreaterThan(0);
      return [k, diff / top];
    }),
  );
}

const ops = (m: OnnxModel) => m.graph.nodes.map((n) => n.opType);
const count = (m: OnnxModel, op: string) => ops(m).filter((o) => o === op).length;

const check = (models: Record<string, OnnxModel>) => checkModels(dir, models, writeModel);

describe('folds into the Conv before it', () => {
  it('BatchNormalization, after a Conv with and without bias', async () => {
    const m = model(
      [
        conv('c1'),
        B.node('BatchNormalization', ['c1', 'gamma', 'beta', 'mean', 'var'], ['y1'], {
          epsilon: B.float(1e-3),
        }),
        conv('c2', false),
        B.node('BatchNormalization', ['c2', 'gamma', 'beta', 'mean', 'var'], ['y2']),
      ],
      ['y1', 'y2'],
      [
        floats('gamma', [M], 3, 2),
        floats('beta', [M], 4),
        floats('mean', [M], 5),
        // Variances from 0.05 to 0.95: the scale differs per channel.
        floats('var', [M], 6, 0.9, 0.5),
      ],
    );
    const r = foldForQuantization(m);
    expect(counts(r)).toEqual([2, 0]);
    expect(ops(r.model)).toEqual(['Conv', 'Conv']);
    for (const c of r.model.graph.nodes) expect(c.inputs).toHaveLength(3);
    expect(r.model.graph.nodes.map((n) => n.outputs[0])).toEqual(['y1', 'y2']);
    expect(check({ bn: r.model })).toEqual({});
    const err = await relativeError(m, r.model);
    expect(err.y1).toBeLessThan(1e-4);
    expect(err.y2).toBeLessThan(1e-4);
  });

  it('a per-channel Mul [1, M, 1, 1] or [M, 1, 1] then a scalar Add', async () => {
    const m = model(
      [
        conv('c1'),
        B.node('Mul', ['c1', 'scale4'], ['m1']),
        B.node('Add', ['m1', 'shift'], ['y1']),
        conv('c2'),
        // Constant first: the fold finds the Conv output on either side.
        B.node('Mul', ['scale3', 'c2'], ['y2']),
      ],
      ['y1', 'y2'],
      [
        tensorFromArray('scale4', DataType.FLOAT, [1, M, 1, 1], Float32Array.of(2, -0.5, 0.25, 3)),
        tensorFromArray('scale3', DataType.FLOAT, [M, 1, 1], Float32Array.of(-1, 4, 0.5, 1.5)),
        scalar('shift', 0.75),
      ],
    );
    const r = foldForQuantization(m);
    expect(counts(r)).toEqual([3, 0]);
    expect(ops(r.model)).toEqual(['Conv', 'Conv']);
    expect(check({ affine: r.model })).toEqual({});
    const err = await relativeError(m, r.model);
    expect(err.y1).toBeLessThan(1e-4);
    expect(err.y2).toBeLessThan(1e-4);
  });
});

describe('folds into the ConvTranspose before it', () => {
  // ConvTranspose weights are [in, out / group, kh, kw]: output channel g * (out / group) + j
  // takes row j of the weights of the input channels in group g.
  const up = (out: string, inputs: string[], group: number, attrs: Record<string, unknown> = {}) =>
    B.node('ConvTranspose', inputs, [out], { strides: [2, 2], group, ...attrs }, { name: `up_${out}` });
  /** BatchNormalization parameters for `n` channels, named `<p><suffix>`, variances 0.05 to 0.95. */
  const batchNorm = (n: number, suffix: string, seed: number) => [
    floats(`gamma${suffix}`, [n], seed, 2),
    floats(`beta${suffix}`, [n], seed + 1),
    floats(`mean${suffix}`, [n], seed + 2),
    floats(`var${suffix}`, [n], seed + 3, 0.9, 0.5),
  ];
  const bn = (input: string, out: string, suffix: string) =>
    B.node(
      'BatchNormalization',
      [input, ...['gamma', 'beta', 'mean', 'var'].map((p) => `${p}${suffix}`)],
      [out],
    );
  const upModel = (
    nodes: NodeProto[],
    outputs: [string, number[]][],
    initializers: TensorProto[],
    inputs = [B.value('x', X)],
  ) =>
    B.model(
      B.graph({
        nodes,
        inputs,
        outputs: outputs.map(([o, dims]) => B.value(o, dims)),
        initializers,
      }),
    );

  it('a per-channel bias Add and a BatchNormalization after a one-group ConvTranspose (PaddleOCR head)', async () => {
    const m = upModel(
      [up('t1', ['x', 'wt'], 1), B.node('Add', ['t1', 'bias'], ['a1']), bn('a1', 'y1', '')],
      [['y1', [1, M, 8, 8]]],
      [
        floats('wt', [3, M, 2, 2], 1),
        tensorFromArray('bias', DataType.FLOAT, [M, 1, 1], Float32Array.of(0.5, -1, 2, 0.25)),
        ...batchNorm(M, '', 3),
      ],
    );
    const r = foldForQuantization(m);
    expect(counts(r)).toEqual([2, 0]);
    expect(ops(r.model)).toEqual(['ConvTranspose']);
    expect(r.model.graph.nodes[0]!.inputs).toHaveLength(3);
    expect(r.model.graph.nodes[0]!.outputs).toEqual(['y1']);
    expect(check({ convTranspose: r.model })).toEqual({});
    expect((await relativeError(m, r.model)).y1).toBeLessThan(1e-4);
  });

  it('with its own bias input, with pads, output_padding and dilations, and with 3 groups of 2 input channels or one per input channel', async () => {
    const m = upModel(
      [
        up('t1', ['x', 'wt', 'bt'], 1, { pads: [1, 0, 1, 0], output_padding: [1, 1], dilations: [2, 1] }),
        bn('t1', 'y1', ''),
        // x6 has 6 channels: 3 groups of 2 inputs, 2 outputs each.
        up('t2', ['x6', 'wg6'], 3),
        bn('t2', 'y2', '6'),
        // x has 3 channels: depthwise, 2 outputs per input channel.
        up('t3', ['x', 'wg', 'bg'], 3),
        B.node('Mul', ['t3', 'scale6'], ['m3']),
        B.node('Add', ['m3', 'shift'], ['y3']),
      ],
      [
        // H: 2 * (4 - 1) + 1 + (3 - 1) * 2 + 1 - 2 = 10; W: 2 * (4 - 1) + 1 + 2 = 9.
        ['y1', [1, M, 10, 9]],
        ['y2', [1, 6, 8, 8]],
        ['y3', [1, 6, 8, 8]],
      ],
      [
        floats('wt', [3, M, 3, 2], 1),
        floats('bt', [M], 2),
        floats('wg6', [6, 2, 2, 2], 10),
        floats('wg', [3, 2, 2, 2], 11),
        floats('bg', [6], 12),
        tensorFromArray('scale6', DataType.FLOAT, [1, 6, 1, 1], Float32Array.of(2, -0.5, 0.25, 3, -1, 1.5)),
        scalar('shift', 0.75),
        ...batchNorm(M, '', 3),
        ...batchNorm(6, '6', 7),
      ],
      [B.value('x', X), B.value('x6', [1, 6, 4, 4])],
    );
    const r = foldForQuantization(m);
    expect(counts(r)).toEqual([4, 0]);
    expect(ops(r.model)).toEqual(['ConvTranspose', 'ConvTranspose', 'ConvTranspose']);
    for (const n of r.model.graph.nodes) expect(n.inputs).toHaveLength(3);
    expect(r.model.graph.nodes.map((n) => n.outputs[0])).toEqual(['y1', 'y2', 'y3']);
    expect(check({ convTransposeGroups: r.model })).toEqual({});
    const err = await relativeError(m, r.model, {
      x: { dims: X, data: noise(X, 99, 4) },
      x6: { dims: [1, 6, 4, 4], data: noise([1, 6, 4, 4], 98, 4) },
    });
    for (const y of ['y1', 'y2', 'y3']) expect(err[y], y).toBeLessThan(1e-4);
  });

  it('not into a ConvTranspose whose output (or folded output) is read elsewhere, or from a BatchNormalization whose parameters are not constant', async () => {
    const m = upModel(
      [
        // The Add folds; its output is also read by the Relu, so the BatchNormalization does not.
        up('t1', ['x', 'wt'], 1),
        B.node('Add', ['t1', 'bias'], ['a1']),
        bn('a1', 'y1', ''),
        B.node('Relu', ['a1'], ['r1']),
        // gamma is a graph input: not known when folding.
        up('t2', ['x', 'wt'], 1),
        B.node('BatchNormalization', ['t2', 'gammaIn', 'beta', 'mean', 'var'], ['y2']),
        // The weights are a graph input.
        up('t3', ['x', 'wIn'], 1),
        bn('t3', 'y3', ''),
      ],
      ['y1', 'r1', 'y2', 'y3'].map((y): [string, number[]] => [y, [1, M, 8, 8]]),
      [
        floats('wt', [3, M, 2, 2], 1),
        tensorFromArray('bias', DataType.FLOAT, [M, 1, 1], Float32Array.of(0.5, -1, 2, 0.25)),
        ...batchNorm(M, '', 3),
      ],
      [B.value('x', X), B.value('gammaIn', [M]), B.value('wIn', [3, M, 2, 2])],
    );
    const r = foldForQuantization(m);
    expect(counts(r)).toEqual([1, 0]);
    expect(ops(r.model)).toEqual([
      'ConvTranspose',
      'BatchNormalization',
      'Relu',
      'ConvTranspose',
      'BatchNormalization',
      'ConvTranspose',
      'BatchNormalization',
    ]);
    expect(r.model.graph.nodes[0]!.outputs).toEqual(['a1']);
    expect(r.model.graph.nodes[0]!.inputs).toHaveLength(3);
    expect(check({ convTransposeRefused: r.model })).toEqual({});
    const err = await relativeError(m, r.model, {
      x: { dims: X, data: noise(X, 99, 4) },
      gammaIn: { dims: [M], data: noise([M], 20, 2) },
      wIn: { dims: [3, M, 2, 2], data: noise([3, M, 2, 2], 21, 4) },
    });
    // Only y1 and r1 pass through the folded bias; the rest run the same nodes.
    expect(err.y1).toBeLessThan(1e-4);
    expect(err.r1).toBeLessThan(1e-4);
    expect([err.y2, err.y3]).toEqual([0, 0]);
  });
});

describe('hard-swish spelled out becomes x * HardSigmoid(x)', () => {
  const hardSwish = (x: string, out: string, divFirst: boolean): NodeProto[] => [
    B.node('Add', [x, 'three'], [`${out}_plus3`]),
    B.node('Clip', [`${out}_plus3`, 'zero', 'six'], [`${out}_clip`]),
    ...(divFirst
      ? [B.node('Div', [`${out}_clip`, 'six'], [`${out}_div`]), B.node('Mul', [`${out}_div`, x], [out])]
      : [B.node('Mul', [x, `${out}_clip`], [`${out}_mul`]), B.node('Div', [`${out}_mul`, 'six'], [out])]),
  ];
  const constants = [scalar('three', 3, [1]), scalar('zero', 0), scalar('six', 6), scalar('five', 5)];

  it('Mul then Div, and Div then Mul', async () => {
    const m = model(
      [conv('h'), ...hardSwish('h', 'y1', false), ...hardSwish('h', 'y2', true)],
      ['y1', 'y2'],
      constants,
    );
    const r = foldForQuantization(m);
    expect(counts(r)).toEqual([0, 2]);
    expect(count(r.model, 'Clip')).toBe(0);
    expect(count(r.model, 'Div')).toBe(0);
    expect(count(r.model, 'Add')).toBe(0);
    expect(count(r.model, 'HardSigmoid')).toBe(2);
    // Each Mul reads h and its HardSigmoid of h, and writes the old output name.
    for (const out of ['y1', 'y2']) {
      const mul = r.model.graph.nodes.find((n) => n.outputs[0] === out)!;
      expect(mul.opType).toBe('Mul');
      const sigmoid = r.model.graph.nodes.find((n) => n.outputs[0] === mul.inputs[1])!;
      expect([mul.inputs[0], sigmoid.opType, sigmoid.inputs]).toEqual(['h', 'HardSigmoid', ['h']]);
    }
    expect(check({ hardswish: r.model })).toEqual({});
    const err = await relativeError(m, r.model);
    expect(err.y1).toBeLessThan(1e-4);
    expect(err.y2).toBeLessThan(1e-4);
  });

  it('not when the Div is by 5, or the Clip output is read twice', () => {
    const by5 = hardSwish('h', 'y1', false).map((n) =>
      n.opType === 'Div' ? { ...n, inputs: [n.inputs[0]!, 'five'] } : n,
    );
    const twice = [...hardSwish('h', 'y2', true), B.node('Relu', ['y2_clip'], ['y3'])];
    const m = model([conv('h'), ...by5, ...twice], ['y1', 'y2', 'y3'], constants);
    const r = foldForQuantization(m);
    expect(counts(r)).toEqual([0, 0]);
    expect(r.model).toBe(m);
  });
});

describe('must not fold', () => {
  /** BatchNormalization parameters with variances from 0.5 to 1.5. */
  const batchNorm = () => [
    floats('gamma', [M], 3),
    floats('beta', [M], 4),
    floats('mean', [M], 5),
    floats('var', [M], 6, 0.5, 1),
  ];

  it('a Conv output that two nodes read', () => {
    const m = model(
      [
        conv('c'),
        B.node('BatchNormalization', ['c', 'gamma', 'beta', 'mean', 'var'], ['y1']),
        B.node('Relu', ['c'], ['y2']),
      ],
      ['y1', 'y2'],
      batchNorm(),
    );
    const r = foldForQuantization(m);
    expect(counts(r)).toEqual([0, 0]);
    expect(ops(r.model)).toEqual(['Conv', 'BatchNormalization', 'Relu']);
  });

  it('a Mul by a constant along another axis than the channels ([1, 1, 1, W] or [W] with W = M)', async () => {
    const m = model(
      [
        conv('c1'),
        B.node('Mul', ['c1', 'alongW'], ['y1']),
        conv('c2'),
        B.node('Mul', ['c2', 'flat'], ['y2']),
      ],
      ['y1', 'y2'],
      [
        tensorFromArray('alongW', DataType.FLOAT, [1, 1, 1, M], Float32Array.of(2, -1, 0.5, 3)),
        tensorFromArray('flat', DataType.FLOAT, [M], Float32Array.of(-2, 1, 0.25, 5)),
      ],
    );
    const r = foldForQuantization(m);
    expect(counts(r)).toEqual([0, 0]);
    expect(ops(r.model)).toEqual(['Conv', 'Mul', 'Conv', 'Mul']);
    expect(await relativeError(m, r.model)).toEqual({ y1: 0, y2: 0 });
  });

  it('a Conv output that is a graph output', () => {
    const m = model(
      [conv('c'), B.node('BatchNormalization', ['c', 'gamma', 'beta', 'mean', 'var'], ['y'])],
      ['c', 'y'],
      batchNorm(),
    );
    const r = foldForQuantization(m);
    expect(counts(r)).toEqual([0, 0]);
    expect(ops(r.model)).toEqual(['Conv', 'BatchNormalization']);
  });
});

describe('PaddleOCR det', () => {
  it('folds 61 nodes and 24 hard-swishes; the same probability map; passes onnx.checker', async () => {
    const det = readModel(readFileSync(OCR_MODELS.det));
    const before = ops(det);
    const r = foldForQuantization(det);
    // Counted here from the graph: 62 Convs and 3 BatchNormalizations; the head's two
    // ConvTransposes take their bias Adds and the BatchNormalization after the first;
    // 24 Add(x, 3) -> Clip(0, 6) -> Mul -> Div(6).
    expect(counts(r)).toEqual([61, 24]);
    expect(ops(det)).toEqual(before);
    expect(count(r.model, 'Conv')).toBe(count(det, 'Conv'));
    expect(count(r.model, 'BatchNormalization')).toBe(0);
    expect(count(r.model, 'Clip')).toBe(0);
    expect(count(r.model, 'Div')).toBe(0);
    expect(count(r.model, 'HardSigmoid')).toBe(count(det, 'HardSigmoid') + 24);
    // Each fold removes a node; each hard-swish turns Add, Clip, Mul, Div into HardSigmoid, Mul.
    const nonConstant = (m: OnnxModel) => m.graph.nodes.filter((n) => n.opType !== 'Constant').length;
    expect(nonConstant(det) - nonConstant(r.model)).toBe(61 + 2 * 24);
    expect(check({ det: r.model })).toEqual({});
    // Random noise gives a map of almost zeros (max 0.007 here), so a page with text rows too.
    const shape = [1, 3, 320, 320];
    for (const [input, text] of [
      [{ dims: shape, data: noise(shape, 7, 4) }, 0],
      [{ dims: shape, data: textPage(320, 320) }, 5000],
    ] as const) {
      const a = (await run(det, { x: input }))['sigmoid_0.tmp_0']!;
      const b = (await run(r.model, { x: input }))['sigmoid_0.tmp_0']!;
      let diff = 0;
      for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
      // Measured here: 1.8e-7 (noise), 1.3e-5 (page, 13976 text pixels).
      expect(diff).toBeLessThan(1e-4);
      expect(a.filter((v) => v > 0.3).length).toBeGreaterThanOrEqual(text);
    }
  });
});
