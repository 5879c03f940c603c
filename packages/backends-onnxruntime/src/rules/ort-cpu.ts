// ONNX Runtime, CPU execution provider, with the installed onnxruntime-node as its own source:
// data/ort-cpu.json holds what InferenceSession.create did with one-node models of every ONNX node
// test and of the later and contrib ops (scripts/measure-ort-cpu.mjs; test/ort-table.test.ts measures
// again and fails on drift). An op is supported when one of its models loads, unsupported when its
// models fail for want of a kernel or schema; the failures of some types or attribute values of an op
// that otherwise loads are its conditions. What no model settles keeps the ONNX schema's verdict and
// is marked unverified.

import type { GraphRule, ModelGraph, ModelOp, OpCondition, OpRule, RuleSource, RuleTable } from '@edge/core';
import { ONNX_OPERATORS } from '@edge/onnx-parse';
import measured from '../../data/ort-cpu.json' with { type: 'json' };

/** One model loaded into the runtime. */
export interface OrtCase {
  /** `node/test_abs` (libonnx-testdata) or `generic/<domain>/<op>`. */
  readonly case: string;
  readonly op: string;
  readonly domain: string;
  readonly opset: number;
  /** ONNX TensorProto element types of the graph inputs. */
  readonly inputTypes: readonly number[];
  readonly loads: boolean;
  /** Why it did not load: no-kernel, unknown-op, unsupported-attribute, unsupported-type settle a verdict. */
  readonly kind?: string;
  readonly error?: string;
}

/** The measurement the table is generated from. */
export const ORT_CPU_MEASUREMENT: { readonly onnxruntime: string; readonly cases: readonly OrtCase[] } =
  measured;

const SETTLED = ['no-kernel', 'unknown-op', 'unsupported-attribute', 'unsupported-type'];

const SPEC: RuleSource = {
  document: 'ONNX Operators.md (operator schemas, default domain)',
  version: 'onnx 1.12 (opsets 1-17); later opsets from the ONNX changelog',
  url: 'https://github.com/onnx/onnx/blob/main/docs/Operators.md',
};

function runtime(cases: readonly OrtCase[]): RuleSource {
  const shown = cases.slice(0, 3).map((c) => `${c.case} (opset ${c.opset})${c.loads ? '' : `: ${c.error}`}`);
  return {
    document: `onnxruntime-node ${measured.onnxruntime}, CPU provider: InferenceSession.create on one-node models (scripts/measure-ort-cpu.mjs)`,
    version: `onnxruntime-node ${measured.onnxruntime}`,
    path: 'packages/backends-onnxruntime/data/ort-cpu.json',
    note: `${shown.join('; ')}${cases.length > 3 ? `; ${cases.length - 3} more` : ''}`,
  };
}

const TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  16: 'bfloat16',
};

/** Input types that only ever fail: each becomes a condition on that input. */
function typeConditions(loaded: readonly OrtCase[], failed: readonly OrtCase[]): OpCondition[] {
  const out: OpCondition[] = [];
  const width = Math.max(0, ...failed.map((c) => c.inputTypes.length));
  for (let i = 0; i < width; i++) {
    const ok = new Set(loaded.map((c) => c.inputTypes[i]));
    const bad = [...new Set(failed.map((c) => c.inputTypes[i]))].filter(
      (t): t is number => t !== undefined && !ok.has(t),
    );
    if (!bad.length) continue;
    const names = bad.map((t) => TYPE_NAMES[t] ?? `type ${t}`);
    const cases = failed.filter((c) => bad.includes(c.inputTypes[i]!));
    out.push({
      description: `input ${i} is not ${names.join(' or ')} (no CPU kernel)`,
      test: (op: ModelOp) => {
        const t = op.inputs[i]?.dtype;
        return !t || !names.includes(t) || `input ${i} is ${t}`;
      },
      source: runtime(cases),
    });
  }
  return out;
}

/** `layout_ == 0 was false ... (layout == 1) are not supported`: the attribute must keep its value. */
function attributeConditions(failed: readonly OrtCase[]): OpCondition[] {
  const out: OpCondition[] = [];
  for (const c of failed) {
    const m = /(\w+)_ == (\d+) was false/.exec(c.error ?? '');
    if (!m || out.some((x) => x.description.startsWith(`${m[1]} is`))) continue;
    const [, name, value] = m;
    out.push({
      description: `${name} is ${value}`,
      test: (op: ModelOp) =>
        (op.attributes[name!] ?? 0) === Number(value) || `${name} is ${String(op.attributes[name!])}`,
      fix: `export with ${name}=${value}`,
      source: runtime([c]),
    });
  }
  return out;
}

/** bfloat16 anywhere: the build has no kernel for the type at all. */
function elementTypeConditions(failed: readonly OrtCase[]): OpCondition[] {
  const bad = failed.filter((c) => c.kind === 'unsupported-type');
  if (!bad.length) return [];
  const codes = [...new Set(bad.map((c) => Number(/data type: (\d+)/.exec(c.error ?? '')?.[1])))];
  const names = codes.map((t) => TYPE_NAMES[t] ?? `type ${t}`);
  return [
    {
      description: `no ${names.join(' or ')} tensors (no CPU kernel for the type)`,
      test: (op: ModelOp) => {
        const t = [...op.inputs, ...op.outputs].find((x) => x && names.includes(x.dtype));
        const to = op.attributes.to;
        if (t) return `'${t.name}' is ${t.dtype}`;
        return !(typeof to === 'number' && codes.includes(to)) || `to is ${TYPE_NAMES[to] ?? to}`;
      },
      source: runtime(bad),
    },
  ];
}

