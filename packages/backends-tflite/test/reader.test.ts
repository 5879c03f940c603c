import { readFileSync } from 'node:fs';
import { ArgumentError, FileIOError, ModelParseError } from '@edge/core';
import { expectError, MEDIAPIPE, requires, runPython } from '@edge/test-utils';
import { Builder } from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import { readTflite, readTfliteFile, summarizeTflite } from '../src/index.js';
import { Model, SubGraph, Tensor } from '../src/third_party/tflite/schema-generated.js';
import { type RawOperator, writeTflite } from './helpers/build-tflite.js';

function opCounts(path: string): Record<string, number> {
  return summarizeTflite(readTfliteFile(path)).opCounts;
}

describe('real MediaPipe models', () => {
  it('reads face_detection_short_range: 1x128x128x3 float32 in, regressors and classificators out', () => {
    const m = readTfliteFile(MEDIAPIPE.faceShort);
    expect(m.version).toBe(3);
    expect(m.description).toBe('keras2tflite_facedetector-front.tflite.generated');
    expect(m.subgraphs).toHaveLength(1);
    const sg = m.subgraphs[0]!;
    const io = (i: number) => [sg.tensors[i]!.name, sg.tensors[i]!.shape, sg.tensors[i]!.type];
    expect(sg.inputs.map(io)).toEqual([['input', [1, 128, 128, 3], 'FLOAT32']]);
    expect(sg.outputs.map(io)).toEqual([
      ['regressors', [1, 896, 16], 'FLOAT32'],
      ['classificators', [1, 896, 1], 'FLOAT32'],
    ]);
    expect(sg.tensors).toHaveLength(250);
    expect(opCounts(MEDIAPIPE.faceShort)).toEqual({
      DEQUANTIZE: 74,
      CONV_2D: 21,
      RELU: 17,
      DEPTHWISE_CONV_2D: 16,
      ADD: 16,
      PAD: 11,
      RESHAPE: 4,
      MAX_POOL_2D: 3,
      CONCATENATION: 2,
    });
    // float16 weights, dequantised to float32 at load: a float model, not an int8 one.
    expect(summarizeTflite(m)).toMatchObject({
      precision: 'float',
      tensorTypes: { FLOAT32: 165, FLOAT16: 74, INT32: 11 },
      customOps: [],
    });
    const conv = sg.operators.find((o) => o.opType === 'CONV_2D')!;
    expect(conv.options).toMatchObject({ type: 'Conv2DOptions', decoded: true });
    expect(conv.options!.values).toMatchObject({ dilation_w_factor: 1, dilation_h_factor: 1 });
    expect(['SAME', 'VALID']).toContain(conv.options!.values.padding);
  });

  it('reads the full-range and sparse face detectors (1x192x192x3; DENSIFY and sparse tensors)', () => {
    for (const path of [MEDIAPIPE.faceFull, MEDIAPIPE.faceSparse]) {
      const s = summarizeTflite(readTfliteFile(path));
      expect(s.inputs[0]).toMatchObject({ shape: [1, 192, 192, 3], type: 'FLOAT32' });
      expect(s.outputs.map((o) => o.shape)).toEqual([
        [1, 2304, 16],
        [1, 2304, 1],
      ]);
    }
    expect(opCounts(MEDIAPIPE.faceFull)).toMatchObject({
      CONV_2D: 49,
      DEPTHWISE_CONV_2D: 40,
      RESIZE_BILINEAR: 3,
    });
    const sparse = readTfliteFile(MEDIAPIPE.faceSparse);
    expect(opCounts(MEDIAPIPE.faceSparse)).toMatchObject({ DENSIFY: 46, DEPTH_TO_SPACE: 2 });
    expect(sparse.subgraphs[0]!.tensors.filter((t) => t.sparse)).toHaveLength(46);
    expect(sparse.metadata).toEqual([{ name: 'min_runtime_version', buffer: 578 }]);
    const mrv = sparse.buffers[578]!.data;
    expect(new TextDecoder().decode(mrv).replace(/\0+$/, '')).toMatch(/^\d+\.\d+/);
  });

  it('reads selfie_segmentation: the MediaPipe custom op Convolution2DTransposeBias', () => {
    const m = readTfliteFile(MEDIAPIPE.selfie);
    const s = summarizeTflite(m);
    expect(s.inputs[0]).toMatchObject({ name: 'input_1', shape: [1, 256, 256, 3], type: 'FLOAT32' });
    expect(s.outputs[0]).toMatchObject({ name: 'activation_10', shape: [1, 256, 256, 1] });
    expect(s.customOps).toEqual(['Convolution2DTransposeBias']);
    expect(s.opCounts).toMatchObject({ HARD_SWISH: 11, Convolution2DTransposeBias: 1, CONV_2D: 43 });
    const code = m.operatorCodes.find((c) => c.customCode !== undefined)!;
    expect(code).toEqual({
      builtinCode: 32,
      builtin: 'CUSTOM',
      customCode: 'Convolution2DTransposeBias',
      version: 1,
      deprecatedBuiltinCode: 32,
    });
    const op = m.subgraphs[0]!.operators.find((o) => o.custom)!;
    expect(op.opType).toBe('Convolution2DTransposeBias');
    expect(op.customOptions?.length).toBe(12);
    // HARD_SWISH (117) comes from the deprecated int8 field in this 2021 file.
    expect(m.operatorCodes.find((c) => c.builtin === 'HARD_SWISH')?.deprecatedBuiltinCode).toBe(117);
  });

  it('keeps constant data as views of the input, not copies', () => {
    const bytes = new Uint8Array(readFileSync(MEDIAPIPE.faceShort));
    const m = readTflite(bytes);
    const withData = m.buffers.filter((b) => b.length > 0);
    expect(withData.length).toBeGreaterThan(50);
    for (const b of withData) {
      expect(b.data.buffer).toBe(bytes.buffer);
      expect(b.data.byteOffset).toBe(bytes.byteOffset + b.offset);
    }
  });

  const flatbuffers = requires('python-flatbuffers');
  it('agrees with an independent decode by the flatbuffers Python runtime', flatbuffers, () => {
    const script = new URL('./helpers/tflite_dump.py', import.meta.url).pathname;
    for (const path of Object.values(MEDIAPIPE)) {
      const ref = JSON.parse(runPython([script, path]).toString());
      const m = readTfliteFile(path);
      expect(ref.identifier).toBe('TFL3');
      expect(m.version).toBe(ref.version);
      expect(m.description).toBe(ref.description);
      expect(
        m.operatorCodes.map((c) => ({
          builtin: c.builtinCode,
          custom: c.customCode ?? null,
          version: c.version,
        })),
      ).toEqual(ref.operatorCodes);
      expect(m.buffers.map((b) => ({ offset: b.offset, length: b.length }))).toEqual(ref.buffers);
      expect(
        m.subgraphs.map((s) => ({
          name: s.name,
          inputs: s.inputs,
          outputs: s.outputs,
          tensors: s.tensors.map((t) => ({
            name: t.name,
            shape: t.shape,
            type: t.typeCode,
            buffer: t.buffer,
            scale: t.quantization?.scale ?? [],
            zeroPoint: t.quantization?.zeroPoint ?? [],
          })),
          operators: s.operators.map((o) => ({
            opcodeIndex: o.opcodeIndex,
            inputs: o.inputs,
            outputs: o.outputs,
            optionsType: o.options === undefined ? 0 : ref.subgraphs[0].operators[o.index].optionsType,
            customOptionsLength: o.customOptions?.length ?? 0,
          })),
        })),
      ).toEqual(ref.subgraphs);
    }
  });
});

