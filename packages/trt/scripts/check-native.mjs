// Compiles the addon's C++ against real TensorRT headers, so code that no machine here can run is
// at least type-checked against the four APIs it claims: TensorRT 8.2 (JetPack 4.6), 8.6, 10.3
// (JetPack 6.1/6.2) and 10.16. For each version:
//   1. every source file compiled with -std=c++17 -Wall -Wextra -Werror, the TensorRT part switched
//      on (TensorRT's headers included with -isystem: some of them warn on their own). This is a
//      full compile, not only -fsyntax-only, because of step 2;
//   2. the objects linked into a shared object, whose undefined symbols must include nothing from
//      TensorRT or CUDA: everything is reached through dlopen, so the addon loads where neither
//      is installed;
//   3. that shared object loaded into Node here (where there is no TensorRT and no driver): it
//      must say which headers it was built with and offer the TensorRT part's functions.
// Also once without TensorRT headers (the prebuild every machine gets). Then, per TensorRT major
// with two header versions here, the ABI the prebuilds rely on (vtable-check.mjs): the classes the
// addon calls keep the older headers' vtable slots and data members in the newer ones, and the
// classes it implements are unchanged (8.2 -> 8.6, 10.3 -> 10.16).
//
// Headers: EDGE_TRT_HEADERS, else ../shared/third_party/tensorrt beside the repository; CUDA's from
// find-headers.cjs's list. Neither can be installed from npm or Debian: when one is missing this
// exits with code 3 and the reason, which the test wrapper turns into a skip naming it.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { classesUsed, compareVtables } from './vtable-check.mjs';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(pkg, '..', '..');
export const VERSIONS = ['8.2', '8.6', '10.3', '10.16'];
export const EXIT_NO_HEADERS = 3;

const { cudaInclude } = createRequire(import.meta.url)('../native/find-headers.cjs');

export function headersRoot() {
  return process.env.EDGE_TRT_HEADERS ?? resolve(repo, '..', 'shared', 'third_party', 'tensorrt');
}

/**
 * What this check needs that is not here and cannot come from npm or Debian, with how to provide
 * it, or undefined when everything is here.
 */
export function missingPrerequisite() {
  const root = headersRoot();
  if (!existsSync(root)) {
    return (
      `no TensorRT headers at ${root}: NVIDIA's public headers (NvInfer*.h, NvOnnxParser.h) of TensorRT ${VERSIONS.join(', ')} ` +
      `are needed as <version>/include folders there, or in the folder EDGE_TRT_HEADERS names ` +
      '(from github.com/NVIDIA/TensorRT release/<version> include/ and onnx/onnx-tensorrt; they are not on npm or in Debian)'
    );
  }
  const missing = VERSIONS.filter((v) => !existsSync(join(root, v, 'include', 'NvInfer.h')));
  if (missing.length > 0) return `${root} has no ${missing.map((v) => `${v}/include/NvInfer.h`).join(', ')}`;
  if (!cudaInclude()) {
    return "no CUDA headers (cuda_runtime_api.h, which TensorRT's headers include): install NVIDIA's CUDA toolkit and set CUDA_HOME";
  }
  return undefined;
}

function nodeInclude() {
  const prefix = process.env.npm_config_nodedir ?? join(dirname(process.execPath), '..');
  const dir = join(prefix, 'include', 'node');
  return existsSync(join(dir, 'node_api.h')) ? dir : undefined;
}

function fail(message, code = 1) {
  console.error(`check:native: ${message}`);
  process.exit(code);
}

