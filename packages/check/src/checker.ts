// The deployability checker: a neutral graph against rule tables. Pure TypeScript over data, so it
// runs on any machine, with or without the hardware.

import {
  ArgumentError,
  findOpRule,
  inVersionRange,
  type ModelGraph,
  type ModelOp,
  type RuleTable,
} from '@edge/core';
import {
  CHECK_REPORT_SCHEMA_VERSION,
  type CheckIssue,
  type CheckReport,
  type FallbackSummary,
  type IssueLevel,
  type TargetReport,
  type Verdict,
  worstVerdict,
} from './report.js';

/** Options of {@link checkGraph}. */
export interface CheckOptions {
  /**
   * Every table known (the fallback engines of accelerators are looked up here by id, and an op
   * no table of the model's format accepts counts as undeployable). Defaults to `targets`.
   */
  known?: readonly RuleTable[];
  /** Name to put in the report; defaults to the graph's name. */
  model?: string;
}

interface OpFailure {
  rule: string;
  reason: string;
  fix?: string;
  source: CheckIssue['source'];
  /** From a condition with effect 'note': reported, but the op still runs. */
  note?: boolean;
}

/** Why `table` rejects `op`, or an empty list when it accepts it. */
function opFailures(table: RuleTable, op: ModelOp, graph: ModelGraph): OpFailure[] {
  if (!table.domains.includes(op.domain)) {
    return [
      {
        rule: `ops of domain '${op.domain}' need a plugin`,
        reason: `${op.opType} is in domain '${op.domain}', which ${table.name} does not implement (custom op)`,
        fix: `implement ${op.opType} as a plugin/custom op for ${table.name}, or re-export the model with standard ops`,
        source: table.source,
      },
    ];
  }
  const rule = findOpRule(table, op.opType, op.domain);
  if (!rule) {
    if (table.unlisted === 'supported') return [];
    return [
      {
        rule: `${op.opType} must be in the ${table.name} operator list`,
        reason: 'it is not',
        fix: `replace ${op.opType} with supported ops, or run this part of the model elsewhere`,
        source: table.source,
      },
    ];
  }
  if (rule.support === 'unsupported') {
    return [
      {
        rule: `${op.opType}: not supported on ${table.name}`,
        reason: rule.reason ?? `${op.opType} is not supported by ${table.name}`,
        ...(rule.fix ? { fix: rule.fix } : {}),
        source: rule.source,
      },
    ];
  }
  const out: OpFailure[] = [];
  for (const c of rule.conditions ?? []) {
    if (!inVersionRange(table.version, c)) continue;
    let result: boolean | string;
    try {
      result = c.test(op, graph);
    } catch (e) {
      result = `could not be evaluated (${(e as Error).message})`;
    }
    if (result === true) continue;
    const detail = typeof result === 'string' ? result : 'not met';
    const fix = c.fix ?? rule.fix;
    out.push({
      rule: `${op.opType}: ${c.description}`,
      reason: c.reason ? `${c.reason} (${detail})` : detail,
      ...(fix ? { fix } : {}),
      source: c.source ?? rule.source,
      ...(c.effect === 'note' ? { note: true } : {}),
    });
  }
  return out;
}

/** True when some table of the graph's format lists the op type as supported (conditions aside). */
function someEngineHas(known: readonly RuleTable[], op: ModelOp, format: ModelGraph['format']): boolean {
  return known.some((t) => {
    if (!t.formats.includes(format) || !t.domains.includes(op.domain)) return false;
    // Only an explicit rule vouches for an op: a table that accepts unlisted ops says nothing of an unknown one.
    return findOpRule(t, op.opType, op.domain)?.support === 'supported';
  });
}

function issue(level: IssueLevel, op: ModelOp, table: string, f: OpFailure): CheckIssue {
  return {
    level,
    op: op.index,
    node: op.name,
    opType: op.opType,
    domain: op.domain,
    rule: f.rule,
    reason: f.reason,
    ...(f.fix ? { fix: f.fix } : {}),
    table,
    source: f.source,
  };
}

