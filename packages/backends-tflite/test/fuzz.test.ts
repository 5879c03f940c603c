// Mutates and truncates the real MediaPipe models and small generated ones. Every case must parse
// (and convert to a graph, and pass the rule tables) or end in a typed ModelParseError carrying a
// byte offset inside the input and a field path: never a RangeError, a TypeError or a hang.
// Seeded, so a failure replays exactly.
import { readFileSync } from 'node:fs';
import { ModelParseError } from '@edge/core';
import {
  deleteSpan,
  flipBytes,
  insertJunk,
  int,
  MEDIAPIPE,
  type Mutation,
  rng,
  truncate,
} from '@edge/test-utils';
import { expect, it } from 'vitest';
import { EDGETPU_RULES, modelGraphFromTflite, readTflite, TFLITE_RULES } from '../src/index.js';
import { buildTflite } from './helpers/build-tflite.js';
import { evaluate, i8, i8const, i32const } from './helpers/models.js';

const CASES = Number(process.env.EDGE_FUZZ_CASES ?? 6_000);

/** Header, vtables and tables sit in the first and last few kB: aim most damage there. */
function position(r: () => number, len: number): number {
  const u = r();
  if (u < 0.4) return int(r, Math.min(len, 4096));
  if (u < 0.7) return Math.max(0, len - 1 - int(r, Math.min(len, 8192)));
  return int(r, len);
}

const MUTATIONS: [string, Mutation][] = [
  ['truncate', truncate],
  ['flip bytes', (s, r) => flipBytes(s, r, 4, (length) => position(r, length))],
  [
    'big offset',
    (s, r) => {
      const out = s.slice();
      const at = position(r, out.length - 4) & ~3;
      new DataView(out.buffer).setUint32(
        at,
        [0xffffffff, 0x7fffffff, out.length, int(r, 1 << 20)][int(r, 4)]!,
        true,
      );
      return out;
    },
  ],
  ['insert', (s, r) => insertJunk(s, position(r, s.length), r)],
  ['delete span', (s, r) => deleteSpan(s, position(r, s.length), r)],
];

function generated(): Uint8Array {
  return buildTflite({
    tensors: [
      i8('x', [1, 8, 8, 4]),
      i8const('w', [4, 3, 3, 4]),
      i32const('b', [0, 0, 0, 0]),
      i8('y', [1, 8, 8, 4]),
      i32const('axes', [1, 2]),
      i8('z', [1, 1, 1, 4]),
    ],
    operators: [
      {
        op: 'CONV_2D',
        inputs: ['x', 'w', 'b'],
        outputs: ['y'],
        options: { padding: 'SAME', stride_w: 1, stride_h: 1 },
      },
      { op: 'MEAN', inputs: ['y', 'axes'], outputs: ['z'], options: { keep_dims: true } },
    ],
    inputs: ['x'],
    outputs: ['z'],
  });
}

it(`ends every one of ${CASES} mutated models in a parse or a typed ModelParseError`, {
  timeout: 300_000,
}, () => {
  // Plain copies (Buffer#slice would return views, and mutations would corrupt the seeds).
  const seeds = [...Object.values(MEDIAPIPE).map((p) => new Uint8Array(readFileSync(p))), generated()];
  const r = rng(Number(process.env.EDGE_FUZZ_SEED ?? 20261126));
  const outcomes = { parsed: 0, rejected: 0 };
  const byMutation = new Map<string, number>();
  let done = 0;
  for (; done < CASES; done++) {
    // The small generated model is cheap and dense in structure: half the cases.
    const src = done % 2 === 0 ? seeds[seeds.length - 1]! : seeds[int(r, seeds.length - 1)]!;
    const [name, mutate] = MUTATIONS[int(r, MUTATIONS.length)]!;
    const input = mutate(src, r);
    const t0 = performance.now();
    try {
      const model = readTflite(input, { label: `case ${done}` });
      // What parsed must also convert and check without throwing.
      const graph = modelGraphFromTflite(model);
      evaluate(EDGETPU_RULES, graph);
      evaluate(TFLITE_RULES, graph);
      outcomes.parsed++;
    } catch (e) {
      if (!(e instanceof ModelParseError)) {
        throw new Error(`case ${done} (${name}, ${input.length} bytes) threw ${(e as Error).stack}`, {
          cause: e,
        });
      }
      expect(e.offset).toBeGreaterThanOrEqual(0);
      expect(e.offset).toBeLessThanOrEqual(input.length);
      expect(e.fieldPath).toMatch(/^Model/);
      outcomes.rejected++;
      byMutation.set(name, (byMutation.get(name) ?? 0) + 1);
    }
    const ms = performance.now() - t0;
    // A hang guard, not a speed test: one case decodes in well under a millisecond.
    if (ms > 5000) throw new Error(`case ${done} (${name}) took ${ms.toFixed(0)} ms`);
  }
  console.log(`fuzz: ${done} cases, ${outcomes.parsed} parsed, ${outcomes.rejected} rejected`);
  expect(done).toBe(CASES);
  expect(outcomes.rejected).toBeGreaterThan(CASES / 5);
  expect(outcomes.parsed).toBeGreaterThan(CASES / 20);
  for (const [name] of MUTATIONS) expect(byMutation.get(name) ?? 0, name).toBeGreaterThan(0);
});
