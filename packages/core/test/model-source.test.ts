// toModelSource and the one backend list: format from the bytes first, then the extension.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { scratchDir } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  BACKEND_NAMES,
  backendPackage,
  FileIOError,
  isModuleNotFound,
  toModelSource,
} from '../src/index.js';

const dir = scratchDir('edge-core-source-');

const TFLITE_HEADER = new Uint8Array([0x1c, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33, 0, 0, 0, 0]);

describe('toModelSource', () => {
  it('tells TFLite by its "TFL3" identifier whatever the file is called, ONNX otherwise', () => {
    const named = join(dir, 'model.bin');
    writeFileSync(named, TFLITE_HEADER);
    expect(toModelSource(named)).toEqual({ format: 'tflite', name: named, path: resolve(named) });
    const onnx = join(dir, 'model.onnx');
    writeFileSync(onnx, new Uint8Array([8, 7, 18, 4]));
    expect(toModelSource(onnx).format).toBe('onnx');
    expect(toModelSource(TFLITE_HEADER)).toMatchObject({ format: 'tflite', name: '<bytes>' });
    expect(toModelSource(new Uint8Array([8, 7])).format).toBe('onnx');
  });

  it('a .tflite file too short for an identifier is TFLite by its extension', () => {
    const short = join(dir, 'short.tflite');
    writeFileSync(short, new Uint8Array([1, 2]));
    expect(toModelSource(short).format).toBe('tflite');
  });

  it('EXPECTED FAILURE - a missing file is a FileIOError naming it', () => {
    const missing = join(dir, 'missing.onnx');
    expect(() => toModelSource(missing)).toThrow(FileIOError);
    expect(() => toModelSource(missing)).toThrow(`cannot read model ${missing}: no such file`);
  });

  it('BAD CALL - neither a path nor bytes', () => {
    expect(() => toModelSource('')).toThrow(ArgumentError);
    expect(() => toModelSource(3 as never)).toThrow(
      'Expected path (non-empty string) or Uint8Array of the model file for model but received 3 of type number',
    );
  });
});

describe('backend names', () => {
  it('one list, in default preference order, each in @edge/backends-<name>', () => {
    expect(BACKEND_NAMES).toEqual(['trt', 'onnxruntime', 'tflite']);
    expect(Object.isFrozen(BACKEND_NAMES)).toBe(true);
    expect(BACKEND_NAMES.map(backendPackage)).toEqual([
      '@edge/backends-trt',
      '@edge/backends-onnxruntime',
      '@edge/backends-tflite',
    ]);
  });

  it('isModuleNotFound: the package missing, not one of its imports', async () => {
    const missing = await import('@edge/backends-not-there' as string).catch((e: unknown) => e);
    expect(isModuleNotFound(missing, '@edge/backends-not-there')).toBe(true);
    const inner = Object.assign(new Error("Cannot find package 'sharp' imported from x.js"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    expect(isModuleNotFound(inner, '@edge/backends-tflite')).toBe(false);
    expect(isModuleNotFound(new Error('boom'), '@edge/backends-tflite')).toBe(false);
  });
});
