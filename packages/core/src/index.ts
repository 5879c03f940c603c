export {
  checkBoolean,
  checkInteger,
  checkNumber,
  checkOneOf,
  checkPositiveInteger,
  checkShape,
  checkString,
  describeValue,
  invalidArgument,
  type RangeOptions,
  type StringOptions,
} from './checks.js';
export {
  BYTES_PER_ELEMENT,
  type DataOf,
  type DataTypeMap,
  DTYPES,
  type DType,
  isDType,
  type TensorData,
} from './dtype.js';
export {
  ArgumentError,
  EdgeError,
  type EdgeErrorCode,
  type EdgeErrorOptions,
  FileIOError,
  GraphError,
  isEdgeError,
  ModelParseError,
  type ParseLocation,
  UnavailableError,
  UnsafePathError,
} from './errors.js';
export { float16BitsToFloat32, float32ToFloat16Bits, fromFloat16Array, toFloat16Array } from './float16.js';
export { Tensor } from './tensor.js';
