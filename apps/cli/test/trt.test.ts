// `edge trt` as a user runs it: the built CLI in a child process, on a machine without TensorRT.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '@edge/core';
import { JETSON_RECORDINGS, OCR_MODELS, scratchDir } from '@edge/test-utils';
import { encodeEngineFile } from '@edge/trt';
import { describe, expect, it } from 'vitest';
import { edge } from './helpers/edge.js';

const DET = OCR_MODELS.det;
const dir = scratchDir('edge-cli-trt-');

describe('edge trt', () => {
  it('exec-cmd writes the trtexec command of TensorRT 8.6 and 10.16', () => {
    const execCmd = (cache: string) =>
      edge(
        'trt',
        'exec-cmd',
        DET,
        '--trt',
        '8.6',
        '--shape',
        'x=2x3x640x640',
        '--max-batch',
        '4',
        '--int8',
        cache,
        '-o',
        'det.plan',
      );
    const v8 = execCmd('cal.cache');
    // The calibration cache is read to check its format: a missing one is an input error.
    expect(v8.code).toBe(2);
    expect(v8.stderr).toMatch(/^edge trt: cannot read calibration cache cal\.cache: ENOENT/);
    writeFileSync(join(dir, 'cal.cache'), 'TRT-8601-EntropyCalibration2\nx: 3c010a14\n');
    const ok = execCmd(join(dir, 'cal.cache'));
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(
      `trtexec --onnx=${DET} --saveEngine=det.plan --explicitBatch --int8 --calib=${join(dir, 'cal.cache')} --minShapes=x:1x3x640x640 --optShapes=x:2x3x640x640 --maxShapes=x:4x3x640x640\n`,
    );
    const v10 = edge('trt', 'exec-cmd', DET, '--trt', '10.16', '--shape', 'x=1x3x640x640', '--fp16');
    expect(v10.code).toBe(2);
    expect(v10.stderr).toMatch(
      /^edge trt: TensorRT 10\.16\.0 takes FP16 from the model .*: convert it with `edge quantize .* --fp16/,
    );
  });

  it('parse-log prints a trtexec log as a bench record, or as JSON', () => {
    const log = join(dir, 'run.log');
    writeFileSync(
      log,
      [
        '&&&& RUNNING TensorRT.trtexec [TensorRT v100300] # trtexec --loadEngine=det.plan',
        '[11/03/2026-08:01:14] [I] === Performance summary ===',
        '[11/03/2026-08:01:14] [I] Throughput: 120.5 qps',
        '[11/03/2026-08:01:14] [I] Latency: min = 8.1 ms, max = 9.9 ms, mean = 8.3 ms, median = 8.2 ms, percentile(99%) = 9.5 ms',
        '[11/03/2026-08:01:14] [I] GPU Compute Time: min = 7.9 ms, max = 9.7 ms, mean = 8.1 ms, median = 8.0 ms, percentile(99%) = 9.3 ms',
      ].join('\n'),
    );
    const text = edge('trt', 'parse-log', log);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('trtexec 10.3.0');
    expect(text.stdout).toContain('throughput 120.50 qps');
    expect(text.stdout).toMatch(/GPU compute +7\.900 +8\.000 +8\.100 +9\.700 +p99 9\.300/);
    const json = JSON.parse(edge('trt', 'parse-log', log, '--json').stdout);
    expect(json).toMatchObject({
      schemaVersion: 1,
      producer: 'trtexec 10.3.0',
      throughputQps: 120.5,
      config: { engine: 'det.plan' },
    });
    const bad = edge('trt', 'parse-log', join(dir, 'missing.log'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^edge trt: cannot read .*missing\.log/);
  });

  it('info prints an engine file header; a damaged one is refused', () => {
    const path = join(dir, 'det.engine');
    const file = encodeEngineFile(
      {
        tensorrt: '8.6.2',
        gpu: { name: 'Orin', computeCapability: '8.7' },
        dlaCore: 1,
        build: {
          precision: 'int8',
          fp16: false,
          int8: true,
          stronglyTyped: false,
          gpuFallback: true,
          workspaceBytes: null,
          contexts: 1,
          profile: [{ name: 'x', min: [1, 3, 640, 640], opt: [1, 3, 640, 640], max: [1, 3, 640, 640] }],
          calibrationCacheSha256: 'ef'.repeat(32),
          transitions: 3,
        },
        model: { name: 'det.onnx', sha256: 'ab'.repeat(32) },
        createdAt: '2026-11-02T10:15:01.000Z',
      },
      new Uint8Array(1000),
    );
    writeFileAtomic(path, file.chunks);
    const r = edge('trt', 'info', path);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^TensorRT +8\.6\.2$/m);
    expect(r.stdout).toMatch(/^device +DLA core 1 with GPU fallback, 3 DLA\/GPU transitions$/m);
    expect(r.stdout).toMatch(/^profile +x min 1x3x640x640 opt 1x3x640x640 max 1x3x640x640$/m);
    expect(JSON.parse(edge('trt', 'info', path, '--json').stdout).gpu).toEqual({
      name: 'Orin',
      computeCapability: '8.7',
    });
    writeFileSync(join(dir, 'not.engine'), 'hello');
    const bad = edge('trt', 'info', join(dir, 'not.engine'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected the magic "EDGE-TRT"/);
  });

  it('EXPECTED FAILURE - doctor and build on a machine without TensorRT: what is missing, exit codes 1 and 2', () => {
    const doctor = edge('trt', 'doctor');
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/^TensorRT +no +libnvinfer not found$/m);
    expect(doctor.stdout).toContain('TensorRT cannot run here yet.');
    const build = edge(
      'trt',
      'build',
      DET,
      '--shape',
      'x=1x3x640x640',
      '--fp16',
      '-o',
      join(dir, 'det.engine'),
    );
    expect(build.code).toBe(2);
    expect(build.stderr).toMatch(
      /^edge trt: building an engine needs TensorRT\. TensorRT cannot run here: .*libnvinfer/,
    );
  });

  it('EXPECTED FAILURE - doctor on a Jetson (its recorded files under --root) names the board and prints the edge check command of its JetPack', () => {
    const root = join(dir, 'jetson-root');
    const fixture = join(JETSON_RECORDINGS, 'jp62-agx-orin');
    for (const [to, from] of [
      ['etc/nv_tegra_release', 'nv_tegra_release'],
      ['proc/device-tree/model', 'model'],
      ['var/lib/dpkg/status', 'dpkg-status'],
    ] as const) {
      mkdirSync(dirname(join(root, to)), { recursive: true });
      copyFileSync(join(fixture, from), join(root, to));
    }
    const doctor = edge('trt', 'doctor', '--root', root);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(
      /^Jetson +(yes|no) +NVIDIA Jetson AGX Orin Developer Kit, L4T 36\.4\.3, JetPack 6\.2 /m,
    );
    expect(doctor.stdout).toContain(
      "  edge check MODEL.onnx --target jetpack-6.2   # which nodes deploy on this board's TensorRT and DLA\n",
    );
  });

  it('BAD CALL - conflicting precisions and unknown subcommands are usage errors', () => {
    const both = edge('trt', 'build', DET, '--fp16', '--int8', 'qdq');
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^edge trt: choose one of --fp16, --int8, --best \(got --fp16 --int8\)/);
    const sub = edge('trt', 'make');
    expect(sub.code).toBe(2);
    expect(sub.stderr).toMatch(
      /^edge trt: expected a subcommand build, info, doctor, exec-cmd or parse-log, got 'make'/,
    );
  });
});
