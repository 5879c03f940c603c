import { ArgumentError } from '@edge/core';
import { MEDIAPIPE } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { modelGraphFromTflite, readTflite, readTfliteFile } from '../src/index.js';
import { buildTflite, writeTflite } from './helpers/build-tflite.js';
import { f32, graphOf, i8, i8const, i32const } from './helpers/models.js';

describe('buildTflite', () => {
  it('writes a model that reads back field for field', () => {
    const bytes = buildTflite({
      description: 'round trip',
      tensors: [
        { ...i8('x', [1, 8, 8, 4]), shapeSignature: [-1, 8, 8, 4] },
        {
          ...i8const('w', [2, 3, 3, 4]),
          quantization: { scale: [0.125, 0.25], zeroPoint: [0, 0], quantizedDimension: 0 },
        },
        i32const('b', [5, -6]),
        i8('y', [1, 8, 8, 2]),
        i8('z', [1, 8, 8, 2]),
      ],
      operators: [
        {
          op: 'CONV_2D',
          version: 3,
          inputs: ['x', 'w', 'b'],
          outputs: ['y'],
          options: {
            padding: 'VALID',
            stride_w: 2,
            stride_h: 1,
            fused_activation_function: 'RELU6',
            dilation_h_factor: 2,
          },
        },
        {
          op: 'GELU',
          inputs: ['y'],
          outputs: ['z'],
          options: { approximate: true },
          optionsType: 'GeluOptions',
        },
      ],
      inputs: ['x'],
      outputs: ['z'],
    });
    expect(String.fromCharCode(...bytes.subarray(4, 8))).toBe('TFL3');
    const m = readTflite(bytes);
    expect(m.description).toBe('round trip');
    // GELU (150) does not fit the int8 field: 127 there, 150 in builtin_code; the reader takes the max.
    expect(
      m.operatorCodes.map((c) => [c.builtin, c.builtinCode, c.deprecatedBuiltinCode, c.version]),
    ).toEqual([
      ['CONV_2D', 3, 3, 3],
      ['GELU', 150, 127, 1],
    ]);
    const sg = m.subgraphs[0]!;
    expect(sg.tensors[0]).toMatchObject({
      name: 'x',
      shape: [1, 8, 8, 4],
      shapeSignature: [-1, 8, 8, 4],
      type: 'INT8',
    });
    expect(sg.tensors[1]!.quantization).toEqual({
      scale: [0.125, 0.25],
      zeroPoint: [0, 0],
      quantizedDimension: 0,
      custom: false,
    });
    expect(Array.from(new Int32Array(m.buffers[sg.tensors[2]!.buffer]!.data.slice().buffer))).toEqual([
      5, -6,
    ]);
    expect(m.buffers[0]!.length).toBe(0);
    expect(sg.operators[0]!.options).toMatchObject({
      type: 'Conv2DOptions',
      decoded: true,
      values: {
        padding: 'VALID',
        stride_w: 2,
        stride_h: 1,
        fused_activation_function: 'RELU6',
        dilation_w_factor: 1,
        dilation_h_factor: 2,
        quantized_bias_type: 'FLOAT32',
      },
    });
    expect(sg.operators[1]!.options?.values).toEqual({ approximate: true });
  });

  it('reads an old file that sets only deprecated_builtin_code', () => {
    const bytes = writeTflite({ operatorCodes: [{ deprecatedBuiltinCode: 4 }], subgraphs: [{}] });
    expect(readTflite(bytes).operatorCodes[0]).toMatchObject({
      builtin: 'DEPTHWISE_CONV_2D',
      builtinCode: 4,
      version: 1,
    });
  });

  it('keeps option tables it does not decode as raw references', () => {
    const m = readTflite(
      buildTflite({
        tensors: [f32('a', [2]), f32('b', [2])],
        operators: [
          { op: 'ADD', inputs: ['a', 'a'], outputs: ['b'], options: { fused_activation_function: 'NONE' } },
        ],
        inputs: ['a'],
        outputs: ['b'],
      }),
    );
    expect(m.subgraphs[0]!.operators[0]!.options).toMatchObject({ type: 'AddOptions', decoded: true });
  });

  it('BAD CALL - buildTflite with an operator on an unknown tensor', () => {
    const call = () =>
      buildTflite({
        tensors: [f32('a', [1])],
        operators: [{ op: 'RELU', inputs: ['a'], outputs: ['nope'] }],
        inputs: ['a'],
        outputs: [],
      });
    expect(call).toThrow(ArgumentError);
    expect(call).toThrow("buildTflite: operator 0 (RELU) output refers to unknown tensor 'nope'");
  });

  it('BAD CALL - buildTflite with an option field the table does not have', () => {
    const call = () =>
      buildTflite({
        tensors: [f32('a', [1]), f32('b', [1])],
        operators: [{ op: 'ADD', inputs: ['a', 'a'], outputs: ['b'], options: { stride: 2 } }],
        inputs: ['a'],
        outputs: ['b'],
      });
    expect(call).toThrow(ArgumentError);
    expect(call).toThrow('buildTflite: operator 0 (ADD): AddOptions has no field stride');
  });

  it('BAD CALL - buildTflite with an unknown builtin', () => {
    const call = () =>
      buildTflite({
        tensors: [f32('a', [1])],
        operators: [{ op: 'Conv', inputs: ['a'], outputs: ['a'] }],
        inputs: [],
        outputs: [],
      });
    expect(call).toThrow(ArgumentError);
    expect(call).toThrow(
      'buildTflite: operator 0 has unknown builtin Conv (set custom: true for a custom op)',
    );
  });
});

