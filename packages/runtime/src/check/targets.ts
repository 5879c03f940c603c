// Finding rule tables and model readers. Backends are optional (design: the runtime finds them
// with dynamic import()), so each backend package is imported when first needed, and whatever
// RuleTables it exports are collected; a missing package just contributes nothing.

import { readFileSync } from 'node:fs';
import { ArgumentError, type ModelGraph, type RuleTable, UnavailableError } from '@edge/core';
import { type Dim, readModelFile } from '@edge/onnx-parse';
import { OPENVINO_CPU_RULES } from '../targets/openvino/cpu.js';
import { MYRIAD_RULES } from '../targets/openvino/myriad.js';
import { checkGraph } from './checker.js';
import { modelGraphFromOnnx } from './from-onnx.js';
import type { CheckReport } from './report.js';

const BACKENDS = ['@edge/backends-trt', '@edge/backends-onnxruntime', '@edge/backends-tflite'] as const;

/** The order targets are listed in (engines before the accelerators that fall back to them); others follow by id. */
const ORDER: readonly string[] = [
  'trt-7',
  'trt-8.6',
  'trt-10',
  'dla-xavier',
  'dla-orin',
  'tflite',
  'edgetpu',
  'openvino-cpu',
  'myriad',
  'ort-cpu',
];

/** Where a target comes from, for the error that lists targets a package would add. */
const EXPECTED: Readonly<Record<string, string>> = {
  edgetpu: '@edge/backends-tflite',
  tflite: '@edge/backends-tflite',
};

function isRuleTable(v: unknown): v is RuleTable {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as Partial<RuleTable>;
  return (
    typeof t.id === 'string' && Array.isArray(t.ops) && Array.isArray(t.graph) && typeof t.kind === 'string'
  );
}

async function importOptional(name: string): Promise<Record<string, unknown> | undefined> {
  try {
    return (await import(name)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

let cached: Promise<RuleTable[]> | undefined;

/**
 * Every rule table available here: those the installed backend packages export, plus the
 * OpenVINO tables this package holds. Order: as the packages list them; ids are unique.
 */
export function loadRuleTables(): Promise<RuleTable[]> {
  cached ??= (async () => {
    const out = new Map<string, RuleTable>();
    for (const name of BACKENDS) {
      const mod = await importOptional(name);
      if (!mod) continue;
      for (const v of Object.values(mod)) {
        const list = Array.isArray(v) ? v : [v];
        for (const t of list) if (isRuleTable(t) && !out.has(t.id)) out.set(t.id, t);
      }
    }
    for (const t of [MYRIAD_RULES, OPENVINO_CPU_RULES]) if (!out.has(t.id)) out.set(t.id, t);
    const rank = (id: string) => (ORDER.includes(id) ? ORDER.indexOf(id) : ORDER.length);
    return [...out.values()].sort((a, b) => rank(a.id) - rank(b.id) || a.id.localeCompare(b.id));
  })();
  return cached;
}

/**
 * The tables for target ids (`trt-8.6`, `dla-orin`...), in the order given.
 *
 * @throws ArgumentError for an unknown id; the message lists the known targets, and for a target
 *   a backend package will provide (edgetpu), which package that is.
 */
export async function resolveTargets(ids: readonly string[]): Promise<RuleTable[]> {
  const tables = await loadRuleTables();
  if (!Array.isArray(ids) || ids.length === 0) {
    throw new ArgumentError(
      `Expected at least one target; known targets: ${tables.map((t) => t.id).join(', ')}`,
    );
  }
  return ids.map((id) => {
    const t = tables.find((x) => x.id === id);
    if (t) return t;
    const pkg = EXPECTED[id];
    const hint = pkg ? ` (its rules come with ${pkg}, which does not provide them in this installation)` : '';
    throw new ArgumentError(
      `unknown target '${id}'${hint}; known targets: ${tables.map((x) => x.id).join(', ')}`,
    );
  });
}

/** Options of {@link checkModelFile}. */
export interface CheckFileOptions {
  /** Shapes to assume for ONNX graph inputs, by name. */
  inputShapes?: Record<string, Dim[]>;
}

/**
 * Reads a model file into the neutral graph: ONNX through @edge/onnx-parse, .tflite through the
 * reader @edge/backends-tflite exports.
 *
 * @throws UnavailableError for a .tflite file when no TFLite reader is installed.
 * @throws ModelParseError / FileIOError when the file cannot be read.
 */
export async function readModelGraph(path: string, options: CheckFileOptions = {}): Promise<ModelGraph> {
  if (path.toLowerCase().endsWith('.tflite')) {
    const mod = await importOptional('@edge/backends-tflite');
    const toGraph = mod?.modelGraphFromTflite;
    const read = mod?.readTfliteFile ?? mod?.readTflite;
    if (typeof toGraph !== 'function' || typeof read !== 'function') {
      throw new UnavailableError(
        `TFLite input is not supported yet: @edge/backends-tflite exports no .tflite reader (readTfliteFile + modelGraphFromTflite) in this installation; convert ${path} to ONNX (tf2onnx) to check it`,
      );
    }
    const model = read === mod?.readTflite ? read(readFileSync(path)) : read(path);
    return toGraph(model) as ModelGraph;
  }
  return modelGraphFromOnnx(
    readModelFile(path),
    options.inputShapes ? { inputShapes: options.inputShapes } : {},
  );
}

/**
 * Checks a model file on the given targets.
 *
 * @throws ArgumentError for an unknown target id.
 * @throws UnavailableError for a .tflite file when no TFLite reader is installed.
 * @throws ModelParseError / FileIOError / GraphError when the model cannot be read.
 */
export async function checkModelFile(
  path: string,
  targets: readonly string[],
  options: CheckFileOptions = {},
): Promise<CheckReport> {
  const tables = await resolveTargets(targets);
  const graph = await readModelGraph(path, options);
  return checkGraph(graph, tables, { known: await loadRuleTables(), model: path });
}
