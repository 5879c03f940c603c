// QDQ rewriting: the structure TensorRT and onnxruntime read (per-channel int8 weights, int32
// biases at input x weight scale, zero points 0 or 128), weights against numpy, and the function
// the model computes on onnxruntime.
//
// onnxruntime runs here twice over. `exact` (graph optimisation 'basic') executes the Q/DQ nodes
// as ONNX defines them, so it measures the rewrite itself. `fused` (the default) fuses them into
// QLinearConv/QGemm, whose x86 kernels without VNNI multiply u8 x s8 pairs with VPMADDUBSW and
// saturate at 16 bits when both weights of a pair are near ±127 (onnxruntime's quantization docs:
// "reduce_range"); measured on this AVX2 machine the synthetic model's output then has cosine
// 0.90 to float32, against 0.99999 with `exact`. So accuracy is asserted on `exact`, and `fused`
// is checked to load and run.
import { readFileSync } from 'node:fs';
import { createBackend } from '@edge/backends-onnxruntime';
import { ArgumentError, GraphError, Tensor, type TensorMap } from '@edge/core';
import {
  attrInt,
  onnxBuilder as B,
  DataType,
  exposeTensors,
  Graph,
  type NodeProto,
  type OnnxModel,
  readModel,
  type TensorProto,
  tensorFromArray,
  tensorValues,
  upgradeOpset,
  writeModel,
} from '@edge/onnx-parse';
import {
  checkModels,
  cosine,
  noise as floatNoise,
  maxAbsDiff,
  OCR_MODELS,
  python,
  scratchDir,
} from '@edge/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collectStatistics,
  computeRanges,
  perChannelScales,
  type QdqResult,
  quantizeQdq,
} from '../src/index.js';
import { snapshot } from './helpers/onnx.js';

const { FLOAT, INT8, UINT8, INT32 } = DataType;
const fused = createBackend();
const exact = createBackend({ graphOptimizationLevel: 'basic' });
const dir = scratchDir('edge-qdq-');

afterAll(() => {
  expect(fused.openSessions()).toBe(0);
  expect(exact.openSessions()).toBe(0);
});

function noise(shape: number[], seed: number, scale = 4): Tensor<'float32'> {
  return new Tensor('float32', shape, floatNoise(shape, seed, scale, 0));
}

function floats(name: string, dims: number[], seed: number, scale = 1): TensorProto {
  return tensorFromArray(name, FLOAT, dims, noise(dims, seed, scale).data as Float32Array);
}

/** Runs every feed on `backend`; the named output of each, concatenated. */
async function outputs(
  backend: typeof fused,
  model: OnnxModel,
  feeds: TensorMap[],
  name: string,
): Promise<Float32Array> {
  const session = await backend.load({ format: 'onnx', name: 'qdq test', bytes: writeModel(model) });
  try {
    const parts: number[] = [];
    for (const feed of feeds) parts.push(...(await session.run(feed))[name]!.toFloat32());
    return Float32Array.from(parts);
  } finally {
    await session.dispose();
  }
}

const check = (models: Record<string, OnnxModel>) => checkModels(dir, models, writeModel);

const producer = (m: OnnxModel, t: string) => m.graph.nodes.find((n) => n.outputs.includes(t));
const node = (m: OnnxModel, name: string) => m.graph.nodes.find((n) => n.name === name)!;
const init = (m: OnnxModel, name: string) => m.graph.initializers.find((t) => t.name === name);
const values = (t: TensorProto) => Array.from(tensorValues(t) as ArrayLike<number>);

/** The DequantizeLinear feeding `input` and its stored tensor, scale and zero point. */
function dequantized(m: OnnxModel, input: string) {
  const dq = producer(m, input);
  expect(dq?.opType, `${input} comes from a DequantizeLinear`).toBe('DequantizeLinear');
  const [stored, scale, zero] = dq!.inputs.map((i) => init(m, i)!);
  return { dq: dq!, stored: stored!, scale: scale!, zero: zero!, axis: attrInt(dq!, 'axis', 1) };
}

