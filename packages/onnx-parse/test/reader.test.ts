import { mkdtempSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileIOError, isEdgeError, ModelParseError, UnsafePathError } from '@edge/core';
import { OCR_MODELS, python, scratchDir } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import {
  AttributeType,
  DataType,
  type OnnxModel,
  onnxBuilder,
  readModel,
  readModelFile,
  tensorBytes,
  tensorFromArray,
  tensorStrings,
  tensorValues,
  writeModel,
  writeModelFile,
} from '../src/index.js';
import { normalize } from './helpers/normalize.js';

const dir = scratchDir('edge-reader-');

/** A tiny valid model (Relu on a [N,3] input) with one initializer, built in code. */
function tinyModel(extra: Partial<OnnxModel['graph']> = {}): OnnxModel {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 13 }],
    producerName: 'edge-test',
    producerVersion: '1',
    domain: '',
    modelVersion: 0,
    docString: '',
    graph: {
      name: 'g',
      docString: '',
      nodes: [
        {
          name: 'add',
          opType: 'Add',
          domain: '',
          overload: '',
          inputs: ['x', 'w'],
          outputs: ['y'],
          attributes: [],
          docString: '',
          metadataProps: [],
        },
      ],
      initializers: [tensorFromArray('w', DataType.FLOAT, [3], new Float32Array([1, 2, 3]))],
      sparseInitializers: [],
      inputs: [vi('x', ['N', 3])],
      outputs: [vi('y', ['N', 3])],
      valueInfo: [],
      quantizationAnnotations: [],
      metadataProps: [],
      ...extra,
    },
    metadataProps: [],
    trainingInfo: [],
    functions: [],
  };
}

function vi(name: string, dims: (number | string)[]) {
  return {
    name,
    type: {
      kind: 'tensor' as const,
      elemType: DataType.FLOAT,
      shape: dims.map((d) => (typeof d === 'number' ? { value: d } : { param: d })),
    },
    docString: '',
    metadataProps: [],
  };
}