describe('modelGraphFromTflite', () => {
  it('maps ops, domains, attributes, constants, quantisation and dynamic dimensions', () => {
    const g = graphOf({
      tensors: [
        { ...i8('x', [1, 4, 4, 8]), shapeSignature: [-1, 4, 4, 8] },
        i32const('pads', [0, 0, 1, 1, 1, 1, 0, 0], [4, 2]),
        i8('p', [1, 6, 6, 8]),
        i8('y', [1, 6, 6, 8]),
      ],
      operators: [
        { op: 'PAD', inputs: ['x', 'pads'], outputs: ['p'] },
        { op: 'MyOp', custom: true, inputs: ['p', null], outputs: ['y'], customOptions: Uint8Array.of(1, 2) },
      ],
      inputs: ['x'],
      outputs: ['y'],
    });
    expect(g.format).toBe('tflite');
    expect(g.opsets).toEqual({ tflite: 3 });
    expect(g.inputs[0]).toMatchObject({ name: 'x', dtype: 'int8', shape: [null, 4, 4, 8], constant: false });
    expect(g.inputs[0]!.quantization).toEqual({ scale: [0.0625], zeroPoint: [3] });
    expect(g.ops.map((o) => [o.index, o.name, o.opType, o.domain, o.version])).toEqual([
      [0, 'p', 'PAD', 'tflite', 1],
      [1, 'y', 'MyOp', 'tflite.custom', 1],
    ]);
    expect(g.ops[0]!.inputs[1]).toMatchObject({
      name: 'pads',
      constant: true,
      values: [0, 0, 1, 1, 1, 1, 0, 0],
    });
    expect(g.ops[1]!.inputs[1]).toBeNull();
  });

  it('turns booleans into 0/1 and enums into names', () => {
    const g = graphOf({
      tensors: [f32('x', [1, 4, 4, 1]), i32const('size', [8, 8]), f32('y', [1, 8, 8, 1])],
      operators: [
        {
          op: 'RESIZE_BILINEAR',
          inputs: ['x', 'size'],
          outputs: ['y'],
          options: { half_pixel_centers: true },
        },
      ],
      inputs: ['x'],
      outputs: ['y'],
    });
    // new_height and new_width are deprecated in schema.fbs: the generated code has no accessor.
    expect(g.ops[0]!.attributes).toEqual({
      align_corners: 0,
      half_pixel_centers: 1,
    });
  });

  it('gives selfie_segmentation its custom op in domain tflite.custom', () => {
    const g = modelGraphFromTflite(readTfliteFile(MEDIAPIPE.selfie));
    const custom = g.ops.filter((o) => o.domain === 'tflite.custom');
    expect(custom.map((o) => o.opType)).toEqual(['Convolution2DTransposeBias']);
    expect(g.ops).toHaveLength(246);
    expect(g.inputs[0]).toMatchObject({ dtype: 'float32', shape: [1, 256, 256, 3] });
    // Names are unique: the checker links producers to consumers by name.
    const names = g.ops.flatMap((o) => o.outputs.map((t) => t.name));
    expect(new Set(names).size).toBe(names.length);
  });

  it('BAD CALL - modelGraphFromTflite with a subgraph the model does not have', () => {
    const m = readTfliteFile(MEDIAPIPE.faceShort);
    const call = () => modelGraphFromTflite(m, { subgraph: 2 });
    expect(call).toThrow(ArgumentError);
    expect(call).toThrow(
      'Expected integer between 0 and 0 for options.subgraph but received 2 of type number',
    );
  });
});
