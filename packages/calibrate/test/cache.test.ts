import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError, FileIOError, ModelParseError } from '@edge/core';
import { python, scratchDir } from '@edge/test-utils';
import { expect, it, vi } from 'vitest';
import {
  CalibrationCacheMismatchError,
  formatOrtCalibrationTable,
  formatTrtCache,
  loadOrCalibrate,
  ortTablePaths,
  parseTrtCache,
  pythonFloat,
  readCalibrationCache,
  recordEvaluation,
  sha256Hex,
  tensorMinimums,
  writeCalibrationCache,
} from '../src/index.js';

const dir = scratchDir('edge-cache-');

const ranges = { input: 2.5, 'conv1:0': 0.0123, 'relu/out': 17 };
const model = sha256Hex('model bytes');

it('writes the TensorRT text format: big-endian float32 scale bits, as python struct packs them', () => {
  const text = formatTrtCache(ranges);
  const expected = python<string>(
    `
import json, struct, sys
r = json.load(sys.stdin)
lines = ['TRT-8601-EntropyCalibration2'] + ['%s: %s' % (k, struct.pack('>f', v / 127).hex()) for k, v in r.items()]
print(json.dumps('\\n'.join(lines) + '\\n'))
`,
    [],
    JSON.stringify(ranges),
  );
  expect(text).toBe(expected);
  expect(formatTrtCache({ a: 127 }, { version: '100100', algorithm: 'MinMaxCalibration' })).toBe(
    'TRT-100100-MinMaxCalibration\na: 3f800000\n',
  );
  const parsed = parseTrtCache(text);
  expect(parsed.version).toBe('8601');
  expect(parsed.algorithm).toBe('EntropyCalibration2');
  expect([...parsed.scales.keys()]).toEqual(Object.keys(ranges));
  expect(parsed.scales.get('relu/out')).toBe(Math.fround(17 / 127));
});

it('round-trips through the files, with the JSON beside, written atomically', () => {
  const path = join(dir, 'rt.cache');
  const meta = writeCalibrationCache(path, {
    ranges,
    method: 'percentile',
    params: { percentile: 99.9 },
    modelSha256: model,
    datasetHash: 'd1',
  });
  expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  const back = readCalibrationCache(path, { modelSha256: model, datasetHash: 'd1', method: 'percentile' });
  expect(back.metadata).toEqual(meta);
  expect(back.ranges.input).toBeCloseTo(2.5, 6);
  expect(JSON.parse(readFileSync(`${path}.json`, 'utf8')).params).toEqual({ percentile: 99.9 });
});

it('reuses the cache for the same model, data and parameters; recomputes when the data change', async () => {
  const cachePath = join(dir, 'reuse.cache');
  const calibrate = vi.fn(async () => ({ ranges }));
  const base = { cachePath, modelSha256: model, datasetHash: 'd1', method: 'entropy' as const, calibrate };
  expect((await loadOrCalibrate(base)).reused).toBe(false);
  const again = await loadOrCalibrate(base);
  expect(again.reused).toBe(true);
  expect(calibrate).toHaveBeenCalledTimes(1);
  expect(again.ranges['conv1:0']).toBeCloseTo(0.0123, 8);
  expect((await loadOrCalibrate({ ...base, datasetHash: 'd2' })).reused).toBe(false);
  expect((await loadOrCalibrate({ ...base, datasetHash: 'd2', params: { startBin: 256 } })).reused).toBe(
    false,
  );
  expect((await loadOrCalibrate({ ...base, datasetHash: 'd2', params: { startBin: 256 } })).reused).toBe(
    true,
  );
  expect(calibrate).toHaveBeenCalledTimes(3);
});

it('EXPECTED FAILURE - a cache of another model', async () => {
  const cachePath = join(dir, 'other.cache');
  writeCalibrationCache(cachePath, { ranges, method: 'entropy', modelSha256: model, datasetHash: 'd1' });
  const other = sha256Hex('other model');
  const call = () => readCalibrationCache(cachePath, { modelSha256: other });
  expect(call).toThrow(CalibrationCacheMismatchError);
  expect(call).toThrow(`calibration cache ${cachePath} was computed for modelSha256 ${model}, not ${other}`);
  expect(call).toThrow(ArgumentError);
  const calibrate = vi.fn(async () => ({ ranges }));
  const opts = { cachePath, modelSha256: other, datasetHash: 'd1', method: 'entropy' as const, calibrate };
  await expect(loadOrCalibrate(opts)).rejects.toThrow(CalibrationCacheMismatchError);
  expect(calibrate).not.toHaveBeenCalled();
  expect((await loadOrCalibrate({ ...opts, overwrite: true })).reused).toBe(false);
});

it('EXPECTED FAILURE - a damaged cache line', () => {
  const path = join(dir, 'damaged.cache');
  writeCalibrationCache(path, { ranges, method: 'entropy', modelSha256: model, datasetHash: 'd1' });
  writeFileSync(path, readFileSync(path, 'utf8').replace('conv1:0: ', 'conv1:0 '));
  const call = () => readCalibrationCache(path);
  expect(call).toThrow(ModelParseError);
  expect(call).toThrow(
    `${path}: expected 'name: <hex scale>' but found "conv1:0 38cb1c29" at byte 45 (calibration cache line 3)`,
  );
});

