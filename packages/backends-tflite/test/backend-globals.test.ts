// The browser globals tfjs-tflite needs in Node (self, importScripts) exist only while it loads:
// this file runs in its own process, so it sees the very first load.
import { readFileSync } from 'node:fs';
import { Tensor } from '@edge/core';
import { MEDIAPIPE } from '@edge/test-utils';
import { expect, it } from 'vitest';
import { createBackend } from '../src/index.js';

const SHORT = MEDIAPIPE.faceShort;
const WATCHED = [
  'self',
  'location',
  'importScripts',
  'fetch',
  'navigator',
  'window',
  'tfweb',
  '_tfGlobals',
  '_tfengine',
];

function snapshot(): { names: string[]; values: unknown[] } {
  const g = globalThis as Record<string, unknown>;
  return { names: Object.getOwnPropertyNames(globalThis).sort(), values: WATCHED.map((n) => g[n]) };
}

it('leaves no global behind after loading, running and disposing a model', async () => {
  const before = snapshot();
  const backend = createBackend();
  expect(snapshot()).toEqual(before);
  expect(await backend.available()).toEqual({ ok: true });
  expect(snapshot()).toEqual(before);
  const session = await backend.load({ format: 'tflite', name: 'short', bytes: readFileSync(SHORT) });
  const out = await session.run({ input: Tensor.zeros('float32', [1, 128, 128, 3]) });
  expect(out.classificators!.shape).toEqual([1, 896, 1]);
  await session.dispose();
  const after = snapshot();
  expect(after.names).toEqual(before.names);
  for (let i = 0; i < WATCHED.length; i++) expect(after.values[i], WATCHED[i]).toBe(before.values[i]);
});

it('keeps a global self set by the caller, and puts it back after loading', async () => {
  const g = globalThis as Record<string, unknown>;
  const mine = { mine: true };
  g.self = mine;
  try {
    const session = await createBackend().load({ format: 'tflite', name: 'short', path: SHORT });
    await session.dispose();
    expect(g.self).toBe(mine);
  } finally {
    delete g.self;
  }
});
