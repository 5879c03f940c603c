import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMet, requires, scratchDir } from '@edge/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { BENCHMARKS } from '../src/benchmarks/index.js';
import { DEBIAN_PYTHON } from '../src/harness/python.js';
import type { JsonReport } from '../src/harness/report.js';
import { runCli } from '../src/harness/run.js';
import { ensureConvStackModel } from '../src/models/conv-stack.js';

// Small model (about 4 MB) so the end-to-end run stays fast; the real run uses 100 MB.
const SMALL = { baseWidth: 16, targetBytes: 4e6 };
const dir = scratchDir('edge-bench-');
let model: string;
const hasOnnx = isMet('python-onnx');

beforeAll(() => {
  model = ensureConvStackModel(dir, SMALL).path;
});

async function runParse(
  env: Record<string, string | undefined>,
): Promise<{ code: number; report: JsonReport; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(
    ['parse', '--model', model, '--json', '--runs', '3', '--warmup', '1'],
    BENCHMARKS,
    {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      outDir: dir,
      env,
    },
  );
  return { code, report: JSON.parse(out) as JsonReport, err };
}

function expectNumeric(items: Array<{ name: string; value: number; unit: string }>): void {
  expect(items.length).toBeGreaterThan(0);
  for (const x of items) {
    expect(typeof x.name).toBe('string');
    expect(Number.isFinite(x.value), `${x.name} = ${x.value}`).toBe(true);
    expect(typeof x.unit).toBe('string');
  }
}

describe('conv-stack model generator', () => {
  it('makes a model of about the asked size and reuses it on the next call', () => {
    expect(statSync(model).size).toBeGreaterThan(3.5e6);
    expect(statSync(model).size).toBeLessThan(5e6);
    expect(ensureConvStackModel(dir, SMALL).generated).toBe(false);
  });

  it('replaces a file at its path that was not made from the same spec', () => {
    const other = mkdtempSync(join(dir, 'other-'));
    const path = ensureConvStackModel(other, SMALL).path;
    writeFileSync(path, 'not a model');
    expect(ensureConvStackModel(other, SMALL).generated).toBe(true);
  });

  it('is accepted by onnx.load and onnx.checker (Debian python3-onnx)', requires('python-onnx'), () => {
    const r = spawnSync(
      DEBIAN_PYTHON,
      ['-c', 'import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1])); print("ok")', model],
      {
        encoding: 'utf8',
      },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('ok');
  });
});

describe('pnpm bench parse --model <small> --json', () => {
  it('prints one JSON object with figures, baselines and ratios, all numeric', async () => {
    const { code, report, err } = await runParse(process.env);
    expect(code).toBe(0);
    expect(report.benchmark).toBe('parse');
    expect(report.groups.map((g) => g.name)).toEqual(['conv-stack-w16-4mb.onnx']);
    expectNumeric(report.figures);
    expectNumeric(report.baselines);
    expectNumeric(report.ratios);
    const names = (xs: Array<{ name: string }>): string[] => xs.map((x) => x.name);
    expect(names(report.figures)).toEqual(
      expect.arrayContaining([
        'structure-only read: readModelFile(path)',
        'full read: readModelFile(path, eager) + every payload',
        'lazy read: memory beyond the structure',
        'file size',
      ]),
    );
    expect(names(report.baselines)).toContain('fs.readFileSync(path)');
    expect(names(report.ratios)).toEqual(
      expect.arrayContaining(['full read / fs.readFileSync', 'memory beyond the structure / file size']),
    );
    // onnx-proto (a dev dependency) warm and cold, the cold read timed in fresh processes.
    expect(names(report.figures)).toEqual(
      expect.arrayContaining([
        'cold: first readModelFile(path) in a fresh process',
        'cold: require(@edge/onnx-parse) + first read',
      ]),
    );
    expect(names(report.ratios)).toEqual(
      expect.arrayContaining([
        'onnx-proto / structure-only read, warm',
        'onnx-proto / structure-only read, cold (first read)',
        'onnx-proto / ours, cold (require + first read)',
      ]),
    );
    const cold = report.figures.find((f) => f.name === 'cold: first readModelFile(path) in a fresh process')!;
    expect(cold.runs).toBe(3);
    expect(report.notes.join(' ')).not.toContain('readers disagree');
    for (const r of report.ratios.filter((x) => x.target)) expect(typeof r.pass).toBe('boolean');
    expect(report.notes.join(' ')).toContain('warm page cache');
    expect(err).toContain('structure-only read');
    if (hasOnnx) {
      expect(names(report.baselines)).toContain('onnx.load(path, load_external_data=False)');
      expect(names(report.ratios)).toContain('onnx.load / structure-only read');
    }
  });

  it('without python onnx: reports the JS figures, omits the onnx.load ratios, says why', async () => {
    const { code, report } = await runParse({
      ...process.env,
      EDGE_BENCH_PYTHON: join(dir, 'no-such-python'),
    });
    expect(code).toBe(0);
    expectNumeric(report.figures);
    expect(report.baselines.map((b) => b.name).filter((n) => !n.startsWith('onnx-proto'))).toEqual([
      'fs.readFileSync(path)',
    ]);
    expect(report.ratios.some((r) => r.name.startsWith('onnx.load'))).toBe(false);
    expect(report.notes.join(' ')).toMatch(/python baseline unavailable: .*no-such-python not found/);
  });

  it('EXPECTED FAILURE - a --model that does not exist: one line, exit code 1', async () => {
    let err = '';
    const code = await runCli(['parse', '--model', join(dir, 'missing.onnx')], BENCHMARKS, {
      stdout: { write: () => true },
      stderr: { write: (s: string) => (err += s) },
      outDir: dir,
    });
    expect(code).toBe(1);
    expect(err).toMatch(/^edge-bench: parse failed \[EDGE_IO\]: --model .*missing\.onnx: no such file\n$/);
  });
});
