// The one place that decides which kernel runs a batch of jobs.

import { UnavailableError } from '@edge/core';
import { loadNativeKernel, nativeKernelStatus } from '../native.js';
import { checkKernelJob } from './check-job.js';
import { runKernel } from './fused.js';
import type { KernelJob } from './job.js';

/** Which kernel runs the jobs: the native one when built (`auto`), or one of them explicitly. */
export type KernelChoice = 'auto' | 'typescript' | 'native';

function unavailable(): UnavailableError {
  const reason = nativeKernelStatus().reason ?? 'it is not built on this machine';
  return new UnavailableError(
    `kernel 'native' was asked for, but the native preprocessing kernel cannot be used: ${reason}. ` +
      "Build it with 'pnpm --filter @edge/preprocess build:native', or pass kernel 'auto' or 'typescript'",
  );
}

/**
 * Runs every job, in order, with the chosen kernel. Jobs are checked first, all of them, so a bad
 * job leaves the output untouched.
 *
 * @throws {@link UnavailableError} when `native` is asked for and not built.
 * @throws {@link ArgumentError} when a job is inconsistent.
 */
export async function runJobs(
  jobs: readonly KernelJob[],
  choice: KernelChoice,
  onJobDone?: (index: number) => void,
): Promise<string> {
  for (const job of jobs) checkKernelJob(job);
  const native = choice === 'typescript' ? undefined : loadNativeKernel();
  if (choice === 'native' && native === undefined) throw unavailable();
  if (native === undefined) {
    jobs.forEach((job, i) => {
      runKernel(job);
      onJobDone?.(i);
    });
    return 'typescript';
  }
  if (onJobDone === undefined) {
    // One call: the native kernel spreads the whole batch over its threads.
    await native.runAsync([...jobs]);
    return 'native';
  }
  for (let i = 0; i < jobs.length; i++) {
    await native.runAsync([jobs[i]!]);
    onJobDone(i);
  }
  return 'native';
}

/**
 * Synchronous variant of {@link runJobs} for frame loops: the native kernel's `run` on the
 * calling thread, or the TypeScript kernel.
 *
 * @throws {@link UnavailableError} when `native` is asked for and not built.
 * @throws {@link ArgumentError} when a job is inconsistent.
 */
export function runJobsSync(jobs: readonly KernelJob[], choice: KernelChoice): string {
  for (const job of jobs) checkKernelJob(job);
  const native = choice === 'typescript' ? undefined : loadNativeKernel();
  if (choice === 'native' && native === undefined) throw unavailable();
  for (const job of jobs) (native ?? { run: runKernel }).run(job);
  return native === undefined ? 'typescript' : 'native';
}