/**
 * x -> Conv 3x3 (+bias) -> Relu -> Conv 3x3 (+bias) -> Add(residual) -> GlobalAveragePool ->
 * Flatten -> Gemm(transB=1). Channel 0 of w1 has max |w| = 127/64, so its scale is exactly 1/64
 * and the weights 2.5/64, 3.5/64, -2.5/64, 0.5/64 fall half-way between two levels; channel 3 of
 * w2 is all zeros.
 */
function synthetic(): OnnxModel {
  const w1 = noise([8, 3, 3, 3], 1, 1).data as Float32Array;
  w1.set([127 / 64, 2.5 / 64, 3.5 / 64, -2.5 / 64, 0.5 / 64, -1.5 / 64], 0);
  const w2 = noise([8, 8, 3, 3], 2, 0.3).data as Float32Array;
  w2.fill(0, 3 * 72, 4 * 72);
  return B.model(
    B.graph({
      nodes: [
        B.node('Conv', ['x', 'w1', 'b1'], ['c1'], { pads: [1, 1, 1, 1] }, { name: 'conv1' }),
        B.node('Relu', ['c1'], ['r1'], {}, { name: 'relu1' }),
        B.node('Conv', ['r1', 'w2', 'b2'], ['c2'], { pads: [1, 1, 1, 1] }, { name: 'conv2' }),
        B.node('Add', ['c2', 'r1'], ['a'], {}, { name: 'add' }),
        B.node('GlobalAveragePool', ['a'], ['g'], {}, { name: 'pool' }),
        B.node('Flatten', ['g'], ['f'], {}, { name: 'flatten' }),
        B.node('Gemm', ['f', 'W', 'bW'], ['y'], { transB: 1 }, { name: 'gemm' }),
      ],
      inputs: [B.value('x', [1, 3, 16, 16])],
      outputs: [B.value('y', [1, 10])],
      initializers: [
        tensorFromArray('w1', FLOAT, [8, 3, 3, 3], w1),
        floats('b1', [8], 3),
        tensorFromArray('w2', FLOAT, [8, 8, 3, 3], w2),
        floats('b2', [8], 4),
        floats('W', [10, 8], 5),
        floats('bW', [10], 6),
      ],
    }),
  );
}

/** x -> ConvTranspose (weights [C_in, C_out, kh, kw]) -> GlobalAveragePool -> Flatten -> Gemm(transB=0). */
function transposed(): OnnxModel {
  return B.model(
    B.graph({
      nodes: [
        B.node('ConvTranspose', ['x', 'wt', 'bt'], ['ct'], { strides: [2, 2] }, { name: 'deconv' }),
        B.node('GlobalAveragePool', ['ct'], ['g'], {}, { name: 'pool' }),
        B.node('Flatten', ['g'], ['f'], {}, { name: 'flatten' }),
        B.node('Gemm', ['f', 'W0', 'b0'], ['y'], { transB: 0 }, { name: 'gemm' }),
      ],
      inputs: [B.value('x', [1, 4, 6, 6])],
      outputs: [B.value('y', [1, 5])],
      initializers: [
        floats('wt', [4, 6, 2, 2], 7),
        floats('bt', [6], 8),
        floats('W0', [6, 5], 9),
        floats('b0', [5], 10),
      ],
    }),
  );
}

async function minmaxRanges(model: OnnxModel, feeds: TensorMap[]): Promise<Record<string, number>> {
  return computeRanges(await collectStatistics(model, feeds, { backend: exact }), 'minmax');
}

/** Every QuantizeLinear and DequantizeLinear with the type and value of its zero point. */
function zeroPoints(m: OnnxModel): { node: NodeProto; type: number; values: number[] }[] {
  return m.graph.nodes
    .filter((n) => n.opType === 'QuantizeLinear' || n.opType === 'DequantizeLinear')
    .map((n) => {
      const z = init(m, n.inputs[2]!)!;
      return { node: n, type: z.dataType, values: values(z) };
    });
}

