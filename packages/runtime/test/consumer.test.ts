// @edge/runtime as a user gets it with only @edge/backends-onnxruntime installed: the published
// files (package.json `files`) of runtime and of every @edge package in its `dependencies` closure
// are copied into a fresh node_modules laid out as npm lays it out; third-party dependencies are
// linked to the workspace's copies (nothing is downloaded). Neither @edge/backends-trt nor
// @edge/backends-tflite is anywhere on the resolution path, so this proves what the package.json
// declares: they are optional peers, and onnxruntime is the one backend runtime needs.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tensor } from '@edge/core';
import { OCR_MODELS, scratchDir } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const CLS = OCR_MODELS.cls;
const root = scratchDir('edge-consumer-');

interface Manifest {
  name: string;
  files?: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

/** Installs the package at `dir` and its runtime dependencies into `root`/node_modules; returns the names installed. */
function install(dir: string, installed: Set<string>): void {
  const m = manifest(dir);
  if (installed.has(m.name)) return;
  installed.add(m.name);
  const target = join(root, 'node_modules', m.name);
  mkdirSync(target, { recursive: true });
  cpSync(join(dir, 'package.json'), join(target, 'package.json'));
  for (const f of m.files ?? [])
    if (existsSync(join(dir, f))) cpSync(join(dir, f), join(target, f), { recursive: true });
  for (const dep of Object.keys(m.dependencies ?? {})) {
    const real = realpathSync(join(dir, 'node_modules', dep));
    if (dep.startsWith('@edge/')) install(real, installed);
    else if (!installed.has(dep)) {
      installed.add(dep);
      mkdirSync(dirname(join(root, 'node_modules', dep)), { recursive: true });
      symlinkSync(real, join(root, 'node_modules', dep), 'dir');
    }
  }
}

const CONSUMER = `
import { readFileSync } from 'node:fs';
import { loadModel } from '@edge/runtime';
import { Tensor } from '@edge/core';
const [path, input] = process.argv.slice(2);
const missing = {};
for (const p of ['@edge/backends-trt', '@edge/backends-tflite']) {
  missing[p] = await import(p).then(() => 'found', (e) => e.code);
}
const tried = await loadModel(path, { backends: ['trt', 'tflite', 'onnxruntime'] });
await tried.dispose();
const model = await loadModel(path);
const bytes = readFileSync(input);
const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
const out = await model.run(new Tensor('float32', [1, 3, 48, 192], data));
await model.dispose();
const [name, y] = Object.entries(out)[0];
console.log(JSON.stringify({
  missing, backend: model.backend, device: model.device, skipped: tried.skipped,
  output: name, shape: y.shape, data: Buffer.from(y.data.buffer, y.data.byteOffset, y.data.byteLength).toString('base64'),
}));
`;

describe('a consumer with @edge/runtime and only @edge/backends-onnxruntime', () => {
  it('declares TensorRT and TFLite as optional peers, onnxruntime as a dependency', () => {
    const m = manifest(join(here, '..'));
    expect(m.dependencies).toHaveProperty('@edge/backends-onnxruntime');
    for (const p of ['@edge/backends-trt', '@edge/backends-tflite']) {
      expect(m.dependencies).not.toHaveProperty(p);
      expect(m.peerDependencies).toHaveProperty(p);
      expect(m.peerDependenciesMeta?.[p]).toEqual({ optional: true });
    }
  });

  it('loads and runs a model; the missing backends are skip reasons, and outputs match the workspace run', async () => {
    const installed = new Set<string>();
    install(join(here, '..'), installed);
    expect([...installed].filter((n) => n.startsWith('@edge/')).sort()).toEqual([
      '@edge/backends-onnxruntime',
      '@edge/core',
      '@edge/onnx-parse',
      '@edge/preprocess',
      '@edge/runtime',
    ]);
    writeFileSync(join(root, 'main.mjs'), CONSUMER);
    const x = new Float32Array(3 * 48 * 192).map((_, i) => Math.sin(i) * 0.5);
    writeFileSync(join(root, 'input.bin'), x);
    const r = spawnSync(process.execPath, ['main.mjs', CLS, 'input.bin'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as {
      missing: Record<string, string>;
      backend: string;
      device: string;
      skipped: { backend: string; kind: string; reason: string }[];
      output: string;
      shape: number[];
      data: string;
    };
    expect(got.missing).toEqual({
      '@edge/backends-trt': 'ERR_MODULE_NOT_FOUND',
      '@edge/backends-tflite': 'ERR_MODULE_NOT_FOUND',
    });
    expect([got.backend, got.device]).toEqual(['onnxruntime', 'cpu']);
    expect(got.skipped).toEqual([
      {
        backend: 'trt',
        kind: 'not-installed',
        reason: '@edge/backends-trt is not installed (npm install @edge/backends-trt)',
      },
      {
        backend: 'tflite',
        kind: 'not-installed',
        reason: '@edge/backends-tflite is not installed (npm install @edge/backends-tflite)',
      },
    ]);

    await using model = await loadModel(CLS, { backends: ['onnxruntime'] });
    const want = await model.run(new Tensor('float32', [1, 3, 48, 192], x));
    const y = want[got.output]!;
    expect(got.shape).toEqual([...y.shape]);
    expect(
      Buffer.from(got.data, 'base64').equals(
        Buffer.from(y.data.buffer, y.data.byteOffset, y.data.byteLength),
      ),
    ).toBe(true);
  });
});
