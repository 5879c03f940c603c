// The target registry reads each backend package's explicit `ruleTables` list; a package that is
// missing, broken or without the list contributes nothing and is named when a target is unknown.
// And a model file reaches the checker through the graph reader of its format.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from '@edge/backends-onnxruntime';
import * as tflite from '@edge/backends-tflite';
import * as trt from '@edge/backends-trt';
import { ArgumentError, BACKEND_NAMES } from '@edge/core';
import { expectError, MEDIAPIPE, OCR_MODELS, scratchDir } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import {
  CHECK_REPORT_SCHEMA_VERSION,
  checkModelFile,
  loadRuleTables,
  loadTargetAliases,
  MYRIAD_RULES,
  OPENVINO_CPU_RULES,
  readModelGraph,
  resolveTargets,
} from '../src/index.js';
import { collectRuleTables, pickTargets } from '../src/registry.js';

const FACE = MEDIAPIPE.faceShort;
const CLS = OCR_MODELS.cls;
const dir = scratchDir('edge-check-registry-');

const trtTables = trt.ruleTables;
const ortTables = ort.ruleTables;
const tfliteTables = tflite.ruleTables;

describe('each backend package', () => {
  it.each([
    ['@edge/backends-trt', trt],
    ['@edge/backends-onnxruntime', ort],
    ['@edge/backends-tflite', tflite],
  ])('%s: ruleTables is frozen and lists every rule table the package exports, each once', (_, api) => {
    // Tables exported one by one or in lists (TENSORRT_RULES), other than ruleTables itself.
    const exported = new Set(
      Object.entries(api)
        .filter(([name]) => name !== 'ruleTables')
        .flatMap(([, v]) => (Array.isArray(v) ? v : [v]))
        .filter((v) => typeof v === 'object' && v !== null && 'ops' in v && 'kind' in v),
    );
    expect(Object.isFrozen(api.ruleTables)).toBe(true);
    expect(api.ruleTables).toHaveLength(exported.size);
    expect(new Set(api.ruleTables)).toEqual(exported);
  });
});

describe('loadRuleTables', () => {
  it("every backend's ruleTables and the OpenVINO tables, by family, each family in its package's order", async () => {
    expect(BACKEND_NAMES).toEqual(['trt', 'onnxruntime', 'tflite']);
    const ids = (await loadRuleTables()).map((t) => t.id);
    const of = (family: string) => trtTables.filter((t) => t.family === family).map((t) => t.id);
    expect(ids).toEqual([
      ...of('tensorrt'),
      ...of('dla'),
      ...tfliteTables.map((t) => t.id),
      'openvino-cpu',
      'myriad',
      ...ortTables.map((t) => t.id),
    ]);
    expect(ids.slice(0, 3)).toEqual(['trt-7.0', 'trt-7.1', 'trt-7.2']);
    expect(ids.slice(-6)).toEqual([
      'dla-orin-10.3',
      'tflite',
      'edgetpu',
      'openvino-cpu',
      'myriad',
      'ort-cpu',
    ]);
  });

  it('aliases expand to their tables, in the order given, each table once', async () => {
    const tables = await resolveTargets(['jetpack-6.0', 'trt-8', 'dla-orin-8.6']);
    expect(tables.map((t) => t.id)).toEqual(['trt-8.6', 'dla-orin-8.6']);
    const aliases = (await loadTargetAliases()).map((a) => a.id);
    expect(aliases).toContain('jetpack-6.2');
    expect(aliases.slice(0, 2)).toEqual(['trt-7', 'trt-8']);
  });
});

describe('a backend package that gives no tables', () => {
  it('EXPECTED FAILURE - not installed: its targets are unknown, and the error says which package is missing', async () => {
    const reg = await collectRuleTables(
      ['@edge/backends-trt', '@edge/backends-not-there'],
      [OPENVINO_CPU_RULES],
    );
    expect(reg.tables.map((t) => t.id)).toEqual([...trtTables.map((t) => t.id), 'openvino-cpu']);
    expect(reg.absent).toEqual([
      '@edge/backends-not-there is not installed (npm install @edge/backends-not-there)',
    ]);
    expectError(
      () => pickTargets(['trt-8.6', 'edgetpu'], reg),
      ArgumentError,
      /^unknown target 'edgetpu'; known targets: trt-7\.0, trt-7\.1, .*, openvino-cpu, trt-7, trt-8, .*, jetpack-6\.2; not available here: @edge\/backends-not-there is not installed \(npm install @edge\/backends-not-there\)$/,
    );
  });

  it('EXPECTED FAILURE - a package without a ruleTables list, and one that fails to load, are named too', async () => {
    const broken = join(dir, 'broken.mjs');
    writeFileSync(broken, "throw new Error('native library missing');\n");
    const reg = await collectRuleTables(['@edge/core', pathToFileURL(broken).href], []);
    expect(reg.tables).toEqual([]);
    expect(reg.absent).toEqual([
      '@edge/core exports no ruleTables list (a version older than this checker?)',
      `${pathToFileURL(broken).href} failed to load: native library missing`,
    ]);
  });

  it('BAD CALL - no targets at all', () => {
    expect(() => pickTargets([], { tables: [MYRIAD_RULES], aliases: [], absent: [] })).toThrow(
      'Expected at least one target; known targets: myriad',
    );
  });
});

describe('model files through the graph reader of their format', () => {
  it('ONNX from a path or from bytes gives the same graph', async () => {
    const fromPath = await readModelGraph(CLS);
    const fromBytes = await readModelGraph(new Uint8Array(readFileSync(CLS)));
    expect(fromPath.format).toBe('onnx');
    expect(fromBytes).toEqual(fromPath);
  });

  it('TFLite through @edge/backends-tflite: a MediaPipe face detector checks on stock TFLite and the Edge TPU', async () => {
    const r = await checkModelFile(FACE, ['tflite', 'edgetpu', 'ort-cpu']);
    expect(r.schemaVersion).toBe(CHECK_REPORT_SCHEMA_VERSION);
    expect(r.format).toBe('tflite');
    expect(r.ops).toBeGreaterThan(50);
    expect(r.targets.map((t) => [t.target, t.verdict])).toEqual([
      ['tflite', 'deployable'],
      ['edgetpu', 'incompatible'],
      ['ort-cpu', 'incompatible'],
    ]);
    expect(r.targets[2]!.issues[0]!.reason).toBe('ONNX Runtime 1.30.0 CPU does not read tflite models');
  });

  it('TFLite with the bytes renamed .onnx is still read as TFLite (the identifier decides)', async () => {
    const renamed = join(dir, 'face.onnx');
    writeFileSync(renamed, readFileSync(FACE));
    expect((await readModelGraph(renamed)).format).toBe('tflite');
  });

  it('BAD CALL - input shapes on a TFLite model', async () => {
    const call = readModelGraph(FACE, { inputShapes: { input: [1, 128, 128, 3] } });
    await expect(call).rejects.toThrow(ArgumentError);
    await expect(readModelGraph(FACE, { inputShapes: { input: [1, 128, 128, 3] } })).rejects.toThrow(
      /^Expected no inputShapes for the TFLite model .*face_detection_short_range\.tflite: its tensor shapes are fixed in the file/,
    );
  });
});
