// Finding the addon and opening the libraries, as sharp's loader does: each way is tried, every
// failure is kept, and one status says what was found, what is missing, where it looked and how
// to fix it. Nothing happens at import: the first call that needs the addon loads it, once per
// process (or per explicit call with other settings, for tests and `edge trt doctor`).
//
// The addon is found by @edge/core's loadNativeAddon (EDGE_TRT_NATIVE, then the prebuilds of this
// platform and architecture, then a source build), in two steps, because the package ships
// several builds per architecture (scripts/build-native.mjs): one without TensorRT's part, and one
// with it per TensorRT major, compiled against that major's oldest supported headers.
//   1. The first usable build; every build can open libraries, so it asks which TensorRT is
//      installed (dlopen of libnvinfer, getInferLibVersion).
//   2. When that TensorRT is there and the build cannot drive it (no TensorRT part, or headers of
//      another major or a newer minor: versions.ts), the build whose headers fit it. None fitting,
//      the first build stays (the CUDA kernel and device queries still work) and the status names
//      every build tried and why it does not fit.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  currentPrebuildTarget,
  findPrebuilds,
  loadNativeAddon,
  type NativeAddon,
  type NativeAddonSource,
} from '@edge/core';
import { BINDING_ABI, type NativeDevice, type NativeOpenResult, type TrtBinding } from './binding.js';
import {
  LIBRARY_KINDS,
  type LibraryKind,
  libraryCandidates,
  type SearchEnvironment,
} from './library-search.js';
import { formatTensorRTVersion, tensorrtMismatch } from './versions.js';

/** Set to an addon path to load that one instead; `0` or `off` disables the addon. */
const ADDON_ENV = 'EDGE_TRT_NATIVE';

/** What the loader found of one library. */
export interface LibraryStatus {
  readonly kind: LibraryKind;
  /** The file dlopen accepted, or null. */
  readonly path: string | null;
  /** Failures other than "no such file", verbatim (a wrong architecture, a missing dependency). */
  readonly errors: readonly string[];
  /** How many candidates were tried. */
  readonly tried: number;
}

/** How the build in use was chosen for the installed TensorRT. @internal */
export interface TensorRTChoice {
  /** The TensorRT the first build found (`10.3.0`), or null when none could be opened. */
  readonly installed: string | null;
  /** Header versions of the TensorRT builds this package ships for this machine (`8.2`, `10.3`). */
  readonly prebuilt: readonly string[];
  /** When TensorRT is installed but no build fits it: every build tried and why not. */
  readonly rejected: readonly string[];
}

/** The loaded addon and libraries, or why not. @internal */
export interface LoadedRuntime {
  readonly binding: TrtBinding | null;
  readonly addonPath: string | null;
  readonly addonSource: NativeAddonSource | null;
  readonly addonErrors: readonly string[];
  readonly tensorrt: TensorRTChoice;
  readonly libraries: Readonly<Record<LibraryKind, LibraryStatus>>;
  readonly devices: readonly NativeDevice[];
  readonly deviceError: string | null;
}

