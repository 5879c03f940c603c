// Every model of Debian's libonnx-testdata must parse (from bytes and from a path, lazily) to the
// same model, and round-trip through the writer to an equal model that onnx.checker accepts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findModels, OCR_MODELS, ONNX_TESTDATA, onnxCheck, requires, scratchDir } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { readModel, readModelFile, writeModel } from '../src/index.js';
import { normalize } from './helpers/normalize.js';

const models = [...findModels(ONNX_TESTDATA), ...Object.values(OCR_MODELS)];
const out = scratchDir('edge-conformance-');

describe('libonnx-testdata and PaddleOCR conformance', requires('onnx-testdata', 'python-onnx'), () => {
  it('finds the conformance set (scripts/test-data.sh installs it)', () => {
    expect(models.length).toBeGreaterThanOrEqual(1072 + 3);
  });

  const written: string[] = [];
  it('parses every model from bytes, lazily and eagerly from a path, to the same model, and round-trips', () => {
    let i = 0;
    for (const path of models) {
      const bytes = readFileSync(path);
      const fromBytes = readModel(bytes, { label: path });
      const fromPath = readModelFile(path);
      const a = normalize(fromBytes);
      expect(normalize(fromPath), path).toEqual(a);
      expect(normalize(readModelFile(path, { payloads: 'eager' })), path).toEqual(a);
      const again = writeModel(fromPath);
      expect(normalize(readModel(again)), path).toEqual(a);
      const target = join(out, `${i++}.onnx`);
      writeFileSync(target, again);
      written.push(target);
    }
  }, 300_000);

  it('writes files that onnx.checker accepts wherever it accepts the original', () => {
    const originals = onnxCheck(models);
    const rewritten = onnxCheck(written);
    const regressions = written
      .map((p, k) => [models[k]!, p] as const)
      .filter(([orig, p]) => rewritten[p] !== undefined && originals[orig] === undefined)
      .map(([orig, p]) => `${orig}: ${rewritten[p]}`);
    expect(regressions).toEqual([]);
    // The checker must actually have accepted almost all of them (not a vacuous comparison).
    expect(Object.keys(originals).length).toBeLessThan(models.length / 10);
  }, 600_000);
});
