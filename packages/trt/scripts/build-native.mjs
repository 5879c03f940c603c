// Builds the addon (native/binding.gyp) with node-gyp and copies it into dist/native/.
//
// How the addon is built when TensorRT's headers are not there (the usual case at npm install on a
// machine without TensorRT): the addon is always built, with its library loader, its device
// queries and the CUDA preprocessing launcher, none of which needs an NVIDIA header (dl.h declares
// the C entry points it takes with dlsym). Its TensorRT part (builder, engines, execution
// contexts) is compiled in only when TensorRT's headers are found here, because TensorRT's API is
// C++ classes whose layout only the headers describe: a hand-written copy of them would be a
// second, unchecked definition of NVIDIA's ABI. Found headers come from, in order: EDGE_TRT_INCLUDE,
// TENSORRT_ROOT/include, /usr/include/<arch>-linux-gnu (JetPack and NVIDIA's apt packages),
// /usr/include. trtStatus() says when the TensorRT part is missing and how to rebuild.
//
// The addon is optional at install: without a compiler this prints one line and exits 0 (the
// package then reports "addon not built" with this command as the fix); `--strict` fails instead.
// On linux-arm64 with nvcc (a Jetson), it also compiles the CUDA kernel for the board's own GPU.

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');
const started = Date.now();
const multiarch = { arm64: 'aarch64-linux-gnu', x64: 'x86_64-linux-gnu' }[process.arch];

function skip(reason) {
  const line = `@edge/trt: native addon not built (${reason}); trtStatus() will say so`;
  if (strict) {
    console.error(line);
    process.exit(1);
  }
  console.log(line);
  process.exit(0);
}

function firstWith(file, dirs) {
  return dirs.filter(Boolean).find((d) => existsSync(join(d, file)));
}

/** TensorRT's include folder (with NvInfer.h and NvOnnxParser.h), or undefined. */
function tensorrtInclude() {
  const env = process.env;
  const dirs = [
    env.EDGE_TRT_INCLUDE,
    env.TENSORRT_ROOT && join(env.TENSORRT_ROOT, 'include'),
    multiarch && `/usr/include/${multiarch}`,
    '/usr/include',
  ];
  const dir = firstWith('NvInfer.h', dirs);
  return dir && existsSync(join(dir, 'NvOnnxParser.h')) ? dir : undefined;
}

/** CUDA's include folder (TensorRT's headers include cuda_runtime_api.h), or undefined. */
function cudaInclude() {
  const env = process.env;
  return firstWith('cuda_runtime_api.h', [
    env.EDGE_CUDA_INCLUDE,
    env.CUDA_HOME && join(env.CUDA_HOME, 'include'),
    '/usr/local/cuda/include',
    multiarch && `/usr/local/cuda/targets/${multiarch.replace('-gnu', '')}/include`,
    '/usr/include',
  ]);
}

function nodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  // Distribution packages of Node put the headers under <prefix>/include/node.
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

let gyp;
try {
  gyp = createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
} catch {
  skip('node-gyp is not installed');
}
const env = { ...process.env };
const trt = tensorrtInclude();
const cuda = trt ? cudaInclude() : undefined;
let trtNote = 'without TensorRT headers (none found): library loader, device queries and CUDA kernel only';
if (trt && cuda) {
  env.EDGE_TRT_INCLUDE = trt;
  env.EDGE_CUDA_INCLUDE = cuda;
  trtNote = `with the TensorRT headers of ${trt}`;
} else {
  delete env.EDGE_TRT_INCLUDE;
  if (trt)
    trtNote = `without its TensorRT part: TensorRT headers at ${trt} but no cuda_runtime_api.h (set CUDA_HOME)`;
}
const dir = nodeDir();
const args = [gyp, 'rebuild', '--directory', 'native', '--jobs', 'max'];
if (dir) {
  args.push(`--nodedir=${dir}`);
  env.npm_config_nodedir = dir;
}
const result = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8' });
if (result.error) skip(`node-gyp could not run: ${result.error.message}`);
if (result.status !== 0) {
  const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
  const first =
    output
      .split('\n')
      .find((l) => /error|not found|No such file|cannot find/i.test(l) && !/^gyp info/.test(l)) ??
    `node-gyp exited with ${result.status}`;
  if (strict) process.stderr.write(output);
  skip(first.replace(/^gyp ERR! /, '').trim());
}
const built = join(root, 'native', 'build', 'Release', 'edge_trt.node');
if (!existsSync(built)) skip(`node-gyp finished but ${built} is missing`);
mkdirSync(join(root, 'dist', 'native'), { recursive: true });
copyFileSync(built, join(root, 'dist', 'native', 'edge_trt.node'));
console.log(`@edge/trt: native addon built ${trtNote} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

if (process.platform === 'linux' && process.arch === 'arm64') {
  const ptx = spawnSync(process.execPath, [join(root, 'scripts', 'build-ptx.mjs'), '--local'], {
    encoding: 'utf8',
  });
  console.log((ptx.stdout || ptx.stderr).trim());
}
