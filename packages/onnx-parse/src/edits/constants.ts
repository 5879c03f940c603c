// Constant subgraphs into initializers: Constant nodes, and shape computations whose inputs are all
// known once shapes are static (the Shape -> Gather -> Concat -> Reshape chains exporters write).

import { DataType } from '../data-type.js';
import { constantTensor, Graph, isDefaultDomain } from '../graph.js';
import { runInference } from '../shape-inference/infer.js';
import type { KnownValue } from '../shape-inference/types.js';
import { type TensorValues, tensorFromArray } from '../tensor-data.js';
import type { NodeProto, OnnxModel, TensorProto } from '../types.js';
import { toInt64 } from '../wire.js';
import { removeUnused } from './cleanup.js';
import { change, type EditResult, withInitializers } from './edit-result.js';

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
 * @returns A `'fold-constants'` change counting the nodes folded or removed.
 * @throws GraphError when the graph is structurally invalid (see {@link Graph}).
 */
export function foldConstants(model: OnnxModel): EditResult {
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

  const folded = removeUnused(added.length ? withInitializers(model, nodes, added) : model).model;
  const count = model.graph.nodes.length - folded.graph.nodes.length;
  return {
    model: folded,
    changes: count
      ? [change('fold-constants', count, `constant folding: ${count} node(s) folded or removed`)]
      : [],
  };
}

/**
 * Turns Constant nodes (numeric tensors; not strings or sparse values) into initializers. A
 * Constant that is a graph output stays a node.
 *
 * @returns A `'constants-to-initializers'` change counting the Constant nodes moved.
 * @throws GraphError when a Constant node is malformed.
 */
export function constantsToInitializers(model: OnnxModel): EditResult {
  const graph = new Graph(model);
  const outputs = new Set(graph.outputs.map((v) => v.name));
  const added: TensorProto[] = [];
  const nodes = graph.nodes.filter((n) => {
    if (n.opType !== 'Constant' || !isDefaultDomain(n.domain) || !n.outputs[0] || outputs.has(n.outputs[0]))
      return true;
    const t = constantTensor(n);
    if (!t) return true;
    added.push(t);
    return false;
  });
  if (added.length === 0) return { model, changes: [] };
  return {
    model: withInitializers(model, nodes, added),
    changes: [
      change(
        'constants-to-initializers',
        added.length,
        `${added.length} Constant node(s) turned into initializers`,
      ),
    ],
  };
}
