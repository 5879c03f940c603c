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
  nodeLabel,
} from './attributes.js';
export * as onnxBuilder from './build.js';
export { DataType, dataTypeBits, dataTypeByteLength, dataTypeName } from './data-type.js';
export { exposeTensors, foldConstants, removeUnused, setBatchDimension } from './edits.js';
export { buildGraph, constantTensor, Graph, isDefaultDomain } from './graph.js';
export { upgradeOpset } from './opset.js';
export { type ReadFileOptions, type ReadOptions, readModel, readModelFile } from './reader.js';
export {
  type Dim,
  type InferOptions,
  inferShapes,
  typeFromProto,
  typeToProto,
  type ValueType,
} from './shape-inference/index.js';
export { heaviestNodes, type ModelStats, modelStats, type NodeStats, type StatsOptions } from './stats.js';
export {
  type ModelSummary,
  type SummaryLayer,
  type SummaryOptions,
  type SummaryValue,
  summarizeModel,
} from './summary.js';
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
