import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackend } from '@edge/backends-onnxruntime';
import { ArgumentError, GraphError, Tensor } from '@edge/core';
import {
  onnxBuilder as B,
  buildGraph,
  DataType,
  findAttribute,
  inferShapes,
  type NodeProto,
  type OnnxModel,
  readModel,
  type TensorProto,
  tensorFromArray,
  tensorValues,
  writeModel,
} from '@edge/onnx-parse';
import { checkModels, cosine, maxAbsDiff, OCR_MODELS, textPageFloats } from '@edge/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertToFloat16, DEFAULT_FLOAT16_BLOCK_LIST, type Float16Result } from '../src/fp16.js';
import { snapshot } from './helpers/onnx.js';

const { FLOAT, FLOAT16, INT64, INT32, BOOL } = DataType;
const backend = createBackend();
const dir = mkdtempSync(join(tmpdir(), 'edge-fp16-'));

afterAll(() => {
  // Every run below disposes its session: the leak check of the backend tests.
  expect(backend.openSessions()).toBe(0);
  rmSync(dir, { recursive: true, force: true });
});

/** Writes `model` and runs it once on onnxruntime CPU; outputs widened to float32. */
async function run(model: OnnxModel, feeds: Record<string, Tensor>): Promise<Record<string, Float32Array>> {
  const session = await backend.load({ format: 'onnx', name: model.graph.name, bytes: writeModel(model) });
  try {
    const out = await session.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.toFloat32()]));
  } finally {
    await session.dispose();
  }
}

/** A synthetic text page as the detector's input tensor. */
const page = (h: number, w: number) => new Tensor('float32', [1, 3, h, w], textPageFloats(h, w));
const check = (models: Record<string, OnnxModel>) => checkModels(dir, models, writeModel);

const byOutput = (m: OnnxModel, name: string) => m.graph.nodes.find((n) => n.outputs.includes(name))!;
const readers = (m: OnnxModel, name: string) => m.graph.nodes.filter((n) => n.inputs.includes(name));
const castTo = (n: NodeProto) => (n.opType === 'Cast' ? findAttribute(n, 'to')?.i : undefined);
const initializer = (m: OnnxModel, name: string) => m.graph.initializers.find((t) => t.name === name);
const halfBits = (t: TensorProto) => Array.from(tensorValues(t) as Uint16Array);

