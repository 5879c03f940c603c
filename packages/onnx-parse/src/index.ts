export { DataType, dataTypeBits, dataTypeByteLength, dataTypeName } from './data-type.js';
export { type ReadFileOptions, type ReadOptions, readModel, readModelFile } from './reader.js';
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
