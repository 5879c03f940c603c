// One-node models for conformance tests: ONNX's own node tests (Debian's libonnx-testdata, onnx
// 1.12), each with its non-first inputs turned into constants (what the TensorRT restrictions ask of
// weights, axes, K...), and a generic one-input node for ops ONNX 1.12 has no test of.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelGraph, ModelOp, ModelTensor } from '@edge/core';
import { modelGraphFromOnnx, readModelFile } from '@edge/onnx-parse';
import { NODE_TESTS } from '@edge/test-utils';
import { chain, node, value } from './build.js';

/** A one-node graph and where it came from. */
export interface OneNode {
  readonly origin: string;
  readonly graph: ModelGraph;
}

let byOp: Map<string, OneNode[]> | undefined;

function constantsBeyondFirst(g: ModelGraph): ModelGraph {
  const op = g.ops[0]!;
  const inputs = op.inputs.map((t, k): ModelTensor | null => (t && k > 0 ? { ...t, constant: true } : t));
  const ops: ModelOp[] = [{ ...op, inputs }];
  return { ...g, ops, inputs: g.inputs.filter((t) => t.name === op.inputs[0]?.name) };
}

/** The node tests whose model is one node, by op type, with constants beyond the first input. */
export function nodeTests(): Map<string, OneNode[]> {
  if (byOp) return byOp;
  byOp = new Map();
  if (!existsSync(NODE_TESTS)) return byOp;
  for (const dir of readdirSync(NODE_TESTS).sort()) {
    const path = join(NODE_TESTS, dir, 'model.onnx');
    if (!existsSync(path)) continue;
    let g: ModelGraph;
    try {
      g = modelGraphFromOnnx(readModelFile(path));
    } catch {
      continue;
    }
    if (g.ops.length !== 1) continue;
    const op = g.ops[0]!;
    const list = byOp.get(op.opType) ?? [];
    list.push({ origin: `libonnx-testdata node/${dir}`, graph: constantsBeyondFirst(g) });
    byOp.set(op.opType, list);
  }
  return byOp;
}

/** A node of the op on one float input [1,3,8,8], at `opset`. */
export function genericOneNode(opType: string, opset: number): OneNode {
  const m = chain([value('x', [1, 3, 8, 8])], [node(opType, ['x'], ['y'])], { opset });
  return { origin: `generic ${opType}(x[1,3,8,8]) opset ${opset}`, graph: modelGraphFromOnnx(m) };
}
