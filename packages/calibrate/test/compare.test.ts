// Model comparison: the streamed metrics against numpy on the same outputs, the layer whose error
// grows, the report table, and the ways a comparison is refused or cancelled.
import { createBackend } from '@edge/backends-onnxruntime';
import { AbortedError, ArgumentError, Tensor, type TensorMap } from '@edge/core';
import {
  onnxBuilder as B,
  DataType,
  exposeTensors,
  type NodeProto,
  type OnnxModel,
  type TensorProto,
  tensorFromArray,
  writeModel,
} from '@edge/onnx-parse';
import { noise, python } from '@edge/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComparisonReport, compareModels, formatComparison, type OutputMetrics } from '../src/index.js';

const backend = createBackend();

afterAll(() => {
  expect(backend.openSessions()).toBe(0);
});

const floats = (name: string, dims: number[], data: Float32Array): TensorProto =>
  tensorFromArray(name, DataType.FLOAT, dims, data);

const feedsOf = (n: number, shape: number[], seed: number): TensorMap[] =>
  Array.from({ length: n }, (_, k) => ({ x: new Tensor('float32', shape, noise(shape, seed + k, 4)) }));

/**
 * x [1, 1, 8, 8] -> Conv 3x3 -> Sigmoid -> `map` [1, 1, 8, 8] (values around 0.3, PaddleOCR's DB
 * threshold), and x -> Flatten -> Gemm -> `logits` [1, 5]. The candidate scales the map by
 * `gain` after the Sigmoid and adds `jitter` x noise to the classifier's weights.
 */
function twoHeads(gain: number, jitter: number): OnnxModel {
  const w = noise([5, 64], 1);
  const jittered = Float32Array.from(w, (v, i) => v + jitter * noise([5, 64], 2)[i]!);
  const mapNodes: NodeProto[] =
    gain === 1
      ? [B.node('Sigmoid', ['c'], ['map'])]
      : [B.node('Sigmoid', ['c'], ['s']), B.node('Mul', ['s', 'gain'], ['map'])];
  return B.model(
    B.graph({
      nodes: [
        B.node('Conv', ['x', 'wc', 'bc'], ['c'], { pads: [1, 1, 1, 1] }),
        ...mapNodes,
        B.node('Flatten', ['x'], ['flat']),
        B.node('Gemm', ['flat', 'W'], ['logits'], { transB: 1 }),
      ],
      inputs: [B.value('x', [1, 1, 8, 8])],
      outputs: [B.value('map', [1, 1, 8, 8]), B.value('logits', [1, 5])],
      initializers: [
        floats('wc', [1, 1, 3, 3], noise([1, 1, 3, 3], 3, 0.3)),
        floats('bc', [1], Float32Array.of(-0.85)),
        floats('W', [5, 64], jittered),
        ...(gain === 1 ? [] : [floats('gain', [], Float32Array.of(gain))]),
      ],
    }),
  );
}

/** Every feed through `model`; the named outputs, as plain arrays per feed. */
async function runAll(
  model: OnnxModel,
  feeds: TensorMap[],
  names: string[],
): Promise<Record<string, number[][]>> {
  const session = await backend.load({ format: 'onnx', name: 'compare test', bytes: writeModel(model) });
  try {
    const out: Record<string, number[][]> = Object.fromEntries(names.map((n) => [n, []]));
    for (const feed of feeds) {
      const r = await session.run(feed);
      for (const n of names) out[n]!.push(Array.from(r[n]!.toFloat32()));
    }
    return out;
  } finally {
    await session.dispose();
  }
}

interface NumpyMetrics {
  cosine: number;
  maxAbsError: number;
  meanAbsError: number;
  top1Agreement?: number;
  iou?: number;
  minIou?: number;
}