function opsetCondition(name: string, since: number, deprecated: number | undefined): OpCondition {
  return {
    description: deprecated
      ? `the model's opset is from ${since} to ${deprecated - 1} (${name} is deprecated from opset ${deprecated})`
      : `the model's opset is at least ${since}`,
    test: (op) => {
      if (op.version < since) return `the model imports opset ${op.version}`;
      if (deprecated !== undefined && op.version >= deprecated)
        return `the model imports opset ${op.version}`;
      return true;
    },
    ...(name === 'Upsample'
      ? { fix: 'replace Upsample with Resize: edge convert --upsample-to-resize' }
      : {}),
    source: SPEC,
  };
}

/** The rule of one op from its measured cases; `spec` is the verdict when nothing settles it. */
function measuredRule(op: string, domain: string, spec: OpCondition[]): OpRule {
  const cases = measured.cases.filter((c) => c.op === op && c.domain === domain);
  const loaded = cases.filter((c) => c.loads);
  const settled = cases.filter((c) => !c.loads && c.kind && SETTLED.includes(c.kind));
  const dom = domain ? { domain } : {};
  if (loaded.length) {
    return {
      op,
      ...dom,
      support: 'supported',
      conditions: [
        ...spec,
        ...typeConditions(
          loaded,
          settled.filter((c) => c.kind === 'no-kernel'),
        ),
        ...attributeConditions(settled),
        ...elementTypeConditions(settled),
      ],
      source: runtime(loaded),
    };
  }
  if (settled.length && settled.every((c) => c.kind === 'no-kernel' || c.kind === 'unknown-op')) {
    return {
      op,
      ...dom,
      support: 'unsupported',
      reason: `onnxruntime-node ${measured.onnxruntime} does not load it: ${settled[0]!.error}`,
      source: runtime(settled),
    };
  }
  const why = cases.length
    ? `no one-node model settled it (${cases[0]!.case}: ${cases[0]!.error})`
    : 'no one-node model of it was loaded';
  return {
    op,
    ...dom,
    support: 'supported',
    conditions: spec,
    source: { ...(domain ? runtime(cases) : SPEC), unverified: true, note: why },
  };
}

const STANDARD: OpRule[] = Object.entries(ONNX_OPERATORS).map(([name, o]) =>
  measuredRule(name, '', [opsetCondition(name, o.since, o.deprecated)]),
);

const ML_OPS =
  `ArrayFeatureExtractor Binarizer CastMap CategoryMapper DictVectorizer FeatureVectorizer Imputer
  LabelEncoder LinearClassifier LinearRegressor Normalizer OneHotEncoder SVMClassifier SVMRegressor Scaler
  TreeEnsembleClassifier TreeEnsembleRegressor ZipMap`.split(/\s+/);

/** Contrib ops the measurement loaded, generic nodes of the com.microsoft domain. */
const CONTRIB: OpRule[] = [
  ...new Set(measured.cases.filter((c) => c.domain === 'com.microsoft').map((c) => c.op)),
].map((op) => measuredRule(op, 'com.microsoft', []));

const OPSET_FLOOR: GraphRule = {
  id: 'opset-floor',
  description: "the model's default-domain opset is at least 7 (what onnxruntime guarantees)",
  effect: 'note',
  check: (graph: ModelGraph) => {
    const v = graph.opsets[''];
    return v !== undefined && v < 7
      ? [
          {
            message: `the model imports opset ${v}: it may run, depending on legacy support of older operators`,
          },
        ]
      : [];
  },
  fix: 'convert the model to opset 7 or later (onnx.version_converter)',
  source: {
    document: `onnxruntime-node ${measured.onnxruntime} warning (model.cc): "ONNX Runtime only *guarantees* support for models stamped with opset version 7 or above"`,
    version: `onnxruntime-node ${measured.onnxruntime}`,
    note: 'logged when the measurement loads opset 1 and 6 node tests, which still load',
  },
};

/** ONNX Runtime (the installed onnxruntime-node) with the CPU execution provider. */
export const ORT_CPU_RULES: RuleTable = {
  id: 'ort-cpu',
  name: `ONNX Runtime ${measured.onnxruntime} CPU`,
  family: 'onnxruntime',
  version: measured.onnxruntime,
  kind: 'engine',
  formats: ['onnx'],
  domains: ['', 'ai.onnx.ml', 'com.microsoft'],
  unlisted: 'unsupported',
  ops: [
    ...STANDARD,
    {
      op: ML_OPS,
      domain: 'ai.onnx.ml',
      support: 'supported',
      source: { ...SPEC, unverified: true, note: 'ai.onnx.ml ops: no one-node model of them was loaded' },
    },
    ...CONTRIB,
  ],
  graph: [OPSET_FLOOR],
  source: runtime([]),
};
