// The target registry: every rule table available here. Each backend package (one per name in
// core's BACKEND_NAMES) states its tables as an explicit `ruleTables` list, and may name aliases
// for them (`trt-8`, `jetpack-6.0`) in a `ruleTableAliases` list; this package adds the tables of
// no backend (OpenVINO). A backend package that is not installed contributes nothing, and an
// unknown target's error names it.

import {
  ArgumentError,
  BACKEND_NAMES,
  backendPackage,
  type RuleTable,
  type RuleTableAlias,
} from '@edge/core';
import { importOptional } from './optional-import.js';
import { OPENVINO_CPU_RULES } from './rules/openvino/cpu.js';
import { MYRIAD_RULES } from './rules/openvino/myriad.js';

/** The tables this package holds: targets no backend package covers. */
const OWN_TABLES: readonly RuleTable[] = Object.freeze([OPENVINO_CPU_RULES, MYRIAD_RULES]);

/** Families in listing order: engines before the accelerators that fall back to them. */
const FAMILY_ORDER: readonly string[] = ['tensorrt', 'dla', 'tflite', 'edgetpu', 'openvino', 'onnxruntime'];

// A stable sort: within a family, the package's own order (its versions ascending) stays.
function byFamily(a: RuleTable, b: RuleTable): number {
  const rank = (f: string) => (FAMILY_ORDER.includes(f) ? FAMILY_ORDER.indexOf(f) : FAMILY_ORDER.length);
  return rank(a.family) - rank(b.family) || a.family.localeCompare(b.family);
}

/** @internal The tables found, and for each package that gave none, why. */
export interface TableRegistry {
  readonly tables: readonly RuleTable[];
  /** Aliases whose every target is a table here. */
  readonly aliases: readonly RuleTableAlias[];
  readonly absent: readonly string[];
}

function isRuleTable(v: unknown): v is RuleTable {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as Partial<RuleTable>;
  return (
    typeof t.id === 'string' && Array.isArray(t.ops) && Array.isArray(t.graph) && typeof t.kind === 'string'
  );
}

function isAlias(v: unknown): v is RuleTableAlias {
  if (typeof v !== 'object' || v === null) return false;
  const a = v as Partial<RuleTableAlias>;
  return typeof a.id === 'string' && Array.isArray(a.targets) && typeof a.source === 'object';
}

/**
 * @internal Reads the `ruleTables` (and `ruleTableAliases`) list of each package, in order, then
 * appends `own`; the first table of an id wins. Tables are listed by family (engines before the
 * accelerators that fall back to them), each family in its package's order. `packages` are specifiers so that tests can name one that does not exist.
 */
export async function collectRuleTables(
  packages: readonly string[],
  own: readonly RuleTable[],
): Promise<TableRegistry> {
  const byId = new Map<string, RuleTable>();
  const aliases = new Map<string, RuleTableAlias>();
  const absent: string[] = [];
  const add = (t: RuleTable) => {
    if (!byId.has(t.id)) byId.set(t.id, t);
  };
  for (const specifier of packages) {
    const found = await importOptional(specifier);
    if ('absent' in found) {
      absent.push(found.absent);
      continue;
    }
    const list = found.module.ruleTables;
    if (!Array.isArray(list) || !list.every(isRuleTable)) {
      absent.push(`${specifier} exports no ruleTables list (a version older than this checker?)`);
      continue;
    }
    list.forEach(add);
    const named = found.module.ruleTableAliases;
    if (Array.isArray(named))
      for (const a of named) if (isAlias(a) && !aliases.has(a.id)) aliases.set(a.id, a);
  }
  own.forEach(add);
  // An alias of a table that is not here (or a clash with a table id) would resolve to nothing.
  const usable = [...aliases.values()].filter((a) => !byId.has(a.id) && a.targets.every((t) => byId.has(t)));
  return { tables: [...byId.values()].sort(byFamily), aliases: usable, absent };
}

let cached: Promise<TableRegistry> | undefined;

function registry(): Promise<TableRegistry> {
  cached ??= collectRuleTables(BACKEND_NAMES.map(backendPackage), OWN_TABLES);
  return cached;
}

/**
 * Every rule table available here: those of the installed backend packages and the OpenVINO tables
 * this package holds, by family (TensorRT, DLA, TFLite, Edge TPU, OpenVINO, onnxruntime: engines
 * before the accelerators that fall back to them), each family in its package's order (versions
 * ascending). Ids are unique.
 */
export async function loadRuleTables(): Promise<RuleTable[]> {
  return [...(await registry()).tables];
}

/**
 * The aliases available here (`trt-8`, `dla-orin`, `jetpack-6.0`...), each standing for tables that
 * {@link loadRuleTables} lists.
 */
export async function loadTargetAliases(): Promise<RuleTableAlias[]> {
  return [...(await registry()).aliases];
}

/**
 * @internal The tables for target ids and aliases, in the order given, each table once, from `registry`.
 *
 * @throws ArgumentError as {@link resolveTargets}.
 */
export function pickTargets(ids: readonly string[], { tables, aliases, absent }: TableRegistry): RuleTable[] {
  const known = `known targets: ${[...tables, ...aliases].map((t) => t.id).join(', ')}`;
  if (!Array.isArray(ids) || ids.length === 0) {
    throw new ArgumentError(`Expected at least one target; ${known}`);
  }
  const out: RuleTable[] = [];
  const push = (t: RuleTable) => {
    if (!out.includes(t)) out.push(t);
  };
  for (const id of ids) {
    const t = tables.find((x) => x.id === id);
    const alias = t ? undefined : aliases.find((a) => a.id === id);
    if (t) push(t);
    else if (alias) for (const x of alias.targets) push(tables.find((y) => y.id === x)!);
    else {
      const missing = absent.length ? `; not available here: ${absent.join('; ')}` : '';
      throw new ArgumentError(`unknown target '${id}'; ${known}${missing}`);
    }
  }
  return out;
}

/**
 * The tables for target ids (`trt-8.6`, `dla-orin-8.6`...) and aliases (`trt-8`, `jetpack-6.0`,
 * which expand to the tables they stand for), in the order given, each table once.
 *
 * @throws ArgumentError for an empty list or an unknown id; the message lists the known targets
 *   and the backend packages whose tables are not available here (not installed, or broken).
 */
export async function resolveTargets(ids: readonly string[]): Promise<RuleTable[]> {
  return pickTargets(ids, await registry());
}
