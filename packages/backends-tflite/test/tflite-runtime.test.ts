// The stock TFLite table follows the bundled runtime: measuring its op resolver again must give the
// committed data/tflite-builtins.json. EDGE_UPDATE_MEASUREMENT=1 rewrites the file instead.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '@edge/core';
import { expect, it } from 'vitest';
import { DATA, formatMeasurement, measureBuiltins } from './helpers/measure-builtins.js';

it('the bundled TFLite runtime registers the builtins and versions data/tflite-builtins.json says (no drift)', async () => {
  const now = await measureBuiltins();
  if (process.env.EDGE_UPDATE_MEASUREMENT === '1') await writeFileAtomic(DATA, formatMeasurement(now));
  const committed = JSON.parse(readFileSync(DATA, 'utf8'));
  expect(now.runtime).toBe(committed.runtime);
  const key = (b: { op: string; status: string; minVersion: number; maxVersion: number }) =>
    `${b.op} ${b.status} ${b.minVersion}..${b.maxVersion}`;
  expect(now.builtins.map(key)).toEqual(committed.builtins.map(key));
  expect(now.customs.map((c) => `${c.op} ${c.registered}`)).toEqual(
    committed.customs.map((c: { op: string; registered: boolean }) => `${c.op} ${c.registered}`),
  );
}, 300_000);
