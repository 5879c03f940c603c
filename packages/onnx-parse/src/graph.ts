// The graph IR over a model's main graph: nodes in topological order, producer/consumer lookup and
// constants. It indexes the model in place and never copies tensors.

import { GraphError } from '@edge/core';
import { findAttribute, nodeLabel } from './attributes.js';
import { DataType } from './data-type.js';
import { tensorFromArray } from './tensor-data.js';
import type { GraphProto, NodeProto, OnnxModel, TensorProto, ValueInfo } from './types.js';
import { toInt64 } from './wire.js';

/** True for the default ONNX operator domain, which files spell '' or 'ai.onnx'. */
export function isDefaultDomain(domain: string): boolean {
  return domain === '' || domain === 'ai.onnx';
}

/**
 * Names a subgraph (and its nested subgraphs) reads from enclosing scopes: what it uses but
 * neither declares as input, holds as initializer, nor produces.
 */
function outerReferences(g: GraphProto, out: Set<string>): void {
  const defined = new Set<string>();
  for (const v of g.inputs) defined.add(v.name);
  for (const t of g.initializers) defined.add(t.name);
  for (const n of g.nodes) for (const o of n.outputs) defined.add(o);
  for (const n of g.nodes) {
    for (const i of n.inputs) if (i !== '' && !defined.has(i)) out.add(i);
    for (const a of n.attributes) {
      const subs = a.g ? [a.g, ...a.graphs] : a.graphs;
      for (const sub of subs) {
        const inner = new Set<string>();
        outerReferences(sub, inner);
        for (const i of inner) if (!defined.has(i)) out.add(i);
      }
    }
  }
}

function implicitInputsOf(node: NodeProto): string[] {
  let out: Set<string> | undefined;
  for (const a of node.attributes) {
    if (!a.g && a.graphs.length === 0) continue;
    out ??= new Set();
    if (a.g) outerReferences(a.g, out);
    for (const g of a.graphs) outerReferences(g, out);
  }
  return out ? [...out] : [];
}

/**
 * A model's main graph, indexed: nodes in topological order, who produces and who consumes each
 * tensor, and constants (initializers and Constant nodes alike).
 *
 * Nodes that files list out of order are sorted (Kahn's algorithm, keeping file order wherever the
 * data flow allows), so a graph is never rejected for its order, only for real structural faults.
 */
export class Graph {
  /** The model this graph indexes (not copied). */
  readonly model: OnnxModel;
  /** Nodes in topological order; equal to the file order when the file is already sorted. */
  readonly nodes: readonly NodeProto[];
  /** Graph inputs that are not initializers: what a caller must feed. */
  readonly inputs: readonly ValueInfo[];
  /** Graph outputs. */
  readonly outputs: readonly ValueInfo[];
  /** Initializers by name. */
  readonly initializers: ReadonlyMap<string, TensorProto>;

  private readonly producers = new Map<string, NodeProto>();
  private readonly consumerLists = new Map<string, NodeProto[]>();
  private readonly implicit = new Map<NodeProto, readonly string[]>();
  private readonly declared = new Map<string, ValueInfo>();
  private readonly constants = new Map<string, TensorProto | null>();

