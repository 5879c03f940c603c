// Finding rule tables and model readers. Backends are optional (design: the runtime finds them
// with dynamic import()), so each backend package is imported when first needed, and whatever
// RuleTables it exports are collected; a missing package just contributes nothing.

import { readFileSync } from 'node:fs';
import {
  ArgumentError,
  compareVersions,
  type ModelGraph,
  type RuleTable,
  type RuleTableAlias,
  UnavailableError,
} from '@edge/core';
import { type Dim, readModelFile } from '@edge/onnx-parse';
import { OPENVINO_CPU_RULES } from '../targets/openvino/cpu.js';
import { MYRIAD_RULES } from '../targets/openvino/myriad.js';
import { checkGraph } from './checker.js';
import { modelGraphFromOnnx } from './from-onnx.js';
import type { CheckReport } from './report.js';

const BACKENDS = ['@edge/backends-trt', '@edge/backends-onnxruntime', '@edge/backends-tflite'] as const;

/** The order families are listed in (engines before the accelerators that fall back to them); versions ascend within one. */
const ORDER: readonly string[] = ['tensorrt', 'dla', 'tflite', 'edgetpu', 'openvino', 'onnxruntime'];

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

function isAlias(v: unknown): v is RuleTableAlias {
  if (typeof v !== 'object' || v === null) return false;
  const a = v as Partial<RuleTableAlias>;
  return (
    typeof a.id === 'string' && Array.isArray(a.targets) && typeof a.source === 'object' && !('ops' in a)
  );
}

let cached: Promise<RuleTable[]> | undefined;
let cachedAliases: Promise<RuleTableAlias[]> | undefined;

async function backendExports(): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const name of BACKENDS) {
    const mod = await importOptional(name);
    if (!mod) continue;
    for (const v of Object.values(mod)) out.push(...(Array.isArray(v) ? v : [v]));
  }
  return out;
}

/** The aliases the installed backend packages export (`trt-8`, `jetpack-6.0`...), by id. */
export function loadTargetAliases(): Promise<RuleTableAlias[]> {
  cachedAliases ??= backendExports().then((all) => {
    const out = new Map<string, RuleTableAlias>();
    for (const a of all) if (isAlias(a) && !out.has(a.id)) out.set(a.id, a);
    return [...out.values()];
  });
  return cachedAliases;
}

/**
 * Every rule table available here: those the installed backend packages export, plus the
 * OpenVINO tables this package holds. Order: as the packages list them; ids are unique.
 */
export function loadRuleTables(): Promise<RuleTable[]> {
  cached ??= (async () => {
    const out = new Map<string, RuleTable>();
    for (const t of await backendExports()) if (isRuleTable(t) && !out.has(t.id)) out.set(t.id, t);
    for (const t of [MYRIAD_RULES, OPENVINO_CPU_RULES]) if (!out.has(t.id)) out.set(t.id, t);
    const rank = (f: string) => (ORDER.includes(f) ? ORDER.indexOf(f) : ORDER.length);
    return [...out.values()].sort(
      (a, b) =>
        rank(a.family) - rank(b.family) ||
        a.family.localeCompare(b.family) ||
        compareVersions(a.version, b.version) ||
        a.id.localeCompare(b.id),
    );
  })();
  return cached;
}

/**
 * The tables for target ids (`trt-8.6`, `dla-orin`...) and aliases (`trt-8`, `jetpack-6.0`, which
 * expand to the tables they stand for), in the order given, each table once.
 *
 * @throws ArgumentError for an unknown id; the message lists the known targets, and for a target
 *   a backend package will provide (edgetpu), which package that is.
 */
export async function resolveTargets(ids: readonly string[]): Promise<RuleTable[]> {
  const tables = await loadRuleTables();
  const aliases = await loadTargetAliases();
  const known = () => [...tables.map((t) => t.id), ...aliases.map((a) => a.id)].join(', ');
  if (!Array.isArray(ids) || ids.length === 0) {
    throw new ArgumentError(`Expected at least one target; known targets: ${known()}`);
  }
  const out: RuleTable[] = [];
  const push = (t: RuleTable) => {
    if (!out.includes(t)) out.push(t);
  };
  for (const id of ids) {
    const t = tables.find((x) => x.id === id);
    if (t) {
      push(t);
      continue;
    }
    const alias = aliases.find((a) => a.id === id);
    const expanded = alias?.targets.map((x) => tables.find((y) => y.id === x));
    if (expanded?.every((x) => x !== undefined)) {
      for (const x of expanded) push(x!);
      continue;
    }
    const pkg = EXPECTED[id];
    const hint = pkg ? ` (its rules come with ${pkg}, which does not provide them in this installation)` : '';
    throw new ArgumentError(`unknown target '${id}'${hint}; known targets: ${known()}`);
  }
  return out;
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
