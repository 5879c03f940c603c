// Mutates and truncates the real MediaPipe models and small generated ones. Every case must parse
// (and convert to a graph, and pass the rule tables) or end in a typed ModelParseError carrying a
// byte offset inside the input and a field path: never a RangeError, a TypeError or a hang.
// Seeded, so a failure replays exactly.
import { readFileSync } from 'node:fs';
import { ModelParseError } from '@edge/core';
import {
  deleteSpan,
  flipBytes,
  fuzzReader,
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
  const { done, parsed, rejected, byMutation } = fuzzReader({
    cases: CASES,
    // A hang guard, not a speed test: one case decodes in well under a millisecond.
    hangMs: 5000,
    mutations: MUTATIONS,
    r,
    // The small generated model is cheap and dense in structure: half the cases.
    seed: (k) => (k % 2 === 0 ? seeds[seeds.length - 1]! : seeds[int(r, seeds.length - 1)]!),
    read: (input, label) => {
      // What parsed must also convert and check without throwing.
      const graph = modelGraphFromTflite(readTflite(input, { label }));
      evaluate(EDGETPU_RULES, graph);
      evaluate(TFLITE_RULES, graph);
    },
    rejection: ModelParseError,
    fieldPath: /^Model/,
  });
  expect(done).toBe(CASES);
  expect(rejected).toBeGreaterThan(CASES / 5);
  expect(parsed).toBeGreaterThan(CASES / 20);
  for (const [name] of MUTATIONS) expect(byMutation.get(name) ?? 0, name).toBeGreaterThan(0);
});
