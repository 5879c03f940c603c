// The runtime benchmarks end to end with few repetitions: they run, report numeric figures, and
// check what they claim (identical outputs, batched equals unbatched, no session left open).
// The figures themselves are not asserted: tests assert behaviour, benchmarks measure.

import { scratchDir } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { runtimeBatchingBenchmark } from '../src/benchmarks/runtime-batching.js';
import { runtimeOverheadBenchmark } from '../src/benchmarks/runtime-overhead.js';
import { runtimeSoakBenchmark } from '../src/benchmarks/runtime-soak.js';
import type { JsonReport } from '../src/harness/report.js';
import { runCli } from '../src/harness/run.js';

const dir = scratchDir('edge-bench-runtime-');
const BENCHES = [runtimeOverheadBenchmark, runtimeBatchingBenchmark, runtimeSoakBenchmark];

async function bench(argv: string[]): Promise<{ code: number; report: JsonReport; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli([...argv, '--json'], BENCHES, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    outDir: dir,
  });
  return { code, report: JSON.parse(out || '{}') as JsonReport, err };
}

function finite(report: JsonReport): void {
  for (const x of [...report.figures, ...report.baselines, ...report.ratios]) {
    expect(Number.isFinite(x.value), `${x.name} = ${x.value}`).toBe(true);
  }
}

describe('runtime benchmarks (few repetitions)', () => {
  it('runtime-overhead: model.run against bare onnxruntime-node, outputs identical', async () => {
    const { code, report, err } = await bench(['runtime-overhead', '--runs', '20', '--warmup', '2']);
    expect(code, err).toBe(0);
    finite(report);
    expect(report.details?.identical).toBe(true);
    const target = report.ratios.find((r) => r.name === 'model.run / bare session.run (paired)');
    expect(target?.target).toEqual({ op: '<=', value: 1.03 });
    expect(typeof target?.pass).toBe('boolean');
  });

  it('runtime-batching: batched results equal unbatched ones', async () => {
    const { code, report, err } = await bench(['runtime-batching', '--runs', '1', '--warmup', '0']);
    expect(code, err).toBe(0);
    finite(report);
    const diffs = report.details?.diffs as Record<string, number>;
    expect(Object.keys(diffs)).toEqual(['maxBatch 4', 'maxBatch 8', 'maxBatch 16']);
    for (const d of Object.values(diffs)) expect(d).toBeLessThan(1e-5);
    expect(report.ratios.map((r) => r.name)).toContain('throughput on (maxBatch 8) / off');
  }, 120_000);

  it('runtime-soak: counts every inference and leaves no native session open', async () => {
    const { code, report, err } = await bench(['runtime-soak', '--runs', '200', '--warmup', '16']);
    expect(code, err).toBe(0);
    finite(report);
    const figure = (name: string) => report.figures.find((f) => f.name === name)?.value;
    expect(figure('inferences')).toBe(200);
    expect(figure('native sessions still open')).toBe(0);
    expect(figure('extra requests aborted on purpose')).toBeGreaterThan(0);
  }, 120_000);
});