describe('a synthetic Conv/Relu/Conv/Add/GlobalAveragePool/Gemm model', () => {
  const model = synthetic();
  const before = snapshot(model);
  const feeds = Array.from({ length: 8 }, (_, k) => ({ x: noise([1, 3, 16, 16], 100 + k) }));
  let ranges: Record<string, number>;
  let q: QdqResult;

  beforeAll(async () => {
    ranges = await minmaxRanges(model, feeds);
    q = quantizeQdq(model, ranges);
  });

  it('quantizes every listed op whose tensors have ranges, and passes onnx.checker', () => {
    expect(q.quantized).toEqual(['conv1', 'conv2', 'add', 'pool', 'gemm']);
    expect(q.kept).toEqual([]);
    // x, r1, c2, a, g, f (c1 is read by the Relu alone: conv1 is quantized after it; y is a graph
    // output no node reads: the Gemm writes it in float32); w1, w2, W.
    expect(q.activations).toBe(6);
    expect(q.model.graph.nodes.filter((n) => n.opType === 'QuantizeLinear').length).toBe(q.activations);
    expect(producer(q.model, 'y')?.opType).toBe('Gemm');
    expect(q.weights).toBe(3);
    expect(q.folded).toBe(0);
    expect(check({ synthetic: q.model })).toEqual({});
  });

  it('weights: int8 initializers behind a DequantizeLinear with M per-channel scales on axis 0, zero points 0', () => {
    for (const [nodeName, weight, m] of [
      ['conv1', 'w1', 8],
      ['conv2', 'w2', 8],
      ['gemm', 'W', 10],
    ] as const) {
      const n = node(q.model, nodeName);
      const w = dequantized(q.model, n.inputs[1]!);
      expect(w.stored.dataType).toBe(INT8);
      expect(w.stored.dims).toEqual(init(model, weight)!.dims);
      expect(w.scale.dataType).toBe(FLOAT);
      expect(w.scale.dims).toEqual([m]);
      expect(w.axis).toBe(0);
      expect(w.zero.dataType).toBe(INT8);
      expect(values(w.zero)).toEqual(new Array(m).fill(0));
      expect(values(w.scale)).toEqual(
        Array.from(
          perChannelScales(tensorValues(init(model, weight)!) as Float32Array, init(model, weight)!.dims),
        ),
      );
    }
    // The float weights are gone: only the int8 copies are stored.
    for (const name of ['w1', 'w2', 'W']) expect(init(q.model, name)).toBeUndefined();
    // The half-way channel: scale exactly 1/64, and rounding half to even (2.5 -> 2, 3.5 -> 4, -2.5 -> -2, 0.5 -> 0, -1.5 -> -2).
    const w1 = dequantized(q.model, node(q.model, 'conv1').inputs[1]!);
    expect(values(w1.scale)[0]).toBe(1 / 64);
    expect(values(w1.stored).slice(0, 6)).toEqual([127, 2, 4, -2, 0, -2]);
    // The all-zero channel of w2: scale 1, levels 0.
    const w2 = dequantized(q.model, node(q.model, 'conv2').inputs[1]!);
    expect(values(w2.scale)[3]).toBe(1);
    expect(values(w2.stored).slice(3 * 72, 4 * 72)).toEqual(new Array(72).fill(0));
  });

  it('int8 weights equal numpy clip(rint(w / s), -127, 127) with s = max|w| / 127 per output channel', () => {
    const weights = ['w1', 'w2', 'W'].map((name) => {
      const t = init(model, name)!;
      return { name, dims: t.dims, data: Array.from(tensorValues(t) as Float32Array) };
    });
    const ref = python<Record<string, number[]>>(
      `
import json, sys
import numpy as np
out = {}
for w in json.load(sys.stdin):
    a = np.array(w['data'], dtype=np.float32).reshape(w['dims'])
    m = np.abs(a.reshape(a.shape[0], -1)).max(axis=1)
    s = (m / np.float32(127)).astype(np.float32)
    s[m == 0] = 1
    q = np.clip(np.rint(a / s.reshape((-1,) + (1,) * (a.ndim - 1))), -127, 127)
    out[w['name']] = [int(v) for v in q.ravel()]
print(json.dumps(out))
`,
      [],
      JSON.stringify(weights),
    );
    for (const [nodeName, weight] of [
      ['conv1', 'w1'],
      ['conv2', 'w2'],
      ['gemm', 'W'],
    ] as const) {
      const w = dequantized(q.model, node(q.model, nodeName).inputs[1]!);
      expect(values(w.stored), weight).toEqual(ref[weight]);
    }
  });

  it('biases: int32 at input scale x weight scale per channel, zero point 0', () => {
    for (const [nodeName, bias] of [
      ['conv1', 'b1'],
      ['conv2', 'b2'],
      ['gemm', 'bW'],
    ] as const) {
      const n = node(q.model, nodeName);
      const input = dequantized(q.model, n.inputs[0]!);
      const weight = dequantized(q.model, n.inputs[1]!);
      const b = dequantized(q.model, n.inputs[2]!);
      const inputScale = values(input.scale)[0]!;
      const weightScales = values(weight.scale);
      const original = values(init(model, bias)!);
      expect(b.stored.dataType).toBe(INT32);
      expect(b.zero.dataType).toBe(INT32);
      expect(values(b.zero)).toEqual(new Array(original.length).fill(0));
      expect(b.axis).toBe(0);
      const scales = values(b.scale);
      scales.forEach((s, c) => {
        expect(s).toBe(Math.fround(inputScale * weightScales[c]!));
        expect(Math.abs(s - inputScale * weightScales[c]!) / s).toBeLessThan(2 ** -23);
      });
      // Dequantized, each bias is within half a step of the float one.
      values(b.stored).forEach((v, c) => {
        expect(Math.abs(v * scales[c]! - original[c]!)).toBeLessThanOrEqual(scales[c]! / 2);
      });
    }
  });

  it('every QuantizeLinear: scale = fround(amax / 127) of the tensor it reads, zero point int8 0', () => {
    const quantizers = q.model.graph.nodes.filter((n) => n.opType === 'QuantizeLinear');
    expect(quantizers.map((n) => n.inputs[0])).toEqual(['x', 'r1', 'c2', 'a', 'g', 'f']);
    for (const n of quantizers) {
      const scale = init(q.model, n.inputs[1]!)!;
      expect(scale.dims).toEqual([]);
      expect(values(scale)[0]).toBe(Math.fround(ranges[n.inputs[0]!]! / 127));
    }
    for (const z of zeroPoints(q.model)) {
      expect([INT8, INT32]).toContain(z.type);
      expect(new Set(z.values)).toEqual(new Set([0]));
    }
  });

  it('computes nearly what the float32 model computes (Q/DQ as ONNX defines them), and runs fused', async () => {
    const ref = await outputs(exact, model, feeds, 'y');
    const got = await outputs(exact, q.model, feeds, 'y');
    // Measured here: 0.99999.
    expect(cosine(ref, got)).toBeGreaterThan(0.999);
    expect(maxAbsDiff(ref, got)).toBeGreaterThan(0);
    const run = await outputs(fused, q.model, feeds.slice(0, 2), 'y');
    expect(run.length).toBe(20);
    expect(run.every(Number.isFinite)).toBe(true);
  });

  it('activationType uint8: zero point 128 on activations, int8 weights stay; the same outputs as int8', async () => {
    const u = quantizeQdq(model, ranges, { activationType: 'uint8' });
    expect(check({ uint8: u.model })).toEqual({});
    for (const z of zeroPoints(u.model)) {
      const stored = init(u.model, z.node.inputs[0]!);
      if (z.node.opType === 'QuantizeLinear' || !stored) {
        expect([z.node.name, z.type, z.values]).toEqual([z.node.name, UINT8, [128]]);
      } else if (stored.dataType === INT32) {
        expect(new Set(z.values)).toEqual(new Set([0]));
      } else {
        expect([z.node.name, stored.dataType, z.type]).toEqual([z.node.name, INT8, INT8]);
        expect(new Set(z.values)).toEqual(new Set([0]));
      }
    }
    expect(values(dequantized(u.model, node(u.model, 'conv1').inputs[1]!).stored)).toEqual(
      values(dequantized(q.model, node(q.model, 'conv1').inputs[1]!).stored),
    );
    // The 256 levels are the same, shifted by 128.
    const a = await outputs(exact, q.model, feeds, 'y');
    const b = await outputs(exact, u.model, feeds, 'y');
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-6);
  });

  it('keeps in float32 a node whose input has no range, naming the tensor', async () => {
    const { r1: _, ...partial } = ranges;
    const r = quantizeQdq(model, partial);
    expect(r.kept).toEqual([
      { node: 'conv2', op: 'Conv', reason: "no calibrated range for tensor 'r1'" },
      { node: 'add', op: 'Add', reason: "no calibrated range for tensor 'r1'" },
    ]);
    expect(r.quantized).toEqual(['conv1', 'pool', 'gemm']);
    const c2 = node(r.model, 'conv2');
    expect(c2.inputs).toEqual(['r1', 'w2', 'b2']);
    expect(init(r.model, 'w2')?.dataType).toBe(FLOAT);
    expect(check({ partial: r.model })).toEqual({});
    expect(
      cosine(await outputs(exact, model, feeds, 'y'), await outputs(exact, r.model, feeds, 'y')),
    ).toBeGreaterThan(0.999);
  });

  it('excludeNodes keeps a node in float32', () => {
    const r = quantizeQdq(model, ranges, { excludeNodes: ['conv2'] });
    expect(r.kept).toEqual([{ node: 'conv2', op: 'Conv', reason: 'excluded by options.excludeNodes' }]);
    expect(r.quantized).toEqual(['conv1', 'add', 'pool', 'gemm']);
    expect(r.weights).toBe(2);
    const c2 = node(r.model, 'conv2');
    // It reads the dequantized r1 (r1 is quantized for the Add), but its own float weights and bias.
    expect(c2.inputs.slice(1)).toEqual(['w2', 'b2']);
    expect(init(r.model, 'w2')?.dataType).toBe(FLOAT);
    expect(producer(r.model, c2.inputs[0]!)?.opType).toBe('DequantizeLinear');
  });

  it("ops limits the op types; bias: 'float' leaves the biases float", () => {
    const onlyConv = quantizeQdq(model, ranges, { ops: ['Conv'] });
    expect(onlyConv.quantized).toEqual(['conv1', 'conv2']);
    expect(node(onlyConv.model, 'gemm').inputs).toEqual(['f', 'W', 'bW']);
    const r = quantizeQdq(model, ranges, { bias: 'float' });
    expect(r.quantized).toEqual(q.quantized);
    for (const [nodeName, bias] of [
      ['conv1', 'b1'],
      ['conv2', 'b2'],
      ['gemm', 'bW'],
    ] as const) {
      expect(node(r.model, nodeName).inputs[2]).toBe(bias);
      expect(init(r.model, bias)?.dataType).toBe(FLOAT);
    }
    expect(r.model.graph.initializers.filter((t) => t.dataType === INT32)).toEqual([]);
    expect(check({ floatBias: r.model })).toEqual({});
  });

  it('leaves the input model as it was', () => {
    quantizeQdq(model, ranges, { activationType: 'uint8', excludeNodes: ['add'] });
    expect(snapshot(model)).toBe(before);
  });
});

