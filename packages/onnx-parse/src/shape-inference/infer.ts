// The inference engine: walks the graph in topological order, applies each op's rule, and pulls
// values of small tensors on demand (so weights are never read, only shape computations).

import { ArgumentError } from '@edge/core';
import { DataType } from '../data-type.js';
import { Graph, isDefaultDomain } from '../graph.js';
import { tensorElementCount, tensorValues } from '../tensor-data.js';
import type { NodeProto, OnnxModel, TensorProto, TypeProto } from '../types.js';
import { convRules } from './conv.js';
import { fail, fromDimension, isStatic, mergeDim } from './dims.js';
import { elementwiseRules } from './elementwise.js';
import { indexingRules } from './indexing.js';
import { linalgRules } from './linalg.js';
import { reduceRules } from './reduce.js';
import { resizeRules } from './resize.js';
import { tensorRules } from './tensor-ops.js';
import type { Dim, KnownValue, OpContext, OpRule, ShapeInferenceOptions, ValueType } from './types.js';
import { evaluators, INTEGER } from './values.js';

const RULES: Record<string, OpRule> = {
  ...elementwiseRules,
  ...convRules,
  ...linalgRules,
  ...reduceRules,
  ...tensorRules,
  ...indexingRules,
  ...resizeRules,
};

// Values are tracked for shape-sized tensors only; anything larger is data, not a shape.
const MAX_VALUE_ELEMENTS = 4096;
// Bounds the recursion of on-demand evaluation along long chains of shape arithmetic.
const MAX_DEPTH = 500;

const NUMERIC = new Set<number>([DataType.FLOAT, DataType.DOUBLE, ...INTEGER]);

/** A declared `TypeProto` as a {@link ValueType}; undefined for non-tensor or untyped values. */
export function typeFromProto(tp: TypeProto | undefined): ValueType | undefined {
  if (tp?.kind !== 'tensor' || !tp.elemType) return undefined;
  return { elemType: tp.elemType, shape: tp.shape ? tp.shape.map(fromDimension) : null };
}

/** A {@link ValueType} as a tensor `TypeProto` (unknown dims are dims with neither value nor name). */
export function typeToProto(v: ValueType): TypeProto {
  const shape = v.shape?.map((d) =>
    typeof d === 'number' ? { value: d } : typeof d === 'string' ? { param: d } : {},
  );
  return shape ? { kind: 'tensor', elemType: v.elemType, shape } : { kind: 'tensor', elemType: v.elemType };
}

function merge(computed: ValueType | undefined, declared: ValueType | undefined): ValueType | undefined {
  if (!computed) return declared;
  const sane = computed.shape?.every(
    (d) => d === null || typeof d === 'string' || (Number.isInteger(d) && d >= 0),
  );
  const shape = sane ? computed.shape : null;
  if (!declared) return { elemType: computed.elemType, shape };
  const elemType = computed.elemType || declared.elemType;
  if (!shape) return { elemType, shape: declared.shape };
  if (!declared.shape || declared.shape.length !== shape.length) return { elemType, shape };
  return { elemType, shape: shape.map((d, k) => mergeDim(d, declared.shape![k]!)) };
}

/** @internal Inferred types plus on-demand values, for the edits that fold constants. */
export interface Inference {
  readonly graph: Graph;
  readonly types: Map<string, ValueType>;
  /** The value of `name` when known before running, else undefined. */
  value(name: string): KnownValue | undefined;
}

class Engine implements Inference {
  readonly types = new Map<string, ValueType>();
  private readonly memo = new Map<string, KnownValue | null>();
  private depth = 0;

  constructor(
    readonly graph: Graph,
    opts: ShapeInferenceOptions,
  ) {
    const overrides = opts.inputShapes ?? {};
    for (const name of Object.keys(overrides)) {
      if (!graph.inputs.some((v) => v.name === name)) {
        throw new ArgumentError(
          `Expected a graph input name in inputShapes but received '${name}' (inputs: ${graph.inputs.map((v) => v.name).join(', ')})`,
        );
      }
    }
    for (const v of graph.inputs) {
      const declared = typeFromProto(v.type);
      const shape = overrides[v.name];
      if (shape)
        this.types.set(v.name, { elemType: declared?.elemType ?? DataType.FLOAT, shape: [...shape] });
      else if (declared) this.types.set(v.name, declared);
    }
    for (const t of graph.initializers.values())
      this.types.set(t.name, { elemType: t.dataType, shape: t.dims });
    for (const node of graph.nodes) this.inferNode(node);
  }

  private declared(name: string): ValueType | undefined {
    return typeFromProto(this.graph.valueInfo(name)?.type);
  }

