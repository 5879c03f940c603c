// Per rule: a small generated model that triggers it and one that does not, checked through the
// same path `edge check` takes (ONNX model -> neutral graph -> tables). The TensorRT and DLA tables
// are tested against their documents in conformance-tensorrt.test.ts and conformance-dla.test.ts.

import { modelGraphFromOnnx } from '@edge/onnx-parse';
import { describe, expect, it } from 'vitest';
import { checkGraph, loadRuleTables, resolveTargets, type TargetReport } from '../src/index.js';
import { chain, floats, node, value } from './helpers/build.js';
import { targetReport as verdict } from './helpers/check.js';

const known = await loadRuleTables();

function rules(r: TargetReport): string[] {
  return r.issues.filter((i) => i.level !== 'note').map((i) => i.rule);
}

const X = (shape: (number | string)[] = [1, 3, 16, 16]) => value('x', shape);
const conv = (extra: Record<string, number[] | number> = {}, k = 3, cout = 8, cin = 3) =>
  chain([X()], [node('Conv', ['x', 'w'], ['y'], { kernel_shape: [k, k], ...extra })], {
    initializers: [floats('w', [cout, cin, k, k])],
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
    expect(rules(await verdict(lstm, 'ort-cpu'))).toEqual(['LSTM: layout is 0']);
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