describe('the PaddleOCR models (det, cls, rec)', () => {
  const keys = ['det', 'cls', 'rec'] as const;
  const models = {} as Record<
    (typeof keys)[number],
    { source: OnnxModel; result: Float16Result; back: OnnxModel }
  >;
  let hashes: Record<string, string>;
  let before: Record<string, string>;

  beforeAll(() => {
    hashes = {};
    before = {};
    for (const key of keys) {
      const bytes = readFileSync(OCR_MODELS[key]);
      const source = readModel(bytes);
      hashes[key] = createHash('sha256').update(bytes).digest('hex');
      before[key] = snapshot(source);
      const result = convertToFloat16(source);
      // Read back from the written bytes: what a user of the file sees.
      models[key] = { source, result, back: readModel(writeModel(result.model)) };
    }
  });

  it('leave the source models, and the bytes their weights view, as they were', () => {
    for (const key of keys) {
      expect(snapshot(models[key].source)).toBe(before[key]);
      const bytes = readFileSync(OCR_MODELS[key]);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(hashes[key]);
    }
  });

  it('pass onnx.checker with full_check (strict type inference) once converted', () => {
    expect(check(Object.fromEntries(keys.map((k) => [k, models[k].result.model])))).toEqual({});
  });

  it('keep float32 only in kept nodes and Casts; every float weight a converted node reads is float16', () => {
    for (const key of keys) {
      const { source, result, back } = models[key];
      const kept = new Set(result.kept.map((k) => k.node));
      const graph = buildGraph(back);
      const types = inferShapes(graph);
      const label = (n: NodeProto) => n.name || n.outputs[0]!;
      const touching32 = graph.nodes.filter(
        (n) =>
          n.opType !== 'Constant' &&
          n.opType !== 'Cast' &&
          [...n.inputs, ...n.outputs].some((t) => types.get(t)?.elemType === FLOAT),
      );
      expect(touching32.map(label).sort(), key).toEqual([...kept].sort());
      let half = 0;
      for (const n of graph.nodes) {
        for (const t of n.inputs) {
          const w = t && n.opType !== 'Constant' ? graph.constant(t) : undefined;
          if (w?.dataType === FLOAT16) half++;
          if (w?.dataType === FLOAT) expect(kept.has(label(n)), `${key}: ${label(n)} reads ${t}`).toBe(true);
        }
      }
      expect(half, key).toBeGreaterThan(100);
      const casts = (m: OnnxModel) => m.graph.nodes.filter((n) => n.opType === 'Cast').length;
      expect(casts(back) - casts(source)).toBe(result.casts);
      expect(result.converted, key).toBeGreaterThan(150);
      expect(result.clamped, key).toBe(0);
      // Inputs and outputs: same names, float32, same shapes.
      expect(JSON.stringify([back.graph.inputs, back.graph.outputs])).toBe(
        JSON.stringify([source.graph.inputs, source.graph.outputs]),
      );
    }
    // det: its six nearest Resizes (default block list) and the head's BatchNormalization whose
    // running variance (up to 9.8e7) float16 cannot hold.
    expect(models.det.result.kept.map((k) => `${k.op}: ${k.reason}`)).toEqual([
      ...Array(6).fill('Resize: op type in the block list'),
      "BatchNormalization: weight 'batch_norm_0.w_2' is outside the float16 range",
    ]);
    expect(models.cls.result.kept).toEqual([]);
    expect(models.rec.result.kept).toEqual([]);
    // One Cast for the input and one for the output, plus one on each side of each kept node.
    expect(models.cls.result.casts).toBe(2);
    expect(models.det.result.casts).toBe(2 + 2 * 7);
  });

  it('det runs on onnxruntime CPU: the probability map stays close to float32', async () => {
    const x = page(320, 320);
    const name = 'sigmoid_0.tmp_0';
    const a = (await run(models.det.source, { x }))[name]!;
    const b = (await run(models.det.result.model, { x }))[name]!;
    let sum = 0;
    let flips = 0;
    let text = 0;
    for (let i = 0; i < a.length; i++) {
      sum += Math.abs(a[i]! - b[i]!);
      // 0.3 is the binarization threshold of PaddleOCR's DB post-processing.
      if (a[i]! > 0.3) text++;
      if (a[i]! > 0.3 !== b[i]! > 0.3) flips++;
    }
    // Measured here: max 0.045, mean 5.7e-5, cosine 0.999997, 7 of 102400 pixels flip.
    expect(text).toBeGreaterThan(5000);
    expect(maxAbsDiff(a, b)).toBeLessThan(0.1);
    expect(sum / a.length).toBeLessThan(1e-3);
    expect(cosine(a, b)).toBeGreaterThan(0.9999);
    expect(flips / a.length).toBeLessThan(1e-3);
  });

  it('cls and rec run on onnxruntime CPU with the same decisions as float32', async () => {
    const argmax = (p: Float32Array, from: number, n: number) => {
      let best = from;
      for (let i = from; i < from + n; i++) if (p[i]! > p[best]!) best = i;
      return best - from;
    };
    const cls = page(48, 192);
    const c32 = (await run(models.cls.source, { x: cls }))['softmax_0.tmp_0']!;
    const c16 = (await run(models.cls.result.model, { x: cls }))['softmax_0.tmp_0']!;
    expect(argmax(c16, 0, 2)).toBe(argmax(c32, 0, 2));
    expect(maxAbsDiff(c32, c16)).toBeLessThan(0.02);

    const rec = page(48, 320);
    const r32 = (await run(models.rec.source, { x: rec }))['softmax_11.tmp_0']!;
    const r16 = (await run(models.rec.result.model, { x: rec }))['softmax_11.tmp_0']!;
    const classes = 6625;
    const steps = r32.length / classes;
    let same = 0;
    for (let t = 0; t < steps; t++) {
      if (argmax(r32, t * classes, classes) === argmax(r16, t * classes, classes)) same++;
    }
    // Measured here: cls max 0.0046; rec max 0.017, cosine 0.99992, all 40 steps the same (one
    // character on this page, the rest blank).
    expect(steps).toBe(40);
    expect(same).toBeGreaterThanOrEqual(steps - 1);
    expect(maxAbsDiff(r32, r16)).toBeLessThan(0.05);
    expect(cosine(r32, r16)).toBeGreaterThan(0.999);
  });
});