describe('ConvTranspose and Gemm with transB = 0', () => {
  it('per-channel axis 1 for both (the output channels), the biases at that axis; accurate', async () => {
    const model = transposed();
    const feeds = Array.from({ length: 4 }, (_, k) => ({ x: noise([1, 4, 6, 6], 200 + k) }));
    const r = quantizeQdq(model, await minmaxRanges(model, feeds));
    expect(r.quantized).toEqual(['deconv', 'pool', 'gemm']);
    for (const [nodeName, m] of [
      ['deconv', 6],
      ['gemm', 5],
    ] as const) {
      const n = node(r.model, nodeName);
      const w = dequantized(r.model, n.inputs[1]!);
      expect(w.axis, nodeName).toBe(1);
      expect(w.scale.dims).toEqual([m]);
      expect(w.zero.dims).toEqual([m]);
      const b = dequantized(r.model, n.inputs[2]!);
      expect(b.stored.dataType).toBe(INT32);
      expect(b.scale.dims).toEqual([m]);
    }
    // Scales along axis 1 of the float weights.
    const wt = init(model, 'wt')!;
    expect(values(dequantized(r.model, node(r.model, 'deconv').inputs[1]!).scale)).toEqual(
      Array.from(perChannelScales(tensorValues(wt) as Float32Array, wt.dims, 1)),
    );
    expect(check({ transposed: r.model })).toEqual({});
    const ref = await outputs(exact, model, feeds, 'y');
    expect(cosine(ref, await outputs(exact, r.model, feeds, 'y'))).toBeGreaterThan(0.999);
  });
});

