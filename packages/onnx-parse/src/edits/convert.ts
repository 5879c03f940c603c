// `edge convert`: the graph fixes in the order that lets each help the next. Shapes first (they
// make Shape subgraphs foldable), then rewrites, then constant folding and cleanup.

import { ArgumentError } from '@edge/core';
import type { Dim } from '../shape-inference/types.js';
import type { OnnxModel } from '../types.js';
import { dropIdentities, removeUnused } from './cleanup.js';
import { constantsToInitializers, foldConstants } from './constants.js';
import type { EditChange, EditResult } from './edit-result.js';
import { setBatchDimension, setInputShapes } from './shapes.js';
import { upsampleToResize } from './upsample.js';

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

/**
 * Applies the requested fixes to an ONNX model, in the order {@link setInputShapes},
 * {@link setBatchDimension}, {@link upsampleToResize}, {@link dropIdentities},
 * {@link constantsToInitializers}, then {@link foldConstants} (or {@link removeUnused} when
 * something changed and folding was not asked for). The input model is left untouched.
 *
 * @returns The changes of every step, in order.
 * @throws ArgumentError for a bad option (an unknown input name, a batch that is not a positive
 *   integer or a name, an opset that cannot be raised for Resize).
 * @throws GraphError when the graph is structurally invalid.
 */
export function convertModel(model: OnnxModel, options: ConvertOptions): EditResult {
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError(`Expected an object for options but received ${String(options)}`);
  }
  const changes: EditChange[] = [];
  let m = model;
  const apply = (r: EditResult) => {
    m = r.model;
    changes.push(...r.changes);
  };
  if (options.inputShapes && Object.keys(options.inputShapes).length)
    apply(setInputShapes(m, options.inputShapes));
  if (options.batch !== undefined) apply(setBatchDimension(m, options.batch));
  if (options.upsampleToResize) apply(upsampleToResize(m));
  if (options.dropIdentity) apply(dropIdentities(m));
  if (options.constantsToInitializers) apply(constantsToInitializers(m));
  if (options.foldConstants) apply(foldConstants(m));
  else if (changes.length) apply(removeUnused(m));
  return { model: m, changes };
}
