// The TensorRT ONNX parser, one table per release, built from that release's docs/operators.md
// (data/onnx-tensorrt/<version>.json): every row is a rule citing its line, every restriction a
// condition (restrictions.ts), the opset range is the document's sentence. An op the document does not
// list is unsupported.

import type {
  GraphRule,
  ModelGraph,
  OpCondition,
  OpRule,
  RuleSource,
  RuleTable,
  RuleTableAlias,
} from '@edge/core';
import {
  documentSource,
  OPERATOR_DOCUMENTS,
  type OperatorDocument,
  type OperatorRow,
} from './operator-documents.js';
import { rowConditions } from './restrictions.js';

/** Ops a later release marks Y: where an N row can point the user. */
function firstSupported(op: string, after: string): string | undefined {
  const later = OPERATOR_DOCUMENTS.filter((d) => compare(d.tensorrt, after) > 0);
  return later.find((d) => d.operators.some((r) => r.op === op && r.supported))?.tensorrt;
}

function compare(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function mark(source: RuleSource, derived?: Derivation): RuleSource {
  return derived ? { ...source, unverified: true, note: derived.note } : source;
}

/**
 * Rows a document lists twice with different Y/N, settled by the importer of the same commit:
 * 8.4-GA lists HardSwish as N (line 77) and Y (line 79); builtin_op_importers.cpp has its importer.
 */
const DUPLICATES: Readonly<
  Record<string, Readonly<Record<string, { keep: boolean; importerLine: number }>>>
> = {
  '8.4': { HardSwish: { keep: true, importerLine: 4868 } },
};

/** The rows of a document, one per op: a duplicated op keeps the row the importer confirms. */
function uniqueRows(doc: OperatorDocument): { row: OperatorRow; importerLine?: number }[] {
  const out: { row: OperatorRow; importerLine?: number }[] = [];
  for (const row of doc.operators) {
    const all = doc.operators.filter((r) => r.op === row.op);
    if (all.length === 1) {
      out.push({ row });
      continue;
    }
    const settled = DUPLICATES[doc.tensorrt]?.[row.op];
    if (!settled)
      throw new Error(
        `TensorRT ${doc.tensorrt} lists ${row.op} ${all.length} times; settle it in DUPLICATES`,
      );
    if (row.supported === settled.keep && !out.some((o) => o.row.op === row.op))
      out.push({ row, importerLine: settled.importerLine });
  }
  return out;
}

function opRules(doc: OperatorDocument, derived?: Derivation): OpRule[] {
  return uniqueRows(doc).map(({ row, importerLine }): OpRule => {
    const rowSource = mark(documentSource(doc, row.line), derived);
    const source: RuleSource = importerLine
      ? {
          ...rowSource,
          note: `the document also lists ${row.op} as ${row.supported ? 'N' : 'Y'}; builtin_op_importers.cpp line ${importerLine} at the same commit has its importer (${doc.source.url.replace(doc.source.path, 'builtin_op_importers.cpp')}#L${importerLine})`,
        }
      : rowSource;
    if (!row.supported) {
      const later = firstSupported(row.op, doc.tensorrt);
      return {
        op: row.op,
        support: 'unsupported',
        reason: `${row.op} is marked N in the TensorRT ${doc.tensorrt} operator list${row.restrictions ? ` (${row.restrictions})` : ''}`,
        ...(later ? { fix: `target TensorRT ${later} or later, whose list marks it Y` } : {}),
        source,
      };
    }
    const { conditions, unhandled } = rowConditions({ doc, row, source });
    const extra: OpCondition[] = unhandled.map((clause) => ({
      description: `${clause} (a restriction this checker does not evaluate)`,
      effect: 'note',
      test: () => 'not checked',
      source: { ...source, unverified: true },
    }));
    if (row.experimental) {
      extra.push({
        description: 'the operator list marks this op EXPERIMENTAL',
        effect: 'note',
        test: () => 'experimental',
        source,
      });
    }
    return {
      op: row.op,
      support: 'supported',
      conditions: [...conditions, ...extra],
      source,
    };
  });
}

function opsetRule(doc: OperatorDocument, derived?: Derivation): GraphRule {
  const { min, max, line, text } = doc.opset;
  const source = mark(documentSource(doc, line), derived);
  return {
    id: 'opset-range',
    description:
      min === null
        ? `the model's default-domain opset is at most ${max} ("${text}")`
        : `the model's default-domain opset is between ${min} and ${max}`,
    effect: 'incompatible',
    check: (g: ModelGraph) => {
      const v = g.opsets[''];
      return v !== undefined && (v > max || (min !== null && v < min))
        ? [{ message: `the model imports opset ${v}` }]
        : [];
    },
    fix: `convert the model to an opset ${min === null ? `up to ${max}` : `in ${min}..${max}`} (onnx.version_converter, or re-export)`,
    source,
  };
}

/** Before 9.0 the parser casts INT64 down to INT32 (the document's note says so). */
function int64Rule(doc: OperatorDocument, derived?: Derivation): GraphRule | undefined {
  const n = doc.notes.find((x) => /cast down INT64 to INT32/i.test(x.text));
  if (!n) return undefined;
  return {
    id: 'int64-cast-down',
    description: 'INT64 tensors are cast down to INT32 (values beyond INT32 are clamped or refused)',
    effect: 'note',
    check: (g: ModelGraph) => {
      const ops = g.ops.filter((op) => [...op.inputs, ...op.outputs].some((t) => t?.dtype === 'int64'));
      return ops.length
        ? [{ message: `${ops.length} op(s) read or write INT64 tensors`, ops: ops.map((o) => o.index) }]
        : [];
    },
    fix: 'keep index and shape values within INT32',
    source: mark(documentSource(doc, n.line), derived),
  };
}

const DYNAMIC_SHAPES_GUIDE: RuleSource = {
  document: 'NVIDIA TensorRT documentation: Working with Dynamic Shapes',
  version: 'TensorRT 8.x-10.x',
  url: 'https://docs.nvidia.com/deeplearning/tensorrt/latest/inference-library/work-dynamic-shapes.html',
};

const DYNAMIC_DIMS: GraphRule = {
  id: 'dynamic-dims',
  description: 'every dynamic input dimension needs an optimization profile (min/opt/max) at build time',
  effect: 'note',
  check: (g: ModelGraph) => {
    const dynamic = g.inputs.filter((t) => !t.shape || t.shape.some((d) => typeof d !== 'number'));
    return dynamic.length
      ? [
          {
            message: `dynamic inputs ${dynamic.map((t) => `'${t.name}' [${(t.shape ?? ['?']).map((d) => d ?? '?').join(',')}]`).join(', ')}: build with an optimization profile per input`,
          },
        ]
      : [];
  },
  fix: 'fix the shapes (edge convert --batch 1 --input-shape ...) or pass min/opt/max shapes when building',
  source: DYNAMIC_SHAPES_GUIDE,
};

/** How a table for a release without its own document is made from a neighbour's. */
interface Derivation {
  readonly version: string;
  readonly from: string;
  /** Rows changed by the release's changelog. */
  readonly edits: (rules: OpRule[]) => OpRule[];
  readonly note: string;
}

/** Builds the table of one release from its document (or, `derived`, a neighbour's). */
function tensorrtTable(doc: OperatorDocument, derived?: Derivation): RuleTable {
  const version = derived?.version ?? doc.tensorrt;
  const rules = opRules(doc, derived);
  const int64 = int64Rule(doc, derived);
  return {
    id: `trt-${version}`,
    name: `TensorRT ${version}`,
    family: 'tensorrt',
    version,
    kind: 'engine',
    formats: ['onnx'],
    domains: [''],
    unlisted: 'unsupported',
    ops: derived ? derived.edits(rules) : rules,
    graph: [opsetRule(doc, derived), ...(int64 ? [int64] : []), DYNAMIC_DIMS],
    source: mark(documentSource(doc), derived),
  };
}

const CHANGELOG = {
  repository: 'onnx/onnx-tensorrt',
  path: 'docs/Changelog.md',
  commit: '0137504e2b25fe5253bd85d26b073378fb67805b',
};

/**
 * TensorRT 10.3 (JetPack 6.1 and 6.2) has no operators.md that could be read here: its table is
 * 10.1-GA's with the 10.2 and 10.3 changelog entries applied, and every rule is marked unverified.
 */
const TRT_10_3: Derivation = {
  version: '10.3',
  from: '10.1',
  note:
    "no docs/operators.md of TensorRT 10.3 could be read: the 10.1-GA document is applied with docs/Changelog.md's " +
    '10.2 and 10.3 entries (10.3: tensor axes for Slice)',
  edits: (rules) =>
    rules.map((r) =>
      r.op === 'Slice'
        ? {
            ...r,
            conditions: (r.conditions ?? []).filter((c) => !/axes/.test(c.description)),
            source: {
              ...r.source,
              document:
                'onnx-tensorrt docs/Changelog.md ("Added support for tensor `axes` inputs for `Slice` nodes")',
              version: 'TensorRT 10.3 GA',
              ...CHANGELOG,
              row: 31,
              url: `https://github.com/onnx/onnx-tensorrt/blob/${CHANGELOG.commit}/docs/Changelog.md#L31`,
            },
          }
        : r,
    ),
};

function docFor(version: string): OperatorDocument {
  const d = OPERATOR_DOCUMENTS.find((x) => x.tensorrt === version);
  if (!d) throw new Error(`no operator document for TensorRT ${version}`);
  return d;
}

/** One table per TensorRT release with a document (7.0 to 11.1), plus 10.3 derived from 10.1. */
export const TENSORRT_RULES: readonly RuleTable[] = [
  ...OPERATOR_DOCUMENTS.map((d) => tensorrtTable(d)),
  tensorrtTable(docFor(TRT_10_3.from), TRT_10_3),
].sort((a, b) => compare(a.version, b.version));

/** The TensorRT table of a release (`8.6`), or undefined. */
export function tensorrtRules(version: string): RuleTable | undefined {
  return TENSORRT_RULES.find((t) => t.version === version);
}

const ALIAS_SOURCE: RuleSource = {
  document: 'edge: a major-version target is the newest minor release with an operator document',
  version: 'this package',
};

/** `trt-7` ... `trt-11`: the newest minor release of each major with a document. */
export const TENSORRT_ALIASES: readonly RuleTableAlias[] = [
  ...new Set(OPERATOR_DOCUMENTS.map((d) => d.tensorrt.split('.')[0]!)),
].map((major) => {
  const newest = OPERATOR_DOCUMENTS.filter((d) => d.tensorrt.split('.')[0] === major).at(-1)!;
  return {
    id: `trt-${major}`,
    name: `TensorRT ${major} (newest with a document: ${newest.tensorrt})`,
    targets: [`trt-${newest.tensorrt}`],
    source: { ...ALIAS_SOURCE, note: `${newest.source.url}` },
  };
});
