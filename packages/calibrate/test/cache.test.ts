import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArgumentError, FileIOError, ModelParseError } from '@edge/core';
import { afterAll, expect, it, vi } from 'vitest';
import {
  CalibrationCacheMismatchError,
  formatTrtCache,
  loadOrCalibrate,
  parseTrtCache,
  readCalibrationCache,
  sha256Hex,
  writeCalibrationCache,
} from '../src/index.js';
import { python } from './helpers/python.js';

const dir = mkdtempSync(join(tmpdir(), 'edge-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
  const calibrate = vi.fn(async () => ranges);
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
  const calibrate = vi.fn(async () => ranges);
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
