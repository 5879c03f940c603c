import { dirname, join } from 'node:path';
import { scratchDir } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { BENCHMARKS } from '../src/benchmarks/index.js';
import { resolveFromBench } from '../src/harness/paths.js';
import type { JsonReport } from '../src/harness/report.js';
import { runCli } from '../src/harness/run.js';

const dir = scratchDir('edge-bench-tflite-');

async function bench(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['tflite-read', ...args], BENCHMARKS, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    outDir: dir,
  });
  return { code, out, err };
}

describe('pnpm bench tflite-read --model <face_detection_short_range> --json', () => {
  it('decodes the model and reports the decode time against a file read', async () => {
    const model = join(
      dirname(resolveFromBench('@mediapipe/face_detection/package.json')),
      'face_detection_short_range.tflite',
    );
    const { code, out } = await bench(['--model', model, '--json', '--runs', '3', '--warmup', '1']);
    expect(code).toBe(0);
    const report = JSON.parse(out) as JsonReport;
    expect(report.groups.map((g) => g.name)).toEqual(['face_detection_short_range.tflite']);
    expect(report.groups[0]!.description).toMatch(/0\.23 MB, 164 operators, 250 tensors$/);
    expect(report.figures.map((f) => f.name)).toEqual(['readTflite (flatc-generated, checked buffer)']);
    expect(report.baselines.map((b) => b.name)).toEqual(['fs.readFileSync of the file']);
    expect(report.ratios.map((r) => r.name)).toEqual(['decode / file read']);
    for (const x of [...report.figures, ...report.baselines, ...report.ratios]) {
      expect(x.value, x.name).toBeGreaterThan(0);
      expect(Number.isFinite(x.value), x.name).toBe(true);
    }
  });

  it('EXPECTED FAILURE - a --model that is not a .tflite file: a typed parse error, exit code 1', async () => {
    const notTflite = resolveFromBench('@mediapipe/face_detection/package.json');
    const { code, err } = await bench(['--model', notTflite]);
    expect(code).toBe(1);
    expect(err).toContain(
      `edge-bench: tflite-read failed [EDGE_MODEL_PARSE]: ${notTflite}: not a TFLite model: file identifier is`,
    );
  });

  it('EXPECTED FAILURE - a --model that does not exist: the typed read error, exit code 1', async () => {
    const missing = join(dir, 'missing.tflite');
    const { code, err } = await bench(['--model', missing]);
    expect(code).toBe(1);
    expect(err).toContain(`edge-bench: tflite-read failed [EDGE_IO]: cannot read ${missing}: ENOENT`);
  });
});
