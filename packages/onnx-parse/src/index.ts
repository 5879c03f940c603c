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
export {
  type ConvertOptions,
  constantsToInitializers,
  convertModel,
  dropIdentities,
  type EditChange,
  type EditKind,
  type EditResult,
  exposeTensors,
  foldConstants,
  foldForQuantization,
  removeUnused,
  setBatchDimension,
  setInputShapes,
  upgradeOpset,
  upsampleToResize,
} from './edits/index.js';
export { buildGraph, constantTensor, Graph, isDefaultDomain } from './graph.js';
export { elementTypeOf, modelGraphFromOnnx, readOnnxGraph } from './model-graph.js';
export { ONNX_OPERATORS, type OnnxOperator } from './operators.js';
export { type ReadFileOptions, type ReadOptions, readModel, readModelFile } from './reader.js';
export {
  type Dim,
  inferShapes,
  type ShapeInferenceOptions,
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
