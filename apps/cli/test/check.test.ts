// `edge check` and `edge convert` as a user runs them: the built CLI in a child process.
import { join } from 'node:path';
import { CHECK_REPORT_SCHEMA_VERSION, type CheckReport } from '@edge/check';
import { NODE_TESTS, OCR_ASSETS, requires, scratchDir } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { edge } from './helpers/edge.js';

const ASSETS = OCR_ASSETS;
const CLS = join(ASSETS, 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
const NODE = NODE_TESTS;
const dir = scratchDir('edge-check-');

describe('edge check', () => {
  it('exit 0 when every target deploys fully, with a table per target', () => {
    const r = edge('check', CLS, '--target', 'trt-8.6,ort-cpu');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('trt-8.6  TensorRT 8.6: DEPLOYABLE');
    expect(r.stdout).toMatch(/ort-cpu {2}ONNX Runtime 1\.30\.\d+ CPU: DEPLOYABLE/);
  });

  it('exit 1 when some target runs only with fallback; JSON carries fallback counts and per-node rules', () => {
    const r = edge('check', CLS, '--target', 'trt-8.6,dla-orin', '--shape', 'x=1x3x48x192', '--json');
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as CheckReport;
    expect(Object.keys(report)[0]).toBe('schemaVersion');
    expect(report.schemaVersion).toBe(CHECK_REPORT_SCHEMA_VERSION);
    expect(CHECK_REPORT_SCHEMA_VERSION).toBe(1);
    expect(report.verdict).toBe('fallback');
    const dla = report.targets[1]!;
    expect(dla.fallback).toMatchObject({ device: 'GPU', mode: 'per-node' });
    expect(dla.fallback!.layers).toBeGreaterThan(0);
    expect(dla.fallback!.transitions).toBeGreaterThan(0);
    const hs = dla.issues.find((i) => i.opType === 'HardSigmoid')!;
    // dla-orin stands for JetPack 6.0's Orin DLA; the Orin operator matrix marks HardSigmoid RFE.
    expect(dla.target).toBe('dla-orin-8.6');
    expect(hs).toMatchObject({
      level: 'fallback',
      table: 'dla-orin-8.6',
      rule: 'HardSigmoid: not supported on DLA of Orin (DLA 2.0), TensorRT 8.6',
    });
    expect(hs.source).toMatchObject({
      repository: 'NVIDIA/Deep-Learning-Accelerator-SW',
      path: 'operators/README.md',
    });
    expect(hs.source.row).toBeGreaterThan(0);
  });

  it('exit 2 when some target cannot deploy', requires('onnx-testdata'), () => {
    const r = edge('check', join(NODE, 'test_qlinearconv/model.onnx'), '--target', 'trt-8.6,ort-cpu');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toMatch(/QLinearConv is marked N in the TensorRT 8\.6 operator list/);
    // Every finding names its source: repository, path and row.
    expect(r.stdout).toMatch(/onnx\/onnx-tensorrt docs\/operators\.md:\d+ \(TensorRT 8\.6 \(8\.6-GA\)\)/);
  });

  it('--list-targets prints every table and alias with its source', () => {
    const r = edge('check', '--list-targets');
    expect(r.code).toBe(0);
    for (const id of [
      'trt-7.2',
      'trt-8.6',
      'trt-10.16',
      'dla-xavier-8.5',
      'dla-orin-8.6',
      'myriad',
      'openvino-cpu',
      'ort-cpu',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^${id.replaceAll('.', '\\.')}\\s`, 'm'));
    }
    expect(r.stdout).toMatch(
      /^trt-8\.6 +engine +TensorRT 8\.6 +onnx\/onnx-tensorrt docs\/operators\.md \(TensorRT 8\.6 \(8\.6-GA\)\) https:\/\/github\.com\/onnx\/onnx-tensorrt\/blob\/ee0b139b/m,
    );
    expect(r.stdout).toMatch(/^trt-10\.3 .*\[unverified\]/m);
    expect(r.stdout).toMatch(
      /^jetpack-6\.0 +alias +JetPack 6\.0 .* = trt-8\.6 \+ dla-orin-8\.6 +NVIDIA\/Deep-Learning-Accelerator-SW operators\/README\.md:22/m,
    );
    expect(r.stdout).toMatch(/^trt-8 +alias .* = trt-8\.6/m);
    expect(edge('check', '--list').stdout).toBe(r.stdout);
  });

  it('edgetpu checks (the CLI installs @edge/backends-tflite, whose ruleTables carry it): an ONNX model is incompatible', () => {
    const r = edge('check', CLS, '--target', 'edgetpu');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toMatch(/^edgetpu {2}Google Edge TPU .*: INCOMPATIBLE( \(UNVERIFIED\))? {2}/m);
    expect(r.stdout).toContain('does not read onnx models');
  });

  it('BAD CALL - an unknown target is a usage error with the known targets listed', () => {
    const r = edge('check', CLS, '--target', 'trt-99');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^edge check: unknown target 'trt-99'; known targets: trt-7\.0, trt-7\.1, trt-7\.2, .*dla-orin-8\.6, .*jetpack-6\.0, /,
    );
  });

  it('BAD CALL - a bad --shape is a usage error', () => {
    const r = edge('check', CLS, '--shape', 'x=1x3x-4');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--shape expects dims like 1x3x640x640 (numbers or names), got 'x=1x3x-4'");
  });
});

describe('edge convert', () => {
  it('writes a fixed-batch model that then checks as deployable on Myriad', () => {
    const out = join(dir, 'cls-b1.onnx');
    const r = edge('convert', CLS, out, '--batch', '1', '--json');
    expect(r.code, r.stderr).toBe(0);
    const changes = JSON.parse(r.stdout).changes as string[];
    expect(changes[0]).toBe('batch fixed to 1');
    expect(changes.some((c) => /Constant node\(s\) turned into initializers/.test(c))).toBe(true);
    const c = edge('check', out, '--target', 'ort-cpu', '--json');
    expect(c.code, c.stderr).toBe(0);
  });

  it('BAD CALL - convert needs an input and an output', () => {
    const r = edge('convert', CLS);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expected an input and an output file, got 1 file(s)');
  });

  it('BAD CALL - --batch must be a positive integer or a name', () => {
    const r = edge('convert', CLS, join(dir, 'x.onnx'), '--batch', '0');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--batch expects a positive integer or a name, got '0'");
  });
});
