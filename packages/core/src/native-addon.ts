// Finds and loads a package's optional native addon, the way every edge package with native code
// does it (@edge/preprocess's kernel now, @edge/trt's binding later), in this order:
//   1. the file named by the package's environment variable, when set (`0` or `off` disables);
//   2. the prebuilt binary shipped in the npm package, `prebuilds/<platform>-<arch>/*.node`, picked
//      by the prebuildify / node-gyp-build file tags (napi, abi<N>, glibc|musl, armv<N>);
//   3. a source build, `native/build/Release/<name>.node` (node-gyp's output).
// It never throws and loads nothing at import: the caller asks once, keeps the answer, and falls
// back to its TypeScript path with `reason`, which lists every file tried and why it was not used.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where one candidate file came from. */
export type NativeAddonSource = 'environment' | 'prebuild' | 'source-build';

/** Options of {@link loadNativeAddon}. */
export interface NativeAddonOptions {
  /** The package's `name` in its package.json: the folder searched is the first one above `from` with it. */
  packageName: string;
  /** A file of the package itself (pass `import.meta.url`), never the caller's caller. */
  from: string | URL;
  /** The target name of its binding.gyp: a source build is `native/build/Release/<name>.node`. */
  name: string;
  /** Environment variable that overrides the search with a file path, or disables it with `0`/`off`. */
  envVar: string;
  /**
   * Checks that a loaded module is the build this package's JavaScript expects (entry points,
   * layout constants); returns why not, or `undefined` when it is. Without it any module is taken.
   */
  check?: (binding: unknown) => string | undefined;
  /** The machine to pick a prebuild for; defaults to this process's (tests pass others). */
  target?: Partial<PrebuildTarget>;
  /** Where `envVar` is read; defaults to `process.env` (a caller that takes its settings elsewhere passes them). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** What a prebuild must match: `process.platform`, `process.arch`, the C library, the Node ABI. */
export interface PrebuildTarget {
  platform: string;
  arch: string;
  /** `glibc` or `musl` on Linux; ignored elsewhere. */
  libc: string;
  /** `process.versions.modules`: only files tagged `abi<N>` (not `napi`) are held to it. */
  abi: string;
  /** ARM architecture version for `armv<N>` tags: `8` on arm64. */
  armv: string;
}

/** One file {@link loadNativeAddon} looked at and did not use. */
export interface NativeAddonAttempt {
  path: string;
  source: NativeAddonSource;
  /** e.g. `not found`, `failed to load (invalid ELF header)`, the `check`'s answer. */
  problem: string;
}

/** The answer of {@link loadNativeAddon}: the module, or why there is none. */
export interface NativeAddon<T> {
  /** The loaded module; absent when none could be used. */
  binding?: T;
  /** The file it was loaded from. */
  path?: string;
  source?: NativeAddonSource;
  /** True when the environment variable switched native code off. */
  disabled: boolean;
  /** Every file tried before the one used (all of them when none was). */
  attempts: NativeAddonAttempt[];
  /** Why no module is loaded, naming every file tried; absent when one is. */
  reason?: string;
}

/**
 * The target of this process, with `overrides` in place of its own values. The C library is looked
 * up only when a prebuild is tagged with one.
 */
export function currentPrebuildTarget(overrides: Partial<PrebuildTarget> = {}): PrebuildTarget {
  let libc: string | undefined;
  const target: PrebuildTarget = {
    platform: process.platform,
    arch: process.arch,
    get libc() {
      libc ??= process.platform === 'linux' ? linuxLibc() : '';
      return libc;
    },
    abi: process.versions.modules ?? '',
    armv: process.arch === 'arm64' ? '8' : process.arch === 'arm' ? armVersion() : '',
  };
  for (const [key, value] of Object.entries(overrides))
    Object.defineProperty(target, key, { value, enumerable: true });
  return target;
}

function linuxLibc(): string {
  // What detect-libc does first: ldd is a script that names its C library (cheap); a process
  // report (tens of milliseconds) says it otherwise, glibc builds of Node giving its version.
  try {
    const ldd = readFileSync('/usr/bin/ldd', 'utf8');
    if (ldd.includes('musl')) return 'musl';
    if (ldd.includes('GNU C Library') || ldd.includes('GLIBC')) return 'glibc';
  } catch {
    // No ldd (a distroless image): ask Node.
  }
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime ? 'glibc' : 'musl';
}

function armVersion(): string {
  const v = (process.config.variables as Record<string, unknown>).arm_version;
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}

interface Tags {
  file: string;
  specificity: number;
  runtime?: string;
  napi?: boolean;
  abi?: string;
  libc?: string;
  armv?: string;
}

// node-gyp-build's parseTags: the name's dot-separated parts that are known tags.
function parseTags(file: string): Tags | undefined {
  const parts = file.split('.');
  if (parts.pop() !== 'node') return undefined;
  const tags: Tags = { file, specificity: 0 };
  for (const tag of parts) {
    if (tag === 'node' || tag === 'electron' || tag === 'node-webkit') tags.runtime = tag;
    else if (tag === 'napi') tags.napi = true;
    else if (tag.startsWith('abi')) tags.abi = tag.slice(3);
    else if (tag.startsWith('armv')) tags.armv = tag.slice(4);
    else if (tag === 'glibc' || tag === 'musl') tags.libc = tag;
    else continue;
    tags.specificity++;
  }
  return tags;
}

/** Why a prebuild's tags rule it out for `t`, or undefined when it fits. */
function mismatch(tags: Tags, t: PrebuildTarget): string | undefined {
  if (tags.runtime && tags.runtime !== 'node') return `built for ${tags.runtime}, not Node`;
  if (tags.abi && !tags.napi && tags.abi !== t.abi) return `built for Node ABI ${tags.abi}, this is ${t.abi}`;
  if (tags.libc && t.platform === 'linux' && tags.libc !== t.libc)
    return `built for ${tags.libc}, this is ${t.libc}`;
  if (tags.armv && tags.armv !== t.armv) return `built for armv${tags.armv}, this is armv${t.armv || '?'}`;
  return undefined;
}

/**
 * The prebuilt binaries in `<packageDir>/prebuilds/` that fit `target`, most specific first, and
 * the ones that were ruled out with the reason. The folder is `<platform>-<arch>` (or one listing
 * several architectures, `darwin-x64+arm64`), as prebuildify writes it.
 */
export function findPrebuilds(
  packageDir: string,
  target: PrebuildTarget = currentPrebuildTarget(),
): { paths: string[]; ruledOut: NativeAddonAttempt[] } {
  const root = join(packageDir, 'prebuilds');
  const list = (dir: string): string[] => {
    try {
      return readdirSync(dir).sort();
    } catch {
      return [];
    }
  };
  const folder = list(root)
    .filter((name) => {
      const [platform, archs, extra] = name.split('-');
      return (
        extra === undefined && platform === target.platform && (archs ?? '').split('+').includes(target.arch)
      );
    })
    // A folder for this architecture alone before one shared with others.
    .sort((a, b) => a.split('+').length - b.split('+').length)[0];
  if (folder === undefined) return { paths: [], ruledOut: [] };
  const paths: string[] = [];
  const ruledOut: NativeAddonAttempt[] = [];
  const fitting: Tags[] = [];
  for (const file of list(join(root, folder))) {
    const tags = parseTags(file);
    if (tags === undefined) continue;
    const why = mismatch(tags, target);
    if (why === undefined) fitting.push(tags);
    else ruledOut.push({ path: join(root, folder, file), source: 'prebuild', problem: why });
  }
  for (const t of fitting.sort((a, b) => b.specificity - a.specificity))
    paths.push(join(root, folder, t.file));
  return { paths, ruledOut };
}

/** The folder of the package named `packageName` at or above `from`, or undefined. */
function findPackageDir(packageName: string, from: string | URL): string | undefined {
  let dir = dirname(toPath(from));
  for (;;) {
    const pkg = join(dir, 'package.json');
    try {
      if (
        existsSync(pkg) &&
        (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === packageName
      )
        return dir;
    } catch {
      // An unreadable package.json on the way up is not the package's.
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function toPath(from: string | URL): string {
  return typeof from === 'string' && !from.startsWith('file:') ? from : fileURLToPath(from);
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

/**
 * Finds and loads a package's native addon: the file named by `envVar`, else the prebuild for
 * this platform and architecture, else a source build. Never throws; with no usable file the
 * answer says why, naming every file tried.
 */
export function loadNativeAddon<T>(options: NativeAddonOptions): NativeAddon<T> {
  const override = (options.env ?? process.env)[options.envVar];
  if (override === '0' || override === 'off') {
    return {
      disabled: true,
      attempts: [],
      reason: `native code of ${options.packageName} is disabled by ${options.envVar}=${override}`,
    };
  }
  const candidates: { path: string; source: NativeAddonSource }[] = [];
  const attempts: NativeAddonAttempt[] = [];
  let req = createRequire(toPath(options.from));
  if (override) candidates.push({ path: override, source: 'environment' });
  else {
    const dir = findPackageDir(options.packageName, options.from);
    if (dir === undefined) {
      return {
        disabled: false,
        attempts,
        reason: `cannot find ${options.packageName}'s package.json above ${String(options.from)}`,
      };
    }
    req = createRequire(join(dir, 'package.json'));
    const target = currentPrebuildTarget(options.target);
    const prebuilds = findPrebuilds(dir, target);
    attempts.push(...prebuilds.ruledOut);
    if (prebuilds.paths.length === 0 && prebuilds.ruledOut.length === 0) {
      attempts.push({
        path: join(dir, 'prebuilds', `${target.platform}-${target.arch}`),
        source: 'prebuild',
        problem: `no prebuilt binary for ${target.platform}-${target.arch} in this package`,
      });
    }
    for (const path of prebuilds.paths) candidates.push({ path, source: 'prebuild' });
    candidates.push({
      path: join(dir, 'native', 'build', 'Release', `${options.name}.node`),
      source: 'source-build',
    });
  }
  for (const { path, source } of candidates) {
    if (!existsSync(path)) {
      attempts.push({ path, source, problem: 'not found' });
      continue;
    }
    let binding: unknown;
    try {
      binding = req(path);
    } catch (error) {
      attempts.push({ path, source, problem: `failed to load (${firstLine(error)})` });
      continue;
    }
    const problem = options.check?.(binding);
    if (problem !== undefined) {
      attempts.push({ path, source, problem });
      continue;
    }
    return { binding: binding as T, path, source, disabled: false, attempts };
  }
  return {
    disabled: false,
    attempts,
    reason: attempts.map((a) => `${a.path} (${a.source}): ${a.problem}`).join('; '),
  };
}
