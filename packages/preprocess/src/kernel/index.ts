// Entry of `@edge/preprocess/kernel`: the kernels themselves, for benchmarks and for code that
// builds its own jobs. Everyday preprocessing needs only the root entry (`preprocess`).

export { loadNativeKernel, type NativeKernel } from '../native.js';
export { createKernelJob } from '../preprocess.js';
export { checkKernelJob, checkKernelJobs } from './check-job.js';
export { runKernel } from './fused.js';
export type { Interpolation, KernelJob, Layout, OutputArray, OutputDType, Rect } from './job.js';
export { runReferenceKernel } from './reference.js';
