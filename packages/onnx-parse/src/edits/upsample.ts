// Upsample (deprecated from opset 10, refused by TensorRT and most accelerators) as the Resize that
// computes the same thing.

import { ArgumentError, GraphError } from '@edge/core';
import { attrFloats, attrString } from '../attributes.js';
import { attr } from '../build.js';
import { DataType } from '../data-type.js';
import { Graph, isDefaultDomain } from '../graph.js';
import { tensorFromArray } from '../tensor-data.js';
import type { OnnxModel, TensorProto } from '../types.js';
import { change, type EditResult, withInitializers } from './edit-result.js';

// Ops whose inputs or attributes changed between opset 7..10 and 11, so that raising the opset
// for Resize would change their meaning; Upsample itself is rewritten.
const CHANGED_BEFORE_11: Readonly<Record<string, number>> = {
  Slice: 10,
  TopK: 10,
  Pad: 11,
  Clip: 11,
  Resize: 11,
  Scatter: 11,
  BatchNormalization: 9,
  Dropout: 7,
};

/**
 * Replaces Upsample (deprecated from opset 10) with the equivalent Resize: asymmetric coordinates,
 * floor rounding for nearest, the same scales. A model below opset 11 is raised to 11 when none of
 * its other ops changed meaning on the way.
 *
 * @returns An `'upsample-to-resize'` change counting the nodes replaced.
 * @throws ArgumentError when the opset cannot be raised (the message names the blocking op).
 * @throws GraphError when an Upsample node has no scales, or the graph is structurally invalid.
 */
export function upsampleToResize(model: OnnxModel): EditResult {
  const graph = new Graph(model);
  const ups = graph.nodes.filter((n) => n.opType === 'Upsample' && isDefaultDomain(n.domain));
  if (ups.length === 0) return { model, changes: [] };
  const opset = graph.opsetVersion('') ?? 1;
  const target = Math.max(opset, 11);
  if (opset < 11) {
    for (const n of graph.nodes) {
      const since = CHANGED_BEFORE_11[n.opType];
      if (isDefaultDomain(n.domain) && since !== undefined && n.opType !== 'Upsample' && opset < since) {
        throw new ArgumentError(
          `cannot replace Upsample: the model is opset ${opset}, Resize needs 11, and ${n.opType} ('${n.name}') changed meaning at opset ${since}; convert the model's opset first (onnx.version_converter)`,
        );
      }
    }
  }
  const added: TensorProto[] = [];
  const nodes = graph.nodes.map((n) => {
    if (!ups.includes(n)) return n;
    const mode = attrString(n, 'mode', 'nearest');
    let scalesName = n.inputs[1];
    if (!scalesName) {
      const scales = attrFloats(n, 'scales');
      if (!scales) throw new GraphError(`Upsample '${n.name}' has neither a scales input nor attribute`);
      scalesName = `${n.outputs[0]}__scales`;
      added.push(tensorFromArray(scalesName, DataType.FLOAT, [scales.length], Float32Array.from(scales)));
    }
    const roiName = `${n.outputs[0]}__roi`;
    if (target < 13) added.push(tensorFromArray(roiName, DataType.FLOAT, [0], new Float32Array(0)));
    const attributes = [
      attr('mode', mode === 'bilinear' ? 'linear' : mode),
      attr('coordinate_transformation_mode', 'asymmetric'),
      ...(mode === 'nearest' ? [attr('nearest_mode', 'floor')] : []),
    ];
    return {
      ...n,
      opType: 'Resize',
      inputs: [n.inputs[0]!, target < 13 ? roiName : '', scalesName],
      attributes,
    };
  });
  const opsetImports = model.opsetImports.map((o) =>
    isDefaultDomain(o.domain) ? { ...o, version: target } : o,
  );
  return {
    model: {
      ...withInitializers(model, nodes, added),
      opsetImports,
      irVersion: Math.max(model.irVersion, 6),
    },
    changes: [
      change('upsample-to-resize', ups.length, `${ups.length} Upsample node(s) replaced with Resize`),
    ],
  };
}
