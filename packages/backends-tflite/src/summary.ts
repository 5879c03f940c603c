// What `edge inspect` prints for a .tflite model: interface, operator counts, custom operators,
// precision and weight size, from the decoded model alone.

import type { TfliteModel, TfliteTensor } from './model.js';

/** One input or output of a model. */
export interface TfliteIO {
  /** Tensor name. */
  name: string;
  /** Shape (static sizes). */
  shape: number[];
  /** Shape with -1 for dynamic dimensions, when recorded. */
  shapeSignature?: number[];
  /** `TensorType` name. */
  type: string;
  /** Per-tensor quantisation, when the tensor is quantised: `real = scale * (q - zeroPoint)`. */
  quantization?: { scale: number; zeroPoint: number };
}

/** Summary of a .tflite model (main subgraph). */
export interface TfliteSummary {
  /** Converter description. */
  description: string;
  /** Number of subgraphs. */
  subgraphs: number;
  /** Inputs of the main subgraph. */
  inputs: TfliteIO[];
  /** Outputs of the main subgraph. */
  outputs: TfliteIO[];
  /** Operators of the main subgraph. */
  operators: number;
  /** Count of each op type (builtin name or custom code), most frequent first. */
  opCounts: Record<string, number>;
  /** Custom operator codes used anywhere in the model. */
  customOps: string[];
  /** Count of tensors of each `TensorType` in the main subgraph. */
  tensorTypes: Record<string, number>;
  /** Bytes of constant data (weights) in all buffers. */
  weightBytes: number;
  /**
   * Precision of the computation: `int8` when every operator output is 8-bit quantised, `float`
   * when none is, `mixed` otherwise.
   */
  precision: 'float' | 'int8' | 'mixed';
}

function io(t: TfliteTensor): TfliteIO {
  const out: TfliteIO = { name: t.name, shape: t.shape, type: t.type };
  if (t.shapeSignature !== undefined) out.shapeSignature = t.shapeSignature;
  const q = t.quantization;
  if (q !== undefined && q.scale.length === 1)
    out.quantization = { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0] ?? 0 };
  return out;
}

/**
 * Summarises a decoded model: interface, op counts, custom ops, tensor types, weight bytes and
 * computing precision.
 *
 * @param model - A model from {@link readTflite}.
 * @returns The summary of the main subgraph (custom ops and weights cover the whole model).
 */
export function summarizeTflite(model: TfliteModel): TfliteSummary {
  const sg = model.subgraphs[0]!;
  const counts = new Map<string, number>();
  for (const op of sg.operators) counts.set(op.opType, (counts.get(op.opType) ?? 0) + 1);
  const opCounts = Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
  const customOps = new Set<string>();
  for (const s of model.subgraphs) for (const op of s.operators) if (op.custom) customOps.add(op.opType);
  const tensorTypes: Record<string, number> = {};
  for (const t of sg.tensors) tensorTypes[t.type] = (tensorTypes[t.type] ?? 0) + 1;
  let quantized = 0;
  let total = 0;
  for (const op of sg.operators) {
    for (const i of op.outputs) {
      const t = sg.tensors[i];
      if (t === undefined) continue;
      total++;
      if ((t.type === 'INT8' || t.type === 'UINT8') && t.quantization !== undefined) quantized++;
    }
  }
  return {
    description: model.description,
    subgraphs: model.subgraphs.length,
    inputs: sg.inputs.map((i) => io(sg.tensors[i]!)),
    outputs: sg.outputs.map((i) => io(sg.tensors[i]!)),
    operators: sg.operators.length,
    opCounts,
    customOps: [...customOps].sort(),
    tensorTypes,
    weightBytes: model.buffers.reduce((a, b) => a + b.length, 0),
    precision: quantized === 0 ? 'float' : quantized === total ? 'int8' : 'mixed',
  };
}
