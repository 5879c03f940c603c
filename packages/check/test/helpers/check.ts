// The checker on one generated model and one target id, as `edge check` runs it (every known table
// available for fallbacks).
import type { OnnxModel } from '@edge/onnx-parse';
import { modelGraphFromOnnx } from '@edge/onnx-parse';
import { checkGraph, loadRuleTables, resolveTargets, type TargetReport } from '../../src/index.js';

/** The report of one target (an alias gives its first table) on a model. */
export async function targetReport(m: OnnxModel, target: string): Promise<TargetReport> {
  const [t] = await resolveTargets([target]);
  return checkGraph(modelGraphFromOnnx(m), [t!], { known: await loadRuleTables() }).targets[0]!;
}