const NUMPY_METRICS = `
import json, sys
import numpy as np
data = json.load(sys.stdin)
res = {}
for name, spec in data.items():
    a = np.array(spec['ref'], dtype=np.float64)
    b = np.array(spec['cand'], dtype=np.float64)
    d = np.abs(a - b)
    m = dict(cosine=float(a.ravel() @ b.ravel() / np.sqrt((a.ravel() @ a.ravel()) * (b.ravel() @ b.ravel()))),
             maxAbsError=float(d.max()), meanAbsError=float(d.mean()))
    if spec['kind'] == 'classification':
        m['top1Agreement'] = float(np.mean(a.argmax(axis=-1) == b.argmax(axis=-1)))
    if spec['kind'] == 'map':
        p = a > 0.3
        q = b > 0.3
        m['iou'] = float((p & q).sum() / (p | q).sum())
        per = [float((pi & qi).sum() / (pi | qi).sum()) for pi, qi in zip(p, q) if (pi | qi).any()]
        m['minIou'] = min(per)
    res[name] = m
print(json.dumps(res))
`;

function expectClose(got: OutputMetrics, want: NumpyMetrics): void {
  for (const key of Object.keys(want) as (keyof NumpyMetrics)[]) {
    expect(Math.abs(got[key]! - want[key]!), `${got.name}.${key}: ${got[key]} vs ${want[key]}`).toBeLessThan(
      1e-12,
    );
  }
}

