// Intermediate tensors as graph outputs, so that a runtime returns them too (calibration reads every
// activation this way; debugging reads one).

import { ArgumentError } from '@edge/core';
import { value } from '../build.js';
import { Graph } from '../graph.js';
import { runInference, typeFromProto } from '../shape-inference/infer.js';
import type { OnnxModel, ValueInfo } from '../types.js';
import { change, type EditResult, withGraph } from './edit-result.js';

/**
 * Adds intermediate tensors (node outputs) as graph outputs, typed by shape inference, so a
 * runtime returns them too (for calibration or debugging). Names already outputs are skipped.
 *
 * @returns An `'expose-tensors'` change counting the outputs added.
 * @throws ArgumentError when a name is not produced by any node, or its type cannot be inferred.
 * @throws GraphError when the graph is structurally invalid (see {@link Graph}).
 */
export function exposeTensors(model: OnnxModel, names: readonly string[]): EditResult {
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
    added.push(value(name, t.shape, t.elemType));
  });
  if (added.length === 0) return { model, changes: [] };
  const exposed = new Set(added.map((v) => v.name));
  return {
    model: withGraph(model, {
      nodes: [...graph.nodes],
      outputs: [...model.graph.outputs, ...added],
      valueInfo: model.graph.valueInfo.filter((v) => !exposed.has(v.name)),
    }),
    changes: [change('expose-tensors', added.length, `${added.length} tensor(s) added as graph outputs`)],
  };
}