describe('bad input', () => {
  const valid = new Uint8Array(readFileSync(MEDIAPIPE.faceShort));

  it('BAD CALL - readTflite with a string instead of bytes', () => {
    expectError(
      () => readTflite('model.tflite' as unknown as Uint8Array),
      ArgumentError,
      'Expected Uint8Array for bytes but received "model.tflite" of type string',
    );
  });

  it('BAD CALL - readTflite with a numeric label', () => {
    expectError(
      () => readTflite(valid, { label: 7 as unknown as string }),
      ArgumentError,
      'Expected string for options.label but received 7 of type number',
    );
  });

  it('BAD CALL - readTfliteFile with an empty path', () => {
    expect(() => readTfliteFile('')).toThrow(ArgumentError);
    expect(() => readTfliteFile('')).toThrow(
      'Expected non-empty string for path but received "" of type string',
    );
  });

  it('EXPECTED FAILURE - readTfliteFile of a missing file', () => {
    expectError(
      () => readTfliteFile('/nonexistent/model.tflite'),
      FileIOError,
      /^cannot read \/nonexistent\/model\.tflite: ENOENT/,
    );
  });

  function parseError(bytes: Uint8Array): ModelParseError {
    try {
      readTflite(bytes, { label: 'case' });
    } catch (e) {
      expect(e).toBeInstanceOf(ModelParseError);
      return e as ModelParseError;
    }
    throw new Error('expected a ModelParseError');
  }

  it('EXPECTED FAILURE - an ONNX file is not a TFLite model (file identifier)', () => {
    const onnx = Uint8Array.from([0x08, 0x07, 0x12, 0x07, 0x70, 0x79, 0x74, 0x6f, 0x72, 0x63, 0x68]);
    const e = parseError(onnx);
    expect(e.message).toBe(
      'case: not a TFLite model: file identifier is "pyto", expected "TFL3" at byte 4 (Model)',
    );
    expect(e.code).toBe('EDGE_MODEL_PARSE');
  });

  it('EXPECTED FAILURE - an input shorter than the header', () => {
    expect(parseError(new Uint8Array(5)).message).toBe(
      'case: input of 5 bytes is too short for a TFLite model at byte 0 (Model)',
    );
  });

  it('EXPECTED FAILURE - a truncated file names the field it was reading', () => {
    const e = parseError(valid.subarray(0, 200_000));
    expect(e.offset).toBeGreaterThan(0);
    expect(e.offset).toBeLessThanOrEqual(200_000);
    expect(e.fieldPath).toMatch(/^Model\./);
    expect(e.reason).toMatch(/needs bytes|past the end|outside the input/);
  });

  it('EXPECTED FAILURE - a root offset that points past the end', () => {
    const b = valid.slice();
    new DataView(b.buffer).setUint32(0, b.length + 10, true);
    expect(parseError(b).message).toBe(
      `case: offset ${b.length + 10} points outside the input at byte 0 (Model)`,
    );
  });

  const model = (operators: RawOperator[], codes = 1) =>
    writeTflite({
      operatorCodes: Array.from({ length: codes }, () => ({})),
      subgraphs: [{ tensors: [{ shape: [1] }], inputs: [0], outputs: [0], operators }],
    });

  it('EXPECTED FAILURE - an operator whose opcode_index is outside the operator codes', () => {
    const e = parseError(model([{ opcodeIndex: 4 }]));
    expect(e.reason).toBe('opcode_index 4 is outside the 1 operator codes');
    expect(e.fieldPath).toBe('Model.subgraphs[0].operators[0].opcode_index');
  });

  it('EXPECTED FAILURE - an operator input that is not a tensor of the subgraph', () => {
    const e = parseError(model([{ opcodeIndex: 0, inputs: [0, 9] }]));
    expect(e.reason).toBe('tensor index 9 is outside the 1 tensors');
    expect(e.fieldPath).toBe('Model.subgraphs[0].operators[0].inputs[1]');
  });

  it('reads -1 as an omitted optional input', () => {
    const m = readTflite(model([{ opcodeIndex: 0, inputs: [0, -1] }]));
    expect(m.subgraphs[0]!.operators[0]!.inputs).toEqual([0, -1]);
  });

  it('EXPECTED FAILURE - many tensors sharing one huge shape vector exhaust the decode budget', () => {
    // 20k tensor entries all pointing at one table whose shape has 20k entries: 4e8 decoded
    // numbers from under 1 MB. The budget stops it instead of allocating gigabytes.
    const N = 20_000;
    const b = new Builder(1 << 20);
    const shape = Tensor.createShapeVector(b, new Array(N).fill(1));
    Tensor.startTensor(b);
    Tensor.addShape(b, shape);
    const shared = Tensor.endTensor(b);
    b.startVector(4, N, 4);
    for (let i = 0; i < N; i++) b.addOffset(shared);
    const tensors = b.endVector();
    const subgraphs = Model.createSubgraphsVector(b, [SubGraph.createSubGraph(b, tensors, 0, 0, 0, 0)]);
    Model.startModel(b);
    Model.addVersion(b, 3);
    Model.addSubgraphs(b, subgraphs);
    b.finish(Model.endModel(b), 'TFL3');
    const bytes = b.asUint8Array().slice();
    const e = parseError(bytes);
    expect(e.reason).toBe('decoded data exceeds what the input size allows (overlapping vectors?)');
    expect(e.fieldPath).toMatch(/^Model\.subgraphs\[0\]\.tensors\[\d+\]\.shape$/);
  });
});