it('EXPECTED FAILURE - a cache edited after its JSON was written', () => {
  const path = join(dir, 'edited.cache');
  writeCalibrationCache(path, { ranges, method: 'entropy', modelSha256: model, datasetHash: 'd1' });
  writeFileSync(path, readFileSync(path, 'utf8').replace('input: ', 'inpux: '));
  expect(() => readCalibrationCache(path)).toThrow(ModelParseError);
  expect(() => readCalibrationCache(path)).toThrow(/does not match the sha256 recorded in/);
});

it('EXPECTED FAILURE - a bad header, and a missing cache', () => {
  expect(() => parseTrtCache('TRT-8601-Legacy\n', 'x.cache')).toThrow(ModelParseError);
  expect(() => parseTrtCache('TRT-8601-Legacy\n', 'x.cache')).toThrow(
    'x.cache: expected a header TRT-<version>-EntropyCalibration2 or -MinMaxCalibration at byte 0 (calibration cache line 1)',
  );
  const missing = join(dir, 'none.cache');
  expect(existsSync(missing)).toBe(false);
  expect(() => readCalibrationCache(missing)).toThrow(FileIOError);
  expect(() => readCalibrationCache(missing)).toThrow(/^cannot read .*none.cache: ENOENT/);
});

it('BAD CALL - formatTrtCache with a negative range', () => {
  const call = () => formatTrtCache({ a: -1 });
  expect(call).toThrow(ArgumentError);
  expect(call).toThrow('Expected finite non-negative number for ranges["a"] but received -1');
});

it("writes onnxruntime's calibration table beside the cache: FlatBuffers as its TensorRT provider reads it, and text", () => {
  const path = join(dir, 'ort.cache');
  writeCalibrationCache(path, { ranges, method: 'entropy', modelSha256: model, datasetHash: 'd1' });
  const paths = ortTablePaths(path);
  // Read back with Debian's python3-flatbuffers the way onnxruntime's generated TrtTable/KeyValue
  // classes do (root table, field 0 a vector of tables, each with string fields 0 and 1); the text
  // as write_calibration_table prints it: `name str(float(float32 value))`, names sorted.
  const back = python<{ table: [string, string][]; text: string }>(
    `
import json, sys, struct
import flatbuffers
from flatbuffers.table import Table
buf = bytearray(open(sys.argv[1], 'rb').read())
root = Table(buf, flatbuffers.encode.Get(flatbuffers.packer.uoffset, buf, 0))
o = root.Offset(4)
vec, n = root.Vector(o), root.VectorLen(o)
table = []
for i in range(n):
    kv = Table(buf, root.Indirect(vec + i * 4))
    table.append([kv.String(kv.Offset(4) + kv.Pos).decode(), kv.String(kv.Offset(6) + kv.Pos).decode()])
r = json.loads(sys.argv[2])
f32 = lambda v: struct.unpack('<f', struct.pack('<f', v))[0]
text = ''.join('%s %s\\n' % (k, str(f32(r[k]))) for k in sorted(r))
print(json.dumps({'table': table, 'text': text}))
`,
    [paths.flatbuffers, JSON.stringify(ranges)],
  );
  expect(back.table.map(([k]) => k)).toEqual(Object.keys(ranges).sort());
  for (const [k, v] of back.table) expect(Number(v)).toBe(Math.fround(ranges[k as keyof typeof ranges]));
  expect(readFileSync(paths.text, 'utf8')).toBe(back.text);
  expect(formatOrtCalibrationTable(ranges).text).toBe(back.text);
});

it('pythonFloat prints as Python repr does', () => {
  const values = [0.1, 1, 17, 1e-5, 0.0001, 123456.789, 1e16, 2.5e-12, Math.fround(0.0123), -3.75, 1e22];
  const expected = python<string[]>(
    'import json, sys; print(json.dumps([repr(float(v)) for v in json.loads(sys.argv[1])]))',
    [JSON.stringify(values)],
  );
  expect(values.map(pythonFloat)).toEqual(expected);
});

it('the JSON records the images, each tensor with its extremes, and held-out figures', async () => {
  const cachePath = join(dir, 'json.cache');
  const images = [{ name: 'a.png', sha256: sha256Hex('a') }];
  const statistics = {
    tensors: new Map([
      ['input', { min: -2.5, max: 1 }],
      ['relu/out', { min: 0, max: 17 }],
    ]),
  };
  const r = await loadOrCalibrate({
    cachePath,
    modelSha256: model,
    datasetHash: 'd1',
    method: 'percentile',
    images,
    calibrate: async () => ({ ranges, statistics }),
  });
  expect(r.metadata.images).toEqual(images);
  expect(r.metadata.tensors).toEqual({
    input: { amax: 2.5, min: -2.5, max: 1 },
    'conv1:0': { amax: 0.0123 },
    'relu/out': { amax: 17, min: 0, max: 17 },
  });
  expect(tensorMinimums(r.metadata)).toEqual({ input: -2.5, 'relu/out': 0 });
  const evaluation = { scores: { calibration: 0.99, heldOut: 0.97 }, overfit: true };
  recordEvaluation(cachePath, evaluation);
  const again = await loadOrCalibrate({
    cachePath,
    modelSha256: model,
    datasetHash: 'd1',
    method: 'percentile',
    calibrate: async () => ({ ranges }),
  });
  expect(again.reused).toBe(true);
  expect(again.metadata.evaluation).toEqual(evaluation);
  expect(again.metadata.tensors).toEqual(r.metadata.tensors);
});
