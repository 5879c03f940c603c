// Per rule: a small generated model that triggers it and one that does not, checked through the
// same path `edge check` takes (ONNX model -> neutral graph -> tables).
import { DataType, modelGraphFromOnnx, onnxBuilder, tensorFromArray } from '@edge/onnx-parse';
import { describe, expect, it } from 'vitest';
import { checkGraph, loadRuleTables, resolveTargets, type TargetReport } from '../src/index.js';

const { chain, floats, graph, int64s, model, node, value } = onnxBuilder;

const known = await loadRuleTables();

async function verdict(m: ReturnType<typeof chain>, target: string): Promise<TargetReport> {
  const [t] = await resolveTargets([target]);
  return checkGraph(modelGraphFromOnnx(m), [t!], { known }).targets[0]!;
}

function rules(r: TargetReport): string[] {
  return r.issues.filter((i) => i.level !== 'note').map((i) => i.rule);
}

const X = (shape: (number | string)[] = [1, 3, 16, 16]) => value('x', shape);
const conv = (extra: Record<string, number[] | number> = {}, k = 3, cout = 8, cin = 3) =>
  chain([X()], [node('Conv', ['x', 'w'], ['y'], { kernel_shape: [k, k], ...extra })], {
    initializers: [floats('w', [cout, cin, k, k])],
  });
const resize = (attrs: Record<string, string>, opset = 11) =>
  chain([X()], [node('Resize', ['x', '', 's'], ['y'], attrs)], {
    initializers: [floats('s', [4], 2)],
    opset,
  });