describe('reduceRange', () => {
  it('weights in -63..63 at max|w| / 63; the fused onnxruntime kernels then agree with the exact Q/DQ semantics', async () => {
    const model = transposed();
    const feeds = Array.from({ length: 4 }, (_, k) => ({ x: noise([1, 4, 6, 6], 500 + k) }));
    const ranges = await minmaxRanges(model, feeds);
    const r = quantizeQdq(model, ranges, { reduceRange: true, activationType: 'uint8' });
    const gemm = dequantized(r.model, node(r.model, 'gemm').inputs[1]!);
    const stored = Array.from(tensorValues(gemm.stored) as Int8Array);
    expect(Math.max(...stored.map(Math.abs))).toBe(63);
    const w0 = init(model, 'W0')!;
    expect(values(gemm.scale)).toEqual(
      Array.from(perChannelScales(tensorValues(w0) as Float32Array, w0.dims, 1, 63)),
    );
    // On a CPU without VNNI the fused u8s8 kernels saturate with 8-bit weights; with 7 they match.
    const viaFused = await outputs(fused, r.model, feeds, 'y');
    const viaExact = await outputs(exact, r.model, feeds, 'y');
    expect(maxAbsDiff(viaFused, viaExact)).toBeLessThan(1e-3 * Math.max(...viaExact.map(Math.abs)));
    expect(cosine(await outputs(exact, model, feeds, 'y'), viaExact)).toBeGreaterThan(0.999);
  });
});