describe('synthetic graphs', () => {
  const x8 = new Tensor(
    'float32',
    [1, 8],
    Float32Array.from({ length: 8 }, (_, i) => (i - 3.5) * 0.7),
  );

  it('a blocked op stays float32 between Casts, one per tensor however many readers', async () => {
    const model = B.model(
      B.graph({
        nodes: [
          B.node('Relu', ['x'], ['a']),
          B.node('Sigmoid', ['a'], ['s']),
          B.node('TopK', ['a', 'k'], ['v', 'i'], { axis: 1 }),
          B.node('Neg', ['v'], ['n']),
          B.node('Abs', ['v'], ['m']),
          B.node('Mul', ['n', 'm'], ['y']),
        ],
        inputs: [B.value('x', [1, 8])],
        outputs: [B.value('s', [1, 8]), B.value('y', [1, 3]), B.value('i', [1, 3], INT64)],
        initializers: [B.int64s('k', [3])],
        valueInfo: [B.value('a', [1, 8]), B.value('v', [1, 3])],
      }),
    );
    const r = convertToFloat16(model);
    const m = r.model;
    expect(r.kept).toEqual([{ node: 'v', op: 'TopK', reason: 'op type in the block list' }]);
    expect(r.converted).toBe(5);
    // x -> float16, a -> float32 for TopK, v -> float16 for Neg and Abs, s and y back to float32.
    expect(r.casts).toBe(5);
    const topk = byOutput(m, 'v');
    expect(castTo(byOutput(m, topk.inputs[0]!))).toBe(FLOAT);
    expect(topk.inputs[1]).toBe('k');
    const toHalf = readers(m, 'v');
    expect(toHalf.map(castTo)).toEqual([FLOAT16]);
    expect(readers(m, toHalf[0]!.outputs[0]!).map((n) => n.opType)).toEqual(['Neg', 'Abs']);
    // Graph outputs are written by Casts back to float32 under their own names; int64 is untouched.
    expect(castTo(byOutput(m, 's'))).toBe(FLOAT);
    expect(castTo(byOutput(m, 'y'))).toBe(FLOAT);
    expect(byOutput(m, 'i')).toBe(topk);
    // value_info follows: 'a' now holds float16; 'v' is still float32 (TopK writes it).
    expect(m.graph.valueInfo.map((v) => [v.name, v.type?.kind === 'tensor' && v.type.elemType])).toEqual([
      ['a', FLOAT16],
      ['v', FLOAT],
    ]);
    expect(m.graph.outputs).toBe(model.graph.outputs);
    expect(check({ blocked: m })).toEqual({});
    const want = await run(model, { x: x8 });
    const got = await run(m, { x: x8 });
    expect(got.i).toEqual(want.i);
    expect(maxAbsDiff(got.s!, want.s!)).toBeLessThan(1e-3);
    expect(maxAbsDiff(got.y!, want.y!)).toBeLessThan(1e-2);
  });

  it('a float weight read by a converted and a blocked node gets a float16 copy; the float32 one stays', async () => {
    const model = B.model(
      B.graph({
        nodes: [
          B.constant('c', B.floats('', [1, 8], 0.25)),
          B.node('Mul', ['x', 'w'], ['p']),
          B.node('Mul', ['p', 'h'], ['p2']),
          B.node('Add', ['p2', 'w'], ['q'], {}, { name: 'blocked_add' }),
          B.node('Sub', ['q', 'c'], ['r']),
          B.node('Div', ['r', 'c'], ['y'], {}, { name: 'blocked_div' }),
        ],
        inputs: [B.value('x', [1, 8])],
        outputs: [B.value('y', [1, 8])],
        initializers: [B.floats('w', [1, 8], 1.5), B.floats('h', [1], 2)],
      }),
    );
    const r = convertToFloat16(model, { blockNodes: ['blocked_add', 'blocked_div'] });
    const m = r.model;
    expect(r.kept.map((k) => [k.node, k.reason])).toEqual([
      ['blocked_add', 'named in options.blockNodes'],
      ['blocked_div', 'named in options.blockNodes'],
    ]);
    // 'h' is read by a converted node only: float16 in place, under its own name.
    expect(m.graph.initializers.map((t) => [t.name, t.dataType])).toEqual([
      ['w', FLOAT],
      ['w_fp16', FLOAT16],
      ['h', FLOAT16],
    ]);
    expect(byOutput(m, 'p').inputs).toEqual(['x_fp16', 'w_fp16']);
    expect(byOutput(m, 'q').inputs).toEqual(['p2_fp32', 'w']);
    // The Constant node too: kept as float32, plus a float16 Constant for Sub.
    expect(byOutput(m, 'c')).toBe(model.graph.nodes[0]);
    const half = byOutput(m, 'c_fp16');
    expect(half.opType).toBe('Constant');
    expect(findAttribute(half, 'value')?.t?.dataType).toBe(FLOAT16);
    expect(byOutput(m, 'r').inputs).toEqual(['q_fp16', 'c_fp16']);
    expect(byOutput(m, 'y').inputs).toEqual(['r_fp32', 'c']);
    expect(r.casts).toBe(4);
    expect(check({ shared: m })).toEqual({});
    const want = (await run(model, { x: x8 })).y!;
    expect(maxAbsDiff((await run(m, { x: x8 })).y!, want)).toBeLessThan(1e-2);
  });

  it('Resize scales stay float32 when Resize itself runs in float16', async () => {
    const model = B.model(
      B.graph({
        nodes: [
          B.node('Relu', ['x'], ['a']),
          B.node('Resize', ['a', '', 'scales'], ['b'], { mode: 'nearest' }),
          B.node('Neg', ['b'], ['y']),
        ],
        inputs: [B.value('x', [1, 1, 2, 4])],
        outputs: [B.value('y', [1, 1, 4, 8])],
        initializers: [tensorFromArray('scales', FLOAT, [4], Float32Array.of(1, 1, 2, 2))],
      }),
    );
    const r = convertToFloat16(model, { blockList: [] });
    expect(r.kept).toEqual([]);
    expect(r.converted).toBe(3);
    const resize = byOutput(r.model, 'b');
    expect(resize.inputs).toEqual(['a', '', 'scales']);
    expect(initializer(r.model, 'scales')!.dataType).toBe(FLOAT);
    expect(check({ resize: r.model })).toEqual({});
    const x = new Tensor(
      'float32',
      [1, 1, 2, 4],
      Float32Array.from({ length: 8 }, (_, i) => i - 2.5),
    );
    expect((await run(r.model, { x })).y).toEqual((await run(model, { x })).y);
    // With the default block list Resize stays float32 between Casts.
    const d = convertToFloat16(model);
    expect(d.kept.map((k) => k.op)).toEqual(['Resize']);
    expect(castTo(byOutput(d.model, byOutput(d.model, 'b').inputs[0]!))).toBe(FLOAT);
  });

  it('graph outputs read straight from an input, or written on the input path, keep name and float32', async () => {
    const model = B.model(
      B.graph({
        nodes: [B.node('Relu', ['x'], ['r']), B.node('Neg', ['r'], ['y'])],
        inputs: [B.value('x', [1, 8])],
        outputs: [B.value('x', [1, 8]), B.value('r', [1, 8]), B.value('y', [1, 8])],
      }),
    );
    const r = convertToFloat16(model);
    const m = r.model;
    const [toHalf, relu, backR, neg, backY] = m.graph.nodes;
    expect(castTo(toHalf!)).toBe(FLOAT16);
    expect(toHalf!.inputs).toEqual(['x']);
    // Relu writes a new name, read by Neg in float16; a Cast writes 'r' in float32.
    expect(relu!.inputs).toEqual(toHalf!.outputs);
    expect(backR!.inputs).toEqual(relu!.outputs);
    expect([castTo(backR!), backR!.outputs]).toEqual([FLOAT, ['r']]);
    expect(neg!.inputs).toEqual(relu!.outputs);
    expect([castTo(backY!), backY!.outputs]).toEqual([FLOAT, ['y']]);
    expect(r.casts).toBe(3);
    expect(m.graph.inputs).toEqual(model.graph.inputs);
    expect(m.graph.outputs).toBe(model.graph.outputs);
    expect(check({ io: m })).toEqual({});
    const out = await run(m, { x: x8 });
    expect(out.x).toEqual(x8.data);
    expect(maxAbsDiff(out.y!, (await run(model, { x: x8 })).y!)).toBeLessThan(2e-3);
  });

  it('weights beyond ±65504 are clamped and counted; infinities stay infinite', () => {
    const values = Float32Array.of(1e6, -1e6, 65504, Number.POSITIVE_INFINITY, 0.5);
    const model = B.model(
      B.graph({
        nodes: [B.node('Mul', ['x', 'w'], ['y'])],
        inputs: [B.value('x', [5])],
        outputs: [B.value('y', [5])],
        initializers: [tensorFromArray('w', FLOAT, [5], values)],
      }),
    );
    const r = convertToFloat16(model);
    expect(r.clamped).toBe(2);
    const w = initializer(r.model, 'w')!;
    expect(w.dataType).toBe(FLOAT16);
    expect(halfBits(w)).toEqual([0x7bff, 0xfbff, 0x7bff, 0x7c00, 0x3800]);
    expect(check({ clamped: r.model })).toEqual({});
  });

  it('Cast and ConstantOfShape that made float32 in the converted region make float16; Cast to int is left alone', async () => {
    const model = B.model(
      B.graph({
        nodes: [
          B.node('Cast', ['x'], ['i'], { to: INT32 }),
          B.node('Cast', ['i'], ['f'], { to: FLOAT }),
          B.node('ConstantOfShape', ['shape'], ['c'], { value: B.floats('', [1], 0.5) }),
          B.node('Add', ['f', 'c'], ['s']),
          B.node('Mul', ['s', 'x'], ['y']),
        ],
        inputs: [B.value('x', [1, 4])],
        outputs: [B.value('y', [1, 4])],
        initializers: [B.int64s('shape', [1, 4])],
      }),
    );
    const r = convertToFloat16(model);
    const m = r.model;
    expect(r.converted).toBe(5);
    expect(findAttribute(byOutput(m, 'i'), 'to')?.i).toBe(INT32);
    expect(findAttribute(byOutput(m, 'f'), 'to')?.i).toBe(FLOAT16);
    const value = findAttribute(byOutput(m, 'c'), 'value')?.t;
    expect(value?.dataType).toBe(FLOAT16);
    expect(halfBits(value!)).toEqual([0x3800]);
    expect(check({ casts: m })).toEqual({});
    const x = new Tensor('float32', [1, 4], Float32Array.of(1.7, -2.2, 3, 0.4));
    expect(maxAbsDiff((await run(m, { x })).y!, (await run(model, { x })).y!)).toBeLessThan(1e-2);
  });

  it('If and what its branches read from the main graph stay float32', async () => {
    const branch = (op: string, out: string) =>
      B.graph({ nodes: [B.node(op, ['a'], [out])], outputs: [B.value(out, [1, 4])], name: out });
    const model = B.model(
      B.graph({
        nodes: [
          B.node('Relu', ['x'], ['a']),
          B.node('Neg', ['a'], ['b']),
          B.node('If', ['cond'], ['z'], {
            then_branch: branch('Identity', 't'),
            else_branch: branch('Neg', 'e'),
          }),
          B.node('Add', ['b', 'z'], ['y']),
        ],
        inputs: [B.value('x', [1, 4]), B.value('cond', [], BOOL)],
        outputs: [B.value('y', [1, 4])],
        valueInfo: [B.value('z', [1, 4])],
      }),
    );
    const r = convertToFloat16(model);
    const m = r.model;
    expect(r.kept).toEqual([{ node: 'z', op: 'If', reason: 'holds subgraphs, which stay float32' }]);
    // The branches read 'a' by name: Relu writes a float16 copy for Neg and a Cast writes 'a'.
    expect(castTo(byOutput(m, 'a'))).toBe(FLOAT);
    expect(byOutput(m, 'b').inputs[0]).not.toBe('a');
    expect(byOutput(m, 'z')).toBe(model.graph.nodes[2]);
    expect(readers(m, 'z').map(castTo)).toEqual([FLOAT16]);
    expect(check({ branches: m })).toEqual({});
    const x = new Tensor('float32', [1, 4], Float32Array.of(1.5, -2, 3.25, 0.5));
    for (const c of [1, 0]) {
      const cond = Tensor.from('bool', [], [c]);
      expect((await run(m, { x, cond })).y).toEqual((await run(model, { x, cond })).y);
    }
  });

  it('leaves the input model as it was (deep snapshot)', () => {
    const model = B.model(
      B.graph({
        nodes: [
          B.constant('c', B.floats('', [2], 3)),
          B.node('Mul', ['x', 'w'], ['p']),
          B.node('Add', ['p', 'c'], ['y']),
        ],
        inputs: [B.value('x', [2])],
        outputs: [B.value('y', [2])],
        initializers: [B.floats('w', [2], 1e6)],
        valueInfo: [B.value('p', [2])],
      }),
    );
    const before = snapshot(model);
    const r = convertToFloat16(model);
    expect(r.clamped).toBe(2);
    expect(snapshot(model)).toBe(before);
    expect(Array.from(tensorValues(model.graph.initializers[0]!) as Float32Array)).toEqual([1e6, 1e6]);
  });
});

