// ONNX to the checker's neutral graph (readOnnxGraph, modelGraphFromOnnx), and the ONNX operator
// facts checked against the schema registry they were generated from.
import { readFileSync } from 'node:fs';
import { ArgumentError, type ModelGraphReader, toModelSource } from '@edge/core';
import { expectError, OCR_MODELS, python } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import {
  elementTypeOf,
  modelGraphFromOnnx,
  ONNX_OPERATORS,
  readModelFile,
  readOnnxGraph,
} from '../src/index.js';

describe('readOnnxGraph', () => {
  it('is a ModelGraphReader: a path or the bytes give the graph modelGraphFromOnnx gives', () => {
    const reader: ModelGraphReader = readOnnxGraph;
    const expected = modelGraphFromOnnx(readModelFile(OCR_MODELS.cls));
    expect(reader(toModelSource(OCR_MODELS.cls))).toEqual(expected);
    expect(reader(toModelSource(new Uint8Array(readFileSync(OCR_MODELS.cls))))).toEqual(expected);
    expect(expected.format).toBe('onnx');
    expect(expected.inputs.map((t) => [t.name, t.dtype, t.shape])).toEqual([
      ['x', 'float32', ['p2o.DynamicDimension.0', 3, 'p2o.DynamicDimension.1', 'p2o.DynamicDimension.2']],
    ]);
  });

  it('inputShapes replace the input shapes before inference, so every later shape follows', () => {
    const g = readOnnxGraph(toModelSource(OCR_MODELS.cls), { inputShapes: { x: [1, 3, 48, 192] } });
    expect(g.inputs[0]!.shape).toEqual([1, 3, 48, 192]);
    expect(g.outputs[0]!.shape).toEqual([1, 2]);
    expect(g.ops.every((op) => op.outputs.every((t) => t.shape?.every((d) => typeof d === 'number')))).toBe(
      true,
    );
  });

  it('maps ONNX data type codes to element types', () => {
    expect([1, 7, 10, 16, 9, undefined, 999].map(elementTypeOf)).toEqual([
      'float32',
      'int64',
      'float16',
      'bfloat16',
      'bool',
      'unknown',
      'unknown',
    ]);
  });

  it('BAD CALL - a TFLite source', () => {
    expectError(
      () => readOnnxGraph({ format: 'tflite', name: 'm.tflite', path: '/x/m.tflite' }),
      ArgumentError,
      'Expected an ONNX model with a path or bytes for source: the ONNX graph reader reads ONNX models, and m.tflite is tflite',
    );
  });
});

describe('ONNX_OPERATORS', () => {
  it("matches onnx 1.12's schema registry (first opset, deprecation) for every op it does not mark unverified", () => {
    const registry = python<Record<string, { since: number; deprecated?: number }>>(`
import json, onnx.defs as d
reg = {}
for s in d.get_all_schemas_with_history():
    if s.domain not in ('', 'ai.onnx'):
        continue
    e = reg.setdefault(s.name, {'since': s.since_version})
    e['since'] = min(e['since'], s.since_version)
    if s.deprecated:
        e['deprecated'] = min(e.get('deprecated', s.since_version), s.since_version)
print(json.dumps(reg))
`);
    const verified = Object.entries(ONNX_OPERATORS).filter(([, o]) => !o.unverified);
    expect(Object.fromEntries(verified.map(([name, o]) => [name, { ...o }]))).toEqual(registry);
    // Only ops past the registry's opset 17 may be unverified.
    for (const [name, o] of Object.entries(ONNX_OPERATORS))
      if (o.unverified) expect(o.since, name).toBeGreaterThan(17);
  });
});