const LEVEL_VERDICT: Record<Exclude<IssueLevel, 'note'>, Verdict> = {
  undeployable: 'undeployable',
  incompatible: 'incompatible',
  fallback: 'fallback',
};

function checkTarget(
  graph: ModelGraph,
  table: RuleTable,
  known: readonly RuleTable[],
  seen: Set<string> = new Set(),
): TargetReport {
  const accelerator = table.kind === 'accelerator';
  const graphIssues: CheckIssue[] = [];
  const opIssues: CheckIssue[] = [];
  const onFallback = new Set<number>();
  let cut = Number.POSITIVE_INFINITY;

  if (!table.formats.includes(graph.format)) {
    const issueAll: CheckIssue = {
      level: 'incompatible',
      rule: `the model is in a format ${table.name} reads (${table.formats.join(', ')})`,
      reason: `${table.name} does not read ${graph.format} models`,
      fix: graph.format === 'tflite' ? 'export the model to ONNX' : 'convert the model to TFLite',
      table: table.id,
      source: table.source,
    };
    // A model the target cannot read never reaches the accelerator: no fallback figures.
    return finish(graph, table, [issueAll], [], onFallback, false);
  }

  for (const rule of table.graph) {
    if (!inVersionRange(table.version, rule)) continue;
    for (const f of rule.check(graph)) {
      const level: IssueLevel = rule.effect;
      if (rule.effect === 'fallback') {
        if (f.ops) for (const k of f.ops) onFallback.add(k);
        else for (const op of graph.ops) onFallback.add(op.index);
      }
      graphIssues.push({
        level,
        ...(f.ops?.length === 1 ? opFields(graph.ops[f.ops[0]!]) : {}),
        rule: rule.description,
        reason: f.message,
        ...(rule.fix ? { fix: rule.fix } : {}),
        table: table.id,
        source: rule.source,
      });
    }
  }

  for (const op of graph.ops) {
    const all = opFailures(table, op, graph);
    for (const f of all) if (f.note) opIssues.push(issue('note', op, table.id, f));
    const failures = all.filter((f) => !f.note);
    if (failures.length === 0) continue;
    const noEngine = !someEngineHas(known, op, graph.format);
    const level: IssueLevel = noEngine ? 'undeployable' : accelerator ? 'fallback' : 'incompatible';
    for (const f of failures) opIssues.push(issue(level, op, table.id, f));
    if (accelerator) {
      onFallback.add(op.index);
      if (table.fallback?.mode === 'rest-of-graph') cut = Math.min(cut, op.index);
    }
  }
  if (accelerator && Number.isFinite(cut))
    for (const op of graph.ops) if (op.index > cut) onFallback.add(op.index);

  // What falls back must run on the fallback engine.
  const fallbackTable = table.fallback?.target
    ? known.find((t) => t.id === table.fallback!.target)
    : undefined;
  if (accelerator && fallbackTable && onFallback.size && !seen.has(fallbackTable.id)) {
    seen.add(table.id);
    const reported = new Set(opIssues.filter((i) => i.level === 'undeployable').map((i) => i.op));
    for (const op of graph.ops) {
      if (!onFallback.has(op.index) || reported.has(op.index)) continue;
      const noEngine = !someEngineHas(known, op, graph.format);
      for (const f of opFailures(fallbackTable, op, graph).filter((x) => !x.note)) {
        opIssues.push(issue(noEngine ? 'undeployable' : 'incompatible', op, fallbackTable.id, f));
      }
    }
  }
  return finish(graph, table, graphIssues, opIssues, onFallback);
}

function opFields(op: ModelOp | undefined): Partial<CheckIssue> {
  return op ? { op: op.index, node: op.name, opType: op.opType, domain: op.domain } : {};
}