describe('bad calls', () => {
  const model = B.chain([B.value('x', [2])], [B.node('Relu', ['x'], ['y'])]);

  it('BAD CALL - blockList that is not an array of strings', () => {
    const call = () => convertToFloat16(model, { blockList: 'TopK' as unknown as string[] });
    expect(call).toThrow(ArgumentError);
    expect(call).toThrow(
      'Expected array of op type strings for options.blockList but received "TopK" of type string',
    );
    expect(() => convertToFloat16(model, { blockList: ['Relu', 3] as unknown as string[] })).toThrow(
      'Expected array of op type strings for options.blockList but received ["Relu", 3] of type object',
    );
  });

  it('BAD CALL - blockNodes that is not an array of strings, or names a node the graph lacks', () => {
    const call = () => convertToFloat16(model, { blockNodes: 7 as unknown as string[] });
    expect(call).toThrow(ArgumentError);
    expect(call).toThrow(
      'Expected array of node name strings for options.blockNodes but received 7 of type number',
    );
    const missing = () => convertToFloat16(model, { blockNodes: ['y', 'nope'] });
    expect(missing).toThrow(ArgumentError);
    expect(missing).toThrow(
      'Expected name of a node of the graph for options.blockNodes[1] but received "nope" of type string',
    );
  });

  it('BAD CALL - options that are not an object', () => {
    const call = () => convertToFloat16(model, null as unknown as object);
    expect(call).toThrow(ArgumentError);
    expect(call).toThrow('Expected object for options but received null of type object');
  });

  it('EXPECTED FAILURE - a graph reading a tensor nothing provides: GraphError', () => {
    const broken = B.chain([B.value('x', [2])], [B.node('Add', ['x', 'ghost'], ['y'])]);
    const call = () => convertToFloat16(broken);
    expect(call).toThrow(GraphError);
    expect(call).toThrow("reads tensor 'ghost', which no node, initializer or graph input provides");
  });

  it('the default block list is frozen', () => {
    expect(Object.isFrozen(DEFAULT_FLOAT16_BLOCK_LIST)).toBe(true);
    expect(DEFAULT_FLOAT16_BLOCK_LIST).toContain('NonMaxSuppression');
  });
});
