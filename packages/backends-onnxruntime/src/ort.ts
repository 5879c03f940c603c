// The part of onnxruntime-node this package uses, described once as a typed interface (as
// onnxruntime's own js/node/lib/binding.ts does for its addon), and the lazy loader. Nothing
// imports onnxruntime-node at module load: its native addon loads on the first `loadOrt()`.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Element type names onnxruntime uses for tensors. */
export type OrtTensorType =
  | 'float32'
  | 'float16'
  | 'float64'
  | 'bfloat16'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'int4'
  | 'uint4'
  | 'bool'
  | 'string';

/** An onnxruntime tensor (CPU location only here). */
export interface OrtTensor {
  readonly type: OrtTensorType;
  readonly dims: readonly number[];
  readonly data: unknown;
}

/** Input/output metadata of an onnxruntime session (1.21+). */
export type OrtValueMetadata =
  | { readonly name: string; readonly isTensor: false }
  | {
      readonly name: string;
      readonly isTensor: true;
      readonly type: OrtTensorType;
      /** Numbers for fixed dims, symbol names (possibly '') for free ones. */
      readonly shape: readonly (number | string)[];
    };

/** Session options this package sets. */
export interface OrtSessionOptions {
  executionProviders?: readonly (string | { name: string; deviceId?: number })[];
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
}

/** An onnxruntime inference session. */
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly OrtValueMetadata[];
  readonly outputMetadata: readonly OrtValueMetadata[];
  run(feeds: Record<string, OrtTensor>, fetches?: readonly string[]): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

/** The module `onnxruntime-node` as this package uses it. */
export interface OrtModule {
  readonly InferenceSession: {
    create(pathOrBytes: string | Uint8Array, options?: OrtSessionOptions): Promise<OrtSession>;
  };
  readonly Tensor: new (type: OrtTensorType, data: unknown, dims: readonly number[]) => OrtTensor;
  readonly env: { readonly versions: { readonly node?: string; readonly common?: string } };
  readonly listSupportedBackends?: () => readonly { name: string; bundled: boolean }[];
}

let loading: Promise<OrtModule> | undefined;

/**
 * Imports onnxruntime-node once per process (later calls share the first promise, including its
 * failure: a native addon that failed to load will not load on a second try either).
 */
export function loadOrt(): Promise<OrtModule> {
  loading ??= (async () => {
    // A variable specifier keeps bundlers from inlining or resolving the package at build time.
    const specifier = 'onnxruntime-node';
    const mod = (await import(specifier)) as { default?: OrtModule } & Partial<OrtModule>;
    const ort = (mod.InferenceSession ? mod : mod.default) as OrtModule | undefined;
    if (!ort?.InferenceSession || !ort.Tensor) {
      throw new Error('onnxruntime-node loaded but exports no InferenceSession');
    }
    return ort;
  })();
  return loading;
}

/** The version of onnxruntime-node, once loaded. */
export function ortVersion(ort: OrtModule): string {
  return ort.env.versions.node ?? ort.env.versions.common ?? 'unknown version';
}

const PROVIDER_LIBRARY: Partial<Record<NodeJS.Platform, (name: string) => string>> = {
  linux: (name) => `libonnxruntime_providers_${name}.so`,
  win32: (name) => `onnxruntime_providers_${name}.dll`,
};

function ortBinaryDir(): string | undefined {
  try {
    // ESM: import.meta.url; the CJS build has no import.meta (esbuild leaves it empty) but a require.
    const url = (import.meta as { url?: string }).url;
    const req = url !== undefined ? createRequire(url) : require;
    const entry = req.resolve('onnxruntime-node');
    return join(dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return undefined;
  }
}

/**
 * The provider library a GPU execution provider needs that is not beside onnxruntime-node's
 * binary, or undefined when it is there or the layout is unknown (then the provider is simply
 * tried). Checking first spares the user onnxruntime's own error log of a failed library load.
 */
export function missingProviderLibrary(provider: 'cuda' | 'tensorrt'): string | undefined {
  const dir = ortBinaryDir();
  const name = PROVIDER_LIBRARY[process.platform];
  if (dir === undefined || name === undefined || !existsSync(dir)) return undefined;
  for (const lib of ['shared', provider]) {
    const path = join(dir, name(lib));
    if (!existsSync(path)) return path;
  }
  return undefined;
}
