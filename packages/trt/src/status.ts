// What of TensorRT is on this machine, in one object a user (or `edge trt doctor`) can print: the
// addon, each library with the file that loaded or where it was looked for, the versions, the
// GPUs, and for each missing piece what it blocks and the fix. Every entry point that needs
// TensorRT goes through `requireTensorRT`, which turns the same facts into an UnavailableError.

import { UnavailableError } from '@edge/core';
import type { NativeDevice } from './binding.js';
import { LIBRARY_KINDS, LIBRARY_ROLE, type LibraryKind, searchDirectories } from './library-search.js';
import { defaultRuntime, type LibraryStatus, type LoadedRuntime } from './loader.js';
import { formatCudaVersion, formatTensorRTVersion, tensorrtMismatch } from './versions.js';

/** A GPU as {@link trtStatus} reports it. */
export interface TrtDevice {
  readonly index: number;
  readonly name: string;
  /** `8.7` for Orin, `5.3` for the Nano. */
  readonly computeCapability: string;
  readonly totalMemory: number;
  readonly integrated: boolean;
}

/** Something missing, what it blocks and how to get it. */
export interface TrtMissing {
  /** e.g. `libnvinfer`, `the native addon`. */
  readonly what: string;
  /** What cannot work without it. */
  readonly blocks: string;
  /** The command or setting that fixes it. */
  readonly fix: string;
}

/** What {@link trtStatus} returns. */
export interface TrtStatus {
  /** True when engines can be built and run here. */
  readonly available: boolean;
  /** When not available: every missing piece and its fix, in one paragraph. */
  readonly reason?: string;
  readonly addon: {
    readonly path: string | null;
    /** Where it came from: EDGE_TRT_NATIVE, a prebuild shipped in the package, a source build. */
    readonly source: 'environment' | 'prebuild' | 'source-build' | null;
    /** TensorRT headers the addon was compiled against, or null (built without them). */
    readonly tensorrtHeaders: string | null;
    /**
     * Header versions of the package's builds with the TensorRT part for this machine (`8.2`,
     * `10.3`): the one whose major is the installed TensorRT's, not newer than it, is loaded.
     */
    readonly tensorrtBuilds: readonly string[];
    readonly errors: readonly string[];
  };
  readonly libraries: Readonly<Record<LibraryKind, LibraryStatus & { readonly role: string }>>;
  /** Folders searched before the loader path, in order. */
  readonly searched: readonly string[];
  readonly versions: {
    readonly tensorrt: string | null;
    readonly onnxParser: string | null;
    readonly cudaRuntime: string | null;
    readonly cudaDriver: string | null;
  };
  readonly devices: readonly TrtDevice[];
  /** Why the driver could not list GPUs, when it was loaded but failed. */
  readonly deviceError: string | null;
  readonly missing: readonly TrtMissing[];
}

const LIBRARY_FIX: Readonly<Record<LibraryKind, string>> = {
  cuda: 'install the NVIDIA driver (on Jetson it comes with JetPack; elsewhere the nvidia-driver package for your GPU)',
  cudart:
    'install the CUDA runtime (JetPack includes it; elsewhere `sudo apt install cuda-cudart-12-6` or the toolkit), or point EDGE_TRT_LIB_DIR at the folder holding libcudart.so',
  nvinfer:
    "install TensorRT: on Jetson `sudo apt install nvidia-tensorrt` (JetPack), from NVIDIA's apt repository `sudo apt install libnvinfer10 libnvonnxparsers10`, or unpack the tarball and set TENSORRT_ROOT (or EDGE_TRT_LIB_DIR) to it",
  nvonnxparser:
    "install TensorRT's ONNX parser (`sudo apt install libnvonnxparsers10`, part of JetPack's nvidia-tensorrt and of the tarball's lib/)",
};

