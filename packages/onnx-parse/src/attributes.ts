// Typed access to node attributes. A wrong attribute type is a property of the model, not of the
// caller, so it is a GraphError naming the node; shape inference catches it and leaves the node unknown.

import { GraphError } from '@edge/core';
import {
  type AttributeProto,
  AttributeType,
  type GraphProto,
  type NodeProto,
  type SparseTensorProto,
  type TensorProto,
  type TypeProto,
} from './types.js';

/** The JS value of an attribute, as {@link attributeValue} returns it. */
export type AttributeValue =
  | number
  | string
  | TensorProto
  | GraphProto
  | SparseTensorProto
  | TypeProto
  | number[]
  | string[]
  | TensorProto[]
  | GraphProto[]
  | SparseTensorProto[]
  | TypeProto[];

const TYPE_NAMES: readonly string[] = Object.keys(AttributeType);

const utf8 = new TextDecoder();

/** Human label of a node for messages: `'conv1' (Conv)`, or its first output when it has no name. */
export function nodeLabel(node: NodeProto): string {
  if (node.name) return `'${node.name}' (${node.opType})`;
  return `${node.opType} producing '${node.outputs[0] ?? ''}'`;
}

/** The attribute called `name`, or undefined. */
export function findAttribute(node: NodeProto, name: string): AttributeProto | undefined {
  for (const a of node.attributes) if (a.name === name) return a;
  return undefined;
}

// Files written before IR 2 (and some hand-made ones) leave `type` UNDEFINED; the field that is
// set then tells the type, as onnx's own checker accepts.
function effectiveType(a: AttributeProto): number {
  if (a.type !== AttributeType.UNDEFINED) return a.type;
  if (a.f !== undefined) return AttributeType.FLOAT;
  if (a.i !== undefined) return AttributeType.INT;
  if (a.s !== undefined) return AttributeType.STRING;
  if (a.t !== undefined) return AttributeType.TENSOR;
  if (a.g !== undefined) return AttributeType.GRAPH;
  if (a.sparseTensor !== undefined) return AttributeType.SPARSE_TENSOR;
  if (a.tp !== undefined) return AttributeType.TYPE_PROTO;
  if (a.floats.length) return AttributeType.FLOATS;
  if (a.ints.length) return AttributeType.INTS;
  if (a.strings.length) return AttributeType.STRINGS;
  if (a.tensors.length) return AttributeType.TENSORS;
  if (a.graphs.length) return AttributeType.GRAPHS;
  if (a.sparseTensors.length) return AttributeType.SPARSE_TENSORS;
  if (a.typeProtos.length) return AttributeType.TYPE_PROTOS;
  return AttributeType.UNDEFINED;
}

/**
 * The JS value of any attribute, chosen by its type: numbers for FLOAT/INT, a UTF-8 string for
 * STRING, arrays for the repeated types, the proto object for TENSOR/GRAPH/SPARSE_TENSOR/TYPE_PROTO.
 *
 * @throws GraphError when the attribute has no type and no value.
 */
export function attributeValue(attr: AttributeProto): AttributeValue {
  switch (effectiveType(attr)) {
    case AttributeType.FLOAT:
      return attr.f ?? 0;
    case AttributeType.INT:
      return attr.i ?? 0;
    case AttributeType.STRING:
      return utf8.decode(attr.s ?? new Uint8Array());
    case AttributeType.TENSOR:
      if (attr.t) return attr.t;
      break;
    case AttributeType.GRAPH:
      if (attr.g) return attr.g;
      break;
    case AttributeType.SPARSE_TENSOR:
      if (attr.sparseTensor) return attr.sparseTensor;
      break;
    case AttributeType.TYPE_PROTO:
      if (attr.tp) return attr.tp;
      break;
    case AttributeType.FLOATS:
      return attr.floats;
    case AttributeType.INTS:
      return attr.ints;
    case AttributeType.STRINGS:
      return attr.strings.map((s) => utf8.decode(s));
    case AttributeType.TENSORS:
      return attr.tensors;
    case AttributeType.GRAPHS:
      return attr.graphs;
    case AttributeType.SPARSE_TENSORS:
      return attr.sparseTensors;
    case AttributeType.TYPE_PROTOS:
      return attr.typeProtos;
  }
  throw new GraphError(
    `attribute '${attr.name}' has type ${TYPE_NAMES[attr.type] ?? attr.type} but no value`,
  );
}

