// One way into the checker for every model format. Each format's reader turns a model file (or
// its bytes) into the neutral ModelGraph that rule tables read: @edge/onnx-parse's for ONNX,
// @edge/backends-tflite's for TFLite. The checker picks one by the source's format.

import type { ModelSource } from './backend.js';
import type { ModelDim, ModelGraph } from './rules.js';

/** Options every {@link ModelGraphReader} takes. */
export interface ModelGraphOptions {
  /** Shapes to assume for graph inputs, by name (e.g. to fix a free batch before checking). */
  readonly inputShapes?: Readonly<Record<string, readonly ModelDim[]>>;
}

/**
 * Reads a model of one format into the neutral {@link ModelGraph}. Implementations throw
 * `ArgumentError` for a source of another format or an option they cannot honour,
 * `FileIOError`/`ModelParseError` when the model cannot be read, `GraphError` when its graph is
 * invalid.
 */
export type ModelGraphReader = (source: ModelSource, options?: ModelGraphOptions) => ModelGraph;
