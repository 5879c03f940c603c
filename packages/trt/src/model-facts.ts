// What a build needs to know about an ONNX model before TensorRT sees it: its SHA-256 (the
// engine's identity), its graph inputs with their free dimensions (the optimisation profile), and
// whether it already carries its precision (Q/DQ nodes, float16 tensors), which decides how
// TensorRT 10 must be asked for INT8 and FP16. The first step of the build chain; reads the
// structure only, weights stay where they are.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FileIOError, type ModelDim } from '@edge/core';
import { DataType, type OnnxModel, readModel } from '@edge/onnx-parse';

/** One graph input as the build sees it. */
export interface ModelInput {
  readonly name: string;
  /** ONNX element type name: `float`, `float16`, `uint8`... */
  readonly elemType: string;
  /** Numbers for fixed dimensions, the symbol or null for free ones. */
  readonly shape: readonly ModelDim[];
}

/** An ONNX model read for building. */
export interface ModelFacts {
  /** The path, or `<bytes>`. */
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Hex SHA-256 of the model file. */
  readonly sha256: string;
  readonly inputs: readonly ModelInput[];
  /** The model has QuantizeLinear/DequantizeLinear nodes (explicit INT8). */
  readonly quantized: boolean;
  /** The model computes in float16 (float16 initializers or Casts to float16). */
  readonly float16: boolean;
}

const ELEM_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(DataType).map(([k, v]) => [v, k.toLowerCase()]),
);

function factsOf(model: OnnxModel, bytes: Uint8Array, name: string): ModelFacts {
  const g = model.graph;
  const inits = new Set(g.initializers.map((t) => t.name));
  const inputs: ModelInput[] = [];
  for (const v of g.inputs) {
    if (inits.has(v.name) || v.type?.kind !== 'tensor') continue;
    const shape = (v.type.shape ?? []).map((d) =>
      d.value !== undefined ? Number(d.value) : d.param !== undefined && d.param !== '' ? d.param : null,
    );
    inputs.push({ name: v.name, elemType: ELEM_NAMES[v.type.elemType] ?? `type${v.type.elemType}`, shape });
  }
  const quantized = g.nodes.some((n) => n.opType === 'QuantizeLinear' || n.opType === 'DequantizeLinear');
  const float16 =
    g.initializers.some((t) => t.dataType === DataType.FLOAT16) ||
    g.nodes.some(
      (n) =>
        n.opType === 'Cast' && n.attributes.some((a) => a.name === 'to' && Number(a.i) === DataType.FLOAT16),
    );
  return {
    name,
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    inputs,
    quantized,
    float16,
  };
}

/**
 * Reads an ONNX model (a path or its bytes) for a build.
 *
 * @throws {@link FileIOError} when the file cannot be read.
 * @throws {@link ModelParseError} when it is not a valid ONNX model.
 */
export function readModelFacts(model: string | Uint8Array): ModelFacts {
  if (typeof model !== 'string') return factsOf(readModel(model), model, '<bytes>');
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(model);
  } catch (cause) {
    throw new FileIOError(`cannot read model file ${model}: ${(cause as Error).message}`, model, { cause });
  }
  return factsOf(readModel(bytes, { label: model, baseDir: resolve(model, '..') }), bytes, model);
}
