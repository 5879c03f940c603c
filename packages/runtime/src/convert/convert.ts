// `edge convert`: the graph fixes in the order that lets each help the next. Shapes first (they
// make Shape subgraphs foldable), then rewrites, then constant folding and cleanup.

import { ArgumentError } from '@edge/core';
import { type Dim, foldConstants, type OnnxModel, removeUnused, setBatchDimension } from '@edge/onnx-parse';
import { constantsToInitializers, dropIdentities, setInputShapes, upsampleToResize } from './edits.js';

/** What {@link convertModel} should do; every fix is off unless asked for. */
export interface ConvertOptions {
  /** Fix the batch dimension of every input to this size, or free it under this symbolic name. */
  batch?: number | string;
  /** Full shapes of graph inputs, by name. */
  inputShapes?: Record<string, Dim[]>;
  /** Fold constant subgraphs (Shape computations over static shapes included) into initializers. */
  foldConstants?: boolean;
  /** Turn Constant nodes into initializers. */
  constantsToInitializers?: boolean;
  /** Drop Identity nodes and inference-mode Dropout nodes. */
  dropIdentity?: boolean;
  /** Replace Upsample with Resize. */
  upsampleToResize?: boolean;
}

/** The converted model and what changed, in words. */
export interface ConvertResult {
  model: OnnxModel;
  changes: string[];
}

function opCount(m: OnnxModel): number {
  return m.graph.nodes.length;
}

/**
 * Applies the requested fixes to an ONNX model; the input model is left untouched.
 *
 * @throws ArgumentError for a bad option (an unknown input name, a batch that is not a positive
 *   integer or a name, an opset that cannot be raised for Resize).
 * @throws GraphError when the graph is structurally invalid.
 */
export function convertModel(model: OnnxModel, options: ConvertOptions): ConvertResult {
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError(`Expected an object for options but received ${String(options)}`);
  }
  const changes: string[] = [];
  let m = model;
  if (options.inputShapes && Object.keys(options.inputShapes).length) {
    m = setInputShapes(m, options.inputShapes);
    for (const [k, v] of Object.entries(options.inputShapes))
      changes.push(`input '${k}' shape set to [${v.join(', ')}]`);
  }
  if (options.batch !== undefined) {
    m = setBatchDimension(m, options.batch);
    changes.push(
      typeof options.batch === 'number'
        ? `batch fixed to ${options.batch}`
        : `batch freed as '${options.batch}'`,
    );
  }
  if (options.upsampleToResize) {
    const r = upsampleToResize(m);
    m = r.model;
    if (r.replaced) changes.push(`${r.replaced} Upsample node(s) replaced with Resize`);
  }
  if (options.dropIdentity) {
    const r = dropIdentities(m);
    m = r.model;
    if (r.removed) changes.push(`${r.removed} Identity/Dropout node(s) removed`);
  }
  if (options.constantsToInitializers) {
    const r = constantsToInitializers(m);
    m = r.model;
    if (r.moved) changes.push(`${r.moved} Constant node(s) turned into initializers`);
  }
  if (options.foldConstants) {
    const before = opCount(m);
    m = foldConstants(m);
    changes.push(`constant folding: ${before - opCount(m)} node(s) folded or removed`);
  } else if (changes.length) {
    m = removeUnused(m);
  }
  return { model: m, changes };
}