describe('two heads: a map and class scores', () => {
  const reference = twoHeads(1, 0);
  const candidate = twoHeads(1.05, 0.6);
  const feeds = feedsOf(12, [1, 1, 8, 8], 10);
  let report: ComparisonReport;

  beforeAll(async () => {
    report = await compareModels(reference, candidate, feeds, { backend });
  });

  it('reference against itself: cosine 1, no error, top-1 and IoU 1', async () => {
    const self = await compareModels(reference, reference, feeds, { backend });
    expect(self.samples).toBe(12);
    expect(self.outputs).toEqual([
      {
        name: 'map',
        kind: 'map',
        cosine: expect.closeTo(1, 12),
        maxAbsError: 0,
        meanAbsError: 0,
        iou: 1,
        minIou: 1,
      },
      {
        name: 'logits',
        kind: 'classification',
        cosine: expect.closeTo(1, 12),
        maxAbsError: 0,
        meanAbsError: 0,
        top1Agreement: 1,
        confident: expect.objectContaining({ top1Agreement: 1, otherTop1Agreement: 1 }),
      },
    ]);
    const { rows, otherRows } = self.outputs[1]!.confident!;
    expect(rows + otherRows).toBe(self.samples);
    // Shared tensors compared too: none has an error.
    expect(self.layers.map((l) => l.error)).toEqual(self.layers.map(() => 0));
  });

  it('a perturbed candidate: cosine, errors, top-1 agreement and IoU at 0.3 as numpy computes them', async () => {
    const names = ['map', 'logits'];
    const ref = await runAll(reference, feeds, names);
    const cand = await runAll(candidate, feeds, names);
    const want = python<Record<string, NumpyMetrics>>(
      NUMPY_METRICS,
      [],
      JSON.stringify({
        map: { ref: ref.map, cand: cand.map, kind: 'map' },
        logits: { ref: ref.logits, cand: cand.logits, kind: 'classification' },
      }),
    );
    expect(report.samples).toBe(12);
    expect(report.outputs.map((o) => [o.name, o.kind])).toEqual([
      ['map', 'map'],
      ['logits', 'classification'],
    ]);
    expectClose(report.outputs[0]!, want.map!);
    expectClose(report.outputs[1]!, want.logits!);
    // The perturbation is large enough that none of them is trivially 1 or 0.
    const [map, logits] = report.outputs;
    expect(map!.iou).toBeGreaterThan(0.5);
    expect(map!.iou).toBeLessThan(1);
    expect(map!.minIou).toBeLessThan(map!.iou!);
    expect(logits!.top1Agreement).toBeGreaterThan(0);
    expect(logits!.top1Agreement).toBeLessThan(1);
    expect(map!.maxAbsError).toBeGreaterThan(0);
    // Rows where the reference's top score reaches 0.9 are counted apart.
    const argmax = (row: number[]) => row.indexOf(Math.max(...row));
    const rows = ref.logits!.map((r, k) => ({
      sure: Math.max(...r) >= 0.9,
      agree: argmax(r) === argmax(cand.logits![k]!),
    }));
    const sure = rows.filter((r) => r.sure);
    const other = rows.filter((r) => !r.sure);
    expect(sure.length).toBeGreaterThan(0);
    expect(other.length).toBeGreaterThan(0);
    expect(logits!.confident).toEqual({
      rows: sure.length,
      top1Agreement: sure.filter((r) => r.agree).length / sure.length,
      otherRows: other.length,
      otherTop1Agreement: other.filter((r) => r.agree).length / other.length,
    });
    expect(formatComparison(report)).toContain(
      `logits: top-1 agreement ${(logits!.confident!.top1Agreement * 100).toFixed(2)}% on ${sure.length} rows where the reference is confident`,
    );
  });

  it("kind and threshold options: every output read as 'raw', or the map binarised at 0.35", async () => {
    const raw = await compareModels(reference, candidate, feeds, { backend, kind: 'raw', layers: 0 });
    expect(raw.outputs.map((o) => o.kind)).toEqual(['raw', 'raw']);
    expect(raw.outputs.every((o) => o.top1Agreement === undefined && o.iou === undefined)).toBe(true);
    expect(raw.outputs[0]!.cosine).toBe(report.outputs[0]!.cosine);
    const ref = await runAll(reference, feeds, ['map']);
    const cand = await runAll(candidate, feeds, ['map']);
    const at = (t: number) => {
      let inter = 0;
      let union = 0;
      ref.map!.flat().forEach((v, i) => {
        const w = cand.map!.flat()[i]!;
        if (v > t && w > t) inter++;
        if (v > t || w > t) union++;
      });
      return inter / union;
    };
    const half = await compareModels(reference, candidate, feeds, { backend, threshold: 0.35, layers: 0 });
    expect(half.outputs[0]!.iou).toBe(at(0.35));
    expect(half.outputs[0]!.iou).not.toBe(report.outputs[0]!.iou);
    expect(report.outputs[0]!.iou).toBe(at(0.3));
  });

  it('formatComparison: a row per output with its numbers, then the layers', () => {
    const text = formatComparison(report);
    const [map, logits] = report.outputs;
    expect(text.split('\n')[0]).toMatch(/^12 feeds compared in \d+\.\d s$/);
    const mapRow = text.split('\n').find((l) => l.startsWith('map '))!;
    expect(mapRow.split(/\s+/)).toEqual([
      'map',
      'map',
      map!.cosine.toFixed(6),
      map!.maxAbsError.toFixed(5),
      map!.meanAbsError.toFixed(6),
      '-',
      map!.iou!.toFixed(4),
      map!.minIou!.toFixed(4),
    ]);
    const logitsRow = text.split('\n').find((l) => l.startsWith('logits '))!;
    expect(logitsRow.split(/\s+/)).toEqual([
      'logits',
      'classification',
      logits!.cosine.toFixed(6),
      logits!.maxAbsError.toFixed(5),
      logits!.meanAbsError.toFixed(6),
      `${(logits!.top1Agreement! * 100).toFixed(2)}%`,
      '-',
      '-',
    ]);
    expect(report.layers.length).toBeGreaterThan(0);
    expect(text).toContain('layers whose relative error grew most');
    for (const l of report.layers) expect(text).toContain(l.error.toFixed(5));
  });

  it('layers: 0 skips the layer comparison; the output metrics stay the same', async () => {
    const r = await compareModels(reference, candidate, feeds, { backend, layers: 0 });
    expect(r.layers).toEqual([]);
    expect(r.outputs).toEqual(report.outputs);
    expect(formatComparison(r)).not.toContain('layers whose relative error grew most');
  });

  it('BAD CALL - a candidate without one of the outputs: ArgumentError naming it', async () => {
    const renamed = twoHeads(1.05, 0);
    const other = {
      ...renamed,
      graph: {
        ...renamed.graph,
        nodes: renamed.graph.nodes.map((n) => (n.opType === 'Gemm' ? { ...n, outputs: ['scores'] } : n)),
        outputs: [renamed.graph.outputs[0]!, B.value('scores', [1, 5])],
      },
    };
    const call = compareModels(reference, other, feeds, { backend });
    await expect(call).rejects.toThrow(ArgumentError);
    await expect(call).rejects.toThrow(
      "output 'logits' of the reference model is not an output of the candidate",
    );
  });

  it('BAD CALL - an output of another shape: ArgumentError naming it and both shapes, sessions disposed', async () => {
    const smaller = {
      ...candidate,
      graph: {
        ...candidate.graph,
        nodes: candidate.graph.nodes.map((n) => (n.opType === 'Conv' ? { ...n, attributes: [] } : n)),
        outputs: [B.value('map', [1, 1, 6, 6]), candidate.graph.outputs[1]!],
      },
    };
    const call = compareModels(reference, smaller, feeds, { backend, layers: 0 });
    await expect(call).rejects.toThrow(ArgumentError);
    await expect(call).rejects.toThrow(
      "output 'map' has shape [1,1,6,6] in the candidate but [1,1,8,8] in the reference",
    );
    expect(backend.openSessions()).toBe(0);
  });

  it('BAD CALL - threshold NaN, an unknown kind, layers -1', async () => {
    await expect(
      compareModels(reference, candidate, feeds, { backend, threshold: Number.NaN }),
    ).rejects.toThrow('Expected finite number for options.threshold but received NaN of type number');
    await expect(
      compareModels(reference, candidate, feeds, { backend, kind: 'mask' as 'map' }),
    ).rejects.toThrow(
      'Expected one of "classification", "map", "segmentation", "raw" for options.kind but received "mask" of type string',
    );
    await expect(compareModels(reference, candidate, feeds, { backend, layers: -1 })).rejects.toThrow(
      ArgumentError,
    );
  });

  it('EXPECTED FAILURE - aborted before the start or after two feeds: AbortedError, no session left', async () => {
    const before = new AbortController();
    before.abort();
    const early = compareModels(reference, candidate, feeds, { backend, signal: before.signal });
    await expect(early).rejects.toThrow(AbortedError);
    await expect(early).rejects.toThrow('comparison was aborted after 0 feeds');
    const during = new AbortController();
    const done: number[] = [];
    const late = compareModels(reference, candidate, feeds, {
      backend,
      signal: during.signal,
      onProgress: (p) => {
        done.push(p.done);
        // Reference, candidate, and the candidate with its shared tensors exposed.
        expect(backend.openSessions()).toBe(3);
        if (p.done === 2) during.abort();
      },
    });
    await expect(late).rejects.toThrow(AbortedError);
    await expect(late).rejects.toThrow('comparison was aborted after 2 feeds');
    expect(done).toEqual([1, 2]);
    expect(backend.openSessions()).toBe(0);
  });
});