describe('TensorRT tables', () => {
  it('Resize: 7.x takes asymmetric/floor only; 8.6 takes half_pixel; cubic nowhere', async () => {
    const hp = resize({ mode: 'nearest' });
    expect(rules(await verdict(hp, 'trt-7'))).toEqual([
      "Resize: coordinate_transformation_mode is 'asymmetric'",
      "Resize: nearest_mode is 'floor' (for mode 'nearest')",
    ]);
    expect((await verdict(hp, 'trt-8.6')).verdict).toBe('deployable');
    const asym = resize({
      mode: 'nearest',
      coordinate_transformation_mode: 'asymmetric',
      nearest_mode: 'floor',
    });
    expect((await verdict(asym, 'trt-7')).verdict).toBe('deployable');
    for (const t of ['trt-7', 'trt-8.6', 'trt-10']) {
      const r = await verdict(resize({ mode: 'cubic', coordinate_transformation_mode: 'asymmetric' }), t);
      expect(r.verdict).toBe('incompatible');
      expect(rules(r)).toContain("Resize: mode is 'nearest' or 'linear' (no 'cubic')");
    }
  });

  it("Resize: 8.6 rejects 'tf_crop_and_resize'", async () => {
    const r = await verdict(
      resize({ mode: 'linear', coordinate_transformation_mode: 'tf_crop_and_resize' }),
      'trt-8.6',
    );
    expect(r.verdict).toBe('incompatible');
  });

  const nms = (constant: boolean) =>
    model(
      graph({
        inputs: [
          value('boxes', [1, 10, 4]),
          value('scores', [1, 1, 10]),
          ...(constant ? [] : [value('max', [1], DataType.INT64)]),
        ],
        initializers: [
          ...(constant ? [int64s('max', [5])] : []),
          floats('iou', [1], 0.5),
          floats('score', [1], 0.1),
        ],
        nodes: [node('NonMaxSuppression', ['boxes', 'scores', 'max', 'iou', 'score'], ['sel'])],
        outputs: [value('sel', [null, 3], DataType.INT64)],
      }),
      11,
    );

  it('NonMaxSuppression: no in 7.x, yes from 8.6 with constant limits', async () => {
    expect((await verdict(nms(true), 'trt-7')).verdict).toBe('incompatible');
    expect((await verdict(nms(true), 'trt-8.6')).verdict).toBe('deployable');
    const dyn = await verdict(nms(false), 'trt-8.6');
    expect(rules(dyn)).toEqual([
      'NonMaxSuppression: input max_output_boxes_per_class is an initializer (constant)',
    ]);
    expect(dyn.issues.find((i) => i.level === 'incompatible')!.fix).toMatch(/fold/);
  });

  it('NonZero/OneHot/GatherND/ScatterND arrive by 8.6; ops still unsupported in 10.x', async () => {
    const nz = chain([X()], [node('NonZero', ['x'], ['y'])]);
    expect((await verdict(nz, 'trt-7')).verdict).toBe('incompatible');
    expect((await verdict(nz, 'trt-8.6')).verdict).toBe('deployable');
    const gnd = chain([X(), value('i', [1, 2], DataType.INT64)], [node('GatherND', ['x', 'i'], ['y'])]);
    expect((await verdict(gnd, 'trt-7')).verdict).toBe('incompatible');
    expect((await verdict(gnd, 'trt-8.6')).verdict).toBe('deployable');
    const unique = chain([value('x', [8])], [node('Unique', ['x'], ['y'])], { opset: 11 });
    const r = await verdict(unique, 'trt-10');
    expect(r.verdict).toBe('incompatible');
    expect(r.issues[r.issues.length - 1]!.reason).toMatch(
      /Unique is not supported by the TensorRT ONNX parser/,
    );
  });

  it('Conv: 2D/3D only; weights must be an initializer in 8.x but not in 10.x', async () => {
    expect((await verdict(conv(), 'trt-8.6')).verdict).toBe('deployable');
    const conv1d = chain([value('x', [1, 3, 16])], [node('Conv', ['x', 'w'], ['y'], { kernel_shape: [3] })], {
      initializers: [floats('w', [8, 3, 3])],
    });
    expect(rules(await verdict(conv1d, 'trt-8.6'))).toEqual([
      'Conv: the convolution is 2D or 3D (input rank 4 or 5)',
    ]);
    const dynW = chain(
      [X(), value('w', [8, 3, 3, 3])],
      [node('Conv', ['x', 'w'], ['y'], { kernel_shape: [3, 3] })],
    );
    expect(rules(await verdict(dynW, 'trt-8.6'))).toEqual([
      'Conv: input W (weights) is an initializer (constant)',
    ]);
    expect((await verdict(dynW, 'trt-10')).verdict).toBe('deployable');
  });

  it('pooling is 2D/3D only; TopK K must be an initializer', async () => {
    const pool1d = chain([value('x', [1, 3, 16])], [node('MaxPool', ['x'], ['y'], { kernel_shape: [2] })]);
    expect((await verdict(pool1d, 'trt-8.6')).verdict).toBe('incompatible');
    const pool2d = chain([X()], [node('MaxPool', ['x'], ['y'], { kernel_shape: [2, 2] })]);
    expect((await verdict(pool2d, 'trt-8.6')).verdict).toBe('deployable');
    const topk = (k: boolean) =>
      model(
        graph({
          inputs: [value('x', [1, 10]), ...(k ? [] : [value('k', [1], DataType.INT64)])],
          initializers: k ? [int64s('k', [3])] : [],
          nodes: [node('TopK', ['x', 'k'], ['v', 'i'])],
          outputs: [value('v', [1, 3]), value('i', [1, 3], DataType.INT64)],
        }),
        11,
      );
    expect((await verdict(topk(true), 'trt-8.6')).verdict).toBe('deployable');
    expect(rules(await verdict(topk(false), 'trt-8.6'))).toEqual([
      'TopK: input K is an initializer (constant)',
    ]);
  });

  it('Q/DQ zero point must be 0; QLinearConv is unsupported in every version', async () => {
    // zero point omitted: it defaults to 0
    const q = chain([X()], [node('QuantizeLinear', ['x', 's'], ['y'])], {
      initializers: [floats('s', [], 0.1)],
    });
    expect((await verdict(q, 'trt-8.6')).verdict).toBe('deployable');
    const withZp = model(
      graph({
        inputs: [X()],
        initializers: [floats('s', [], 0.1), int8('z', 5)],
        nodes: [node('QuantizeLinear', ['x', 's', 'z'], ['y'])],
        outputs: [value('y', [1, 3, 16, 16], DataType.INT8)],
      }),
    );
    expect(rules(await verdict(withZp, 'trt-8.6'))).toEqual([
      'QuantizeLinear: the zero point is 0 (symmetric quantisation)',
    ]);
    const qconv = chain([value('x', [1, 3, 8, 8], DataType.UINT8)], [node('QLinearConv', ['x'], ['y'])], {
      opset: 10,
    });
    for (const t of ['trt-7', 'trt-8.6', 'trt-10'])
      expect((await verdict(qconv, t)).verdict).toBe('incompatible');
  });

  it('opset range per version, and the INT64-weights note before 10', async () => {
    const relu = (opset: number) => chain([X()], [node('Relu', ['x'], ['y'])], { opset });
    expect((await verdict(relu(13), 'trt-7')).verdict).toBe('incompatible');
    expect((await verdict(relu(11), 'trt-7')).verdict).toBe('deployable');
    expect((await verdict(relu(18), 'trt-8.6')).verdict).toBe('incompatible');
    expect((await verdict(relu(18), 'trt-10')).verdict).toBe('deployable');
    expect((await verdict(relu(8), 'trt-10')).verdict).toBe('incompatible');
    const big = chain([value('x', [5000], DataType.INT64)], [node('Add', ['x', 'c'], ['y'])], {
      initializers: [
        int64s(
          'c',
          Array.from({ length: 5000 }, (_, k) => k),
        ),
      ],
    });
    const notes = (await verdict(big, 'trt-8.6')).issues.filter((i) => i.level === 'note').map((i) => i.rule);
    expect(notes).toContain('no INT64 weights (TensorRT before 10 casts them down to INT32)');
    const notes10 = (await verdict(big, 'trt-10')).issues
      .filter((i) => i.level === 'note')
      .map((i) => i.rule);
    expect(notes10).not.toContain('no INT64 weights (TensorRT before 10 casts them down to INT32)');
  });

  it('explicit batch note on 7.x only; dynamic dims note wherever inputs are dynamic', async () => {
    const dyn = chain([X(['N', 3, 16, 16])], [node('Relu', ['x'], ['y'])]);
    const r7 = (await verdict(chain([X()], [node('Relu', ['x'], ['y'])], { opset: 11 }), 'trt-7')).issues;
    expect(r7.map((i) => i.rule)).toContain(
      'the network is created with the kEXPLICIT_BATCH flag (the 7.x ONNX parser rejects implicit batch)',
    );
    const r10 = await verdict(dyn, 'trt-10');
    expect(r10.verdict).toBe('deployable');
    expect(r10.issues.map((i) => i.rule)).toEqual([
      'every dynamic input dimension has an optimization profile (explicit-batch network)',
    ]);
  });
});

