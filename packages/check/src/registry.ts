// The target registry: every rule table available here. Each backend package (one per name in
// core's BACKEND_NAMES) states its tables as an explicit `ruleTables` list; this package adds the
// tables of no backend (OpenVINO). A backend package that is not installed contributes nothing,
// and an unknown target's error names it.

import { ArgumentError, BACKEND_NAMES, backendPackage, type RuleTable } from '@edge/core';
import { importOptional } from './optional-import.js';
import { OPENVINO_CPU_RULES } from './rules/openvino/cpu.js';
import { MYRIAD_RULES } from './rules/openvino/myriad.js';

/** The tables this package holds: targets no backend package covers. */
const OWN_TABLES: readonly RuleTable[] = Object.freeze([OPENVINO_CPU_RULES, MYRIAD_RULES]);

/** @internal The tables found, and for each package that gave none, why. */
export interface TableRegistry {
  readonly tables: readonly RuleTable[];
  readonly absent: readonly string[];
}

function isRuleTable(v: unknown): v is RuleTable {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as Partial<RuleTable>;
  return (
    typeof t.id === 'string' && Array.isArray(t.ops) && Array.isArray(t.graph) && typeof t.kind === 'string'
  );
}

/**
 * @internal Reads the `ruleTables` list of each package, in order, then appends `own`; the first
 * table of an id wins. `packages` are specifiers so that tests can name one that does not exist.
 */
export async function collectRuleTables(
  packages: readonly string[],
  own: readonly RuleTable[],
): Promise<TableRegistry> {
  const byId = new Map<string, RuleTable>();
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
  }
  own.forEach(add);
  return { tables: [...byId.values()], absent };
}

let cached: Promise<TableRegistry> | undefined;

function registry(): Promise<TableRegistry> {
  cached ??= collectRuleTables(BACKEND_NAMES.map(backendPackage), OWN_TABLES);
  return cached;
}

/**
 * Every rule table available here: those of the installed backend packages (in core's
 * `BACKEND_NAMES` order, each package's tables in its own order, engines before the accelerators
 * that fall back to them), then the OpenVINO tables this package holds. Ids are unique.
 */
export async function loadRuleTables(): Promise<RuleTable[]> {
  return [...(await registry()).tables];
}

/**
 * @internal The tables for target ids, in the order given, from `registry`.
 *
 * @throws ArgumentError as {@link resolveTargets}.
 */
export function pickTargets(ids: readonly string[], { tables, absent }: TableRegistry): RuleTable[] {
  const known = `known targets: ${tables.map((t) => t.id).join(', ')}`;
  if (!Array.isArray(ids) || ids.length === 0) {
    throw new ArgumentError(`Expected at least one target; ${known}`);
  }
  return ids.map((id) => {
    const t = tables.find((x) => x.id === id);
    if (t) return t;
    const missing = absent.length ? `; not available here: ${absent.join('; ')}` : '';
    throw new ArgumentError(`unknown target '${id}'; ${known}${missing}`);
  });
}

/**
 * The tables for target ids (`trt-8.6`, `dla-orin`...), in the order given.
 *
 * @throws ArgumentError for an empty list or an unknown id; the message lists the known targets
 *   and the backend packages whose tables are not available here (not installed, or broken).
 */
export async function resolveTargets(ids: readonly string[]): Promise<RuleTable[]> {
  return pickTargets(ids, await registry());
}