/** The folder of @edge/trt's package.json, above this module (src/ or dist/). */
export function packageDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    try {
      if (
        existsSync(pkg) &&
        (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === '@edge/trt'
      )
        return dir;
    } catch {
      // An unreadable package.json on the way up is not ours.
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}

function checkAbi(binding: unknown): string | undefined {
  const b = binding as Partial<TrtBinding>;
  return b.abi === BINDING_ABI && typeof b.openLibrary === 'function'
    ? undefined
    : `built from other sources than this loader (abi ${String(b.abi)}, want ${BINDING_ABI})`;
}

/** Why `binding` cannot drive TensorRT `installed`, or undefined when it can. */
function misfit(binding: TrtBinding, installed: string): string | undefined {
  if (binding.tensorrtHeaders === null) return 'built without the TensorRT part';
  return tensorrtMismatch(binding.tensorrtHeaders, installed);
}

function findAddon(
  env: Readonly<Record<string, string | undefined>>,
  check: (binding: unknown) => string | undefined,
): NativeAddon<TrtBinding> {
  return loadNativeAddon<TrtBinding>({
    packageName: '@edge/trt',
    from: import.meta.url,
    name: 'edge_trt',
    envVar: ADDON_ENV,
    env,
    check,
  });
}

/** Header versions of the TensorRT builds among this package's prebuilds for this machine. */
function prebuiltTensorRT(): string[] {
  const dir = packageDir();
  if (dir === undefined) return [];
  return findPrebuilds(dir, currentPrebuildTarget())
    .paths.flatMap((p) => {
      const m = /\.tensorrt-(\d+\.\d+)\.node$/.exec(p);
      return m ? [m[1]!] : [];
    })
    .sort((a, b) => Number(a.split('.')[0]) - Number(b.split('.')[0]));
}

/**
 * The TensorRT `binding` can open, or null: any supported major for a build without the TensorRT
 * part, only its own for one with it (a library it opens stays its libnvinfer, and it must never
 * reach a factory of another major).
 */
function installedTensorRT(binding: TrtBinding, search: SearchEnvironment): string | null {
  try {
    const candidates = libraryCandidates('nvinfer', { ...search, tensorrtMajor: headersMajor(binding) });
    if (
      binding.openLibrary(
        'nvinfer',
        candidates.map((c) => c.path),
      ).path === null
    )
      return null;
    const v = binding.versions().tensorrt;
    return v ? formatTensorRTVersion(v) : null;
  } catch {
    return null;
  }
}

function isNotFound(line: string): boolean {
  return /No such file or directory|cannot open shared object file: No such file/.test(line);
}

/** The TensorRT major the addon was compiled for, which fixes the libraries it may open. */
export function headersMajor(binding: TrtBinding | null): number | undefined {
  const v = binding?.tensorrtHeaders;
  return v ? Number(v.split('.')[0]) : undefined;
}

function openAll(binding: TrtBinding | null, search: SearchEnvironment): Record<LibraryKind, LibraryStatus> {
  const out = {} as Record<LibraryKind, LibraryStatus>;
  const tensorrtMajor = headersMajor(binding);
  for (const kind of LIBRARY_KINDS) {
    const candidates = libraryCandidates(kind, { ...search, tensorrtMajor }).map((c) => c.path);
    let result: NativeOpenResult = { path: null, errors: [] };
    if (binding !== null) {
      try {
        result = binding.openLibrary(kind, candidates);
      } catch (e) {
        result = { path: null, errors: [`openLibrary failed: ${firstLine(e)}`] };
      }
    }
    out[kind] = {
      kind,
      path: result.path,
      errors: result.errors.filter((l) => !isNotFound(l)),
      tried: binding === null ? 0 : candidates.length,
    };
  }
  return out;
}

/** Loads the addon and opens the libraries with the given environment. @internal */
export function loadRuntime(search: SearchEnvironment = {}): LoadedRuntime {
  const env = search.env ?? process.env;
  let addon = findAddon(env, checkAbi);
  const prebuilt = prebuiltTensorRT();
  let installed: string | null = null;
  let rejected: string[] = [];
  if (addon.binding !== undefined) {
    installed = installedTensorRT(addon.binding, search);
    if (installed !== null && misfit(addon.binding, installed) !== undefined) {
      const version = installed;
      const fitting = findAddon(env, (b) => checkAbi(b) ?? misfit(b as TrtBinding, version));
      if (fitting.binding !== undefined) addon = fitting;
      else rejected = fitting.attempts.map((a) => `${a.path} (${a.source}): ${a.problem}`);
    }
  }
  const binding = addon.binding ?? null;
  const libraries = openAll(binding, search);
  let devices: NativeDevice[] = [];
  let deviceError: string | null = null;
  if (binding !== null && libraries.cuda.path !== null) {
    try {
      devices = binding.devices();
    } catch (e) {
      deviceError = firstLine(e);
    }
  }
  return {
    binding,
    addonPath: addon.path ?? null,
    addonSource: addon.source ?? null,
    addonErrors: binding === null ? [addon.reason ?? 'no addon'] : [],
    tensorrt: { installed, prebuilt, rejected },
    libraries,
    devices,
    deviceError,
  };
}

let cached: LoadedRuntime | undefined;

/** The process's runtime, loaded on first use with the process environment. @internal */
export function defaultRuntime(): LoadedRuntime {
  cached ??= loadRuntime();
  return cached;
}