function int8(name: string, v: number) {
  return tensorFromArray(name, DataType.INT8, [], Int8Array.of(v));
}

describe('DLA tables', () => {
  it('convolution limits: kernel 1..32, stride 1..8, channels up to 8192', async () => {
    expect((await verdict(conv(), 'dla-orin')).verdict).toBe('deployable');
    expect(rules(await verdict(conv({ strides: [9, 9] }), 'dla-orin'))).toEqual(['Conv: stride is 1..8']);
    const big = chain(
      [value('x', [1, 3, 40, 40])],
      [node('Conv', ['x', 'w'], ['y'], { kernel_shape: [33, 33] })],
      {
        initializers: [floats('w', [2, 3, 33, 33])],
      },
    );
    expect(rules(await verdict(big, 'dla-xavier'))).toEqual(['Conv: kernel size is 1..32 in each dimension']);
  });

  it('deconvolution without padding, group or dilation', async () => {
    const deconv = (attrs: Record<string, number | number[]>) =>
      chain(
        [X()],
        [node('ConvTranspose', ['x', 'w'], ['y'], { kernel_shape: [2, 2], strides: [2, 2], ...attrs })],
        {
          initializers: [floats('w', [3, 4, 2, 2])],
        },
      );
    expect((await verdict(deconv({}), 'dla-orin')).verdict).toBe('deployable');
    expect(rules(await verdict(deconv({ pads: [1, 1, 1, 1] }), 'dla-orin'))).toEqual([
      'ConvTranspose: no padding',
    ]);
  });

  it('concat on channels only; no dynamic dims; unsupported layers fall back with transitions counted', async () => {
    const cat = (axis: number) =>
      chain(
        [X()],
        [
          node('Relu', ['x'], ['a']),
          node('Sigmoid', ['x'], ['b']),
          node('Concat', ['a', 'b'], ['y'], { axis }),
        ],
      );
    expect((await verdict(cat(1), 'dla-orin')).verdict).toBe('deployable');
    const r = await verdict(cat(2), 'dla-orin');
    expect(r.verdict).toBe('fallback');
    expect(r.fallback).toMatchObject({ device: 'GPU', layers: 1, transitions: 2, acceleratorLayers: 2 });
    const dyn = await verdict(chain([X(['N', 3, 16, 16])], [node('Relu', ['x'], ['y'])]), 'dla-orin');
    expect(dyn.verdict).toBe('fallback');
    expect(rules(dyn)).toEqual(['Relu: static shapes (DLA has no dynamic dimensions)']);
  });

  it('an op the GPU engine also rejects makes the DLA target incompatible', async () => {
    const r = await verdict(
      chain([value('x', [8])], [node('Unique', ['x'], ['y'])], { opset: 11 }),
      'dla-orin',
    );
    expect(r.verdict).toBe('incompatible');
    expect(r.issues.map((i) => `${i.level}:${i.table}`)).toEqual([
      'note:dla-orin',
      'fallback:dla-orin',
      'incompatible:trt-8.6',
    ]);
  });
});