describe('hard-swish, x * HardSigmoid(x)', () => {
  /** x -> Conv (c) -> HardSigmoid (h) -> Mul(c, h) (s) -> Conv -> y: a folded hard-swish. */
  const model = B.model(
    B.graph({
      nodes: [
        B.node('Conv', ['x', 'w1', 'b1'], ['c'], { pads: [1, 1, 1, 1] }, { name: 'conv1' }),
        B.node('HardSigmoid', ['c'], ['h'], { alpha: B.float(1 / 6), beta: B.float(0.5) }, { name: 'hsig' }),
        B.node('Mul', ['c', 'h'], ['s'], {}, { name: 'mul' }),
        B.node('Conv', ['s', 'w2'], ['y'], {}, { name: 'conv2' }),
      ],
      inputs: [B.value('x', [1, 3, 8, 8])],
      outputs: [B.value('y', [1, 4, 8, 8])],
      initializers: [floats('w1', [6, 3, 3, 3], 21), floats('b1', [6], 22), floats('w2', [4, 6, 1, 1], 23)],
    }),
  );
  const feeds = Array.from({ length: 4 }, (_, k) => ({ x: noise([1, 3, 8, 8], 500 + k, 2) }));

  it('uint8: an 8-bit product: alpha x quantized with zero point 127 and read back with 0 (adding beta, clipped by the uint8 range); no HardSigmoid left', async () => {
    const stats = await collectStatistics(model, feeds, { backend: exact });
    const minimums = Object.fromEntries([...stats.tensors].map(([n, t]) => [n, t.min]));
    const u = quantizeQdq(model, computeRanges(stats, 'minmax'), { activationType: 'uint8', minimums });
    expect(u.model.graph.nodes.map((n) => n.opType)).not.toContain('HardSigmoid');
    expect(check({ hardswish: u.model })).toEqual({});
    // The Mul reads c and h dequantized; h's DequantizeLinear reads a QuantizeLinear of c / 6.
    const mul = node(u.model, 'mul');
    const h = dequantized(u.model, mul.inputs[1]!);
    expect(values(h.zero)).toEqual([0]);
    expect(values(h.scale)).toEqual([Math.fround(0.5 / 127)]);
    const q = producer(u.model, h.dq.inputs[0]!)!;
    expect([q.opType, values(init(u.model, q.inputs[2]!)!)]).toEqual(['QuantizeLinear', [127]]);
    const scaled = producer(u.model, q.inputs[0]!)!;
    expect(scaled.opType).toBe('Mul');
    expect(scaled.inputs[0]).toBe(mul.inputs[0]);
    // h read back: HardSigmoid(c) within one step (1/254, and the clip at 255/254), c as quantized.
    const [cOut, hOut] = [dequantized(u.model, mul.inputs[0]!).dq.outputs[0]!, h.dq.outputs[0]!];
    const c = await outputs(exact, exposeTensors(u.model, [cOut]).model, feeds, cOut);
    const got = await outputs(exact, exposeTensors(u.model, [hOut]).model, feeds, hOut);
    let worst = 0;
    for (let i = 0; i < c.length; i++) {
      worst = Math.max(worst, Math.abs(got[i]! - Math.min(1, Math.max(0, c[i]! / 6 + 0.5))));
    }
    expect(worst).toBeLessThanOrEqual(1 / 254 + 1e-6);
    expect(worst).toBeGreaterThan(0);
    expect(
      cosine(await outputs(exact, model, feeds, 'y'), await outputs(exact, u.model, feeds, 'y')),
    ).toBeGreaterThan(0.999);
  });

  it('int8 (zero point 0, as TensorRT takes it): the HardSigmoid stays between two pairs', async () => {
    const q = quantizeQdq(
      model,
      computeRanges(await collectStatistics(model, feeds, { backend: exact }), 'minmax'),
    );
    expect(q.model.graph.nodes.filter((n) => n.opType === 'HardSigmoid').map((n) => n.name)).toEqual([
      'hsig',
    ]);
  });
});