function main() {
  const missing = missingPrerequisite();
  if (missing !== undefined) fail(missing, EXIT_NO_HEADERS);
  const root = headersRoot();
  const cuda = cudaInclude();
  const node = nodeInclude();
  if (!node) fail('no Node headers (node_api.h): set npm_config_nodedir');
  const napi = createRequire(join(pkg, 'package.json'))('node-addon-api').include_dir;
  const srcDir = join(pkg, 'native', 'src');
  const sources = readdirSync(srcDir)
    .filter((f) => f.endsWith('.cc'))
    .sort();
  const common = [
    '-std=c++17',
    '-Wall',
    '-Wextra',
    '-Werror',
    '-fPIC',
    '-DNAPI_VERSION=8',
    '-DNAPI_CPP_EXCEPTIONS',
    '-DNODE_ADDON_API_DISABLE_DEPRECATED',
    '-isystem',
    node,
    '-isystem',
    napi,
  ];
  const tmp = mkdtempSync(join(tmpdir(), 'edge-trt-check-'));
  const started = Date.now();
  const run = (args, what) => {
    const r = spawnSync('g++', args, { encoding: 'utf8' });
    if (r.error) fail(`g++ could not run: ${r.error.message}`);
    if (r.status !== 0) fail(`${what} failed:\n${r.stderr}`);
    return r.stdout;
  };
  const forbidden = /nvinfer|nvonnxparser|createInfer|createNvOnnx|^\s*U (cuda|cu[A-Z])/m;
  try {
    const builds = [{ label: 'no TensorRT headers', flags: [] }];
    for (const v of VERSIONS) {
      const include = join(root, v, 'include');
      builds.push({
        label: `TensorRT ${v}`,
        flags: ['-DEDGE_WITH_TENSORRT', '-isystem', include, '-isystem', cuda],
      });
    }
    for (const b of builds) {
      const so = join(tmp, 'edge_trt.so');
      run(
        [...common, ...b.flags, '-O0', '-shared', '-o', so, ...sources.map((s) => join(srcDir, s)), '-ldl'],
        `${b.label}: link`,
      );
      const nm = spawnSync('nm', ['-D', '--undefined-only', so], { encoding: 'utf8' });
      if (nm.status !== 0) fail(`nm failed: ${nm.stderr}`);
      const bad = nm.stdout.split('\n').filter((l) => forbidden.test(l));
      if (bad.length > 0)
        fail(`${b.label}: the addon links TensorRT or CUDA symbols directly: ${bad.join(', ')}`);
      const want = b.label === 'no TensorRT headers' ? null : b.label.replace('TensorRT ', '');
      const probe = spawnSync(
        process.execPath,
        [
          '-e',
          'const m = { exports: {} }; process.dlopen(m, process.argv[1]); const b = m.exports; process.stdout.write(JSON.stringify({ headers: b.tensorrtHeaders, build: typeof b.build, deserialize: typeof b.deserialize }));',
          so,
        ],
        { encoding: 'utf8' },
      );
      if (probe.status !== 0) fail(`${b.label}: the addon does not load without TensorRT: ${probe.stderr}`);
      const got = JSON.parse(probe.stdout);
      const part = want === null ? 'undefined' : 'function';
      const headersOk = want === null ? got.headers === null : String(got.headers).startsWith(want);
      if (!headersOk || got.build !== part || got.deserialize !== part) {
        fail(`${b.label}: the loaded addon reports ${probe.stdout}`);
      }
      console.log(
        `check:native: ${b.label}: ${sources.length} files compile with -Wall -Wextra -Werror; no TensorRT/CUDA symbol linked; loads here (headers ${got.headers})`,
      );
    }
    const used = classesUsed(srcDir);
    for (const major of new Set(VERSIONS.map((v) => v.split('.')[0]))) {
      const versions = VERSIONS.filter((v) => v.split('.')[0] === major);
      if (versions.length < 2) continue;
      const [older, newer] = [versions[0], versions.at(-1)];
      const r = compareVtables(join(root, older, 'include'), join(root, newer, 'include'), used);
      if (r.problems.length > 0)
        fail(`TensorRT ${older} -> ${newer}: the ABI the addon uses changed:\n${r.problems.join('\n')}`);
      console.log(
        `check:native: TensorRT ${older} -> ${newer}: the ${r.called} classes the addon calls keep their vtable slots and members (${r.grown} only grow at the end); the ${r.implemented} it implements are unchanged`,
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`check:native: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
