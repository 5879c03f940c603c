import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import * as src from '../src/index.js';
import {
  ArgumentError,
  EdgeError,
  FileIOError,
  GraphError,
  isEdgeError,
  ModelParseError,
  UnavailableError,
  UnsafePathError,
} from '../src/index.js';

type CoreModule = typeof src;

describe('error classes', () => {
  it('carry a stable code, their class name and the message', () => {
    const cases: [EdgeError, string, string][] = [
      [new ArgumentError('bad'), 'EDGE_ARGUMENT', 'ArgumentError'],
      [new UnsafePathError('bad', '../x'), 'EDGE_UNSAFE_PATH', 'UnsafePathError'],
      [new FileIOError('bad', '/tmp/x'), 'EDGE_IO', 'FileIOError'],
      [new GraphError('bad'), 'EDGE_GRAPH', 'GraphError'],
      [new UnavailableError('bad'), 'EDGE_UNAVAILABLE', 'UnavailableError'],
    ];
    for (const [error, code, name] of cases) {
      expect(error.code).toBe(code);
      expect(error.name).toBe(name);
      expect(error.message).toBe('bad');
      expect(error).toBeInstanceOf(EdgeError);
      expect(error).toBeInstanceOf(Error);
      expect(isEdgeError(error)).toBe(true);
      expect(isEdgeError(error, code as src.EdgeErrorCode)).toBe(true);
      expect(isEdgeError(error, 'EDGE_MODEL_PARSE')).toBe(false);
    }
    expect(new UnsafePathError('bad', '../x').location).toBe('../x');
    expect(new FileIOError('bad', '/tmp/x').path).toBe('/tmp/x');
  });

  it('keep the cause, and have none when not given', () => {
    const root = new Error('disk full');
    const error = new FileIOError('cannot write engine', 'model.plan', { cause: root });
    expect(error.cause).toBe(root);
    expect('cause' in new GraphError('cycle')).toBe(false);
  });

  it('ModelParseError places the failure in its message and fields', () => {
    const error = new ModelParseError('truncated varint', {
      source: 'model.onnx',
      offset: 1234,
      fieldPath: 'ModelProto.graph.node[12]',
    });
    expect(error.message).toBe('model.onnx: truncated varint at byte 1234 (ModelProto.graph.node[12])');
    expect(error.code).toBe('EDGE_MODEL_PARSE');
    expect(error.source).toBe('model.onnx');
    expect(error.offset).toBe(1234);
    expect(error.fieldPath).toBe('ModelProto.graph.node[12]');
  });

  it('isEdgeError rejects plain errors, lookalikes without the brand, and non-objects', () => {
    expect(isEdgeError(new Error('x'))).toBe(false);
    const lookalike = Object.assign(new Error('x'), { code: 'EDGE_ARGUMENT', name: 'ArgumentError' });
    expect(isEdgeError(lookalike)).toBe(false);
    expect(isEdgeError({ code: 'EDGE_ARGUMENT', message: 'x', name: 'ArgumentError' })).toBe(false);
    // A local symbol with the same description is not the registered brand.
    expect(isEdgeError({ [Symbol('@edge/core/error')]: true, code: 'EDGE_ARGUMENT' })).toBe(false);
    for (const value of [undefined, null, 'EDGE_ARGUMENT', 42, () => undefined]) {
      expect(isEdgeError(value)).toBe(false);
    }
  });
});

describe('errors across two copies of @edge/core', () => {
  const dir = fileURLToPath(new URL('../dist/', import.meta.url));
  let cjs: CoreModule;
  let esm: CoreModule;

  beforeAll(async () => {
    if (!existsSync(`${dir}index.cjs`) || !existsSync(`${dir}index.js`)) {
      throw new Error('packages/core/dist is missing: build first (turbo runs build before test)');
    }
    cjs = createRequire(import.meta.url)('../dist/index.cjs') as CoreModule;
    // Through unknown: classes with private fields are nominal, and dist is another copy.
    esm = (await import('../dist/index.js')) as unknown as CoreModule;
  });

  it('the CJS and ESM builds are separate copies (different classes)', () => {
    expect(cjs.ArgumentError).not.toBe(esm.ArgumentError);
    expect(new cjs.ArgumentError('x')).not.toBeInstanceOf(esm.ArgumentError);
    expect(new cjs.ArgumentError('x')).not.toBeInstanceOf(src.ArgumentError);
  });

  it('an error from one copy is recognised by the other copies, code included', () => {
    const copies = { cjs, esm, src };
    for (const [thrower, a] of Object.entries(copies)) {
      for (const [checker, b] of Object.entries(copies)) {
        const error = new a.GraphError('cycle');
        expect(b.isEdgeError(error), `${thrower} -> ${checker}`).toBe(true);
        expect(b.isEdgeError(error, 'EDGE_GRAPH')).toBe(true);
        expect(b.isEdgeError(error, 'EDGE_IO')).toBe(false);
        expect(b.isEdgeError(new Error('x'))).toBe(false);
      }
    }
  });

  it('errors thrown by one copy’s checks are recognised by another copy', () => {
    let caught: unknown;
    try {
      cjs.checkPositiveInteger('width', -3);
    } catch (error) {
      caught = error;
    }
    expect(esm.isEdgeError(caught, 'EDGE_ARGUMENT')).toBe(true);
    expect((caught as Error).message).toBe(
      'Expected positive integer for width but received -3 of type number',
    );
  });
});
