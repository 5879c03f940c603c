// The one result every graph edit returns: the edited model and what changed, as counted records,
// so that `edge convert` can print them and a program (calibrate's Q/DQ report) can count them
// without parsing words.

import { value } from '../build.js';
import type { GraphProto, NodeProto, OnnxModel, TensorProto } from '../types.js';

/** Which kind of change an {@link EditChange} records; each edit has its own. */
export type EditKind =
  | 'batch'
  | 'input-shape'
  | 'fold-constants'
  | 'constants-to-initializers'
  | 'remove-unused'
  | 'drop-identity'
  | 'upsample-to-resize'
  | 'upgrade-opset'
  | 'expose-tensors'
  | 'fold-into-conv'
  | 'hard-swish';

/** One kind of change an edit made, counted. */
export interface EditChange {
  /** What kind of change: stable, for programs. */
  readonly kind: EditKind;
  /** How many nodes, inputs or tensors it concerned (the message says which). */
  readonly count: number;
  /** The change in words, as `edge convert` prints it: `"2 Identity/Dropout node(s) removed"`. */
  readonly message: string;
}

/**
 * What every graph edit returns. The input model is never modified: `model` is a new object that
 * shares unchanged parts (nodes, tensors, value infos) with it, and an edit that found nothing to
 * do may hand back the input itself. Edits that rewrite nodes emit them in topological order,
 * which onnx's checker requires and some exporters do not produce. `changes` lists what the edit
 * did, one record per kind of change, and is empty when it found nothing to do.
 */
export interface EditResult {
  readonly model: OnnxModel;
  readonly changes: readonly EditChange[];
}

/** @internal A change record. */
export function change(kind: EditKind, count: number, message: string): EditChange {
  return { kind, count, message };
}

/** @internal `model` with some graph fields replaced. */
export function withGraph(model: OnnxModel, changes: Partial<GraphProto>): OnnxModel {
  return { ...model, graph: { ...model.graph, ...changes } };
}

/**
 * @internal `model` with `nodes` and the initializers `added`; before IR 4 every initializer must
 * also be listed as a graph input, so they are added there too.
 */
export function withInitializers(model: OnnxModel, nodes: NodeProto[], added: TensorProto[]): OnnxModel {
  const inputs =
    model.irVersion < 4
      ? [...model.graph.inputs, ...added.map((t) => value(t.name, t.dims, t.dataType))]
      : model.graph.inputs;
  return withGraph(model, { nodes, inputs, initializers: [...model.graph.initializers, ...added] });
}
