// The engine container: round trip, refusal of a foreign engine with both sides named, and damaged
// files caught by their checksums before TensorRT would see them.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelLoadError, ModelParseError, writeFileAtomic } from '@edge/core';
import { scratchDir } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import {
  checkEngineHost,
  decodeEngineFile,
  type EngineHost,
  EngineMismatchError,
  encodeEngineFile,
  readEngineHeader,
} from '../src/engine-file.js';
import { fakePlan, orinHeader } from './helpers/engine.js';

const dir = scratchDir('edge-trt-engine-');

function concat(chunks: Uint8Array[]): Uint8Array {
  return Buffer.concat(chunks);
}

const ORIN: EngineHost = {
  tensorrt: '10.3.0',
  gpus: [{ name: 'Orin', computeCapability: '8.7' }],
  dlaCores: 2,
};

describe('round trip', () => {
  it('writes atomically and reads back the header alone and the whole file', () => {
    const plan = fakePlan();
    const file = encodeEngineFile(orinHeader(), plan);
    const path = join(dir, 'det.engine');
    writeFileAtomic(path, file.chunks);
    const info = readEngineHeader(path);
    expect(info.header).toEqual(file.header);
    expect(info.header.format).toBe(1);
    expect(info.header.plan.bytes).toBe(4096);
    expect(info.fileBytes - info.planOffset).toBe(4096);
    const decoded = decodeEngineFile(readFileSync(path), path);
    expect(Buffer.compare(decoded.plan, plan)).toBe(0);
    expect(() => checkEngineHost(decoded.header, ORIN)).not.toThrow();
  });
});

describe('EXPECTED FAILURE - an engine built elsewhere is refused before TensorRT sees it', () => {
  const header = encodeEngineFile(orinHeader({ dlaCore: 1 }), fakePlan(16)).header;
  const cases: [string, EngineHost, object, string, RegExp][] = [
    [
      'another TensorRT',
      { ...ORIN, tensorrt: '8.6.2' },
      {},
      'tensorrt',
      /^det\.engine was built for TensorRT 10\.3\.0, and this machine has TensorRT 8\.6\.2: rebuild it on this machine \(edge trt build MODEL -o det\.engine\)$/,
    ],
    [
      'another compute capability',
      { ...ORIN, gpus: [{ name: 'Xavier', computeCapability: '7.2' }] },
      {},
      'computeCapability',
      /built for Orin, compute capability 8\.7, and this machine has Xavier \(compute capability 7\.2\)/,
    ],
    [
      'another GPU of the same capability',
      { ...ORIN, gpus: [{ name: 'NVIDIA GeForce RTX 3060', computeCapability: '8.7' }] },
      {},
      'gpu',
      /built for the GPU Orin \(compute capability 8\.7\), and this machine has NVIDIA GeForce RTX 3060/,
    ],
    [
      'a DLA core this device lacks',
      { ...ORIN, dlaCores: 1 },
      {},
      'dlaCore',
      /built for DLA core 1, and this machine has 1 DLA cores/,
    ],
    [
      'another model',
      ORIN,
      { modelSha256: 'cd'.repeat(32) },
      'model',
      /built from model det\.onnx \(sha256 abababababab…\), not from the model given \(sha256 cdcdcdcdcdcd…\)/,
    ],
  ];
  for (const [what, host, opts, field, message] of cases) {
    it(what, () => {
      let error: unknown;
      try {
        checkEngineHost(header, host, { source: 'det.engine', ...opts });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(EngineMismatchError);
      expect(error).toBeInstanceOf(ModelLoadError);
      expect((error as EngineMismatchError).code).toBe('EDGE_MODEL_LOAD');
      expect((error as EngineMismatchError).field).toBe(field);
      expect((error as Error).message).toMatch(message);
    });
  }
});

describe('EXPECTED FAILURE - damaged files', () => {
  const good = concat(encodeEngineFile(orinHeader(), fakePlan()).chunks);
  const write = (name: string, bytes: Uint8Array) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };

  it('not an engine file: the magic is named', () => {
    const p = write('model.onnx', new Uint8Array(100).fill(8));
    expect(() => readEngineHeader(p)).toThrow(ModelParseError);
    expect(() => readEngineHeader(p)).toThrow(
      /expected the magic "EDGE-TRT" of an @edge\/trt engine file.* at byte 0 \(magic\)/,
    );
  });

  it('a truncated plan: lengths disagree', () => {
    const p = write('truncated.engine', good.subarray(0, good.length - 100));
    expect(() => readEngineHeader(p)).toThrow(
      /the plan should be 4096 bytes but the file holds 3996 \(truncated or appended to\)/,
    );
  });

  it('one flipped byte in the plan fails its SHA-256', () => {
    const bad = Uint8Array.from(good);
    bad[bad.length - 10]! ^= 1;
    expect(() => decodeEngineFile(bad, 'flipped.engine')).toThrow(ModelParseError);
    expect(() => decodeEngineFile(bad, 'flipped.engine')).toThrow(
      /the plan does not match its SHA-256.* \(plan checksum\)$/,
    );
  });

  it('one flipped byte in the header fails its SHA-256 (a GPU name edited by hand, say)', () => {
    const bad = Uint8Array.from(good);
    const at = Buffer.from(bad).indexOf('"Orin"');
    bad[at + 1] = 'X'.charCodeAt(0);
    const p = write('edited.engine', bad);
    expect(() => readEngineHeader(p)).toThrow(
      /the header does not match its SHA-256.* at byte 48 \(header checksum\)/,
    );
  });

  it('another container format version: refused as a mismatch naming both versions', () => {
    const bad = Uint8Array.from(good);
    new DataView(bad.buffer).setUint32(8, 2, true);
    expect(() => decodeEngineFile(bad, 'future.engine')).toThrow(EngineMismatchError);
    expect(() => decodeEngineFile(bad, 'future.engine')).toThrow(
      'future.engine is an engine file of container format 2; this @edge/trt reads format 1',
    );
  });

  it('a missing file: FileIOError naming it', () => {
    expect(() => readEngineHeader(join(dir, 'nope.engine'))).toThrow(
      /cannot read engine file .*nope\.engine/,
    );
  });
});