describe('reading what onnx (python) writes', () => {
  it('decodes every typed data field and raw data to the values numpy holds', () => {
    const path = join(dir, 'typed.onnx');
    const expected = python<Record<string, { type: number; values: (number | string)[] }>>(
      `
import json, sys, numpy as np, onnx, onnx.numpy_helper
from onnx import helper, TensorProto as T
specs = {
  'f32': (T.FLOAT, [1.5, -2.25, 3e38, -0.0]),
  'f64': (T.DOUBLE, [1e300, -1.0/3]),
  'i8': (T.INT8, [-128, 127, 0]),
  'u8': (T.UINT8, [0, 255]),
  'i16': (T.INT16, [-32768, 32767]),
  'i32': (T.INT32, [-2147483648, 2147483647]),
  'i64': (T.INT64, [-9223372036854775808, 9223372036854775807, 42]),
  'u32': (T.UINT32, [4294967295, 7]),
  'u64': (T.UINT64, [18446744073709551615, 1]),
  'b': (T.BOOL, [True, False, True]),
  'f16': (T.FLOAT16, [1.0, 65504.0, -0.5]),
}
inits = []
out = {}
for name, (t, vals) in specs.items():
  inits.append(helper.make_tensor(name, t, [len(vals)], vals, raw=False))
  inits.append(helper.make_tensor(name + '_raw', t, [len(vals)], vals, raw=False))
  arr = onnx.numpy_helper.to_array(inits[-1])
  inits[-1] = onnx.numpy_helper.from_array(arr, name + '_raw')
  if t == T.FLOAT16:
    out[name] = {'type': t, 'values': [int(x) for x in arr.view(np.uint16)]}
  else:
    out[name] = {'type': t, 'values': [str(x) if t in (T.INT64, T.UINT64) else float(x) for x in arr.tolist()]}
inits.append(helper.make_tensor('s', T.STRING, [2], [b'hello', 'w\\u00f6rld'.encode()]))
g = helper.make_graph([helper.make_node('Identity', ['f32'], ['y'])], 'g', [], [helper.make_tensor_value_info('y', T.FLOAT, [4])], inits)
m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)])
onnx.checker.check_model(m)
onnx.save(m, sys.argv[1])
print(json.dumps(out))
`,
      [path],
    );
    const model = readModelFile(path);
    const byName = new Map(model.graph.initializers.map((t) => [t.name, t]));
    for (const [name, spec] of Object.entries(expected)) {
      for (const key of [name, `${name}_raw`]) {
        const t = byName.get(key)!;
        expect(t.dataType, key).toBe(spec.type);
        const got = Array.from(tensorValues(t) as ArrayLike<number | bigint>, (v) =>
          typeof v === 'bigint' ? String(v) : spec.type === DataType.FLOAT16 ? v : Number(v),
        );
        expect(got, key).toEqual(spec.values);
        // raw and typed storage give the same element bytes
        expect(
          Buffer.from(tensorBytes(t)).equals(Buffer.from(tensorBytes(byName.get(`${name}_raw`)!))),
          key,
        ).toBe(true);
      }
    }
    expect(byName.get(`f32`)!.typedData[0]!.field).toBe(4);
    expect(byName.get(`f32_raw`)!.rawData).toBeDefined();
    expect(tensorStrings(byName.get('s')!)).toEqual(['hello', 'wörld']);
  });

  it('keeps every attribute type, subgraphs, functions, metadata and doc strings', () => {
    const path = join(dir, 'attrs.onnx');
    python(
      `
import json, sys, onnx
from onnx import helper, TensorProto as T
then_g = helper.make_graph([helper.make_node('Constant', [], ['a'], value=helper.make_tensor('v', T.FLOAT, [1], [1.0]))], 'then', [], [helper.make_tensor_value_info('a', T.FLOAT, [1])])
else_g = helper.make_graph([helper.make_node('Constant', [], ['b'], value_float=2.0)], 'else', [], [helper.make_tensor_value_info('b', T.FLOAT, [])])
attrs = dict(f=0.5, i=-7, s=b'bytes', t=helper.make_tensor('t', T.INT64, [2], [1, -1]), g=then_g,
  floats=[1.0, 2.5], ints=[1, -2, 9223372036854775807], strings=[b'a', b'bc'],
  tensors=[helper.make_tensor('t2', T.FLOAT, [1], [3.0])], graphs=[then_g, else_g])
custom = helper.make_node('Custom', ['c'], ['d'], domain='my.domain', doc_string='node doc', **attrs)
iff = helper.make_node('If', ['c'], ['e'], then_branch=then_g, else_branch=else_g)
fn = helper.make_function('my.domain', 'Fn', ['x'], ['y'], [helper.make_node('Relu', ['x'], ['y'])], [helper.make_opsetid('', 13)], ['alpha'])
g = helper.make_graph([custom, iff], 'main', [helper.make_tensor_value_info('c', T.BOOL, [])],
  [helper.make_tensor_value_info('d', T.FLOAT, None), helper.make_tensor_value_info('e', T.FLOAT, ['batch', 3])], doc_string='graph doc')
m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 13), helper.make_opsetid('my.domain', 1)], functions=[fn], doc_string='model doc', producer_name='py')
helper.set_model_props(m, {'author': 'edge', 'license': 'CC0'})
onnx.save(m, sys.argv[1])
print('null')
`,
      [path],
    );
    const m = readModelFile(path);
    expect(m.docString).toBe('model doc');
    expect(m.producerName).toBe('py');
    expect(m.metadataProps).toEqual([
      { key: 'author', value: 'edge' },
      { key: 'license', value: 'CC0' },
    ]);
    expect(m.opsetImports).toEqual([
      { domain: '', version: 13 },
      { domain: 'my.domain', version: 1 },
    ]);
    expect(m.graph.docString).toBe('graph doc');
    const custom = m.graph.nodes[0]!;
    expect(custom.domain).toBe('my.domain');
    expect(custom.docString).toBe('node doc');
    const a = Object.fromEntries(custom.attributes.map((x) => [x.name, x]));
    expect(a.f!.type).toBe(AttributeType.FLOAT);
    expect(a.f!.f).toBe(0.5);
    expect(a.i!.i).toBe(-7);
    expect(Buffer.from(a.s!.s!).toString()).toBe('bytes');
    expect(Array.from(tensorValues(a.t!.t!) as BigInt64Array)).toEqual([1n, -1n]);
    expect(a.g!.g!.name).toBe('then');
    expect(a.floats!.floats).toEqual([1, 2.5]);
    // INT64_MAX sentinels (Slice ends) come back as the nearest double and are written back exactly.
    expect(a.ints!.ints).toEqual([1, -2, 2 ** 63]);
    expect(a.strings!.strings.map((s) => Buffer.from(s).toString())).toEqual(['a', 'bc']);
    expect(a.tensors!.tensors[0]!.name).toBe('t2');
    expect(a.graphs!.graphs.map((g) => g.name)).toEqual(['then', 'else']);
    const iff = m.graph.nodes[1]!;
    expect(iff.attributes.map((x) => x.g!.nodes[0]!.opType)).toEqual(['Constant', 'Constant']);
    expect(m.functions[0]).toMatchObject({
      name: 'Fn',
      domain: 'my.domain',
      inputs: ['x'],
      attributes: ['alpha'],
    });
    expect(m.graph.outputs[0]!.type).toEqual({ kind: 'tensor', elemType: DataType.FLOAT });
    expect(m.graph.outputs[1]!.type).toEqual({
      kind: 'tensor',
      elemType: DataType.FLOAT,
      shape: [{ param: 'batch' }, { value: 3 }],
    });
    expect(m.graph.inputs[0]!.type).toEqual({ kind: 'tensor', elemType: DataType.BOOL, shape: [] });

    // python reads our rewrite back with the same attribute values
    const out = join(dir, 'attrs.rewritten.onnx');
    writeModelFile(out, m);
    const ints = python<number[]>(
      `import json, sys, onnx; m = onnx.load(sys.argv[1]); a = [x for x in m.graph.node[0].attribute if x.name == 'ints'][0]; print(json.dumps([str(v) for v in a.ints]))`,
      [out],
    );
    expect(ints).toEqual(['1', '-2', '9223372036854775807']);
  });
});

