// The rule types a backend uses to describe what a target (an engine or an accelerator) can run.
// They read a format-neutral graph, so one checker serves ONNX and TFLite models alike: each
// model reader converts its own graph into a ModelGraph, and each backend package states its
// targets as RuleTables of plain data plus small predicates. Nothing here knows a file format.

/** Element type of a tensor in a {@link ModelGraph}; names follow core's `DType` where they overlap. */
export type ElementType =
  | 'float32'
  | 'float16'
  | 'bfloat16'
  | 'float64'
  | 'float8'
  | 'int4'
  | 'uint4'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool'
  | 'string'
  | 'complex64'
  | 'complex128'
  | 'unknown';

/** One dimension: a fixed size, a symbolic name (a free batch 'N'), or null when unknown. */
export type ModelDim = number | string | null;

/** Quantisation parameters of a tensor (TFLite tensors; ONNX Q/DQ scale and zero-point inputs). */
export interface TensorQuantization {
  readonly scale: readonly number[];
  readonly zeroPoint: readonly number[];
  /** Channel axis for per-channel parameters; absent for per-tensor. */
  readonly axis?: number;
}

/** A tensor of a {@link ModelGraph}. */
export interface ModelTensor {
  readonly name: string;
  readonly dtype: ElementType;
  /** Null when the rank is unknown; `[]` is a scalar. */
  readonly shape: readonly ModelDim[] | null;
  /** True for weights: initializers, Constant outputs, TFLite buffers with data. */
  readonly constant: boolean;
  /** The values of a small constant (readers fill it up to a few thousand elements), as numbers. */
  readonly values?: readonly number[];
  readonly quantization?: TensorQuantization;
}

/** An attribute value of a {@link ModelOp}: integers and floats are both numbers. */
export type ModelAttribute = number | string | readonly number[] | readonly string[] | ModelTensor;

/** One operator of a {@link ModelGraph}. */
export interface ModelOp {
  /** Position in the graph's topological order (the index into `ModelGraph.ops`). */
  readonly index: number;
  /** Node name; readers make one up (`OpType_12`) when the file has none. */
  readonly name: string;
  /** ONNX op type (`Conv`) or TFLite builtin name (`CONV_2D`) or custom code. */
  readonly opType: string;
  /**
   * '' for the default ONNX domain, otherwise the ONNX domain (`com.microsoft`); TFLite readers use
   * `tflite` for builtin operators and `tflite.custom` for custom ones.
   */
  readonly domain: string;
  /** The opset imported for the op's domain (ONNX), or the builtin operator version (TFLite). */
  readonly version: number;
  readonly attributes: Readonly<Record<string, ModelAttribute>>;
  /** Inputs by position; null where an optional input is omitted. */
  readonly inputs: readonly (ModelTensor | null)[];
  readonly outputs: readonly ModelTensor[];
  /** Bodies of control-flow ops (If, Loop, Scan; TFLite WHILE), when there are any. */
  readonly subgraphs?: readonly ModelGraph[];
}

/** A model's graph in the neutral form every rule table reads. */
export interface ModelGraph {
  readonly format: 'onnx' | 'tflite';
  readonly name: string;
  /** Imported opsets by domain ('' is default ONNX); TFLite readers put the schema version under `tflite`. */
  readonly opsets: Readonly<Record<string, number>>;
  /** What a caller feeds (ONNX initializers are not inputs). */
  readonly inputs: readonly ModelTensor[];
  readonly outputs: readonly ModelTensor[];
  /** Operators in topological order. */
  readonly ops: readonly ModelOp[];
}

/** Where a rule comes from, so a reader can check it. */
export interface RuleSource {
  /** The document, e.g. `onnx-tensorrt docs/operators.md`. */
  readonly document: string;
  /** Its version or release, e.g. `release/8.6-GA`. */
  readonly version: string;
  readonly url?: string;
  /** The repository the document is in (`onnx/onnx-tensorrt`), when it is one. */
  readonly repository?: string;
  /** The file in that repository (`docs/operators.md`). */
  readonly path?: string;
  /** The commit the file was read at. */
  readonly commit?: string;
  /** The line of the file (1-based) that states the rule: a table row, a comment. */
  readonly row?: number;
  /**
   * True when no source settles the rule: it is inferred from a neighbouring version, from memory,
   * or from a document that does not state it. Reports mark such verdicts `unverified`.
   */
  readonly unverified?: boolean;
  /** What is unverified, inferred or approximated; say it here rather than invent precision. */
  readonly note?: string;
}

/**
 * A condition an op must meet on a target. `test` returns true when it holds, and false or a
 * short detail of what was found (`mode is 'cubic'`) when it does not.
 */
export interface OpCondition {
  /** What must hold, in words: `coordinate_transformation_mode is 'asymmetric'`. */
  readonly description: string;
  readonly test: (op: ModelOp, graph: ModelGraph) => boolean | string;
  /** The failure in words; the checker appends what `test` found. Default: what `test` found alone. */
  readonly reason?: string;
  /** A suggested fix, when one exists. */
  readonly fix?: string;
  /** First target version the condition applies to (inclusive); absent: every version. */
  readonly since?: string;
  /** First target version it no longer applies to (exclusive); absent: still applies. */
  readonly until?: string;
  /** Overrides the rule's source when the condition comes from another document. */
  readonly source?: RuleSource;
  /**
   * `note`: a failure is reported without changing the verdict (a restriction no model file can
   * settle, e.g. one on run-time values). Default: the failure counts.
   */
  readonly effect?: 'note';
}

