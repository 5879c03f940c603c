// Error classes shared by every package. Each has a stable `code`; recognition goes through a
// global symbol brand, so an error thrown by one copy of @edge/core (two versions in one
// node_modules tree) is still recognised by another copy, which `instanceof` would not do.

const BRAND: symbol = Symbol.for('@edge/core/error');

/** Stable machine-readable codes of every error the SDK throws. */
export type EdgeErrorCode =
  | 'EDGE_ARGUMENT'
  | 'EDGE_MODEL_PARSE'
  | 'EDGE_UNSAFE_PATH'
  | 'EDGE_IO'
  | 'EDGE_GRAPH'
  | 'EDGE_UNAVAILABLE';

/** Options accepted by every error constructor. */
export interface EdgeErrorOptions {
  /** The underlying error, kept for diagnosis. */
  cause?: unknown;
}

/**
 * Base class of every error the SDK throws on purpose.
 *
 * Recognise it with {@link isEdgeError} (works across package copies) rather than `instanceof`.
 */
export class EdgeError extends Error {
  /** Stable code, e.g. `EDGE_MODEL_PARSE`. */
  readonly code: EdgeErrorCode;

  constructor(code: EdgeErrorCode, message: string, options: EdgeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }
}

/**
 * True when `value` is an error thrown by any copy of `@edge/core`, optionally with the given code.
 */
export function isEdgeError(value: unknown, code?: EdgeErrorCode): value is EdgeError {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<symbol, unknown>)[BRAND] !== true) return false;
  return code === undefined || (value as EdgeError).code === code;
}

/** A function or option received a value outside what it accepts. */
export class ArgumentError extends EdgeError {
  constructor(message: string, options?: EdgeErrorOptions) {
    super('EDGE_ARGUMENT', message, options);
  }
}

/** Where in a model file a parse error happened. */
export interface ParseLocation {
  /** Path or label of the input (`<bytes>` for an in-memory buffer). */
  source: string;
  /** Absolute byte offset in the input where the bad field starts. */
  offset: number;
  /** Dotted protobuf field path, e.g. `ModelProto.graph.node[12].attribute[0].t.dims`. */
  fieldPath: string;
}

/** A model file is not valid (truncated, damaged, or not a model at all). */
export class ModelParseError extends EdgeError {
  /** Path or label of the input. */
  readonly source: string;
  /** Absolute byte offset of the failure. */
  readonly offset: number;
  /** Field path of the failure. */
  readonly fieldPath: string;
  /** What was wrong, without the location. */
  readonly reason: string;

  constructor(reason: string, location: ParseLocation, options?: EdgeErrorOptions) {
    super(
      'EDGE_MODEL_PARSE',
      `${location.source}: ${reason} at byte ${location.offset} (${location.fieldPath})`,
      options,
    );
    this.reason = reason;
    this.source = location.source;
    this.offset = location.offset;
    this.fieldPath = location.fieldPath;
  }
}

/** A path inside a model (external data) points outside the model's folder or is absolute. */
export class UnsafePathError extends EdgeError {
  /** The path as written in the model. */
  readonly location: string;

  constructor(message: string, location: string, options?: EdgeErrorOptions) {
    super('EDGE_UNSAFE_PATH', message, options);
    this.location = location;
  }
}

/** Reading or writing a file failed, or a file changed while the SDK still referred to it. */
export class FileIOError extends EdgeError {
  /** The file concerned. */
  readonly path: string;

  constructor(message: string, path: string, options?: EdgeErrorOptions) {
    super('EDGE_IO', message, options);
    this.path = path;
  }
}

/** The graph is structurally invalid (a cycle, a tensor produced twice, a dangling reference). */
export class GraphError extends EdgeError {
  constructor(message: string, options?: EdgeErrorOptions) {
    super('EDGE_GRAPH', message, options);
  }
}

/** A feature needs something this machine lacks (a native library, a device). The message says how to get it. */
export class UnavailableError extends EdgeError {
  constructor(message: string, options?: EdgeErrorOptions) {
    super('EDGE_UNAVAILABLE', message, options);
  }
}
