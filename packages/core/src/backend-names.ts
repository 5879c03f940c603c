// The backends of the SDK, by name: the one list that loadModel (to find a backend) and the
// checker (to find rule tables) both read. Each lives in the package `@edge/backends-<name>`, so
// adding a backend means adding its name here and nothing else in either of them.

/** Names of the backends the SDK finds by package, in loadModel's default preference order. */
export const BACKEND_NAMES: readonly ['trt', 'onnxruntime', 'tflite'] = Object.freeze([
  'trt',
  'onnxruntime',
  'tflite',
] as const);

/** Name of a backend the SDK finds by package: `trt`, `onnxruntime` or `tflite`. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** The package a backend lives in: `@edge/backends-trt` for `trt`. */
export function backendPackage(name: BackendName): `@edge/backends-${BackendName}` {
  return `@edge/backends-${name}`;
}

/**
 * True when `error`, thrown by `import(specifier)`, says that the package itself is missing (not one
 * of its own imports): an optional package that is not installed rather than a broken one.
 */
export function isModuleNotFound(error: unknown, specifier: string): boolean {
  const e = error as { code?: unknown; message?: unknown };
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' && e?.code !== 'MODULE_NOT_FOUND') {
    // Vite-based test runners report a missing package by message only.
    return typeof e?.message === 'string' && e.message.includes(`Cannot find package '${specifier}'`);
  }
  return typeof e.message !== 'string' || e.message.includes(specifier);
}