/** What a table says about one op type (or several that share conditions). */
export interface OpRule {
  /** Op type(s) the rule covers. */
  readonly op: string | readonly string[];
  /** Domain of the op; default ''. */
  readonly domain?: string;
  readonly support: 'supported' | 'unsupported';
  /** First target version the rule applies to (inclusive); absent: every version. */
  readonly since?: string;
  /** First target version it no longer applies to (exclusive); absent: still applies. */
  readonly until?: string;
  /** Conditions under which a supported op is supported; each failure is reported. */
  readonly conditions?: readonly OpCondition[];
  /** Why an unsupported op is unsupported, in words. */
  readonly reason?: string;
  /** A suggested fix, when one exists. */
  readonly fix?: string;
  readonly source: RuleSource;
}

/** How a failing graph rule counts: whole-model block, fallback of some ops, or a note only. */
export type GraphRuleEffect = 'undeployable' | 'incompatible' | 'fallback' | 'note';

/** One finding of a graph rule; `ops` are op indexes (absent: the whole graph). */
export interface GraphFinding {
  readonly message: string;
  readonly ops?: readonly number[];
}

/** A rule over the whole graph: opset range, explicit batch, dynamic dims, INT64 weights... */
export interface GraphRule {
  /** Stable identifier, e.g. `opset-range`. */
  readonly id: string;
  /** What must hold, in words. */
  readonly description: string;
  readonly effect: GraphRuleEffect;
  /** Returns what violates the rule; empty when it holds. */
  readonly check: (graph: ModelGraph) => readonly GraphFinding[];
  readonly fix?: string;
  readonly since?: string;
  readonly until?: string;
  readonly source: RuleSource;
}

/**
 * Another name for one or more tables: `trt-8` for the newest TensorRT 8 table, `jetpack-6.0` for
 * the TensorRT and DLA tables of that JetPack release.
 */
export interface RuleTableAlias {
  readonly id: string;
  /** Human name: `JetPack 6.0 (TensorRT 8.6, DLA of Orin)`. */
  readonly name: string;
  /** Ids of the tables the alias stands for, in order. */
  readonly targets: readonly string[];
  /** The document that says what the alias stands for (a release page for a JetPack). */
  readonly source: RuleSource;
}

/** Engine: runs the whole graph or fails. Accelerator: runs what it can and hands the rest to a fallback. */
export type TargetKind = 'engine' | 'accelerator';

/**
 * Per node: each unsupported op alone goes to the fallback device (DLA to GPU). Rest of graph:
 * everything from the first unsupported op on runs on the fallback (Edge TPU to CPU).
 */
export type FallbackMode = 'per-node' | 'rest-of-graph';

/** Where an accelerator's unsupported ops go. */
export interface TargetFallback {
  /** The device in words: `GPU`, `CPU`. */
  readonly device: string;
  readonly mode: FallbackMode;
  /** Id of the engine table that must accept the fallback ops (e.g. `trt-8.6`); absent: not checked. */
  readonly target?: string;
}

/** Everything a backend states about one target. */
export interface RuleTable {
  /** Id used on the command line: `trt-8.6`, `dla-orin`, `edgetpu`. */
  readonly id: string;
  /** Human name: `TensorRT 8.6 ONNX parser`. */
  readonly name: string;
  /** Family shared by versions: `tensorrt`. */
  readonly family: string;
  /** Version the since/until fields of the rules are compared with. */
  readonly version: string;
  readonly kind: TargetKind;
  /** Model formats the target reads. */
  readonly formats: readonly ('onnx' | 'tflite')[];
  /** Op domains the target implements; an op in any other domain needs a plugin (undeployable). */
  readonly domains: readonly string[];
  /** Verdict for an op of a known domain that no rule lists. */
  readonly unlisted: 'supported' | 'unsupported';
  readonly ops: readonly OpRule[];
  readonly graph: readonly GraphRule[];
  /** Required when `kind` is `accelerator`. */
  readonly fallback?: TargetFallback;
  /** The main document the table follows. */
  readonly source: RuleSource;
}

function versionParts(v: string): number[] {
  return v.split(/[.-]/).map((p) => {
    const n = Number.parseInt(p, 10);
    return Number.isNaN(n) ? 0 : n;
  });
}

/** Compares dotted versions numerically: negative when a < b, 0 when equal ('8.6' equals '8.6.0'). */
export function compareVersions(a: string, b: string): number {
  const x = versionParts(a);
  const y = versionParts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** True when `version` is in [since, until): the range of an {@link OpRule}, condition or graph rule. */
export function inVersionRange(version: string, range: { since?: string; until?: string }): boolean {
  if (range.since !== undefined && compareVersions(version, range.since) < 0) return false;
  if (range.until !== undefined && compareVersions(version, range.until) >= 0) return false;
  return true;
}

/**
 * The rule of `table` for an op: the first one, in table order, that names the op type in the
 * op's domain and whose version range includes the table's version.
 */
export function findOpRule(table: RuleTable, opType: string, domain: string): OpRule | undefined {
  for (const rule of table.ops) {
    if ((rule.domain ?? '') !== domain) continue;
    if (typeof rule.op === 'string' ? rule.op !== opType : !rule.op.includes(opType)) continue;
    if (inVersionRange(table.version, rule)) return rule;
  }
  return undefined;
}
