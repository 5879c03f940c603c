// trtexec both ways: the command for a plan on 8.x and 10.x, and logs of every format read into
// the bench record (fixtures and where their layouts come from: fixtures/trtexec/README.md).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_RECORD_SCHEMA_VERSION, ModelParseError } from '@edge/core';
import { OCR_MODELS } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { parseTensorRTVersion, planBuild } from '../src/build-plan.js';
import { readModelFacts } from '../src/model-facts.js';
import { trtexecCommand } from '../src/trtexec-command.js';
import { parseTrtexecLog } from '../src/trtexec-log.js';
import { reluModel } from './helpers/models.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'trtexec');
const log = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
/** Statistics as trtexec 7 and the pasted summaries print them: min, max, mean, median, 99th percentile. */
const stats99 = (min: number, max: number, mean: number, median: number, p99: number) => ({
  min,
  max,
  mean,
  median,
  percentiles: { '99': p99 },
});

describe('trtexecCommand', () => {
  const det = readModelFacts(OCR_MODELS.det);
  const shapes = { x: [1, 3, 640, 640] };
  const paths = { model: 'det.onnx', engine: 'det.plan' };

  it('TensorRT 8.2: --explicitBatch, --workspace in MiB, --int8 --calib, DLA with GPU fallback', () => {
    const cache = new TextEncoder().encode('TRT-8201-EntropyCalibration2\nx: 3c010a14\n');
    const plan = planBuild(
      det,
      {
        precision: 'int8',
        calibrationCache: cache,
        shapes,
        maxBatch: 4,
        workspaceBytes: 3 << 29,
        dlaCore: 1,
        gpuFallback: true,
      },
      parseTensorRTVersion('8.2'),
    );
    expect(trtexecCommand(plan, paths).args).toEqual([
      '--onnx=det.onnx',
      '--saveEngine=det.plan',
      '--explicitBatch',
      '--int8',
      '--calib=CALIBRATION.cache',
      '--minShapes=x:1x3x640x640',
      '--optShapes=x:1x3x640x640',
      '--maxShapes=x:4x3x640x640',
      '--workspace=1536',
      '--useDLACore=1',
      '--allowGPUFallback',
    ]);
  });

  it('TensorRT 10.3: no batch flag, --memPoolSize, --fp16', () => {
    const plan = planBuild(
      det,
      { precision: 'fp16', shapes, workspaceBytes: 1 << 30 },
      parseTensorRTVersion('10.3'),
    );
    expect(trtexecCommand(plan, { model: 'det.onnx' }).line).toBe(
      'trtexec --onnx=det.onnx --fp16 --minShapes=x:1x3x640x640 --optShapes=x:1x3x640x640 --maxShapes=x:1x3x640x640 --memPoolSize=workspace:1024M',
    );
  });

  it('TensorRT 10.16: --stronglyTyped instead of precision flags', () => {
    const half = readModelFacts(reluModel([1, 3, 8, 8], { fp16: true }));
    const plan = planBuild(half, { precision: 'fp16' }, parseTensorRTVersion('10.16'));
    expect(
      trtexecCommand(plan, { model: 'm.fp16.onnx', trtexec: '/usr/src/tensorrt/bin/trtexec' }).line,
    ).toBe('/usr/src/tensorrt/bin/trtexec --onnx=m.fp16.onnx --stronglyTyped');
  });

  it('quotes paths and input names trtexec would split', () => {
    const facts = {
      ...readModelFacts(reluModel(['N', 3, 8, 8])),
      inputs: [{ name: 'input:0', elemType: 'float', shape: ['N', 3, 8, 8] }],
    };
    const plan = planBuild(facts, { maxBatch: 2 }, parseTensorRTVersion('8.6'));
    const cmd = trtexecCommand(plan, { model: 'my model.onnx' });
    expect(cmd.args).toContain("--minShapes='input:0':1x3x8x8");
    expect(cmd.line).toContain("'--onnx=my model.onnx'");
  });
});

