// A model file to a report: the file's format (from its bytes, then its extension) picks the graph
// reader, ONNX's from @edge/onnx-parse or TFLite's from @edge/backends-tflite when installed; both
// are core's ModelGraphReader, so everything after the read is the same for either format.

import {
  backendPackage,
  type ModelFormat,
  type ModelGraph,
  type ModelGraphOptions,
  type ModelGraphReader,
  toModelSource,
  UnavailableError,
} from '@edge/core';
import { readOnnxGraph } from '@edge/onnx-parse';
import { checkGraph } from './checker.js';
import { importOptional } from './optional-import.js';
import { loadRuleTables, resolveTargets } from './registry.js';
import type { CheckReport } from './report.js';

async function tfliteReader(): Promise<ModelGraphReader> {
  const pkg = backendPackage('tflite');
  const found = await importOptional(pkg);
  const reader = 'module' in found ? found.module.readTfliteGraph : undefined;
  if (typeof reader !== 'function') {
    const why = 'absent' in found ? found.absent : `${pkg} exports no readTfliteGraph`;
    throw new UnavailableError(
      `cannot read TFLite models here: ${why}; or convert the model to ONNX (tf2onnx) to check it`,
    );
  }
  return reader as ModelGraphReader;
}

/** The graph reader of each model format. */
const READERS: Readonly<Record<ModelFormat, () => Promise<ModelGraphReader>>> = {
  onnx: async () => readOnnxGraph,
  tflite: tfliteReader,
};

/**
 * Reads a model (a path, or the file's bytes) into the neutral graph. The format comes from the
 * bytes (TFLite's `TFL3` identifier), then the extension; ONNX is read by @edge/onnx-parse, TFLite
 * by @edge/backends-tflite.
 *
 * @throws ArgumentError when `model` is neither a path nor bytes, or an option does not apply to
 *   the format (input shapes on a TFLite model).
 * @throws UnavailableError for a TFLite model when @edge/backends-tflite is not installed.
 * @throws FileIOError / ModelParseError when the model cannot be read; GraphError when its graph
 *   is invalid.
 */
export async function readModelGraph(
  model: string | Uint8Array,
  options: ModelGraphOptions = {},
): Promise<ModelGraph> {
  const source = toModelSource(model);
  const read = await READERS[source.format]();
  return read(source, options);
}

/**
 * Checks a model file on the given targets.
 *
 * @throws ArgumentError for an unknown target id.
 * @throws UnavailableError for a TFLite model when @edge/backends-tflite is not installed.
 * @throws ModelParseError / FileIOError / GraphError when the model cannot be read.
 */
export async function checkModelFile(
  path: string,
  targets: readonly string[],
  options: ModelGraphOptions = {},
): Promise<CheckReport> {
  const tables = await resolveTargets(targets);
  const graph = await readModelGraph(path, options);
  return checkGraph(graph, tables, { known: await loadRuleTables(), model: path });
}
