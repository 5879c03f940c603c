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
  | 'EDGE_UNAVAILABLE'
  | 'EDGE_NO_BACKEND'
  | 'EDGE_MODEL_LOAD'
  | 'EDGE_INFERENCE'
  | 'EDGE_QUEUE_FULL'
  | 'EDGE_ABORTED'
  | 'EDGE_TIMEOUT'
  | 'EDGE_DISPOSED';

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

/**
 * A feed given to a session or model does not match the model's input: missing, unknown, not a
 * tensor, or of the wrong dtype or shape. The message names the input, what the model expects and
 * what was received, in the format of {@link ArgumentError}.
 */
export class FeedError extends ArgumentError {
  /** The input name as the model declares it (or as the caller wrote it, for an unknown name). */
  readonly input: string;
  /** What the model expects, e.g. `float32 tensor of shape [N,3,48,192]`. */
  readonly expected: string;
  /** What was received, e.g. `Tensor<uint8>[1,3,48,192]` or `nothing`. */
  readonly received: string;

  constructor(
    message: string,
    input: string,
    expected: string,
    received: string,
    options?: EdgeErrorOptions,
  ) {
    super(message, options);
    this.input = input;
    this.expected = expected;
    this.received = received;
  }
}

/** Why one backend was not used for a model, as {@link NoBackendError} and `loadModel` report it. */
export interface BackendSkip {
  /** Backend name, e.g. `onnxruntime`. */
  readonly backend: string;
  /**
   * `not-installed`: its package is missing; `unavailable`: installed but cannot run here (no
   * native library, no device); `cannot-load`: does not take this model (format); `load-failed`:
   * tried and failed to load the model.
   */
  readonly kind: 'not-installed' | 'unavailable' | 'cannot-load' | 'load-failed';
  /** The reason in words, with the fix where one exists. */
  readonly reason: string;
}

/** No backend could load a model. The message lists every backend tried and why it was skipped. */
export class NoBackendError extends EdgeError {
  /** Every backend in the order tried, with its reason. */
  readonly skipped: readonly BackendSkip[];

  constructor(model: string, skipped: readonly BackendSkip[], options?: EdgeErrorOptions) {
    const lines = skipped.map((s) => `  - ${s.backend} (${s.kind}): ${s.reason}`);
    const list = lines.length > 0 ? `\n${lines.join('\n')}` : ' (no backend was tried)';
    super('EDGE_NO_BACKEND', `no backend can run ${model}:${list}`, options);
    this.skipped = Object.freeze([...skipped]);
  }
}

/** A backend failed to create a session for a model (invalid model, unsupported input type...). */
export class ModelLoadError extends EdgeError {
  /** The backend that failed. */
  readonly backend: string;

  constructor(message: string, backend: string, options?: EdgeErrorOptions) {
    super('EDGE_MODEL_LOAD', message, options);
    this.backend = backend;
  }
}

/** A backend failed while running a session on valid feeds; `cause` holds the engine's error. */
export class InferenceError extends EdgeError {
  constructor(message: string, options?: EdgeErrorOptions) {
    super('EDGE_INFERENCE', message, options);
  }
}

/** A request was refused because the model's queue already holds its limit of pending requests. */
export class QueueFullError extends EdgeError {
  /** The queue limit that was reached. */
  readonly limit: number;

  constructor(message: string, limit: number, options?: EdgeErrorOptions) {
    super('EDGE_QUEUE_FULL', message, options);
    this.limit = limit;
  }
}

/** A request (or a load) was cancelled through its `AbortSignal`; `cause` holds the signal's reason. */
export class AbortedError extends EdgeError {
  constructor(message: string, options?: EdgeErrorOptions) {
    super('EDGE_ABORTED', message, options);
  }
}

/** A request did not finish within its timeout (queue wait included). */
export class TimeoutError extends EdgeError {
  /** The timeout that expired, in milliseconds. */
  readonly timeoutMs: number;

  constructor(message: string, timeoutMs: number, options?: EdgeErrorOptions) {
    super('EDGE_TIMEOUT', message, options);
    this.timeoutMs = timeoutMs;
  }
}

/** A session or model was used after `dispose()`. */
export class DisposedError extends EdgeError {
  constructor(message: string, options?: EdgeErrorOptions) {
    super('EDGE_DISPOSED', message, options);
  }
}