describe('the PaddleOCR models', () => {
  it('upgradeOpset(cls, 13) computes what the opset-9 model computes', async () => {
    const cls = readModel(readFileSync(OCR_MODELS.cls));
    const up = upgradeOpset(cls, 13).model;
    expect(new Graph(up).opsetVersion('')).toBe(13);
    expect(new Graph(cls).opsetVersion('')).toBe(9);
    const feeds = [{ x: noise([1, 3, 48, 192], 300) }, { x: noise([2, 3, 48, 96], 301) }];
    const a = await outputs(fused, cls, feeds, 'softmax_0.tmp_0');
    const b = await outputs(fused, up, feeds, 'softmax_0.tmp_0');
    expect(a.length).toBe(2 + 4);
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-6);
  });

  it.each([
    // cls: 35 BatchNormalizations folded, and 18 hard-swishes found once opset 13 made Clip's bounds inputs.
    ['cls', [1, 3, 48, 192], 'softmax_0.tmp_0', [1, 2], 53],
    // det: 61 folds (3 into the head's ConvTransposes) and 24 hard-swishes.
    ['det', [1, 3, 64, 64], 'sigmoid_0.tmp_0', [1, 1, 64, 64], 85],
  ] as const)(
    '%s: quantized with ranges from a few random feeds, passes onnx.checker and runs',
    async (key, shape, out, outShape, folded) => {
      const model = readModel(readFileSync(OCR_MODELS[key]));
      const feeds = [0, 1].map((k) => ({ x: noise([...shape], 400 + k) }));
      const r = quantizeQdq(model, await minmaxRanges(model, feeds));
      expect(new Graph(r.model).opsetVersion('')).toBe(13);
      expect(r.folded).toBe(folded);
      expect(r.quantized.length).toBeGreaterThan(90);
      expect(r.weights).toBeGreaterThan(50);
      expect(check({ [key]: r.model })).toEqual({});
      const session = await fused.load({ format: 'onnx', name: key, bytes: writeModel(r.model) });
      try {
        const y = (await session.run(feeds[0]!))[out]!;
        expect(y.shape).toEqual(outShape);
        expect(y.toFloat32().every((v) => v >= 0 && v <= 1)).toBe(true);
      } finally {
        await session.dispose();
      }
    },
  );
});

