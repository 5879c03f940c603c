export {
  type AttributeValue,
  attrFloat,
  attrFloats,
  attrGraph,
  attrInt,
  attrInts,
  attributeValue,
  attrString,
  attrTensor,
  findAttribute,
} from './attributes.js';
export { DataType, dataTypeBits, dataTypeByteLength, dataTypeName } from './data-type.js';
export { exposeTensors, foldConstants, removeUnused, setBatchDimension } from './edits.js';
export { buildGraph, constantTensor, Graph } from './graph.js';
export { type ReadFileOptions, type ReadOptions, readModel, readModelFile } from './reader.js';
export { inferShapes } from './shape-inference/infer.js';
export type { Dim, InferOptions, ValueType } from './shape-inference/types.js';
export { heaviestNodes, type ModelStats, modelStats, type NodeStats, type StatsOptions } from './stats.js';
export {
  memorySource,
  readRange,
  type TensorValues,
  tensorBytes,
  tensorElementCount,
  tensorFromArray,
  tensorPayloadLength,
  tensorStrings,
  tensorValues,
} from './tensor-data.js';
export * from './types.js';
export { writeModel, writeModelFile } from './writer.js';
