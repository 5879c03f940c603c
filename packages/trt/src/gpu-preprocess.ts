// The CUDA preprocessing kernel at run time: its PTX (the one shipped for compute capability 7.5
// and later, or one compiled on this machine for older GPUs) is JIT-compiled by the driver through
// cuModuleLoadData, so nothing CUDA is needed at install. Each job is checked and packed here;
// the addon copies the image to the GPU, runs the kernel and copies the slot back.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UnavailableError } from '@edge/core';
import type { NativeCudaModule } from './binding.js';
import { checkGpuJob, type GpuKernelJob, packGpuJob } from './gpu-job.js';
import { defaultRuntime, type LoadedRuntime, packageDir } from './loader.js';
import { requireCudaDriver } from './status.js';

/** The PTX chosen for a GPU, and where it came from. */
export interface PtxChoice {
  readonly source: string;
  readonly text: string;
}

/**
 * The kernel's PTX for a GPU of compute capability `cc`: one compiled on this machine
 * (dist/native/preprocess.local.ptx) first, else the shipped one (compute_75) when the GPU can
 * JIT it.
 *
 * @throws {@link UnavailableError} for a GPU older than 7.5 with no locally compiled PTX.
 */
export function ptxFor(
  cc: { major: number; minor: number },
  root: string | undefined = packageDir(),
): PtxChoice {
  const local = root && join(root, 'dist', 'native', 'preprocess.local.ptx');
  if (local && existsSync(local)) return { source: local, text: readFileSync(local, 'utf8') };
  const script = join(root ?? '@edge/trt', 'scripts', 'build-ptx.mjs');
  if (cc.major * 10 + cc.minor < 75) {
    throw new UnavailableError(
      `a GPU of compute capability ${cc.major}.${cc.minor} cannot run the shipped PTX (compute_75): compile the kernel for this GPU with \`node ${script} --local\` (needs nvcc: on JetPack \`sudo apt install cuda-nvcc-<version>\`)`,
    );
  }
  const shipped = root && join(root, 'cuda', 'preprocess.ptx');
  if (!shipped || !existsSync(shipped)) {
    throw new UnavailableError(
      `the kernel's PTX is missing from @edge/trt (${shipped ?? 'no package folder'}): reinstall @edge/trt`,
    );
  }
  return { source: shipped, text: readFileSync(shipped, 'utf8') };
}

/** Options of {@link createGpuPreprocessor}. */
export interface GpuPreprocessorOptions {
  /** GPU index; default 0. */
  readonly device?: number;
}

/** Preprocessing on the GPU: the same jobs and output as @edge/preprocess's CPU kernel. */
export interface GpuPreprocessor {
  /**
   * Runs one job (an @edge/preprocess KernelJob): writes `job.dst` at `job.dstOffset`.
   *
   * @returns A promise rejecting with {@link ArgumentError} (area interpolation, a job that does not
   * fit its arrays) before the GPU sees it, or with an Error naming the CUDA failure.
   */
  run(job: GpuKernelJob): Promise<void>;
  /** Unloads the module; safe to call twice. */
  dispose(): void;
}

/**
 * A GPU preprocessor on `options.device`. The module loads on the first `run`.
 *
 * @throws {@link UnavailableError} when the addon, the NVIDIA driver or the GPU is missing (what and the fix).
 */
export function createGpuPreprocessor(
  options: GpuPreprocessorOptions = {},
  rt: LoadedRuntime = defaultRuntime(),
): GpuPreprocessor {
  requireCudaDriver('GPU preprocessing', rt);
  const device = options.device ?? 0;
  const gpu = rt.devices[device];
  if (gpu === undefined)
    throw new UnavailableError(
      `GPU preprocessing on GPU ${device}: this machine has ${rt.devices.length} GPUs`,
    );
  let module: NativeCudaModule | undefined;
  let disposed = false;
  return {
    async run(job: GpuKernelJob): Promise<void> {
      checkGpuJob(job);
      if (disposed) throw new UnavailableError('the GPU preprocessor is disposed');
      module ??= rt.binding!.loadCudaModule(ptxFor(gpu).text, device);
      const { ints, floats } = packGpuJob(job);
      const C = job.channelMap.length;
      const slot = job.dst.subarray(job.dstOffset, job.dstOffset + C * job.outWidth * job.outHeight);
      await module.preprocess(job.src, slot, ints, floats);
    },
    dispose(): void {
      disposed = true;
      module?.dispose();
      module = undefined;
    },
  };
}
