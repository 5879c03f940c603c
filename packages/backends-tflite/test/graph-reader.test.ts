// readTfliteGraph: the TFLite side of core's ModelGraphReader, the one @edge/check uses.
import { readFileSync } from 'node:fs';
import { ArgumentError, type ModelGraphReader, toModelSource } from '@edge/core';
import { expectError, MEDIAPIPE } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { modelGraphFromTflite, readTfliteFile, readTfliteGraph } from '../src/index.js';

describe('readTfliteGraph', () => {
  it('is a ModelGraphReader: a path or the bytes give the graph modelGraphFromTflite gives', () => {
    const reader: ModelGraphReader = readTfliteGraph;
    const expected = modelGraphFromTflite(readTfliteFile(MEDIAPIPE.faceShort));
    expect(reader(toModelSource(MEDIAPIPE.faceShort))).toEqual(expected);
    expect(reader(toModelSource(new Uint8Array(readFileSync(MEDIAPIPE.faceShort))))).toEqual(expected);
    expect(expected.format).toBe('tflite');
  });

  it('BAD CALL - an ONNX source', () => {
    expectError(
      () => readTfliteGraph({ format: 'onnx', name: 'm.onnx', path: '/x/m.onnx' }),
      ArgumentError,
      'Expected a TFLite model with a path or bytes for source: the TFLite graph reader reads TFLite models, and m.onnx is onnx',
    );
  });

  it('BAD CALL - input shapes, which a .tflite file fixes', () => {
    expectError(
      () => readTfliteGraph(toModelSource(MEDIAPIPE.faceShort), { inputShapes: { input: [1, 64, 64, 3] } }),
      ArgumentError,
      /^Expected no inputShapes for the TFLite model .*: its tensor shapes are fixed in the file/,
    );
  });
});
