export {
  createBackend,
  type SessionCounts,
  sessionCounts,
  type TfliteBackend,
  type TfliteBackendOptions,
} from './backend/backend.js';
export { TfliteSession } from './backend/session.js';
export {
  elementTypeOfTflite,
  type FromTfliteOptions,
  modelGraphFromTflite,
  readTfliteGraph,
  TFLITE_CUSTOM_DOMAIN,
  TFLITE_DOMAIN,
} from './graph.js';
export {
  type ReadTfliteOptions,
  readTflite,
  readTfliteFile,
  type TfliteBuffer,
  type TfliteMetadata,
  type TfliteModel,
  type TfliteOperator,
  type TfliteOperatorCode,
  type TfliteQuantization,
  type TfliteSignature,
  type TfliteSubgraph,
  type TfliteTensor,
} from './model.js';
export type { TfliteOptions, TfliteOptionValue } from './options.js';
export { ruleTables } from './rule-tables.js';
export { EDGETPU_RULES, EDGETPU_SOURCE } from './rules/edgetpu.js';
export { TFLITE_RULES, TFLITE_SOURCE } from './rules/tflite.js';
export {
  BUILTIN_OPERATORS,
  BUILTIN_OPTIONS,
  builtinOperatorCode,
  builtinOperatorName,
  TENSOR_TYPES,
  TFLITE_FILE_IDENTIFIER,
  tensorTypeName,
} from './schema-names.js';
export { summarizeTflite, type TfliteIO, type TfliteSummary } from './summary.js';
