// Where the TensorRT and CUDA libraries are looked for, in order, as file paths handed to dlopen.
// The order is the issue's: EDGE_TRT_LIB_DIR, TENSORRT_ROOT/lib, the folders JetPack and NVIDIA's
// apt packages install to, then the bare soname so that the dynamic loader's own path
// (LD_LIBRARY_PATH, ld.so.cache) has the last word. Kept in TypeScript, not in C++, so the order is
// one readable list that tests can check and status messages can print.

import { delimiter, join } from 'node:path';

/** The native libraries @edge/trt opens at run time. */
export type LibraryKind = 'nvinfer' | 'nvonnxparser' | 'cudart' | 'cuda';

/** Every library kind, in the order they are opened (the driver first: everything needs it). */
export const LIBRARY_KINDS: readonly LibraryKind[] = Object.freeze([
  'cuda',
  'cudart',
  'nvinfer',
  'nvonnxparser',
]);

/** What each library is for, in the words status messages use. */
export const LIBRARY_ROLE: Readonly<Record<LibraryKind, string>> = Object.freeze({
  cuda: 'the NVIDIA driver (libcuda): GPUs, compute capability, the CUDA preprocessing kernel',
  cudart: 'the CUDA runtime (libcudart): device memory, streams, copies',
  nvinfer: 'TensorRT (libnvinfer): engine build and execution',
  nvonnxparser: "TensorRT's ONNX parser (libnvonnxparser): ONNX to TensorRT network",
});

// Sonames by kind, newest first. TensorRT 8 and 10 are the majors the binding speaks; CUDA runtimes
// from 10.2 (JetPack 4.6) to 13.
const SONAMES: Readonly<Record<LibraryKind, readonly string[]>> = {
  cuda: ['libcuda.so.1', 'libcuda.so'],
  cudart: ['libcudart.so.13', 'libcudart.so.12', 'libcudart.so.11.0', 'libcudart.so.10.2', 'libcudart.so'],
  nvinfer: ['libnvinfer.so.10', 'libnvinfer.so.8', 'libnvinfer.so'],
  nvonnxparser: ['libnvonnxparser.so.10', 'libnvonnxparser.so.8', 'libnvonnxparser.so'],
};

/** Folders of JetPack and NVIDIA's apt and CUDA packages, per CPU architecture. */
const SYSTEM_DIRS: Readonly<Record<string, readonly string[]>> = {
  arm64: [
    // JetPack puts TensorRT and CUDA's runtime here, and the Tegra driver (libcuda) under tegra/.
    '/usr/lib/aarch64-linux-gnu',
    '/usr/lib/aarch64-linux-gnu/tegra',
    '/usr/local/cuda/targets/aarch64-linux/lib',
    '/usr/local/cuda/lib64',
  ],
  x64: [
    '/usr/lib/x86_64-linux-gnu',
    '/usr/local/cuda/targets/x86_64-linux/lib',
    '/usr/local/cuda/lib64',
    // WSL 2 exposes the Windows driver's libcuda here.
    '/usr/lib/wsl/lib',
  ],
};

/** Where one candidate came from, for status messages. */
export type SearchOrigin = 'EDGE_TRT_LIB_DIR' | 'TENSORRT_ROOT' | 'system' | 'loader path';

/** One file (or bare soname) to try with dlopen. */
export interface LibraryCandidate {
  /** A full path, or a bare soname that the dynamic loader resolves. */
  readonly path: string;
  readonly origin: SearchOrigin;
}

/** What the search depends on; defaults to this process. */
export interface SearchEnvironment {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly arch?: string;
  /**
   * Only TensorRT of this major is looked for (the major the binding was compiled against);
   * undefined: every supported major.
   */
  readonly tensorrtMajor?: number;
}

function sonames(kind: LibraryKind, tensorrtMajor: number | undefined): readonly string[] {
  const all = SONAMES[kind];
  if (tensorrtMajor === undefined || (kind !== 'nvinfer' && kind !== 'nvonnxparser')) return all;
  // The unversioned dev symlink stays: it may point at the right major, and the loader checks.
  return all.filter((n) => n.endsWith(`.so.${tensorrtMajor}`) || n.endsWith('.so'));
}

/** The folders searched before the loader path, in order, each with its origin. */
export function searchDirectories(search: SearchEnvironment = {}): { dir: string; origin: SearchOrigin }[] {
  const env = search.env ?? process.env;
  const arch = search.arch ?? process.arch;
  const dirs: { dir: string; origin: SearchOrigin }[] = [];
  for (const dir of (env.EDGE_TRT_LIB_DIR ?? '').split(delimiter)) {
    if (dir !== '') dirs.push({ dir, origin: 'EDGE_TRT_LIB_DIR' });
  }
  const root = env.TENSORRT_ROOT;
  if (root !== undefined && root !== '') {
    dirs.push({ dir: join(root, 'lib'), origin: 'TENSORRT_ROOT' });
    dirs.push({ dir: join(root, 'lib64'), origin: 'TENSORRT_ROOT' });
  }
  for (const dir of SYSTEM_DIRS[arch] ?? []) dirs.push({ dir, origin: 'system' });
  return dirs;
}

/**
 * Every candidate for `kind` in search order: each folder with each soname, then the bare sonames
 * for the dynamic loader.
 */
export function libraryCandidates(kind: LibraryKind, search: SearchEnvironment = {}): LibraryCandidate[] {
  const names = sonames(kind, search.tensorrtMajor);
  const out: LibraryCandidate[] = [];
  for (const { dir, origin } of searchDirectories(search)) {
    for (const name of names) out.push({ path: join(dir, name), origin });
  }
  for (const name of names) out.push({ path: name, origin: 'loader path' });
  return out;
}