describe('layer errors', () => {
  /** x -> Conv a -> Relu b -> Conv c -> Relu d -> Conv e; `perturb` scales c's weights. */
  function chain(perturb: number): OnnxModel {
    const wc = Float32Array.from(
      noise([4, 4, 3, 3], 21, 0.5),
      (v, i) => v * (1 + perturb * noise([144], 22)[i]!),
    );
    return B.model(
      B.graph({
        nodes: [
          B.node('Conv', ['x', 'wa'], ['a'], { pads: [1, 1, 1, 1] }),
          B.node('Relu', ['a'], ['b']),
          B.node('Conv', ['b', 'wc'], ['c'], { pads: [1, 1, 1, 1] }),
          B.node('Relu', ['c'], ['d']),
          // A positive 1x1 average: it carries c's error on without making it grow.
          B.node('Conv', ['d', 'we'], ['e']),
        ],
        inputs: [B.value('x', [1, 2, 8, 8])],
        outputs: [B.value('e', [1, 2, 8, 8])],
        initializers: [
          floats('wa', [4, 2, 3, 3], noise([4, 2, 3, 3], 20, 0.5)),
          floats('wc', [4, 4, 3, 3], wc),
          floats('we', [2, 4, 1, 1], noise([2, 4, 1, 1], 23, 0.2, 0.25)),
        ],
      }),
    );
  }

  it('the perturbed layer has the largest growth; its error is ‖Δc‖ / ‖c‖ over all feeds', async () => {
    const reference = chain(0);
    const candidate = chain(0.2);
    const feeds = feedsOf(5, [1, 2, 8, 8], 30);
    const r = await compareModels(reference, candidate, feeds, { backend });
    expect(r.layers.map((l) => l.tensor).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(r.layers[0]).toMatchObject({ tensor: 'c', op: 'Conv' });
    const byName = Object.fromEntries(r.layers.map((l) => [l.tensor, l]));
    expect(byName.a!.error).toBe(0);
    expect(byName.b!.error).toBe(0);
    expect(byName.c!.growth).toBe(byName.c!.error);
    expect(byName.d!.growth).toBe(byName.d!.error - byName.c!.error);
    for (let k = 1; k < r.layers.length; k++)
      expect(r.layers[k]!.growth).toBeLessThanOrEqual(r.layers[k - 1]!.growth);
    const names = ['c'];
    const ref = await runAll(exposeTensors(reference, names).model, feeds, names);
    const cand = await runAll(exposeTensors(candidate, names).model, feeds, names);
    let diff = 0;
    let norm = 0;
    ref.c!.flat().forEach((v, i) => {
      diff += (v - cand.c!.flat()[i]!) ** 2;
      norm += v * v;
    });
    expect(byName.c!.error).toBeCloseTo(Math.sqrt(diff / norm), 12);
    expect(byName.c!.error).toBeGreaterThan(0.01);
    // Only the top layers: the largest growth first.
    const top2 = await compareModels(reference, candidate, feeds, { backend, layers: 2 });
    expect(top2.layers).toEqual(r.layers.slice(0, 2));
  });
});

describe('segmentation', () => {
  /** x [2, 3, 6, 6] as per-pixel class scores; the candidate scales class 2 by `gain`. */
  function scores(gain: number): OnnxModel {
    return B.model(
      B.graph({
        inputs: [B.value('x', [2, 3, 6, 6])],
        outputs: [B.value('y', [2, 3, 6, 6])],
        initializers: [floats('g', [1, 3, 1, 1], Float32Array.of(1, 1, gain))],
        nodes: [B.node('Mul', ['x', 'g'], ['y'])],
      }),
    );
  }

  it('pixel agreement and mean IoU of the arg-max masks equal numpy', async () => {
    const feeds = feedsOf(3, [2, 3, 6, 6], 900).map((f) => ({
      x: new Tensor('float32', [2, 3, 6, 6], f.x!.toFloat32().map(Math.abs)),
    }));
    const report = await compareModels(scores(1), scores(1.6), feeds, {
      backend,
      kind: 'segmentation',
      layers: 0,
    });
    const seg = report.outputs[0]!;
    const want = python<{ agree: number; miou: number; min: number }>(
      `
import json, sys
import numpy as np
xs = [np.array(v, dtype=np.float32).reshape(2, 3, 6, 6) for v in json.load(sys.stdin)]
g = np.array([1, 1, 1.6], dtype=np.float32).reshape(1, 3, 1, 1)
inter = np.zeros(3); union = np.zeros(3); agree = 0; n = 0; per = []
for x in xs:
    a = x.argmax(1); b = (x * g).argmax(1)
    fi = np.zeros(3); fu = np.zeros(3)
    for c in range(3):
        fi[c] = np.sum((a == c) & (b == c)); fu[c] = np.sum((a == c) | (b == c))
    inter += fi; union += fu; agree += np.sum(a == b); n += a.size
    per.append(np.mean(fi[fu > 0] / fu[fu > 0]))
print(json.dumps(dict(agree=float(agree / n), miou=float(np.mean(inter[union > 0] / union[union > 0])), min=float(min(per)))))
`,
      [],
      JSON.stringify(feeds.map((f) => Array.from(f.x!.toFloat32()))),
    );
    expect(seg.kind).toBe('segmentation');
    expect(seg.top1Agreement).toBeCloseTo(want.agree, 12);
    expect(seg.iou).toBeCloseTo(want.miou, 12);
    expect(seg.minIou).toBeCloseTo(want.min, 12);
    expect(seg.iou).toBeLessThan(1);
  });
});
