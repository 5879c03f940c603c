// Builds the prebuilt addons that ship inside the npm package, with @edge/tooling's prebuild
// builder (shared with @edge/preprocess: compilers, Node headers, symbol-version checks), for
// linux-x64 and linux-arm64 (cross-compiled here):
//
//   prebuilds/linux-<arch>/node.napi.glibc.node                 always: the dlopen layer (library
//       search, CUDA driver and runtime, devices, the CUDA preprocessing launcher), which needs no
//       NVIDIA header; its TensorRT entry points say how to get the TensorRT part
//   prebuilds/linux-<arch>/node.napi.glibc.tensorrt-<X.Y>.node  per TensorRT major, only where that
//       major's headers are here: the same plus the TensorRT part, compiled against the OLDEST
//       headers of the major found (8.2: JetPack 4.6; 10.3: JetPack 6.1/6.2)
//
// Why one TensorRT build per major, from its oldest headers: the addon links nothing from
// TensorRT (it takes the create*_INTERNAL factories with dlsym and reaches every object through
// its vtable), so what ties it to a library is the vtable layout its headers describe. NVIDIA
// versions TensorRT's API and ABI semantically ("MINOR version when adding functionality in a
// backward-compatible manner", Support Policies, docs.nvidia.com/deeplearning/tensorrt/latest/
// reference/support-policies.html) and removes APIs only at a major ("Version Compatibility"):
// code compiled against X.Y runs on X.Z for Z >= Y, not on an older minor (it may call a slot the
// older library lacks). So the loader (src/loader.ts) takes the TensorRT build whose headers are
// the installed library's major and not newer than it. check:native compares the vtables the
// addon uses between the oldest and newest headers of each major here (8.2 -> 8.6, 10.3 -> 10.16).
//
// Headers: EDGE_TRT_HEADERS, else ../shared/third_party/tensorrt beside the repository (folders
// <X.Y>/include); they are read at build time only and never copied into the repository or the
// package. CUDA's headers (TensorRT's include cuda_runtime_api.h) come from find-headers.cjs's
// list. Without them the package carries the dlopen layer only (a line says so; --strict fails).
//
//   node scripts/build-native.mjs [--arch x64,arm64] [--strict] [--if-stale]
//
// On linux-arm64 with nvcc (a Jetson) it also compiles the CUDA kernel for the board's own GPU.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPrebuilds, PREBUILD_FILE, prebuildFlags } from '@edge/tooling/prebuild';
import { headersRoot } from './check-native.mjs';

const script = fileURLToPath(import.meta.url);
const root = join(dirname(script), '..');
const flags = prebuildFlags(process.argv.slice(2));
const { cudaInclude } = createRequire(import.meta.url)('../native/find-headers.cjs');

/** `10.3` before `10.16`. */
function byVersion(a, b) {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  return x[0] - y[0] || x[1] - y[1];
}

/** The oldest header folder of each TensorRT major under `dir`, or why there is none. */
export function tensorrtHeaderSets(dir = headersRoot()) {
  if (!existsSync(dir)) return { sets: [], reason: `no TensorRT headers at ${dir} (set EDGE_TRT_HEADERS)` };
  const cuda = cudaInclude();
  if (!cuda) return { sets: [], reason: 'no CUDA headers (cuda_runtime_api.h): set CUDA_HOME' };
  const versions = readdirSync(dir)
    .filter((v) => /^\d+\.\d+$/.test(v))
    .filter((v) => ['NvInfer.h', 'NvOnnxParser.h'].every((f) => existsSync(join(dir, v, 'include', f))))
    .sort(byVersion);
  const oldest = new Map();
  for (const v of versions) if (!oldest.has(v.split('.')[0])) oldest.set(v.split('.')[0], v);
  const sets = [...oldest.values()].map((version) => ({
    version,
    include: join(dir, version, 'include'),
    cuda,
  }));
  return sets.length > 0 ? { sets } : { sets, reason: `no <X.Y>/include with NvInfer.h under ${dir}` };
}

async function main() {
  const { sets, reason } = tensorrtHeaderSets();
  if (reason !== undefined) {
    const line = `@edge/trt: TensorRT prebuilds not built (${reason}); the package will carry the dlopen layer only, whose TensorRT entry points say how to build the TensorRT part`;
    if (flags.strict) {
      console.error(`${line}; --strict makes this an error`);
      process.exit(1);
    }
    console.log(line);
  }
  await buildPrebuilds({
    packageName: '@edge/trt',
    root,
    ...flags,
    variants: [
      { file: PREBUILD_FILE, variables: { trt_include: '', cuda_include: '' }, label: 'dlopen layer' },
      ...sets.map((s) => ({
        file: `node.napi.glibc.tensorrt-${s.version}.node`,
        variables: { trt_include: s.include, cuda_include: s.cuda },
        label: `with the TensorRT part, for TensorRT ${s.version.split('.')[0]}.x from ${s.version}`,
      })),
    ],
    inputs: [script],
    fallback: 'trtStatus() then names the missing addon and the source build',
  });
  if (process.platform === 'linux' && process.arch === 'arm64') {
    const ptx = spawnSync(process.execPath, [join(root, 'scripts', 'build-ptx.mjs'), '--local'], {
      encoding: 'utf8',
    });
    console.log((ptx.stdout || ptx.stderr).trim());
  }
}

if (process.argv[1] === script) await main();