  private inferNode(node: NodeProto): void {
    const rule = isDefaultDomain(node.domain) ? RULES[node.opType] : undefined;
    let out: (ValueType | undefined)[] = [];
    if (rule) {
      try {
        const r = rule(this.context(node));
        out = Array.isArray(r) ? r : [r];
      } catch {
        // A node we cannot infer (bad attribute, unknown input) stays unknown; the rest goes on.
        out = [];
      }
    }
    node.outputs.forEach((name, k) => {
      if (name === '') return;
      const t = merge(out[k], this.declared(name));
      if (t) this.types.set(name, t);
    });
  }

  private context(node: NodeProto): OpContext {
    const opset = this.graph.opsetVersion(node.domain) ?? 1;
    const input = (i: number): ValueType => {
      const name = node.inputs[i];
      if (!name) fail(`input ${i} is absent`);
      return this.types.get(name) ?? fail(`type of '${name}' is unknown`);
    };
    return {
      node,
      opset,
      has: (i) => (node.inputs[i] ?? '') !== '',
      input,
      shape: (i) => input(i).shape ?? fail(`rank of input ${i} is unknown`),
      value: (i) => {
        const name = node.inputs[i];
        return name ? this.value(name) : undefined;
      },
      constant: (name) => this.graph.constant(name),
      tensorValue: (t) => this.readTensor(t),
      outputShape: () => this.types.get(node.outputs[0] ?? '')?.shape ?? null,
    };
  }

  private readTensor(t: TensorProto): KnownValue | undefined {
    if (!NUMERIC.has(t.dataType)) return undefined;
    const count = tensorElementCount(t);
    if (count > MAX_VALUE_ELEMENTS) return undefined;
    const values = tensorValues(t);
    if (values.length !== count) return undefined;
    return {
      elemType: t.dataType,
      dims: [...t.dims],
      data: Array.from(values as ArrayLike<number | bigint>, Number),
    };
  }

  value(name: string): KnownValue | undefined {
    const known = this.memo.get(name);
    if (known !== undefined) return known ?? undefined;
    if (this.depth > MAX_DEPTH) return undefined;
    let v: KnownValue | undefined;
    this.depth++;
    try {
      v = this.compute(name);
    } catch {
      v = undefined;
    } finally {
      this.depth--;
    }
    const t = this.types.get(name);
    // A value must agree with the inferred type, or one of the two is wrong: trust neither.
    if (
      v &&
      (v.data.length !== v.dims.reduce((a, b) => a * b, 1) || (t?.shape && !sameDims(t.shape, v.dims)))
    ) {
      v = undefined;
    }
    this.memo.set(name, v ?? null);
    return v;
  }

  private compute(name: string): KnownValue | undefined {
    if (this.graph.isConstant(name)) {
      const t = this.graph.constant(name);
      return t && this.readTensor(t);
    }
    const node = this.graph.producer(name);
    if (!node || node.outputs[0] !== name || !isDefaultDomain(node.domain)) return undefined;
    const evaluate = evaluators[node.opType];
    const shape = this.types.get(name)?.shape;
    if (!evaluate || !shape || !isStatic(shape)) return undefined;
    if (shape.reduce((a, b) => a * b, 1) > MAX_VALUE_ELEMENTS) return undefined;
    return evaluate(this.context(node));
  }
}

function sameDims(shape: readonly Dim[], dims: readonly number[]): boolean {
  return shape.length === dims.length && shape.every((d, k) => typeof d !== 'number' || d === dims[k]);
}

/** @internal Runs inference and keeps the engine for value queries. */
export function runInference(graph: Graph, opts: ShapeInferenceOptions = {}): Inference {
  return new Engine(graph, opts);
}

/**
 * Infers the element type and shape of every tensor of the main graph that can be inferred: graph
 * inputs, initializers and node outputs, keyed by name.
 *
 * Fixed dims are numbers, symbolic dims keep their names (a free batch 'N' flows to the outputs),
 * unknown dims are null, and an unknown rank is a null shape. Small int64 shape computations
 * (Shape -> Gather -> Concat -> Reshape) are evaluated so that their consumers see constant shapes;
 * only those small tensors are read, never weights. An op without a rule, a node with a bad
 * attribute, or one whose inputs are unknown gets the type declared in the model's value_info if
 * any, or no entry; it never fails the whole model.
 *
 * @throws GraphError when `source` is a model whose graph is structurally invalid (see {@link Graph}).
 * @throws ArgumentError when `opts.inputShapes` names something that is not a graph input.
 */
export function inferShapes(
  source: OnnxModel | Graph,
  opts: ShapeInferenceOptions = {},
): Map<string, ValueType> {
  const graph = source instanceof Graph ? source : new Graph(source);
  return runInference(graph, opts).types;
}
