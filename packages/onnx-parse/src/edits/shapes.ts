// Fixing or freeing input dimensions: the batch of every input, or the full shape of named inputs.
// Outputs follow by shape inference; intermediate value_info entries that may now be stale are
// dropped: they are hints, and a wrong hint is worse than none.

import { ArgumentError } from '@edge/core';
import { Graph } from '../graph.js';
import { runInference } from '../shape-inference/infer.js';
import type { Dim } from '../shape-inference/types.js';
import type { Dimension, OnnxModel, TypeProto, ValueInfo } from '../types.js';
import { change, type EditResult, withGraph } from './edit-result.js';

function tensorShape(v: ValueInfo): Dimension[] | undefined {
  return v.type?.kind === 'tensor' ? v.type.shape : undefined;
}

function withShape(v: ValueInfo, shape: Dimension[]): ValueInfo {
  return { ...v, type: { ...(v.type as Extract<TypeProto, { kind: 'tensor' }>), shape } };
}

function toDimension(d: Dim): Dimension {
  return typeof d === 'number' ? { value: d } : typeof d === 'string' ? { param: d } : {};
}

/**
 * Sets the first (batch) dimension of every graph input to `n`: a fixed size, or a symbolic name
 * to free it. Graph outputs whose first dim follows the batch (by shape inference, or by sharing
 * the inputs' old batch name) get `n` too. Intermediate value_info entries that may now be stale
 * (they mention an old batch name, or disagree with the re-inferred shapes) are dropped.
 *
 * @returns A `'batch'` change counting the inputs set.
 * @throws ArgumentError when `n` is neither a positive integer nor a non-empty string.
 * @throws GraphError when the graph is structurally invalid (see {@link Graph}).
 */
export function setBatchDimension(model: OnnxModel, n: number | string): EditResult {
  if (typeof n === 'number' ? !Number.isInteger(n) || n < 1 : typeof n !== 'string' || n === '') {
    throw new ArgumentError(
      `Expected positive integer or non-empty string for n but received ${String(n)} of type ${typeof n}`,
    );
  }
  const graph = new Graph(model);
  const oldParams = new Set<string>();
  const oldValues = new Set<number>();
  const real = new Set(graph.inputs.map((v) => v.name));
  let set = 0;
  const inputs = model.graph.inputs.map((v) => {
    const shape = tensorShape(v);
    if (!real.has(v.name) || !shape?.length) return v;
    const d0 = shape[0]!;
    if (d0.param) oldParams.add(d0.param);
    else if (d0.value !== undefined) oldValues.add(d0.value);
    set++;
    return withShape(v, [toDimension(n), ...shape.slice(1)]);
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
    return follows ? withShape(v, [toDimension(n), ...shape.slice(1)]) : v;
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
  const message = typeof n === 'number' ? `batch fixed to ${n}` : `batch freed as '${n}'`;
  return {
    model: withGraph(model, { inputs, outputs, valueInfo }),
    changes: set ? [change('batch', set, message)] : [],
  };
}

/**
 * Sets the full shape of graph inputs (`{ x: [1, 3, 640, 640] }`). Output shapes are re-inferred
 * where they mention a dimension the inputs no longer have, and intermediate value_info entries
 * that could now be stale are dropped.
 *
 * @returns One `'input-shape'` change per input set.
 * @throws ArgumentError when a name is not a graph input, or a shape's rank differs from the declared one.
 * @throws GraphError when the graph is structurally invalid (see {@link Graph}).
 */
export function setInputShapes(
  model: OnnxModel,
  shapes: Readonly<Record<string, readonly Dim[]>>,
): EditResult {
  const graph = new Graph(model);
  const real = new Map(graph.inputs.map((v) => [v.name, v]));
  const oldParams = new Set<string>();
  for (const [name, dims] of Object.entries(shapes)) {
    const v = real.get(name);
    if (!v) {
      throw new ArgumentError(
        `input '${name}' is not a graph input (inputs: ${[...real.keys()].join(', ')})`,
      );
    }
    const declared = tensorShape(v);
    if (declared && declared.length !== dims.length) {
      throw new ArgumentError(
        `Expected ${declared.length} dims for input '${name}' but received ${dims.length} (${dims.join('x')})`,
      );
    }
    for (const d of declared ?? []) if (d.param) oldParams.add(d.param);
  }
  const inputs = model.graph.inputs.map((v) => {
    const dims = shapes[v.name];
    if (!dims || v.type?.kind !== 'tensor') return v;
    return withShape(v, dims.map(toDimension));
  });
  const inferred = runInference(new Graph(withGraph(model, { inputs, valueInfo: [] }))).types;
  const stale = (shape: Dimension[] | undefined) =>
    !!shape?.some((d) => d.param !== undefined && oldParams.has(d.param));
  const outputs = model.graph.outputs.map((v) => {
    const declared = tensorShape(v);
    if (!declared || !stale(declared)) return v;
    const now = inferred.get(v.name)?.shape;
    const shape = declared.map((d, k) => {
      if (d.param === undefined || !oldParams.has(d.param)) return d;
      return toDimension(now && now.length === declared.length ? (now[k] ?? null) : null);
    });
    return withShape(v, shape);
  });
  const valueInfo = model.graph.valueInfo.filter((v) => !stale(tensorShape(v)));
  return {
    model: withGraph(model, { inputs, outputs, valueInfo }),
    changes: Object.entries(shapes).map(([name, dims]) =>
      change('input-shape', 1, `input '${name}' shape set to [${dims.join(', ')}]`),
    ),
  };
}
