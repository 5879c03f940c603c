// Finding backends: each known backend is a package imported with import() on first use, so the
// runtime works with whichever are installed. A missing package, a package without a backend and
// a backend that cannot run here are reasons to skip, never crashes.

import {
  BACKEND_NAMES,
  type Backend,
  type BackendName,
  type BackendSkip,
  isEdgeError,
  isModuleNotFound,
} from '@edge/core';

/** @internal Preference when the caller gives none: TensorRT, then onnxruntime (itself tensorrt, cuda, cpu), then TFLite. */
export const DEFAULT_BACKEND_ORDER: readonly BackendName[] = BACKEND_NAMES;

/** @internal A backend found, or the reason it was not. */
export type FoundBackend = { readonly backend: Backend } | { readonly skip: BackendSkip };

/**
 * @internal Imports a backend package and creates its backend; any failure becomes a skip reason.
 * `specifier` is the package name; tests pass one that does not exist.
 *
 * @throws {@link ArgumentError} when the backend rejects `options`.
 */
export async function findBackend(name: string, specifier: string, options: unknown): Promise<FoundBackend> {
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
    return {
      skip: {
        backend: name,
        kind: 'unavailable',
        reason: `${specifier} exports no createBackend (a version older than this runtime?)`,
      },
    };
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