describe('bad calls', () => {
  const model = B.chain([B.value('x', [1, 4])], [B.node('Relu', ['x'], ['y'])]);

  it('BAD CALL - a negative or NaN threshold', () => {
    for (const [v, shown] of [
      [-1, '-1'],
      [Number.NaN, 'NaN'],
      [Number.POSITIVE_INFINITY, 'Infinity'],
    ] as const) {
      const call = () => quantizeQdq(model, { x: 1, y: v });
      expect(call).toThrow(ArgumentError);
      expect(call).toThrow(
        `Expected finite non-negative threshold for thresholds["y"] but received ${shown}`,
      );
    }
  });

  it('BAD CALL - an unknown activationType or bias', () => {
    const call = () => quantizeQdq(model, {}, { activationType: 'int4' as 'int8' });
    expect(call).toThrow(ArgumentError);
    expect(call).toThrow(
      'Expected one of "int8", "uint8" for options.activationType but received "int4" of type string',
    );
    expect(() => quantizeQdq(model, {}, { bias: 'int8' as 'int32' })).toThrow(
      'Expected one of "int32", "float" for options.bias but received "int8" of type string',
    );
  });

  it('BAD CALL - ops or excludeNodes that are not arrays of strings', () => {
    const call = () => quantizeQdq(model, {}, { ops: 'Conv' as unknown as string[] });
    expect(call).toThrow(ArgumentError);
    expect(call).toThrow('Expected array of strings for options.ops but received "Conv" of type string');
    expect(() => quantizeQdq(model, {}, { excludeNodes: [3] as unknown as string[] })).toThrow(
      'Expected array of strings for options.excludeNodes but received',
    );
  });

  it('EXPECTED FAILURE - an opset-9 Upsample cannot be raised to opset 13: GraphError naming the node', () => {
    const up = B.model(
      B.graph({
        nodes: [B.node('Upsample', ['x', 'scales'], ['y'])],
        inputs: [B.value('x', [1, 1, 2, 2])],
        outputs: [B.value('y', [1, 1, 4, 4])],
        initializers: [tensorFromArray('scales', FLOAT, [4], Float32Array.of(1, 1, 2, 2))],
      }),
      9,
    );
    const call = () => quantizeQdq(up, { x: 1, y: 1 });
    expect(call).toThrow(GraphError);
    expect(call).toThrow("cannot raise node 'y' (Upsample) from opset 9 to 13");
  });
});