const LIBRARY_BLOCKS: Readonly<Record<LibraryKind, string>> = {
  cuda: 'everything on the GPU: device queries, engine build and execution, the CUDA preprocessing kernel',
  cudart: 'engine build and execution (device memory, streams, copies)',
  nvinfer: 'engine build and execution',
  nvonnxparser: 'building engines from ONNX models',
};

const SOURCE_BUILD =
  '`npx node-gyp rebuild --directory node_modules/@edge/trt/native` (needs node-addon-api, python3, make and a C++17 compiler; ' +
  "it compiles the TensorRT part where TensorRT's headers are found: JetPack's nvidia-tensorrt-dev, NVIDIA's libnvinfer-dev, " +
  'or EDGE_TRT_INCLUDE / TENSORRT_ROOT; in this repository `pnpm --filter @edge/trt build:source`)';

/** Which TensorRT the package's builds with the TensorRT part serve (`TensorRT 8 from 8.2 and ...`), or that there is none. */
function prebuiltList(prebuilt: readonly string[]): string {
  if (prebuilt.length === 0)
    return "this package carries no build with the TensorRT part (it was packed without TensorRT's headers)";
  return `this package's builds with the TensorRT part serve ${prebuilt.map((v) => `TensorRT ${v.split('.')[0]} from ${v}`).join(' and ')}`;
}

function device(d: NativeDevice): TrtDevice {
  return {
    index: d.index,
    name: d.name,
    computeCapability: `${d.major}.${d.minor}`,
    totalMemory: d.totalMemory,
    integrated: d.integrated,
  };
}

function describeLibrary(s: LibraryStatus, searched: readonly string[]): string {
  const where = `looked in ${searched.length > 0 ? searched.join(', ') : 'no folder'} and the loader path`;
  return s.errors.length > 0 ? `${where}; ${s.errors.join('; ')}` : where;
}

