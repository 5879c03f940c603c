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
