import { isEdgeError } from '@edge/core';
import { describe, expect, it } from 'vitest';
import { BENCHMARKS } from '../src/benchmarks/index.js';
import { parseArgs } from '../src/harness/args.js';
import { formatReport, type JsonReport } from '../src/harness/report.js';
import { runCli } from '../src/harness/run.js';
import { summarize } from '../src/harness/timing.js';
import type { Benchmark } from '../src/harness/types.js';

function capture(): { io: Parameters<typeof runCli>[2]; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } },
    out: () => out,
    err: () => err,
  };
}

/** A benchmark that returns fixed numbers, one target met and one not. */
const fake: Benchmark = {
  name: 'fake',
  description: 'fixed numbers',
  acceptsModel: false,
  repetitions: { warmup: 0, runs: 1 },
  async run(ctx) {
    ctx.progress('working');
    return {
      groups: [{ name: 'm', description: 'a model' }],
      figures: [{ name: 'fast', value: 2, unit: 'ms', group: 'm', p90: 3, runs: ctx.repetitions.runs }],
      baselines: [{ name: 'slow', value: 50, unit: 'ms', group: 'm', source: 'elsewhere' }],
      ratios: [
        {
          name: 'slow / fast',
          value: 25,
          unit: 'x',
          numerator: 'slow',
          denominator: 'fast',
          group: 'm',
          target: { op: '>=', value: 20 },
          pass: true,
        },
        {
          name: 'share',
          value: 7,
          unit: '%',
          numerator: 'a',
          denominator: 'b',
          target: { op: '<', value: 5 },
          pass: false,
        },
      ],
      notes: ['warm cache'],
    };
  },
};

const failing: Benchmark = {
  ...fake,
  name: 'broken',
  async run() {
    throw new Error('no input');
  },
};

describe('parseArgs', () => {
  const names = ['parse', 'other'];

  it('reads a name and every flag, in any order and with =', () => {
    expect(parseArgs(['parse'], names)).toEqual({ benchmark: 'parse', json: false, help: false });
    expect(parseArgs(['--json', 'parse', '--model', 'a.onnx', '--runs=5', '--warmup', '0'], names)).toEqual({
      benchmark: 'parse',
      json: true,
      help: false,
      modelPath: 'a.onnx',
      runs: 5,
      warmup: 0,
    });
    expect(parseArgs(['--help'], names).help).toBe(true);
  });

  it.each([
    [['nope'], "unknown benchmark 'nope'"],
    [[], 'no benchmark named'],
    [['parse', '--fast'], "unknown option '--fast'"],
    [['parse', '--model'], 'option --model expects a value'],
    [['parse', '--model', '--json'], 'option --model expects a value'],
    [['parse', '--runs', '0'], "Expected positive integer for --runs but received '0'"],
    [['parse', '--runs', '2.5'], "Expected positive integer for --runs but received '2.5'"],
    [['parse', '--warmup=-1'], "Expected non-negative integer for --warmup but received '-1'"],
    [['parse', 'other'], "one benchmark at a time (got 'parse' and 'other')"],
    [['parse', '--json=yes'], 'option --json takes no value'],
  ])('EXPECTED FAILURE - %j', (argv, message) => {
    let error: unknown;
    try {
      parseArgs(argv, names);
    } catch (e) {
      error = e;
    }
    expect(isEdgeError(error, 'EDGE_ARGUMENT')).toBe(true);
    const text = (error as Error).message;
    expect(text).toContain(message);
    expect(text).toContain('available: parse, other');
    expect(text).not.toContain('\n');
  });
});

describe('runCli', () => {
  it('BAD CALL - unknown benchmark: one line listing the names, exit code 2', async () => {
    const c = capture();
    expect(await runCli(['nope'], BENCHMARKS, c.io)).toBe(2);
    const names = BENCHMARKS.map((b) => b.name).join(', ');
    expect(c.err()).toMatch(/^edge-bench: unknown benchmark 'nope'; usage: .*; available: /);
    expect(c.err().endsWith(`available: ${names}\n`)).toBe(true);
    expect(c.out()).toBe('');
  });

  it('BAD CALL - bad flag: exit code 2', async () => {
    const c = capture();
    expect(await runCli(['parse', '--modle', 'x'], BENCHMARKS, c.io)).toBe(2);
    expect(c.err().trim().split('\n')).toHaveLength(1);
  });

  it('BAD CALL - --model to a benchmark that takes none: exit code 2', async () => {
    const c = capture();
    expect(await runCli(['fake', '--model', 'x.onnx'], [fake], c.io)).toBe(2);
    expect(c.err()).toContain("benchmark 'fake' takes no --model");
  });

  it('--help lists every benchmark with its description', async () => {
    const c = capture();
    expect(await runCli(['--help'], BENCHMARKS, c.io)).toBe(0);
    // Names are padded to the longest one, so the gap before each description varies.
    const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    for (const b of BENCHMARKS)
      expect(c.out()).toMatch(new RegExp(`  ${literal(b.name)} +${literal(b.description)}\n`));
  });

  it('prints a table with PASS/FAIL, progress on stderr, and exits 0 even when a target is missed', async () => {
    const c = capture();
    expect(await runCli(['fake'], [fake], c.io)).toBe(0);
    const out = c.out();
    expect(out).toContain('m: a model');
    expect(out).toMatch(/slow \/ fast\s+25\.0x\s+>= 20\.0x\s+PASS/);
    expect(out).toMatch(/share\s+7\.00 %\s+< 5\.00 %\s+FAIL/);
    expect(out).toContain('1 of 2 targets NOT met');
    expect(out).toContain('  - warm cache');
    expect(c.err()).toMatch(/^\[fake \d+\.\ds\] working\n$/);
  });

  it('--json prints one JSON object and nothing else on stdout', async () => {
    const c = capture();
    expect(await runCli(['fake', '--json', '--runs', '7'], [fake], c.io)).toBe(0);
    const report = JSON.parse(c.out()) as JsonReport;
    expect(report.benchmark).toBe('fake');
    expect(report.figures[0]!.runs).toBe(7);
    expect(report.allTargetsMet).toBe(false);
    expect(report.environment.node).toBe(process.version);
    expect(formatReport(report)).toContain('PASS');
  });

  it('EXPECTED FAILURE - a benchmark that throws: one line, exit code 1', async () => {
    const c = capture();
    expect(await runCli(['broken'], [failing], c.io)).toBe(1);
    expect(c.err()).toContain('edge-bench: broken failed: no input');
  });
});

describe('summarize', () => {
  it('gives the median (mean of the middle two) and the nearest-rank p90', () => {
    const t = summarize([5, 1, 4, 2, 3, 10, 9, 8, 7, 6]);
    expect(t.median).toBe(5.5);
    expect(t.p90).toBe(9);
    expect(t.min).toBe(1);
    expect(t.max).toBe(10);
    expect(summarize([3]).p90).toBe(3);
  });
});