  /**
   * Indexes `model.graph`.
   *
   * @throws GraphError when a tensor is produced by two nodes, a node reads a tensor nothing
   *   provides, or the nodes form a cycle (the message names the nodes of one cycle).
   */
  constructor(model: OnnxModel) {
    this.model = model;
    const g = model.graph;
    const init = new Map<string, TensorProto>();
    for (const t of g.initializers) init.set(t.name, t);
    this.initializers = init;
    this.inputs = g.inputs.filter((v) => !init.has(v.name));
    this.outputs = g.outputs;
    for (const v of g.valueInfo) this.declared.set(v.name, v);
    for (const v of g.inputs) this.declared.set(v.name, v);
    for (const v of g.outputs) this.declared.set(v.name, v);

    const index = new Map<string, number>();
    g.nodes.forEach((n, k) => {
      for (const o of n.outputs) {
        if (o === '') continue;
        const other = index.get(o);
        if (other !== undefined) {
          throw new GraphError(
            `tensor '${o}' is produced by two nodes: ${nodeLabel(g.nodes[other]!)} and ${nodeLabel(n)}`,
          );
        }
        index.set(o, k);
        this.producers.set(o, n);
      }
    });

    const provided = new Set<string>(init.keys());
    for (const v of g.inputs) provided.add(v.name);
    // stamp[p] === k marks producer p as already a dependency of node k, keeping this linear.
    const stamp = new Int32Array(g.nodes.length).fill(-1);
    const deps: number[][] = g.nodes.map((n, k) => {
      const implicit = implicitInputsOf(n);
      if (implicit.length) this.implicit.set(n, implicit);
      const out: number[] = [];
      for (const name of implicit.length ? [...n.inputs, ...implicit] : n.inputs) {
        if (name === '') continue;
        const p = index.get(name);
        if (p === undefined) {
          if (!provided.has(name)) {
            throw new GraphError(
              `node ${nodeLabel(n)} reads tensor '${name}', which no node, initializer or graph input provides`,
            );
          }
        } else if (stamp[p] !== k) {
          stamp[p] = k;
          out.push(p);
        }
      }
      return out;
    });

    const order = topologicalOrder(deps, g.nodes);
    this.nodes = order.map((k) => g.nodes[k]!);
    for (const n of this.nodes) {
      for (const name of this.implicit.has(n) ? [...n.inputs, ...this.implicit.get(n)!] : n.inputs) {
        if (name === '') continue;
        let list = this.consumerLists.get(name);
        if (!list) {
          list = [];
          this.consumerLists.set(name, list);
        }
        // A node reading one tensor twice (Mul(x, x)) is one consumer; its pushes are adjacent.
        if (list[list.length - 1] !== n) list.push(n);
      }
    }
  }

  /** The node that produces `name`, or undefined for graph inputs, initializers and unknown names. */
  producer(name: string): NodeProto | undefined {
    return this.producers.get(name);
  }

  /** Nodes that read `name` (once each, in topological order), including If/Loop/Scan whose bodies read it. */
  consumers(name: string): readonly NodeProto[] {
    return this.consumerLists.get(name) ?? [];
  }

  /** Names that the subgraphs of `node` read from the main graph (empty for nodes without subgraphs). */
  implicitInputs(node: NodeProto): readonly string[] {
    return this.implicit.get(node) ?? [];
  }

  /** The declared graph input, output or value_info entry for `name`. */
  valueInfo(name: string): ValueInfo | undefined {
    return this.declared.get(name);
  }

  /**
   * The constant value of `name` as a TensorProto: an initializer, or the output of a Constant node
   * (`value`, `value_float(s)`, `value_int(s)`). Undefined for anything else, including Constant
   * nodes holding strings or sparse tensors. Payloads are not read.
   *
   * @throws GraphError when the Constant node is malformed (an attribute of the wrong type).
   */
  constant(name: string): TensorProto | undefined {
    const init = this.initializers.get(name);
    if (init) return init;
    const cached = this.constants.get(name);
    if (cached !== undefined) return cached ?? undefined;
    const node = this.producers.get(name);
    const t =
      node && node.opType === 'Constant' && isDefaultDomain(node.domain) ? constantTensor(node) : undefined;
    this.constants.set(name, t ?? null);
    return t;
  }

  /** True when `name` is an initializer or the output of a Constant node. */
  isConstant(name: string): boolean {
    if (this.initializers.has(name)) return true;
    const node = this.producers.get(name);
    return node !== undefined && node.opType === 'Constant' && isDefaultDomain(node.domain);
  }

  /** The opset version the model imports for `domain` ('' and 'ai.onnx' are the same), or undefined. */
  opsetVersion(domain = ''): number | undefined {
    const def = isDefaultDomain(domain);
    for (const o of this.model.opsetImports) {
      if (def ? isDefaultDomain(o.domain) : o.domain === domain) return o.version;
    }
    return undefined;
  }
}