/** The status of a loaded runtime. @internal */
export function statusOf(rt: LoadedRuntime, searched: readonly string[]): TrtStatus {
  const missing: TrtMissing[] = [];
  const binding = rt.binding;
  const { installed, prebuilt, rejected } = rt.tensorrt;
  if (binding === null) {
    missing.push({
      what: 'the native addon (edge_trt.node)',
      blocks:
        'everything: TensorRT, the CUDA driver and the CUDA preprocessing kernel are reached through it',
      fix: `the package ships builds for linux-x64 and linux-arm64; elsewhere build it from source with ${SOURCE_BUILD} — ${rt.addonErrors.join('; ')}`,
    });
  } else if (installed !== null && rejected.length > 0) {
    missing.push({
      what: `a build of the addon for TensorRT ${installed}`,
      blocks: 'engine build and execution (the CUDA kernel and device queries still work)',
      fix: `${prebuiltList(prebuilt)}; build one against the installed TensorRT's headers with ${SOURCE_BUILD} — builds tried: ${rejected.join('; ')}`,
    });
  } else if (binding.tensorrtHeaders === null && prebuilt.length === 0) {
    missing.push({
      what: 'the TensorRT part of the addon',
      blocks: 'engine build and execution (the addon was built without TensorRT headers)',
      fix: `install TensorRT, then build the addon with its headers: ${SOURCE_BUILD}`,
    });
  }
  const searchedList = [...searched];
  const libraries = {} as Record<LibraryKind, LibraryStatus & { role: string }>;
  for (const kind of LIBRARY_KINDS) {
    const s = rt.libraries[kind];
    libraries[kind] = { ...s, role: LIBRARY_ROLE[kind] };
    if (binding !== null && s.path === null) {
      missing.push({
        what: `lib${kind} (${describeLibrary(s, searchedList)})`,
        blocks: LIBRARY_BLOCKS[kind],
        fix:
          kind === 'nvinfer' && binding.tensorrtHeaders === null && prebuilt.length > 0
            ? `${LIBRARY_FIX[kind]} (${prebuiltList(prebuilt)}, loaded once it is installed)`
            : LIBRARY_FIX[kind],
      });
    }
  }
  const v = binding?.versions();
  const versions = {
    tensorrt: v?.tensorrt ? formatTensorRTVersion(v.tensorrt) : null,
    onnxParser: v?.onnxParser ? formatTensorRTVersion(v.onnxParser) : null,
    cudaRuntime: v?.cudaRuntime ? formatCudaVersion(v.cudaRuntime) : null,
    cudaDriver: v?.cudaDriver ? formatCudaVersion(v.cudaDriver) : null,
  };
  const mismatch =
    binding?.tensorrtHeaders && versions.tensorrt
      ? tensorrtMismatch(binding.tensorrtHeaders, versions.tensorrt)
      : undefined;
  if (mismatch !== undefined) {
    missing.push({
      what: `a TensorRT the addon can drive (it is ${mismatch})`,
      blocks: 'engine build and execution',
      fix: `build the addon against the installed TensorRT's headers with ${SOURCE_BUILD}`,
    });
  }
  if (rt.libraries.cuda.path !== null && rt.deviceError !== null) {
    missing.push({
      what: 'a working GPU driver',
      blocks: LIBRARY_BLOCKS.cuda,
      fix: `the driver said: ${rt.deviceError}`,
    });
  } else if (rt.libraries.cuda.path !== null && rt.devices.length === 0) {
    missing.push({
      what: 'a CUDA GPU',
      blocks: 'engine build and execution',
      fix: 'the driver loaded but lists no GPU',
    });
  }
  const available = missing.length === 0;
  return {
    available,
    ...(available
      ? {}
      : {
          reason: `TensorRT cannot run here: ${missing.map((m) => `${m.what} is missing (blocks ${m.blocks}); fix: ${m.fix}`).join('. ')}`,
        }),
    addon: {
      path: rt.addonPath,
      source: rt.addonSource,
      tensorrtHeaders: binding?.tensorrtHeaders ?? null,
      tensorrtBuilds: prebuilt,
      errors: rt.addonErrors,
    },
    libraries,
    searched: searchedList,
    versions,
    devices: rt.devices.map(device),
    deviceError: rt.deviceError,
    missing,
  };
}

/**
 * What of TensorRT and CUDA this machine has: the addon, each library (the file that loaded, or
 * where it was looked for), versions, GPUs, and for each missing piece what it blocks and the fix.
 * Loads the addon and opens the libraries on the first call (of any function of this package);
 * never throws.
 */
export function trtStatus(): TrtStatus {
  return statusOf(
    defaultRuntime(),
    searchDirectories().map((d) => d.dir),
  );
}

/**
 * The runtime when the CUDA driver and a GPU are there (no TensorRT needed), else an
 * UnavailableError naming `feature`, what is missing and the fix. @internal
 */
export function requireCudaDriver(feature: string, rt: LoadedRuntime = defaultRuntime()): LoadedRuntime {
  const status = statusOf(
    rt,
    searchDirectories().map((d) => d.dir),
  );
  const missing = status.missing.filter(
    (m) => m.what.startsWith('the native addon') || m.what.startsWith('libcuda') || /GPU/.test(m.what),
  );
  if (missing.length > 0) {
    throw new UnavailableError(
      `${feature} needs the NVIDIA driver and a GPU: ${missing.map((m) => `${m.what} is missing; fix: ${m.fix}`).join('. ')}`,
    );
  }
  return rt;
}

/**
 * The runtime when TensorRT can run, else an UnavailableError naming `feature`, what is missing
 * and the fix. @internal
 */
export function requireTensorRT(feature: string, rt: LoadedRuntime = defaultRuntime()): LoadedRuntime {
  const status = statusOf(
    rt,
    searchDirectories().map((d) => d.dir),
  );
  if (!status.available) throw new UnavailableError(`${feature} needs TensorRT. ${status.reason}`);
  return rt;
}
