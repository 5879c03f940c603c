// The sensitivity sweep and the mixed-precision choice on a small conv chain where one tensor is
// made hard to quantize: its calibrated range is far wider than its values, so quantizing it
// alone loses most of its resolution. The bad tensor is the input, which only the first Conv
// reads (each Conv's output is quantized after its Relu, where the next Conv reads it too).
import { createBackend } from '@edge/backends-onnxruntime';
import { ArgumentError, Tensor, type TensorMap } from '@edge/core';
import { onnxBuilder as B, DataType, type OnnxModel, tensorFromArray } from '@edge/onnx-parse';
import { rng } from '@edge/test-utils';
import { afterAll, expect, it } from 'vitest';
import {
  collectStatistics,
  computeRanges,
  findFloatTensors,
  type Progress,
  quantizationSensitivity,
  type TensorGroup,
} from '../src/index.js';

const backend = createBackend({ graphOptimizationLevel: 'basic' });
afterAll(() => expect(backend.openSessions()).toBe(0));

function weights(name: string, dims: number[], seed: number) {
  const r = rng(seed);
  const n = dims.reduce((a, b) => a * b, 1);
  return tensorFromArray(
    name,
    DataType.FLOAT,
    dims,
    Float32Array.from({ length: n }, () => r() - 0.5),
  );
}

/** x -> Conv -> Relu -> Conv -> Relu -> Conv -> y, 4 channels, 8x8. */
function chain(): OnnxModel {
  return B.model(
    B.graph({
      inputs: [B.value('x', [1, 4, 8, 8])],
      outputs: [B.value('y', [1, 4, 8, 8])],
      initializers: [
        weights('w1', [4, 4, 3, 3], 1),
        weights('w2', [4, 4, 3, 3], 2),
        weights('w3', [4, 4, 3, 3], 3),
      ],
      nodes: [
        B.node('Conv', ['x', 'w1'], ['c1'], { pads: [1, 1, 1, 1] }),
        B.node('Relu', ['c1'], ['r1']),
        B.node('Conv', ['r1', 'w2'], ['c2'], { pads: [1, 1, 1, 1] }),
        B.node('Relu', ['c2'], ['r2']),
        B.node('Conv', ['r2', 'w3'], ['y'], { pads: [1, 1, 1, 1] }),
      ],
    }),
  );
}

const feeds = (): TensorMap[] =>
  Array.from({ length: 3 }, (_, k) => {
    const r = rng(10 + k);
    return {
      x: new Tensor(
        'float32',
        [1, 4, 8, 8],
        Float32Array.from({ length: 256 }, () => r() * 2 - 1),
      ),
    };
  });

it('each group of nodes is quantized alone, every quantized node is in one group, and the one writing the bad tensor ranks first', async () => {
  const model = chain();
  const ranges = computeRanges(await collectStatistics(model, feeds(), { backend }), 'minmax');
  ranges.x = ranges.x! * 400; // 400x too wide: x keeps about one level of its 255
  const progress: Progress[] = [];
  const groups = await quantizationSensitivity(model, ranges, feeds, {
    backend,
    groupSize: 1,
    kind: 'raw',
    onProgress: (p) => progress.push(p),
  });
  expect(groups.flatMap((g) => g.nodes).sort()).toEqual(['c1', 'c2', 'y']);
  expect(progress.map((p) => p.done)).toEqual(groups.map((_, k) => k + 1));
  expect(groups[0]!.nodes).toEqual(['c1']);
  expect(groups[0]!.tensors).toEqual(['x', 'c1']);
  expect(groups[0]!.loss).toBeGreaterThan(10 * groups[1]!.loss);
  for (let k = 1; k < groups.length; k++) expect(groups[k - 1]!.loss).toBeGreaterThanOrEqual(groups[k]!.loss);
});

it('findFloatTensors keeps the bad tensor in float32 and then meets the target', async () => {
  const model = chain();
  const ranges = computeRanges(await collectStatistics(model, feeds(), { backend }), 'minmax');
  ranges.x = ranges.x! * 400;
  const choice = await findFloatTensors(model, ranges, feeds, {
    backend,
    groupSize: 1,
    kind: 'raw',
    target: 0.999,
  });
  expect(choice.floatTensors).toEqual(['x', 'c1']);
  expect(choice.steps).toHaveLength(2);
  expect(choice.steps[0]!).toBeLessThan(0.999);
  expect(choice.score).toBeGreaterThanOrEqual(0.999);
  expect(choice.result.kept.map((k) => k.node)).toEqual(['c1']);
  expect(choice.result.quantized).toEqual(['c2', 'y']);
});

