// Where a source build of the addon finds TensorRT's and CUDA's headers; binding.gyp runs it
// (`node find-headers.cjs tensorrt|cuda`) and compiles the TensorRT part only when both are found.
// Shipped in the package, so that `npx node-gyp rebuild --directory node_modules/@edge/trt/native`
// on a machine with TensorRT's headers (JetPack's nvidia-tensorrt-dev, NVIDIA's libnvinfer-dev, a
// tarball) builds the addon for the TensorRT installed there. Order:
//   TensorRT: EDGE_TRT_INCLUDE, TENSORRT_ROOT/include, /usr/include/<multiarch>, /usr/include
//   CUDA:     EDGE_CUDA_INCLUDE, CUDA_HOME/include, /usr/local/cuda/include,
//             /usr/local/cuda/targets/<arch>-linux/include, /usr/include
// Prints the folder, or nothing when there is none (the addon is then built without its TensorRT
// part, and trtStatus() says so).
'use strict';

const { existsSync } = require('node:fs');
const { join } = require('node:path');

const multiarch = { arm64: 'aarch64-linux-gnu', x64: 'x86_64-linux-gnu' }[process.arch];

function firstWith(files, dirs) {
  return dirs.filter(Boolean).find((d) => files.every((f) => existsSync(join(d, f))));
}

function tensorrtInclude(env = process.env) {
  return firstWith(
    ['NvInfer.h', 'NvOnnxParser.h'],
    [
      env.EDGE_TRT_INCLUDE,
      env.TENSORRT_ROOT && join(env.TENSORRT_ROOT, 'include'),
      multiarch && `/usr/include/${multiarch}`,
      '/usr/include',
    ],
  );
}

function cudaInclude(env = process.env) {
  return firstWith(
    ['cuda_runtime_api.h'],
    [
      env.EDGE_CUDA_INCLUDE,
      env.CUDA_HOME && join(env.CUDA_HOME, 'include'),
      '/usr/local/cuda/include',
      multiarch && `/usr/local/cuda/targets/${multiarch.replace('-gnu', '')}/include`,
      '/usr/include',
    ],
  );
}

module.exports = { tensorrtInclude, cudaInclude };

if (require.main === module) {
  const trt = tensorrtInclude();
  const cuda = cudaInclude();
  // TensorRT's headers include cuda_runtime_api.h: without CUDA's, neither is used.
  const what = process.argv[2];
  process.stdout.write(trt && cuda ? (what === 'cuda' ? cuda : trt) : '');
}
