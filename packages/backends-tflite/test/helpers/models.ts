// Small factories for generated test models (the real MediaPipe models: @edge/test-utils).
import { findOpRule, inVersionRange, type ModelGraph, type RuleTable } from '@edge/core';
import { modelGraphFromTflite, readTflite } from '../../src/index.js';
import {
  buildTflite,
  type TfliteModelSpec,
  type TfliteOperatorSpec,
  type TfliteTensorSpec,
} from './build-tflite.js';

const Q = { scale: [0.0625], zeroPoint: [3] };

/** An int8 per-tensor quantised activation. */
export function i8(name: string, shape: number[]): TfliteTensorSpec {
  return { name, shape, type: 'INT8', quantization: Q };
}

/** An int8 quantised constant (weights) filled with `fill`. */
export function i8const(name: string, shape: number[], fill = 1): TfliteTensorSpec {
  const n = shape.reduce((a, b) => a * b, 1);
  return { name, shape, type: 'INT8', quantization: Q, data: new Int8Array(n).fill(fill) };
}

/** An int32 constant (bias, axes, paddings, shapes). */
export function i32const(
  name: string,
  values: number[],
  shape: number[] = [values.length],
): TfliteTensorSpec {
  return { name, shape, type: 'INT32', data: Int32Array.from(values) };
}

/** A float32 activation. */
export function f32(name: string, shape: number[]): TfliteTensorSpec {
  return { name, shape, type: 'FLOAT32' };
}

/** Builds, reads back and converts a model: the graph the rule tables see. */
export function graphOf(spec: TfliteModelSpec): ModelGraph {
  return modelGraphFromTflite(readTflite(buildTflite(spec)));
}

/**
 * A one-op model: `tensors` lists every tensor; the op's non-constant inputs are the model
 * inputs and its outputs the model outputs.
 */
export function oneOp(op: TfliteOperatorSpec, tensors: TfliteTensorSpec[]): ModelGraph {
  const constant = new Set(tensors.filter((t) => t.data !== undefined).map((t) => t.name));
  return graphOf({
    tensors,
    operators: [op],
    inputs: op.inputs.filter((n): n is string => n !== null && !constant.has(n)),
    outputs: op.outputs,
  });
}

/** One failure of a rule table on a graph, as the checker in @edge/runtime would find it. */
export interface Failure {
  op?: number;
  opType?: string;
  rule: string;
  reason: string;
  fix?: string;
  effect: string;
  source: string;
}

/**
 * Evaluates a rule table on a graph with the semantics of RuleTable (domains, first matching
 * rule, version ranges, conditions, graph rules). The real checker lives in @edge/runtime, which
 * depends on this package, so the tables are tested here on their own.
 */
export function evaluate(table: RuleTable, graph: ModelGraph): Failure[] {
  const out: Failure[] = [];
  for (const rule of table.graph) {
    if (!inVersionRange(table.version, rule)) continue;
    for (const f of rule.check(graph)) {
      out.push({
        rule: rule.id,
        reason: f.message,
        effect: rule.effect,
        source: rule.source.document,
        ...(rule.fix ? { fix: rule.fix } : {}),
        ...(f.ops?.length === 1 ? { op: f.ops[0]! } : {}),
      });
    }
  }
  for (const op of graph.ops) {
    const at = { op: op.index, opType: op.opType };
    if (!table.domains.includes(op.domain)) {
      out.push({
        ...at,
        rule: 'domain',
        reason: `domain ${op.domain}`,
        effect: 'op',
        source: table.source.document,
      });
      continue;
    }
    const rule = findOpRule(table, op.opType, op.domain);
    if (rule === undefined) {
      if (table.unlisted === 'unsupported') {
        out.push({
          ...at,
          rule: 'unlisted',
          reason: `${op.opType} is not listed`,
          effect: 'op',
          source: table.source.document,
        });
      }
      continue;
    }
    if (rule.support === 'unsupported') {
      out.push({
        ...at,
        rule: 'unsupported',
        reason: rule.reason ?? '',
        effect: 'op',
        source: rule.source.document,
        ...(rule.fix ? { fix: rule.fix } : {}),
      });
      continue;
    }
    for (const c of rule.conditions ?? []) {
      if (!inVersionRange(table.version, c)) continue;
      const r = c.test(op, graph);
      if (r === true) continue;
      const fix = c.fix ?? rule.fix;
      out.push({
        ...at,
        rule: c.description,
        reason: typeof r === 'string' ? `${c.reason ?? c.description}: ${r}` : (c.reason ?? c.description),
        effect: 'op',
        source: (c.source ?? rule.source).document,
        ...(fix ? { fix } : {}),
      });
    }
  }
  return out;
}