describe('OpenVINO and ONNX Runtime tables', () => {
  it('Myriad: dynamic shapes and 64-bit tensors fall back to the CPU', async () => {
    expect((await verdict(conv(), 'myriad')).verdict).toBe('deployable');
    const shape = chain([X()], [node('Shape', ['x'], ['s'])]);
    const r = await verdict(shape, 'myriad');
    expect(r.verdict).toBe('fallback');
    expect(rules(r)).toEqual(['Shape: no 64-bit tensors (the VPU computes in FP16 and I32)']);
    expect((await verdict(shape, 'openvino-cpu')).verdict).toBe('deployable');
  });

  it('OpenVINO CPU: sequence ops are not converted; opset above 16 is refused', async () => {
    const seq = chain([X()], [node('SequenceConstruct', ['x'], ['y'])], { opset: 11 });
    expect((await verdict(seq, 'openvino-cpu')).verdict).toBe('incompatible');
    expect(
      (await verdict(chain([X()], [node('Relu', ['x'], ['y'])], { opset: 17 }), 'openvino-cpu')).verdict,
    ).toBe('incompatible');
  });

  it('ORT CPU: standard ops from their opset; measured exceptions; deprecated Upsample; custom domains', async () => {
    expect((await verdict(conv(), 'ort-cpu')).verdict).toBe('deployable');
    const ups = (opset: number) =>
      chain([X()], [node('Upsample', ['x', 's'], ['y'], { mode: 'nearest' })], {
        initializers: [floats('s', [4], 2)],
        opset,
      });
    expect((await verdict(ups(9), 'ort-cpu')).verdict).toBe('deployable');
    const r = await verdict(ups(11), 'ort-cpu');
    expect(r.verdict).toBe('incompatible');
    expect(r.issues[0]!.fix).toMatch(/upsample-to-resize/);
    const lstm = chain(
      [value('x', [1, 2, 3])],
      [node('LSTM', ['x', 'w', 'r'], ['y'], { hidden_size: 4, layout: 1 })],
      {
        initializers: [floats('w', [1, 16, 3]), floats('r', [1, 16, 4])],
        opset: 14,
      },
    );
    expect(rules(await verdict(lstm, 'ort-cpu'))).toEqual(['LSTM: layout is 0 (sequence-major)']);
    const custom = chain([X()], [node('MyOp', ['x'], ['y'], {}, { domain: 'com.example' })]);
    const c = await verdict(custom, 'ort-cpu');
    expect(c.verdict).toBe('undeployable');
    expect(c.summary).toBe('undeployable: MyOp has no implementation in any known engine');
    const unknown = chain([X()], [node('NotAnOnnxOp', ['x'], ['y'])]);
    expect((await verdict(unknown, 'trt-8.6')).verdict).toBe('undeployable');
  });
});

describe('checker', () => {
  it('rest-of-graph fallback sends every op after the first unsupported one to the fallback', async () => {
    const [orin] = await resolveTargets(['dla-orin']);
    const restOfGraph = { ...orin!, id: 'rest', fallback: { device: 'CPU', mode: 'rest-of-graph' as const } };
    const m = chain(
      [X()],
      [
        node('Relu', ['x'], ['a']),
        node('HardSigmoid', ['a'], ['b']),
        node('Relu', ['b'], ['c']),
        node('Sigmoid', ['c'], ['y']),
      ],
    );
    const r = checkGraph(modelGraphFromOnnx(m), [restOfGraph], { known }).targets[0]!;
    expect(r.fallback).toMatchObject({
      layers: 3,
      acceleratorLayers: 1,
      transitions: 1,
      mode: 'rest-of-graph',
    });
    const perNode = checkGraph(modelGraphFromOnnx(m), [orin!], { known }).targets[0]!;
    expect(perNode.fallback).toMatchObject({ layers: 1, acceleratorLayers: 3, transitions: 1 });
  });

  it('BAD CALL - an unknown target lists the known ones', async () => {
    await expect(resolveTargets(['trt-99'])).rejects.toMatchObject({
      name: 'ArgumentError',
      code: 'EDGE_ARGUMENT',
      message: expect.stringMatching(/^unknown target 'trt-99'; known targets: .*trt-8\.6.*ort-cpu/),
    });
  });

  it('BAD CALL - checkGraph without targets', () => {
    const g = modelGraphFromOnnx(conv());
    expect(() => checkGraph(g, [])).toThrowError(/Expected a non-empty array of rule tables for targets/);
  });
});