/**
 * Builds the {@link Graph} of a model's main graph.
 *
 * @throws GraphError for a cycle, a tensor produced twice, or a read of a tensor nothing provides.
 */
export function buildGraph(model: OnnxModel): Graph {
  return new Graph(model);
}

/**
 * The tensor a Constant node holds, named after its output; undefined for string and sparse values.
 *
 * @throws GraphError when an attribute has the wrong type.
 */
export function constantTensor(node: NodeProto): TensorProto | undefined {
  const name = node.outputs[0] ?? '';
  for (const a of node.attributes) {
    switch (a.name) {
      case 'value':
        if (!a.t) throw new GraphError(`node ${nodeLabel(node)}: attribute 'value' holds no tensor`);
        return a.t.name === name ? a.t : { ...a.t, name };
      case 'value_float':
        return tensorFromArray(name, DataType.FLOAT, [], Float32Array.of(a.f ?? 0));
      case 'value_floats':
        return tensorFromArray(name, DataType.FLOAT, [a.floats.length], Float32Array.from(a.floats));
      case 'value_int':
        return tensorFromArray(name, DataType.INT64, [], BigInt64Array.of(toInt64(a.i ?? 0)));
      case 'value_ints':
        return tensorFromArray(name, DataType.INT64, [a.ints.length], BigInt64Array.from(a.ints, toInt64));
    }
  }
  if (
    !findAttribute(node, 'sparse_value') &&
    !findAttribute(node, 'value_string') &&
    !findAttribute(node, 'value_strings')
  ) {
    throw new GraphError(`node ${nodeLabel(node)}: Constant has no value attribute`);
  }
  return undefined;
}

/**
 * Kahn's algorithm with the ready set ordered by file position, so the result is the file order
 * whenever that is already valid, and otherwise moves only what must move. A pass that finds the
 * file sorted skips the heap, keeping the common case O(nodes + edges).
 */
function topologicalOrder(deps: number[][], nodes: readonly NodeProto[]): number[] {
  const n = deps.length;
  let sorted = true;
  for (let k = 0; k < n && sorted; k++) for (const p of deps[k]!) if (p >= k) sorted = false;
  if (sorted) return Array.from({ length: n }, (_, k) => k);

  const succ: number[][] = Array.from({ length: n }, () => []);
  const indegree = new Int32Array(n);
  deps.forEach((ds, k) => {
    indegree[k] = ds.length;
    for (const p of ds) succ[p]!.push(k);
  });
  const heap = new MinHeap();
  for (let k = 0; k < n; k++) if (indegree[k] === 0) heap.push(k);
  const order: number[] = [];
  while (heap.size) {
    const k = heap.pop();
    order.push(k);
    for (const c of succ[k]!) if (--indegree[c]! === 0) heap.push(c);
  }
  if (order.length < n) throw cycleError(deps, indegree, nodes);
  return order;
}

// Every node left with a positive in-degree has an unfinished predecessor, so walking backwards
// through those must revisit a node; the loop from there is a cycle.
function cycleError(deps: number[][], indegree: Int32Array, nodes: readonly NodeProto[]): GraphError {
  let k = indegree.findIndex((d) => d > 0);
  const seen = new Map<number, number>();
  const path: number[] = [];
  while (!seen.has(k)) {
    seen.set(k, path.length);
    path.push(k);
    k = deps[k]!.find((p) => indegree[p]! > 0)!;
  }
  const cycle = path.slice(seen.get(k)).reverse();
  // Start at the node listed first in the file, so the message is stable and reads as written.
  const at = cycle.indexOf(Math.min(...cycle));
  cycle.push(...cycle.splice(0, at));
  const names = [...cycle, cycle[0]!].map((i) => nodeLabel(nodes[i]!));
  return new GraphError(`the graph has a cycle: ${names.join(' -> ')}`);
}

class MinHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(v: number): void {
    const a = this.items;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]! <= v) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = v;
  }

  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= a.length) break;
        if (c + 1 < a.length && a[c + 1]! < a[c]!) c++;
        if (a[c]! >= last) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
