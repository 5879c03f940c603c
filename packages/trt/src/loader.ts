// Finding the addon and opening the libraries, as sharp's loader does: each way is tried, every
// failure is kept, and one status says what was found, what is missing, where it looked and how
// to fix it. Nothing happens at import: the first call that needs the addon loads it, once per
// process (or per explicit call with other settings, for tests and `edge trt doctor`).

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BINDING_ABI, type NativeDevice, type NativeOpenResult, type TrtBinding } from './binding.js';
import {
  LIBRARY_KINDS,
  type LibraryKind,
  libraryCandidates,
  type SearchEnvironment,
} from './library-search.js';

const ADDON = 'edge_trt.node';
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

/** The loaded addon and libraries, or why not. @internal */
export interface LoadedRuntime {
  readonly binding: TrtBinding | null;
  readonly addonPath: string | null;
  readonly addonErrors: readonly string[];
  readonly libraries: Readonly<Record<LibraryKind, LibraryStatus>>;
  readonly devices: readonly NativeDevice[];
  readonly deviceError: string | null;
}

function thisFile(): string {
  // The CommonJS build has __filename; the ES module build (and the tests) have import.meta.
  return typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
}

/** The folder of @edge/trt's package.json, above this module (src/ or dist/). */
export function packageDir(): string | undefined {
  let dir = dirname(thisFile());
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

/** Loads the addon from the override or the package's build folders; every failure is kept. */
function loadAddon(env: Readonly<Record<string, string | undefined>>): {
  binding: TrtBinding | null;
  path: string | null;
  errors: string[];
} {
  const override = env[ADDON_ENV];
  if (override === '0' || override === 'off') {
    return { binding: null, path: null, errors: [`the addon is disabled by ${ADDON_ENV}=${override}`] };
  }
  const candidates: string[] = [];
  if (override) candidates.push(override);
  else {
    const root = packageDir();
    if (root === undefined) {
      return {
        binding: null,
        path: null,
        errors: [`cannot find @edge/trt's package.json above ${thisFile()}`],
      };
    }
    candidates.push(join(root, 'native', 'build', 'Release', ADDON), join(root, 'dist', 'native', ADDON));
  }
  const errors: string[] = [];
  const req = createRequire(thisFile());
  for (const path of candidates) {
    if (!existsSync(path)) {
      errors.push(`${path}: not found`);
      continue;
    }
    try {
      const binding = req(path) as Partial<TrtBinding>;
      if (binding.abi !== BINDING_ABI || typeof binding.openLibrary !== 'function') {
        errors.push(
          `${path}: built from other sources than this loader (abi ${String(binding.abi)}, want ${BINDING_ABI})`,
        );
        continue;
      }
      return { binding: binding as TrtBinding, path, errors };
    } catch (e) {
      errors.push(`${path}: failed to load (${firstLine(e)})`);
    }
  }
  return { binding: null, path: null, errors };
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
  const addon = loadAddon(env);
  const libraries = openAll(addon.binding, search);
  let devices: NativeDevice[] = [];
  let deviceError: string | null = null;
  if (addon.binding !== null && libraries.cuda.path !== null) {
    try {
      devices = addon.binding.devices();
    } catch (e) {
      deviceError = firstLine(e);
    }
  }
  return {
    binding: addon.binding,
    addonPath: addon.path,
    addonErrors: addon.errors,
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