describe('IR 10 fields', () => {
  it('round-trips overload, metadata_props on graph/node/value_info/tensor and function attribute defaults', () => {
    const m = tinyModel();
    m.irVersion = 10;
    m.graph.metadataProps = [{ key: 'g', value: '1' }];
    m.graph.nodes[0]!.overload = 'v2';
    m.graph.nodes[0]!.metadataProps = [{ key: 'n', value: '2' }];
    m.graph.inputs[0]!.metadataProps = [{ key: 'v', value: '3' }];
    m.graph.initializers[0]!.metadataProps = [{ key: 't', value: '4' }];
    m.functions = [
      {
        name: 'F',
        domain: 'local',
        overload: 'o',
        inputs: ['a'],
        outputs: ['b'],
        attributes: [],
        attributeProtos: [onnxBuilder.attr('alpha', onnxBuilder.float(0.25))],
        nodes: [],
        valueInfo: [vi('a', [1])],
        opsetImports: [{ domain: '', version: 21 }],
        docString: 'fn',
        metadataProps: [{ key: 'f', value: '5' }],
      },
    ];
    const back = readModel(writeModel(m));
    expect(normalize(back)).toEqual(normalize(m));
  });
});

describe('external data', () => {
  it('reads external data lazily, relative to the model folder', () => {
    const sub = mkdtempSync(join(dir, 'ext-'));
    const expected = python<number[]>(
      `
import json, sys, os, numpy as np, onnx
from onnx import helper, numpy_helper, TensorProto as T
w = (np.arange(4096, dtype=np.float32) * 0.5).reshape(64, 64)
g = helper.make_graph([helper.make_node('MatMul', ['x', 'w'], ['y'])], 'g',
  [helper.make_tensor_value_info('x', T.FLOAT, [1, 64])], [helper.make_tensor_value_info('y', T.FLOAT, [1, 64])],
  [numpy_helper.from_array(w, 'w')])
m = helper.make_model(g)
os.makedirs(os.path.join(sys.argv[1], 'weights'))
onnx.save_model(m, os.path.join(sys.argv[1], 'm.onnx'), save_as_external_data=True, location='weights/w.bin', size_threshold=0)
print(json.dumps(w.ravel()[:5].tolist() + [float(w.sum())]))
`,
      [sub],
    );
    const m = readModelFile(join(sub, 'm.onnx'));
    const w = m.graph.initializers[0]!;
    expect(w.dataLocation).toBe(1);
    expect(w.external!.location).toBe('weights/w.bin');
    const values = tensorValues(w) as Float32Array;
    expect(Array.from(values.subarray(0, 5))).toEqual(expected.slice(0, 5));
    expect(values.reduce((s, v) => s + v, 0)).toBe(expected[5]);
    // The rewritten model keeps the reference, which python resolves.
    writeModelFile(join(sub, 'copy.onnx'), m);
    expect(
      python<number>(
        `import sys, onnx; from onnx import numpy_helper as nh; m = onnx.load(sys.argv[1]); print(float(nh.to_array(m.graph.initializer[0]).sum()))`,
        [join(sub, 'copy.onnx')],
      ),
    ).toBe(expected[5]);
  });

  function externalModel(location: string): OnnxModel {
    const m = tinyModel();
    const w = m.graph.initializers[0]!;
    delete w.rawData;
    w.dataLocation = 1;
    w.externalData = [
      { key: 'location', value: location },
      { key: 'offset', value: '0' },
      { key: 'length', value: '12' },
    ];
    return m;
  }

  const unsafe: [string, string, RegExp][] = [
    ['an absolute location', '/etc/passwd', /is absolute/],
    ['a .. that leaves the folder', '../outside.bin', /leaves the folder/],
    ['a .. hidden in the middle', 'a/../../outside.bin', /leaves the folder/],
    ['a Windows drive path', 'C:\\\\secret.bin', /is absolute/],
  ];
  for (const [what, location, message] of unsafe) {
    it(`EXPECTED FAILURE - refuses ${what} when the model is read`, () => {
      const sub = mkdtempSync(join(dir, 'unsafe-'));
      writeFileSync(join(dir, 'outside.bin'), new Uint8Array(12));
      writeModelFile(join(sub, 'm.onnx'), externalModel(location));
      const err = catchError(() => readModelFile(join(sub, 'm.onnx')));
      expect(err).toBeInstanceOf(UnsafePathError);
      expect(isEdgeError(err, 'EDGE_UNSAFE_PATH')).toBe(true);
      expect((err as UnsafePathError).location).toBe(location);
      expect((err as Error).message).toMatch(message);
    });
  }

  it('EXPECTED FAILURE - refuses a symlink inside the folder that points outside it', () => {
    const sub = mkdtempSync(join(dir, 'link-'));
    writeFileSync(join(dir, 'secret.bin'), new Uint8Array(12));
    symlinkSync(join(dir, 'secret.bin'), join(sub, 'w.bin'));
    writeModelFile(join(sub, 'm.onnx'), externalModel('w.bin'));
    const err = catchError(() => readModelFile(join(sub, 'm.onnx')));
    expect(err).toBeInstanceOf(UnsafePathError);
    expect((err as Error).message).toMatch(/is a link to .*secret\.bin, outside the folder/);
  });

  it('accepts a symlink that stays inside the folder', () => {
    const sub = mkdtempSync(join(dir, 'inlink-'));
    writeFileSync(join(sub, 'real.bin'), new Uint8Array(new Float32Array([7, 8, 9]).buffer));
    symlinkSync(join(sub, 'real.bin'), join(sub, 'w.bin'));
    writeModelFile(join(sub, 'm.onnx'), externalModel('w.bin'));
    expect(
      Array.from(tensorValues(readModelFile(join(sub, 'm.onnx')).graph.initializers[0]!) as Float32Array),
    ).toEqual([7, 8, 9]);
  });

  it('EXPECTED FAILURE - names a missing external file', () => {
    const sub = mkdtempSync(join(dir, 'missing-'));
    writeModelFile(join(sub, 'm.onnx'), externalModel('nope.bin'));
    const err = catchError(() => readModelFile(join(sub, 'm.onnx')));
    expect(err).toBeInstanceOf(FileIOError);
    expect((err as Error).message).toMatch(/external data file 'nope.bin' of tensor 'w' not found/);
  });

  it('EXPECTED FAILURE - from bytes without a base folder, reading the payload says what to pass', () => {
    const m = readModel(writeModel(externalModel('w.bin')));
    expect(() => tensorBytes(m.graph.initializers[0]!)).toThrow(/pass \{ baseDir \}/);
  });
});

