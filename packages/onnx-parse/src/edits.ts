// Graph edits. Each returns a new model and leaves its input untouched; unchanged sub-objects
// (nodes, tensors, value infos) are shared, never copied. Nodes come out in topological order,
// which onnx's checker requires and some exporters do not produce.

import { ArgumentError } from '@edge/core';
import { DataType } from './data-type.js';
import { Graph, isDefaultDomain } from './graph.js';
import { runInference, typeFromProto, typeToProto } from './shape-inference/infer.js';
import type { Dim, KnownValue } from './shape-inference/types.js';
import { type TensorValues, tensorFromArray } from './tensor-data.js';
import type {
  Dimension,
  GraphProto,
  NodeProto,
  OnnxModel,
  TensorProto,
  TypeProto,
  ValueInfo,
} from './types.js';
import { toInt64 } from './wire.js';

function withGraph(model: OnnxModel, changes: Partial<GraphProto>): OnnxModel {
  return { ...model, graph: { ...model.graph, ...changes } };
}

function tensorShape(v: ValueInfo): Dimension[] | undefined {
  return v.type?.kind === 'tensor' ? v.type.shape : undefined;
}

function withShape(v: ValueInfo, shape: Dimension[]): ValueInfo {
  return { ...v, type: { ...(v.type as Extract<TypeProto, { kind: 'tensor' }>), shape } };
}

function batchDimension(n: number | string): Dimension {
  return typeof n === 'number' ? { value: n } : { param: n };
}

/**
 * Sets the first (batch) dimension of every graph input to `n`: a fixed size, or a symbolic name
 * to free it. Graph outputs whose first dim follows the batch (by shape inference, or by sharing
 * the inputs' old batch name) get `n` too. Intermediate value_info entries that may now be stale
 * (they mention an old batch name, or disagree with the re-inferred shapes) are dropped: they are
 * hints, and a wrong hint is worse than none.
 *
 * @throws ArgumentError when `n` is neither a positive integer nor a non-empty string.
 * @throws GraphError when the graph is structurally invalid (see {@link Graph}).
 */
export function setBatchDimension(model: OnnxModel, n: number | string): OnnxModel {
  if (typeof n === 'number' ? !Number.isInteger(n) || n < 1 : typeof n !== 'string' || n === '') {
    throw new ArgumentError(
      `Expected positive integer or non-empty string for n but received ${String(n)} of type ${typeof n}`,
    );
  }
  const graph = new Graph(model);
  const oldParams = new Set<string>();
  const oldValues = new Set<number>();
  const real = new Set(graph.inputs.map((v) => v.name));
  const inputs = model.graph.inputs.map((v) => {
    const shape = tensorShape(v);
    if (!real.has(v.name) || !shape?.length) return v;
    const d0 = shape[0]!;
    if (d0.param) oldParams.add(d0.param);
    else if (d0.value !== undefined) oldValues.add(d0.value);
    return withShape(v, [batchDimension(n), ...shape.slice(1)]);
  });

  // Re-infer without declared intermediate or output shapes, which may hold the old batch.
  const bare = (v: ValueInfo): ValueInfo =>
    v.type?.kind === 'tensor' ? { ...v, type: { kind: 'tensor', elemType: v.type.elemType } } : v;
  const probe = withGraph(model, { inputs, valueInfo: [], outputs: model.graph.outputs.map(bare) });
  const types = runInference(new Graph(probe)).types;
  const isNew = (d: Dim | undefined) => d === n;

  const outputs = model.graph.outputs.map((v) => {
    const shape = tensorShape(v);
    if (!shape?.length) return v;
    const follows =
      isNew(types.get(v.name)?.shape?.[0]) ||
      (shape[0]!.param !== undefined && oldParams.has(shape[0]!.param));
    return follows ? withShape(v, [batchDimension(n), ...shape.slice(1)]) : v;
  });

  const valueInfo = model.graph.valueInfo.filter((v) => {
    const shape = tensorShape(v);
    if (!shape) return true;
    if (shape.some((d) => d.param !== undefined && oldParams.has(d.param))) return false;
    const inferred = types.get(v.name)?.shape;
    if (inferred && inferred.length !== shape.length) return false;
    // A fixed dim is stale when inference now says otherwise, or, where inference cannot tell,
    // when it equals an old fixed batch (a real 1 and a batch of 1 look the same).
    return shape.every((d, k) => {
      if (d.value === undefined) return true;
      const now = inferred?.[k] ?? null;
      return now === null ? !oldValues.has(d.value) : now === d.value;
    });
  });
  return withGraph(model, { inputs, outputs, valueInfo });
}

// Ops whose outputs are computed here when all their inputs are known: the shape-computation set.
const FOLDABLE: ReadonlySet<string> = new Set(
  `Shape Size Gather Unsqueeze Squeeze Concat Cast Add Sub
  Mul Div Slice Reshape ConstantOfShape Range Identity Flatten`.split(/\s+/),
);

const ARRAYS: Record<number, (values: number[]) => TensorValues> = {
  [DataType.INT64]: (v) => BigInt64Array.from(v, toInt64),
  [DataType.INT32]: (v) => Int32Array.from(v),
  [DataType.FLOAT]: (v) => Float32Array.from(v),
  [DataType.DOUBLE]: (v) => Float64Array.from(v),
  [DataType.BOOL]: (v) => Uint8Array.from(v),
  [DataType.UINT8]: (v) => Uint8Array.from(v),
  [DataType.INT8]: (v) => Int8Array.from(v),
};

function knownTensor(name: string, v: KnownValue | undefined): TensorProto | undefined {
  if (!v?.data.every((d) => typeof d === 'number')) return undefined;
  const make = ARRAYS[v.elemType];
  return make ? tensorFromArray(name, v.elemType, v.dims, make(v.data as number[])) : undefined;
}

