// Mutates and truncates real models. Every case must either parse or end in a typed ModelParseError
// carrying a byte offset inside the input and a field path: never a RangeError, a TypeError, a hang
// or an allocation the input does not justify. Seeded, so a failure replays exactly.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEdgeError, ModelParseError } from '@edge/core';
import {
  deleteSpan,
  findModels,
  flipBytes,
  fuzzReader,
  insertJunk,
  int,
  type Mutation,
  OCR_MODELS,
  ONNX_TESTDATA,
  requires,
  rng,
  truncate,
} from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import {
  modelStats,
  type OnnxModel,
  readModel,
  readModelFile,
  type TensorProto,
  tensorValues,
  writeModel,
} from '../src/index.js';

const CASES = Number(process.env.EDGE_FUZZ_CASES ?? 30_000);
const FILE_CASES = Number(process.env.EDGE_FUZZ_FILE_CASES ?? 1_000);
const BUDGET_MS = Number(process.env.EDGE_FUZZ_MS ?? 120_000);

const MUTATIONS: [string, Mutation][] = [
  ['truncate', truncate],
  ['flip bytes', (s, r) => flipBytes(s, r, 3, (length) => int(r, length))],
  [
    'huge varint',
    (s, r) => {
      const out = s.slice();
      const at = int(r, out.length);
      out.fill(0xff, at, Math.min(out.length, at + 1 + int(r, 11)));
      return out;
    },
  ],
  ['insert', (s, r) => insertJunk(s, int(r, s.length), r)],
  ['delete span', (s, r) => deleteSpan(s, int(r, s.length), r)],
  [
    'splice',
    (s, r) => {
      const from = int(r, s.length);
      const len = 1 + int(r, 256);
      const to = int(r, s.length);
      return Buffer.concat([s.subarray(0, to), s.subarray(from, from + len), s.subarray(to)]);
    },
  ],
];

/** Uses a parsed model the way callers do, so lazily decoded parts are exercised too. */
function exercise(model: OnnxModel): void {
  const tensors: TensorProto[] = [...model.graph.initializers];
  for (const n of model.graph.nodes) for (const a of n.attributes) if (a.t) tensors.push(a.t);
  for (const t of tensors.slice(0, 8)) {
    try {
      tensorValues(t);
    } catch (e) {
      if (!isEdgeError(e)) throw e;
    }
  }
  // What `edge inspect` runs on a file must fail only with typed errors too.
  try {
    modelStats(model);
  } catch (e) {
    if (!isEdgeError(e)) throw e;
  }
  // Whatever parsed must also write and read back: a failure here is a writer bug, not bad input.
  try {
    readModel(writeModel(model));
  } catch (e) {
    throw new Error(`parsed model did not round-trip: ${(e as Error).message}`);
  }
}

describe('fuzz: mutated and truncated real models', requires('onnx-testdata'), () => {
  it(`ends every one of ${CASES} cases in a parse or a typed ModelParseError`, () => {
    const small = findModels(ONNX_TESTDATA)
      .filter((_, k) => k % 7 === 0)
      .map((p) => new Uint8Array(readFileSync(p)));
    // Plain Uint8Array copies: Buffer#slice would return views, and mutations would corrupt the seeds.
    const seeds = [new Uint8Array(readFileSync(OCR_MODELS.cls)), ...small];
    expect(seeds.length).toBeGreaterThan(100);
    const r = rng(20261126);
    const { done, parsed, rejected, byMutation, peakBytes } = fuzzReader({
      cases: CASES,
      budgetMs: BUDGET_MS,
      hangMs: 2000,
      mutations: MUTATIONS,
      r,
      // The real CNN is costlier to parse; it gets one case in ten.
      seed: (k) => (k % 10 === 0 ? seeds[0]! : seeds[1 + int(r, seeds.length - 1)]!),
      read: (input, label) => exercise(readModel(input, { label })),
      rejection: ModelParseError,
      fieldPath: /./,
    });
    expect(done).toBe(CASES);
    // Mutations must really reach the error paths, and some must survive as valid models.
    expect(rejected).toBeGreaterThan(CASES / 4);
    expect(parsed).toBeGreaterThan(CASES / 20);
    for (const [name] of MUTATIONS) expect(byMutation.get(name) ?? 0, name).toBeGreaterThan(0);
    // No case may hold on to memory the inputs do not justify (inputs are at most ~1 MB).
    expect(peakBytes).toBeLessThan(512 * 1024 * 1024);
  }, 300_000);

  it(`does the same through the lazy file reader for ${FILE_CASES} cases`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'edge-fuzz-'));
    try {
      const seed = new Uint8Array(readFileSync(OCR_MODELS.cls));
      const r = rng(7);
      const path = join(dir, 'case.onnx');
      let rejected = 0;
      for (let done = 0; done < FILE_CASES; done++) {
        const [name, mutate] = MUTATIONS[int(r, MUTATIONS.length)]!;
        writeFileSync(path, mutate(seed, r));
        try {
          exercise(readModelFile(path));
        } catch (e) {
          if (!(e instanceof ModelParseError))
            throw new Error(`file case ${done} (${name}) threw ${(e as Error).stack}`);
          expect(e.source).toBe(path);
          rejected++;
        }
      }
      expect(rejected).toBeGreaterThan(FILE_CASES / 4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