it('a target already met keeps nothing in float32', async () => {
  const model = chain();
  const ranges = computeRanges(await collectStatistics(model, feeds(), { backend }), 'minmax');
  const choice = await findFloatTensors(model, ranges, feeds, {
    backend,
    groupSize: 3,
    kind: 'raw',
    target: 0.9,
  });
  expect(choice.floatTensors).toEqual([]);
  expect(choice.steps).toHaveLength(1);
  expect(choice.groups.map((g) => g.nodes)).toEqual([['c1', 'c2', 'y']]);
});

it('BAD CALL - findFloatTensors with a target above 1 or a group size of 0', async () => {
  const model = chain();
  await expect(findFloatTensors(model, {}, feeds, { backend, target: 1.5 })).rejects.toThrow(ArgumentError);
  await expect(findFloatTensors(model, {}, feeds, { backend, target: 1.5 })).rejects.toThrow(
    'Expected finite number between 0 and 1 for options.target but received 1.5 of type number',
  );
  await expect(quantizationSensitivity(model, {}, feeds, { backend, groupSize: 0 })).rejects.toThrow(
    'options.groupSize',
  );
});

it('with rangeMethods, each group takes the candidate method of least loss, and findFloatTensors quantizes with those ranges', async () => {
  const model = chain();
  const statistics = await collectStatistics(model, feeds(), { backend });
  // The median of |x| as the range clips half of every tensor's values: min-max loses less.
  const params = { percentile: 50 };
  const clipped = computeRanges(statistics, 'percentile', params);
  const minmax = computeRanges(statistics, 'minmax');
  expect(clipped.x).toBeLessThan(minmax.x! / 1.5);
  const options = { backend, groupSize: 1, kind: 'raw', qdq: { activationType: 'int8' } } as const;
  const plain = await quantizationSensitivity(model, clipped, feeds, options);
  const percentileOnly = await quantizationSensitivity(model, clipped, feeds, {
    ...options,
    rangeMethods: { statistics, methods: ['percentile'], params },
  });
  const both = { statistics, methods: ['percentile', 'minmax'], params } as const;
  const chosen = await quantizationSensitivity(model, clipped, feeds, { ...options, rangeMethods: both });
  const byNode = (groups: readonly TensorGroup[], node: string) =>
    groups.find((g) => g.nodes.includes(node))!;
  expect(plain.every((g) => g.method === undefined)).toBe(true);
  for (const node of ['c1', 'c2', 'y']) {
    expect(byNode(percentileOnly, node).method).toBe('percentile');
    expect(byNode(percentileOnly, node).loss).toBe(byNode(plain, node).loss);
    expect(byNode(chosen, node).method, node).toBe('minmax');
    expect(byNode(chosen, node).loss, node).toBeLessThan(byNode(plain, node).loss / 2);
  }

  const choice = await findFloatTensors(model, clipped, feeds, { ...options, target: 0, rangeMethods: both });
  expect(choice.steps).toHaveLength(1);
  expect(choice.ranges).toEqual(minmax);
  const plainChoice = await findFloatTensors(model, clipped, feeds, { ...options, target: 0 });
  expect(plainChoice.ranges).toBe(clipped);
  expect(choice.score).toBeGreaterThan(plainChoice.score);
});

it('BAD CALL - rangeMethods with no methods', async () => {
  const model = chain();
  const statistics = await collectStatistics(model, feeds(), { backend });
  await expect(
    quantizationSensitivity(model, computeRanges(statistics, 'minmax'), feeds, {
      backend,
      rangeMethods: { statistics, methods: [] },
    }),
  ).rejects.toThrow(ArgumentError);
  await expect(
    quantizationSensitivity(model, computeRanges(statistics, 'minmax'), feeds, {
      backend,
      rangeMethods: { statistics, methods: [] },
    }),
  ).rejects.toThrow('options.rangeMethods.methods');
});