function transitionsOf(graph: ModelGraph, onFallback: ReadonlySet<number>): number {
  const producer = new Map<string, number>();
  for (const op of graph.ops) for (const t of op.outputs) producer.set(t.name, op.index);
  const crossing = new Set<string>();
  for (const op of graph.ops) {
    if (!onFallback.has(op.index)) continue;
    for (const t of op.inputs) {
      if (!t || t.constant) continue;
      const p = producer.get(t.name);
      if (p !== undefined && !onFallback.has(p)) crossing.add(t.name);
    }
  }
  return crossing.size;
}

function finish(
  graph: ModelGraph,
  table: RuleTable,
  graphIssues: CheckIssue[],
  opIssues: CheckIssue[],
  onFallback: ReadonlySet<number>,
  withFallback = true,
): TargetReport {
  const issues = [...graphIssues, ...opIssues.sort((a, b) => (a.op ?? -1) - (b.op ?? -1))];
  let verdict: Verdict = 'deployable';
  for (const i of issues) if (i.level !== 'note') verdict = worstVerdict(verdict, LEVEL_VERDICT[i.level]);
  let fallback: FallbackSummary | undefined;
  if (withFallback && table.kind === 'accelerator' && table.fallback) {
    fallback = {
      device: table.fallback.device,
      mode: table.fallback.mode,
      layers: onFallback.size,
      transitions: transitionsOf(graph, onFallback),
      acceleratorLayers: graph.ops.length - onFallback.size,
    };
  }
  return {
    target: table.id,
    name: table.name,
    kind: table.kind,
    verdict,
    ...(table.source.unverified || issues.some((i) => i.level !== 'note' && i.source.unverified)
      ? { unverified: true }
      : {}),
    summary: summarize(table, verdict, issues, fallback, graph.ops.length),
    ops: graph.ops.length,
    ...(fallback ? { fallback } : {}),
    issues,
  };
}

function summarize(
  table: RuleTable,
  verdict: Verdict,
  issues: readonly CheckIssue[],
  fallback: FallbackSummary | undefined,
  ops: number,
): string {
  const count = (level: IssueLevel) =>
    new Set(issues.filter((i) => i.level === level).map((i) => i.op ?? -1)).size;
  switch (verdict) {
    case 'deployable':
      return `runs fully on ${table.name} (${ops} ops)`;
    case 'fallback':
      return `runs with fallback: ${fallback?.layers ?? 0} of ${ops} ops on the ${fallback?.device ?? 'fallback device'}, ${fallback?.transitions ?? 0} transitions`;
    case 'incompatible':
      return `incompatible with ${table.name}: ${count('incompatible')} op(s) or graph rule(s) fail`;
    case 'undeployable': {
      const types = [
        ...new Set(issues.filter((i) => i.level === 'undeployable').map((i) => i.opType ?? i.rule)),
      ];
      return `undeployable: ${types.join(', ')} ${types.length === 1 ? 'has' : 'have'} no implementation in any known engine`;
    }
  }
}

/**
 * Checks a neutral graph against each target table.
 *
 * @throws ArgumentError when `targets` is empty or an accelerator table has no fallback.
 */
export function checkGraph(
  graph: ModelGraph,
  targets: readonly RuleTable[],
  options: CheckOptions = {},
): CheckReport {
  if (!Array.isArray(targets) || targets.length === 0) {
    throw new ArgumentError('Expected a non-empty array of rule tables for targets');
  }
  const known = options.known ?? targets;
  const reports = targets.map((t) => {
    if (t.kind === 'accelerator' && !t.fallback) {
      throw new ArgumentError(`rule table '${t.id}' is an accelerator but names no fallback`);
    }
    return checkTarget(graph, t, known.includes(t) ? known : [...known, t]);
  });
  let verdict: Verdict = 'deployable';
  for (const r of reports) verdict = worstVerdict(verdict, r.verdict);
  return {
    schemaVersion: CHECK_REPORT_SCHEMA_VERSION,
    model: options.model ?? graph.name,
    format: graph.format,
    ops: graph.ops.length,
    targets: reports,
    verdict,
  };
}
