// Removing what computes nothing: nodes and initializers no graph output needs, and Identity and
// inference-mode Dropout nodes, which only pass their input on.

import { Graph, isDefaultDomain } from '../graph.js';
import { tensorValues } from '../tensor-data.js';
import type { NodeProto, OnnxModel } from '../types.js';
import { change, type EditChange, type EditResult, withGraph } from './edit-result.js';

/**
 * Drops nodes none of whose outputs reach a graph output, and initializers nothing reads. Graph
 * inputs are kept, except IR 3 style inputs that only list an initializer being dropped.
 * value_info entries of dropped tensors go too. The nodes come out in topological order even when
 * nothing is dropped.
 *
 * @returns A `'remove-unused'` change counting the nodes and initializers dropped.
 * @throws GraphError when the graph is structurally invalid (see {@link Graph}).
 */
export function removeUnused(model: OnnxModel): EditResult {
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
  const deadNodes = g.nodes.length - nodes.length;
  const deadTensors = g.initializers.length - initializers.length;
  const changes: EditChange[] =
    deadNodes + deadTensors
      ? [
          change(
            'remove-unused',
            deadNodes + deadTensors,
            `${deadNodes} unused node(s) and ${deadTensors} unused initializer(s) removed`,
          ),
        ]
      : [];
  return { model: withGraph(model, { nodes, initializers, inputs, sparseInitializers, valueInfo }), changes };
}

function renameIn(node: NodeProto, from: string, to: string): NodeProto {
  const inputs = node.inputs.map((i) => (i === from ? to : i));
  const outputs = node.outputs.map((o) => (o === from ? to : o));
  return { ...node, inputs, outputs };
}

function readsImplicitly(graph: Graph, name: string): boolean {
  return graph.consumers(name).some((c) => graph.implicitInputs(c).includes(name));
}

/** True when a Dropout node is an identity at inference: no mask output in use, training_mode absent or constant false. */
function isInferenceDropout(graph: Graph, node: NodeProto, used: ReadonlySet<string>): boolean {
  if (node.outputs[1] && used.has(node.outputs[1])) return false;
  const training = node.inputs[2];
  if (!training) return true;
  const t = graph.constant(training);
  if (!t) return false;
  const v = tensorValues(t);
  return v.length === 1 && Number(v[0]) === 0;
}

/**
 * Removes Identity nodes and inference-mode Dropout nodes (no mask output in use), wiring their
 * consumers to their input. Where the removed node's output is a graph output, the producer of
 * its input is renamed instead, so graph output names stay as they were. Nodes whose output a
 * subgraph reads, or whose input is a graph input or initializer feeding a graph output, stay.
 *
 * @returns A `'drop-identity'` change counting the nodes removed.
 * @throws GraphError when the graph is structurally invalid.
 */
export function dropIdentities(model: OnnxModel): EditResult {
  let current = model;
  let removed = 0;
  for (;;) {
    const graph = new Graph(current);
    const outputs = new Set(graph.outputs.map((v) => v.name));
    const used = new Set<string>([...outputs]);
    for (const n of graph.nodes) for (const i of [...n.inputs, ...graph.implicitInputs(n)]) used.add(i);
    const target = graph.nodes.find((n) => {
      if (!isDefaultDomain(n.domain)) return false;
      if (n.opType !== 'Identity' && !(n.opType === 'Dropout' && isInferenceDropout(graph, n, used)))
        return false;
      const src = n.inputs[0];
      const out = n.outputs[0];
      if (!src || !out || readsImplicitly(graph, out)) return false;
      if (outputs.has(out)) return !!graph.producer(src) && !outputs.has(src) && !readsImplicitly(graph, src);
      return true;
    });
    if (!target) break;
    const src = target.inputs[0]!;
    const out = target.outputs[0]!;
    const nodes = graph.nodes.filter((n) => n !== target);
    // At a graph output the producer takes the output's name, so the name the user knows stays.
    current = outputs.has(out)
      ? withGraph(current, {
          nodes: nodes.map((n) => renameIn(n, src, out)),
          valueInfo: current.graph.valueInfo.filter((v) => v.name !== src && v.name !== out),
        })
      : withGraph(current, {
          nodes: nodes.map((n) => ({ ...n, inputs: n.inputs.map((i) => (i === out ? src : i)) })),
          valueInfo: current.graph.valueInfo.filter((v) => v.name !== out),
        });
    removed++;
  }
  return {
    model: current,
    changes: removed ? [change('drop-identity', removed, `${removed} Identity/Dropout node(s) removed`)] : [],
  };
}
