// Finding backends: each known backend is a package imported with import() on first use, so the
// runtime works with whichever are installed. A missing package, a package without a backend and
// a backend that cannot run here are reasons to skip, never crashes.

import { type Backend, type BackendSkip, isEdgeError } from '@edge/core';

/** Names of the backends the runtime knows how to find. */
export type BackendName = 'trt' | 'onnxruntime' | 'tflite';

interface KnownBackend {
  readonly package: string;
  /** Why it cannot run when its package offers no backend (yet). */
  readonly noBackend: string;
}

/** @internal The backends the runtime finds by package name. */
export const KNOWN_BACKENDS: Readonly<Record<BackendName, KnownBackend>> = Object.freeze({
  trt: {
    package: '@edge/backends-trt',
    noBackend:
      'TensorRT not installed: @edge/backends-trt has no TensorRT runtime to offer on this machine (TensorRT ships with JetPack on Jetson, or from NVIDIA for x86 GPUs)',
  },
  onnxruntime: {
    package: '@edge/backends-onnxruntime',
    noBackend: '@edge/backends-onnxruntime exports no createBackend',
  },
  tflite: {
    package: '@edge/backends-tflite',
    noBackend: '@edge/backends-tflite exports no createBackend',
  },
});

/** Preference when the caller gives none: TensorRT, then onnxruntime (itself tensorrt, cuda, cpu), then TFLite. */
export const DEFAULT_BACKEND_ORDER: readonly BackendName[] = Object.freeze(['trt', 'onnxruntime', 'tflite']);

/** @internal A backend found, or the reason it was not. */
export type FoundBackend = { readonly backend: Backend } | { readonly skip: BackendSkip };

function isModuleNotFound(error: unknown, specifier: string): boolean {
  const e = error as { code?: unknown; message?: unknown };
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' && e?.code !== 'MODULE_NOT_FOUND') {
    // Vite-based test runners report a missing package by message only.
    return typeof e?.message === 'string' && e.message.includes(`Cannot find package '${specifier}'`);
  }
  // The package itself is missing, not one of its own imports.
  return typeof e.message !== 'string' || e.message.includes(specifier);
}

/**
 * @internal Imports a backend package and creates its backend; any failure becomes a skip reason.
 * `specifier` is the package name; tests pass one that does not exist.
 *
 * @throws {@link ArgumentError} when the backend rejects `options`.
 */
export async function findBackend(
  name: string,
  specifier: string,
  noBackend: string,
  options: unknown,
): Promise<FoundBackend> {
  let mod: { createBackend?: unknown };
  try {
    mod = (await import(specifier)) as { createBackend?: unknown };
  } catch (e) {
    if (isModuleNotFound(e, specifier)) {
      return {
        skip: {
          backend: name,
          kind: 'not-installed',
          reason: `${specifier} is not installed (npm install ${specifier})`,
        },
      };
    }
    const message = (e as Error)?.message ?? String(e);
    return {
      skip: {
        backend: name,
        kind: 'unavailable',
        reason: `${specifier} failed to load: ${message.split('\n')[0]}`,
      },
    };
  }
  if (typeof mod.createBackend !== 'function') {
    return { skip: { backend: name, kind: 'unavailable', reason: noBackend } };
  }
  try {
    return { backend: (mod.createBackend as (o?: unknown) => Backend)(options) };
  } catch (e) {
    // The caller's options are wrong: say so rather than quietly trying the next backend.
    if (isEdgeError(e, 'EDGE_ARGUMENT')) throw e;
    return {
      skip: {
        backend: name,
        kind: 'unavailable',
        reason: `${specifier} createBackend failed: ${(e as Error)?.message ?? String(e)}`,
      },
    };
  }
}