/**
 * Turns Constant nodes into initializers, and evaluates shape-computation nodes (Shape of a
 * static-shape tensor, Gather, Unsqueeze, Squeeze, Concat, Cast, Add/Sub/Mul/Div, Slice, Reshape,
 * ConstantOfShape, Range, ...) whose inputs are all known into initializers. Only small tensors
 * (up to 4096 elements) are evaluated; nodes producing graph outputs are kept. It then drops what
 * folding left unused, as {@link removeUnused} does. Constant nodes holding strings or sparse
 * tensors stay nodes.
 *
 * @throws GraphError when the graph is structurally invalid (see {@link Graph}).
 */
export function foldConstants(model: OnnxModel): OnnxModel {
  const graph = new Graph(model);
  const inference = runInference(graph);
  const graphOutputs = new Set(graph.outputs.map((v) => v.name));
  const added: TensorProto[] = [];
  const nodes: NodeProto[] = [];
  for (const node of graph.nodes) {
    const folded =
      isDefaultDomain(node.domain) && !node.outputs.some((o) => graphOutputs.has(o)) && fold(node);
    if (folded) added.push(...folded);
    else nodes.push(node);
  }

  function fold(node: NodeProto): TensorProto[] | undefined {
    if (node.opType === 'Constant') {
      try {
        const t = graph.constant(node.outputs[0] ?? '');
        return t ? [t] : undefined;
      } catch {
        return undefined;
      }
    }
    if (!FOLDABLE.has(node.opType) || node.outputs.length !== 1 || !node.outputs[0]) return undefined;
    const t = knownTensor(node.outputs[0], inference.value(node.outputs[0]));
    return t ? [t] : undefined;
  }

  if (added.length === 0) return removeUnused(model);
  // Before IR 4 every initializer must also be listed as a graph input.
  const inputs =
    model.irVersion < 4
      ? [
          ...model.graph.inputs,
          ...added.map((t) => valueInfoOf(t.name, { elemType: t.dataType, shape: t.dims })),
        ]
      : model.graph.inputs;
  return removeUnused(
    withGraph(model, { nodes, inputs, initializers: [...model.graph.initializers, ...added] }),
  );
}

function valueInfoOf(name: string, t: { elemType: number; shape: Dim[] | null }): ValueInfo {
  return { name, type: typeToProto(t), docString: '', metadataProps: [] };
}

/**
 * Drops nodes none of whose outputs reach a graph output, and initializers nothing reads. Graph
 * inputs are kept, except IR 3 style inputs that only list an initializer being dropped.
 * value_info entries of dropped tensors go too.
 *
 * @throws GraphError when the graph is structurally invalid (see {@link Graph}).
 */
export function removeUnused(model: OnnxModel): OnnxModel {
  const graph = new Graph(model);
  const needed = new Set(graph.outputs.map((v) => v.name));
  const live = new Set<NodeProto>();
  for (let k = graph.nodes.length - 1; k >= 0; k--) {
    const node = graph.nodes[k]!;
    if (!node.outputs.some((o) => needed.has(o))) continue;
    live.add(node);
    for (const i of node.inputs) if (i) needed.add(i);
    for (const i of graph.implicitInputs(node)) needed.add(i);
  }
  const g = model.graph;
  const nodes = graph.nodes.filter((n) => live.has(n));
  const produced = new Set(nodes.flatMap((n) => n.outputs));
  const initializers = g.initializers.filter((t) => needed.has(t.name));
  const inputs = g.inputs.filter((v) => !graph.initializers.has(v.name) || needed.has(v.name));
  const sparseInitializers = g.sparseInitializers.filter((s) => s.values && needed.has(s.values.name));
  const valueInfo = g.valueInfo.filter((v) => produced.has(v.name) || needed.has(v.name));
  return withGraph(model, { nodes, initializers, inputs, sparseInitializers, valueInfo });
}

/**
 * Adds intermediate tensors (node outputs) as graph outputs, typed by shape inference, so a
 * runtime returns them too (for calibration or debugging). Names already outputs are skipped.
 *
 * @throws ArgumentError when a name is not produced by any node, or its type cannot be inferred.
 * @throws GraphError when the graph is structurally invalid (see {@link Graph}).
 */
export function exposeTensors(model: OnnxModel, names: readonly string[]): OnnxModel {
  if (!Array.isArray(names)) {
    throw new ArgumentError(`Expected an array of tensor names for names but received ${typeof names}`);
  }
  const graph = new Graph(model);
  const types = runInference(graph).types;
  const present = new Set(graph.outputs.map((v) => v.name));
  const added: ValueInfo[] = [];
  names.forEach((name, k) => {
    if (typeof name !== 'string' || !graph.producer(name)) {
      throw new ArgumentError(
        `tensor '${String(name)}' in names[${k}] is not produced by any node of the graph`,
      );
    }
    if (present.has(name)) return;
    present.add(name);
    const declared = typeFromProto(graph.valueInfo(name)?.type);
    const t = types.get(name) ?? declared;
    if (!t) {
      throw new ArgumentError(
        `type of tensor '${name}' in names[${k}] cannot be inferred; add it to the model's value_info first`,
      );
    }
    added.push(valueInfoOf(name, t));
  });
  if (added.length === 0) return withGraph(model, {});
  const exposed = new Set(added.map((v) => v.name));
  return withGraph(model, {
    nodes: [...graph.nodes],
    outputs: [...model.graph.outputs, ...added],
    valueInfo: model.graph.valueInfo.filter((v) => !exposed.has(v.name)),
  });
}
