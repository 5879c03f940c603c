// Types shared by the inference engine and the per-family rule tables.

import type { NodeProto, TensorProto } from '../types.js';

/** One dimension: a fixed size, a symbolic name (such as a free batch 'N'), or null when unknown. */
export type Dim = number | string | null;

/** Element type and shape of a tensor. `shape` null means unknown rank; `[]` is a scalar. */
export interface ValueType {
  /** ONNX `TensorProto.DataType` code, see {@link DataType}. */
  elemType: number;
  shape: Dim[] | null;
}

/** Options of {@link inferShapes}. */
export interface ShapeInferenceOptions {
  /**
   * Shapes to assume for graph inputs, by input name, replacing the declared ones (for example to
   * fix the height and width of a model whose image size is free).
   */
  inputShapes?: Readonly<Record<string, readonly Dim[]>>;
}

/**
 * @internal The value of a small tensor known before running the model: a constant, or a shape
 * computation over static shapes. Symbolic entries keep a free dimension's name through
 * Shape -> Gather -> Concat chains so that Reshape can copy it; null entries are unknown.
 */
export interface KnownValue {
  elemType: number;
  dims: number[];
  data: Dim[];
}

/** @internal What a rule sees of one node. */
export interface OpContext {
  readonly node: NodeProto;
  /** The opset version imported for the node's domain. */
  readonly opset: number;
  /** True when input `i` is given (not omitted with an empty name). */
  has(i: number): boolean;
  /** The type of input `i`; throws (leaving the node unknown) when absent or not inferred. */
  input(i: number): ValueType;
  /** The shape of input `i`; throws when its rank is unknown. */
  shape(i: number): Dim[];
  /** The value of input `i` when known before running, else undefined. */
  value(i: number): KnownValue | undefined;
  /** The tensor of a Constant node (for the Constant rule). */
  constant(name: string): TensorProto | undefined;
  /** The values of a small numeric tensor (an attribute), read on demand. */
  tensorValue(t: TensorProto): KnownValue | undefined;
  /** The inferred shape of output 0 (for evaluators that only move data). */
  outputShape(): Dim[] | null;
}

/** @internal A shape rule: the types of the node's outputs, by position. */
export type OpRule = (ctx: OpContext) => ValueType | (ValueType | undefined)[];