describe('parseTrtexecLog', () => {
  it('TensorRT 8.6: summary, stages, percentiles, warm-up, machine, config, the two-line warning', () => {
    const r = parseTrtexecLog(log('trt-8.6.log'));
    expect(r.schemaVersion).toBe(BENCH_RECORD_SCHEMA_VERSION);
    expect(r.producer).toBe('trtexec 8.6.1');
    expect(r.throughputQps).toBe(105.748);
    expect(r.latency).toEqual({
      min: 9.51172,
      max: 11.8825,
      mean: 9.74402,
      median: 9.70117,
      percentiles: { '90': 9.83545, '95': 9.90771, '99': 11.0432 },
    });
    expect(r.stages.compute?.median).toBe(9.30859);
    expect(r.stages.hostToDevice?.percentiles['99']).toBe(0.352539);
    expect(r.stages.deviceToHost?.mean).toBe(0.0928916);
    expect(r.stages.enqueue?.max).toBe(2.41602);
    expect([r.warmupMs, r.queries, r.durationS, r.totalComputeS]).toEqual([200, 318, 3.00712, 2.97308]);
    expect(r.machine).toEqual({ gpu: 'Orin', computeCapability: '8.7', tensorrt: '8.6.1' });
    expect(r.config).toEqual({
      backend: 'tensorrt',
      command:
        '/usr/src/tensorrt/bin/trtexec --onnx=det.onnx --fp16 --shapes=x:1x3x640x640 --saveEngine=det.plan',
      model: 'det.onnx',
      precision: 'fp16',
      shapes: { x: [1, 3, 640, 640] },
      device: 'gpu:0',
      streams: 1,
    });
    expect(r.warnings).toEqual([
      'GPU compute time is unstable, with coefficient of variance = 3.18417%. If not already in use, locking GPU clock frequency or adding --useSpinWait may improve the stability.',
    ]);
  });

  it('TensorRT 10.3 on a DLA core with two streams', () => {
    const r = parseTrtexecLog(log('trt-10.3.log'));
    expect(r.producer).toBe('trtexec 10.3.0');
    expect(r.config.device).toBe('dla:0');
    expect(r.config.streams).toBe(2);
    expect(r.config.engine).toBe('cls.plan');
    expect(r.config.shapes).toEqual({ x: [8, 3, 48, 192] });
    expect(r.throughputQps).toBe(694.558);
    expect(r.stages.compute?.percentiles).toEqual({ '90': 2.87842, '95': 2.90039, '99': 3.12012 });
    expect(r.warnings[0]).toMatch(/^Throughput may be bound by Enqueue Time.*--useCudaGraph/);
  });

  it('TensorRT 7 blocks: host latency, GPU compute, enqueue without a mean, the 0 qps bug', () => {
    const r = parseTrtexecLog(log('trt-7.1-legacy.log'));
    expect(r.producer).toBe('trtexec');
    expect(r.latency).toEqual(stats99(3.04846, 4.41943, 3.09519, 3.08911, 3.24121));
    expect(r.stages.compute).toEqual(stats99(2.76611, 4.12744, 2.80617, 2.80029, 2.95117));
    // trtexec 7 printed no mean for the enqueue time: no statistics rather than made-up ones.
    expect(r.stages.enqueue).toBeUndefined();
    expect(r.throughputQps).toBeUndefined();
    expect(r.warnings).toEqual([
      'trtexec printed throughput 0 qps (a reporting bug of some TensorRT 7 releases); left out',
    ]);
    expect([r.durationS, r.totalComputeS, r.warmupMs]).toEqual([3.00319, 2.95984, 200]);
    expect(r.config.precision).toBe('fp16');
  });

  it('a late 7.x summary padded with blanks reads like any other', () => {
    const r = parseTrtexecLog(log('trt-7.2-padded.log'));
    expect(r.throughputQps).toBe(23.9218);
    expect(r.latency?.median).toBe(41.6743);
    expect(r.stages.compute?.percentiles).toEqual({ '99': 42.3762 });
    expect(r.totalComputeS).toBe(2.9982);
  });

  it('a summary pasted without prefixes, with missing "=" and lines run together', () => {
    const r = parseTrtexecLog(log('pasted-collapsed.txt'), 'issue.txt');
    expect(r.latency).toEqual(stats99(5.31204, 6.22705, 5.87142, 5.95215, 6.11963));
    expect(r.stages.deviceToHost).toEqual(stats99(1.29346, 1.57666, 1.46899, 1.47754, 1.51123));
    expect([r.durationS, r.totalComputeS]).toEqual([3.04733, 1.86281]);
  });

  it('EXPECTED FAILURE - a log without a summary: ModelParseError naming both formats', () => {
    expect(() => parseTrtexecLog('[I] Building engine...\n[E] Error[1]: out of memory', 'build.log')).toThrow(
      ModelParseError,
    );
    expect(() => parseTrtexecLog('nothing', 'build.log')).toThrow(
      /^build\.log: no trtexec performance summary: expected '=== Performance summary ===' .*\(TensorRT 8 and later\) or a 'Host Latency' block .*\(TensorRT 7\)/,
    );
  });
});
