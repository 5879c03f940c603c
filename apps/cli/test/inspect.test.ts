// `edge inspect` as a user runs it: the built CLI in a child process, on the real PaddleOCR models.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OCR_ASSETS, python, scratchDir } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import type { InspectReport } from '../src/commands/inspect.js';
import { edge } from './helpers/edge.js';

const ASSETS = OCR_ASSETS;
const DET = join(ASSETS, 'ch_PP-OCRv4_det_infer.onnx');
const CLS = join(ASSETS, 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
const dir = scratchDir('edge-cli-');

/** Counts computed independently with python's onnx from the same file. */
function pythonFacts(path: string): { ops: Record<string, number>; params: number; inputs: string[] } {
  return python(
    `
import json, sys, collections, numpy as np, onnx
m = onnx.load(sys.argv[1])
ops = collections.Counter(n.op_type for n in m.graph.node)
params = sum(int(np.prod(t.dims)) for t in m.graph.initializer)
for n in m.graph.node:
  for a in n.attribute:
    if n.op_type == 'Constant' and a.name == 'value': params += int(np.prod(a.t.dims))
inits = {t.name for t in m.graph.initializer}
print(json.dumps({'ops': ops, 'params': params, 'inputs': [i.name for i in m.graph.input if i.name not in inits]}))
`,
    [path],
  );
}

describe('edge inspect', () => {
  it('reports the PaddleOCR detector as python onnx sees it', () => {
    const r = edge('inspect', DET, '--json', '--shape', 'x=1x3x640x640');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as InspectReport;
    const facts = pythonFacts(DET);
    expect(report.ops).toEqual(facts.ops);
    expect(report.parameters).toBe(facts.params);
    expect(report.inputs.map((i) => i.name)).toEqual(facts.inputs);
    expect(report.inputs[0]).toEqual({ name: 'x', dtype: 'float', shape: [1, 3, 640, 640] });
    expect(report.outputs[0]!.shape).toEqual([1, 1, 640, 640]);
    expect(report.irVersion).toBe(8);
    expect(report.opsets).toEqual([{ domain: 'ai.onnx', version: 11 }]);
    expect(report.macsApproximate).toBe(false);
    expect(report.macs).toBeGreaterThan(1e9);
    expect(report.heaviest).toHaveLength(10);
    const macs = report.heaviest.map((h) => h.macs);
    expect(macs).toEqual([...macs].sort((a, b) => b - a));
    expect(report.weightBytes.float).toBe(report.parameters * 4);
  });

  it('keeps symbolic dims and says MACs are approximate without --shape', () => {
    const r = edge('inspect', DET);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/x\s+float\s+\[p2o\.DynamicDimension\.0,3,p2o\.DynamicDimension\.1/);
    expect(r.stdout).toMatch(/MACs .*approximate.*pass --shape/);
    expect(r.stdout).toMatch(/heaviest 10 layers/);
    expect(r.stdout).toMatch(/Conv 62/);
  });

  it('prints the classifier in text with its exact MACs and heaviest layers', () => {
    const r = edge('inspect', CLS, '--top', '3');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('ch_ppocr_mobile_v2.0_cls_infer.onnx');
    expect(r.stdout).toMatch(/heaviest 3 layers/);
  });

  const bad: [string, () => string, RegExp][] = [
    ['a missing file', () => join(dir, 'missing.onnx'), /cannot read model file .*missing\.onnx/],
    [
      'a file that is not ONNX',
      () => {
        const p = join(dir, 'notes.onnx');
        writeFileSync(p, 'these are my notes, not a model\n');
        return p;
      },
      /notes\.onnx: not an ONNX model/,
    ],
    [
      'a damaged (truncated) model',
      () => {
        const p = join(dir, 'cut.onnx');
        writeFileSync(p, readFileSync(CLS).subarray(0, 100_000));
        return p;
      },
      /cut\.onnx: .* at byte \d+ \(ModelProto\.graph/,
    ],
  ];
  for (const [what, make, message] of bad) {
    it(`EXPECTED FAILURE - ${what}: one line naming the file, exit code 2, no stack`, () => {
      const r = edge('inspect', make());
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('BAD CALL - unknown flag and bad --shape give usage and exit code 2', () => {
    const flag = edge('inspect', CLS, '--frobnicate');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/Unknown option '--frobnicate'/);
    expect(flag.stderr).toMatch(/usage: edge inspect/);
    const shape = edge('inspect', CLS, '--shape', 'nope=1x2');
    expect(shape.code).toBe(2);
    expect(shape.stderr).toBe(
      "edge inspect: Expected a graph input name in inputShapes but received 'nope' (inputs: x)\n",
    );
    for (const [flags, message] of [
      [['x=1x3x0x192'], "--shape expects dims like 1x3x640x640 (numbers or names), got 'x=1x3x0x192'"],
      [['x=1,3x48,192'], "--shape expects dims like 1x3x640x640 (numbers or names), got 'x=1,3x48,192'"],
      [['=1x3'], "--shape expects name=DIMS or DIMS, got '=1x3' (no name)"],
      [['1x3x48x192', 'x=1x3x48x96'], "--shape gives input 'x' twice"],
    ] as const) {
      const r = edge('inspect', CLS, ...flags.flatMap((f) => ['--shape', f]));
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`edge inspect: ${message}\nusage: edge inspect`);
    }
  });

  it('takes symbolic dims and a bare DIMS for the first input, as check and convert do', () => {
    const r = edge('inspect', CLS, '--json', '--shape', 'Nx3x48x192');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.inputs[0]).toEqual({ name: 'x', dtype: 'float', shape: ['N', 3, 48, 192] });
    expect(report.symbolicDims).toEqual(['N']);
    // Commas instead of x, for names that hold an x.
    const named = JSON.parse(edge('inspect', CLS, '--json', '--shape', 'x=max_n,3,48,192').stdout);
    expect(named.inputs[0].shape).toEqual(['max_n', 3, 48, 192]);
  });

  it('BAD CALL - an unknown command lists the commands', () => {
    const r = edge('frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'frobnicate' \(expected one of: inspect/);
  });
});
