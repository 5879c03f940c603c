// Profile derivation and precision planning: pure TypeScript, so every branch runs here.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatTrtCache } from '@edge/calibrate';
import { ArgumentError } from '@edge/core';
import { OCR_MODELS, scratchDir } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { parseTensorRTVersion, planBuild } from '../src/build-plan.js';
import { readModelFacts } from '../src/model-facts.js';
import { deriveProfile } from '../src/profiles.js';
import { reluModel } from './helpers/models.js';

const dir = scratchDir('edge-trt-plan-');
const CACHE = join(dir, 'cal.cache');
writeFileSync(CACHE, formatTrtCache({ x: 2.5, y: 2.5 }, { version: '8601' }));

const v = parseTensorRTVersion;
const DYN = 'p2o.DynamicDimension.0,3,p2o.DynamicDimension.1,p2o.DynamicDimension.2';

describe('profile derivation', () => {
  const det = readModelFacts(OCR_MODELS.det);

  it('reads the real detector: x [N,3,H,W] with free batch, height and width', () => {
    expect(det.inputs).toEqual([
      {
        name: 'x',
        elemType: 'float',
        shape: ['p2o.DynamicDimension.0', 3, 'p2o.DynamicDimension.1', 'p2o.DynamicDimension.2'],
      },
    ]);
    expect(det.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(det.quantized).toBe(false);
  });

  it('a --shape gives opt; a free batch still ranges from 1 to the larger of the shape and maxBatch', () => {
    expect(deriveProfile(det.inputs, { shapes: { x: [2, 3, 640, 640] }, maxBatch: 8 })).toEqual([
      { name: 'x', min: [1, 3, 640, 640], opt: [2, 3, 640, 640], max: [8, 3, 640, 640] },
    ]);
  });

  it('a free batch alone ranges over 1..maxBatch; fixed inputs need no entry', () => {
    const facts = readModelFacts(reluModel(['N', 3, 224, 224]));
    expect(deriveProfile(facts.inputs, { maxBatch: 4 })).toEqual([
      { name: 'x', min: [1, 3, 224, 224], opt: [1, 3, 224, 224], max: [4, 3, 224, 224] },
    ]);
    expect(deriveProfile(readModelFacts(reluModel([1, 3, 224, 224])).inputs)).toEqual([]);
  });

  it('an explicit profile wins over the shape', () => {
    const profile = { min: [1, 3, 320, 320], opt: [1, 3, 640, 640], max: [1, 3, 960, 960] };
    expect(deriveProfile(det.inputs, { shapes: { x: [1, 3, 640, 640] }, profiles: { x: profile } })).toEqual([
      { name: 'x', ...profile },
    ]);
  });

  it('EXPECTED FAILURE - a free height and width without a shape name the dimension and the flag', () => {
    expect(() => deriveProfile(det.inputs)).toThrow(ArgumentError);
    expect(() => deriveProfile(det.inputs)).toThrow(
      "input 'x' [p2o.DynamicDimension.0,3,p2o.DynamicDimension.1,p2o.DynamicDimension.2] has free dimension 2 ('p2o.DynamicDimension.1'), which TensorRT must fix at build time: give its shape (--shape x=Nx3xNxN with numbers) or a min/opt/max profile",
    );
  });

  it('BAD CALL - shapes that do not fit the model', () => {
    expect(() => deriveProfile(det.inputs, { shapes: { x: [1, 4, 640, 640] } })).toThrow(
      `Expected 3 for shapes['x'][1] (fixed in the model's [${DYN}]) but received 4`,
    );
    expect(() => deriveProfile(det.inputs, { shapes: { x: [1, 3, 640] } })).toThrow(
      `Expected 4 dimensions (the model's [${DYN}]) for shapes['x'] but received [1,3,640]`,
    );
    expect(() => deriveProfile(det.inputs, { shapes: { image: [1, 3, 640, 640] } })).toThrow(
      "Expected an input name of the model ('x') for shapes/profiles but received 'image'",
    );
    expect(() => deriveProfile(det.inputs, { shapes: { x: [1, 3, 'H', 640] } })).toThrow(
      'Expected positive integer for shapes[\'x\'][2] but received "H" of type string',
    );
    expect(() =>
      deriveProfile(det.inputs, {
        profiles: { x: { min: [1, 3, 640, 640], opt: [1, 3, 320, 320], max: [1, 3, 960, 960] } },
      }),
    ).toThrow("Expected min <= opt <= max for profiles['x'] dimension 2 but received 640, 320, 960");
  });
});

describe('precision per TensorRT version', () => {
  const fp32 = readModelFacts(reluModel([1, 3, 8, 8]));
  const qdq = readModelFacts(reluModel([1, 3, 8, 8], { qdq: true }));
  const half = readModelFacts(reluModel([1, 3, 8, 8], { fp16: true }));

  it('the fixtures are what they claim', () => {
    expect([fp32.quantized, fp32.float16, qdq.quantized, half.float16]).toEqual([false, false, true, true]);
  });

  it('8.x: flags, INT8 from the calibration cache replayed', () => {
    const p = planBuild(fp32, { precision: 'int8', calibrationCache: CACHE }, v('8.2'));
    expect([p.fp16, p.int8, p.stronglyTyped]).toEqual([false, true, false]);
    expect(new TextDecoder().decode(p.calibrationCache!)).toMatch(/^TRT-8601-EntropyCalibration2\n/);
    expect(p.calibrationCachePath).toBe(CACHE);
    const best = planBuild(fp32, { precision: 'best', calibrationCache: CACHE }, v('8.6.1'));
    expect([best.fp16, best.int8]).toEqual([true, true]);
  });

  it('10.0-10.11: flags; INT8 only from a Q/DQ model', () => {
    const p = planBuild(qdq, { precision: 'int8' }, v('10.3'));
    expect([p.fp16, p.int8, p.stronglyTyped, p.calibrationCache]).toEqual([false, true, false, null]);
    expect(planBuild(fp32, { precision: 'fp16' }, v('10.3')).fp16).toBe(true);
    expect(() => planBuild(fp32, { precision: 'int8', calibrationCache: CACHE }, v('10.3'))).toThrow(
      /TensorRT 10\.3\.0 builds INT8 from a Q\/DQ model \(its calibrators are deprecated\).*edge quantize/,
    );
  });

  it('10.12 on: strongly typed from the model, never precision flags', () => {
    const p = planBuild(half, { precision: 'fp16' }, v('10.16'));
    expect([p.fp16, p.int8, p.stronglyTyped]).toEqual([false, false, true]);
    expect(planBuild(qdq, { precision: 'int8' }, v('10.12')).stronglyTyped).toBe(true);
    expect(() => planBuild(fp32, { precision: 'fp16' }, v('10.16'))).toThrow(
      /TensorRT 10\.16\.0 takes FP16 from the model \(precision flags are deprecated from 10\.12\).*edge quantize <bytes> --fp16/,
    );
  });

  it('EXPECTED FAILURE - INT8 on 8.x with neither a cache nor Q/DQ says where to get a cache', () => {
    expect(() => planBuild(fp32, { precision: 'int8' }, v('8.6'))).toThrow(ArgumentError);
    expect(() => planBuild(fp32, { precision: 'int8' }, v('8.6'))).toThrow(
      'TensorRT 8.6.0 needs a calibration cache for INT8 of <bytes> (made on the development machine with `edge calibrate`), or a Q/DQ model: pass calibrationCache (--int8 CACHE)',
    );
  });

  it('BAD CALL - options out of range, a cache that is not one, an unsupported version', () => {
    expect(() => planBuild(fp32, { precision: 'int4' as 'int8' }, v('8.6'))).toThrow(
      'Expected one of "fp32", "fp16", "int8", "best" for options.precision but received "int4" of type string',
    );
    expect(() => planBuild(fp32, { dlaCore: -1 }, v('8.6'))).toThrow(/options\.dlaCore/);
    expect(() => planBuild(fp32, { gpuFallback: true }, v('8.6'))).toThrow(
      'options.gpuFallback needs options.dlaCore',
    );
    expect(() =>
      planBuild(
        fp32,
        { precision: 'int8', calibrationCache: new TextEncoder().encode('{"json": 1}') },
        v('8.6'),
      ),
    ).toThrow(
      /Expected a TensorRT calibration cache .* for calibrationCache but received <bytes> starting with "\{\\"json\\": 1\}"/,
    );
    expect(() => planBuild(fp32, {}, v('7.1'))).toThrow(
      'Expected TensorRT 8.x or 10.x for tensorrtVersion but received 7.1.0 (the binding speaks those two APIs)',
    );
    expect(() => parseTensorRTVersion('ten')).toThrow(ArgumentError);
  });
});