describe('bad input', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['an empty file', new Uint8Array(0), /no ir_version/],
    ['a text file', new TextEncoder().encode('hello, this is not a model\n'), /ModelProto/],
    [
      'a PNG header',
      Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
      /byte \d+/,
    ],
  ];
  for (const [what, bytes, message] of cases) {
    it(`EXPECTED FAILURE - ${what} gives ModelParseError naming the file`, () => {
      const path = join(dir, `${what.replaceAll(' ', '_')}.onnx`);
      writeFileSync(path, bytes);
      const err = catchError(() => readModelFile(path));
      expect(err).toBeInstanceOf(ModelParseError);
      expect((err as ModelParseError).source).toBe(path);
      expect((err as Error).message).toMatch(message);
    });
  }

  it('EXPECTED FAILURE - a truncated real model reports the byte offset and field path', () => {
    const bytes = readFileSync(OCR_MODELS.cls);
    const cut = bytes.subarray(0, Math.floor(bytes.length / 2));
    const err = catchError(() => readModel(cut, { label: 'cls-half' })) as ModelParseError;
    expect(err).toBeInstanceOf(ModelParseError);
    expect(err.offset).toBeGreaterThan(0);
    expect(err.offset).toBeLessThanOrEqual(cut.length);
    expect(err.fieldPath).toMatch(/^ModelProto\.graph/);
    expect(err.message).toContain('cls-half');
  });

  it('EXPECTED FAILURE - a field of the wrong wire type names the field, its byte offset and its path', () => {
    // ir_version 8; graph { node { op_type as a varint (tag 0x20) instead of a string } }
    const bytes = Uint8Array.from([0x08, 0x08, 0x3a, 0x04, 0x0a, 0x02, 0x20, 0x01]);
    const err = catchError(() => readModel(bytes, { label: 'wire' })) as ModelParseError;
    expect(err).toBeInstanceOf(ModelParseError);
    expect(err.reason).toBe("field 'op_type' has wire type 0, expected 2");
    expect(err.offset).toBe(7);
    expect(err.fieldPath).toBe('ModelProto.graph.node[0]');
  });

  it('EXPECTED FAILURE - a missing file gives FileIOError, not ENOENT', () => {
    const err = catchError(() => readModelFile(join(dir, 'absent.onnx')));
    expect(err).toBeInstanceOf(FileIOError);
    expect((err as FileIOError).path).toBe(join(dir, 'absent.onnx'));
  });

  it('EXPECTED FAILURE - a payload read after the file changed is refused', () => {
    const path = join(dir, 'changing.onnx');
    writeModelFile(path, tinyModel());
    const m = readModelFile(path);
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    expect(() => tensorBytes(m.graph.initializers[0]!)).toThrow(/changed since it was read/);
  });
});

describe('writer', () => {
  it('writes atomically: a failed write leaves the old file intact and no temporary behind', () => {
    const path = join(dir, 'atomic.onnx');
    writeModelFile(path, tinyModel());
    const before = readFileSync(path);
    const broken = tinyModel();
    broken.graph.initializers[0]!.rawData = {
      source: {
        label: 'failing',
        length: 12,
        read: () => {
          throw new FileIOError('disk gone', 'failing');
        },
      },
      offset: 0,
      length: 12,
    };
    expect(() => writeModelFile(path, broken)).toThrow(FileIOError);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('writes files python onnx loads and checks', () => {
    const path = join(dir, 'tiny.onnx');
    writeModelFile(path, tinyModel());
    const shape = python<unknown>(
      `import json, sys, onnx; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m); print(json.dumps([d.dim_param or d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim]))`,
      [path],
    );
    expect(shape).toEqual(['N', 3]);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}