function typed(node: NodeProto, name: string, expected: number): AttributeProto | undefined {
  const a = findAttribute(node, name);
  if (a === undefined) return undefined;
  const t = effectiveType(a);
  // An empty repeated attribute has no field set to tell its type; accept it as the expected one.
  if (t === expected || (t === AttributeType.UNDEFINED && expected >= AttributeType.FLOATS)) return a;
  throw new GraphError(
    `node ${nodeLabel(node)}: attribute '${name}' is ${TYPE_NAMES[t] ?? t}, expected ${TYPE_NAMES[expected]}`,
  );
}

/**
 * An INT attribute, or `defaultValue` when absent. int64 values beyond 2^53 (such as INT64_MAX in
 * Slice ends) come back rounded, which keeps their meaning as "past the end".
 *
 * @throws GraphError when the attribute exists with another type.
 */
export function attrInt(node: NodeProto, name: string): number | undefined;
export function attrInt(node: NodeProto, name: string, defaultValue: number): number;
export function attrInt(node: NodeProto, name: string, defaultValue?: number): number | undefined {
  return typed(node, name, AttributeType.INT)?.i ?? defaultValue;
}

/**
 * An INTS attribute, or `defaultValue` when absent.
 *
 * @throws GraphError when the attribute exists with another type.
 */
export function attrInts(node: NodeProto, name: string): number[] | undefined;
export function attrInts(node: NodeProto, name: string, defaultValue: number[]): number[];
export function attrInts(node: NodeProto, name: string, defaultValue?: number[]): number[] | undefined {
  return typed(node, name, AttributeType.INTS)?.ints ?? defaultValue;
}

/**
 * A FLOAT attribute, or `defaultValue` when absent.
 *
 * @throws GraphError when the attribute exists with another type.
 */
export function attrFloat(node: NodeProto, name: string): number | undefined;
export function attrFloat(node: NodeProto, name: string, defaultValue: number): number;
export function attrFloat(node: NodeProto, name: string, defaultValue?: number): number | undefined {
  return typed(node, name, AttributeType.FLOAT)?.f ?? defaultValue;
}

/**
 * A FLOATS attribute, or `defaultValue` when absent.
 *
 * @throws GraphError when the attribute exists with another type.
 */
export function attrFloats(node: NodeProto, name: string): number[] | undefined;
export function attrFloats(node: NodeProto, name: string, defaultValue: number[]): number[];
export function attrFloats(node: NodeProto, name: string, defaultValue?: number[]): number[] | undefined {
  return typed(node, name, AttributeType.FLOATS)?.floats ?? defaultValue;
}

/**
 * A STRING attribute decoded as UTF-8, or `defaultValue` when absent.
 *
 * @throws GraphError when the attribute exists with another type.
 */
export function attrString(node: NodeProto, name: string): string | undefined;
export function attrString(node: NodeProto, name: string, defaultValue: string): string;
export function attrString(node: NodeProto, name: string, defaultValue?: string): string | undefined {
  const s = typed(node, name, AttributeType.STRING)?.s;
  return s === undefined ? defaultValue : utf8.decode(s);
}

/**
 * A TENSOR attribute, or undefined when absent.
 *
 * @throws GraphError when the attribute exists with another type.
 */
export function attrTensor(node: NodeProto, name: string): TensorProto | undefined {
  return typed(node, name, AttributeType.TENSOR)?.t;
}

/**
 * A GRAPH attribute (the body of If/Loop/Scan), or undefined when absent.
 *
 * @throws GraphError when the attribute exists with another type.
 */
export function attrGraph(node: NodeProto, name: string): GraphProto | undefined {
  return typed(node, name, AttributeType.GRAPH)?.g;
}
