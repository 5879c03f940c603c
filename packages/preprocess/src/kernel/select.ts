// The one place that decides which kernel runs a batch of jobs.

import { UnavailableError } from '@edge/core';
import { loadNativeRunner, type NativeRunner, nativeKernelStatus } from '../native.js';
import { checkKernelJobs } from './check-job.js';
import { fuse } from './fused.js';
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
 * Checks every job (all of them first, so a bad job leaves the output untouched) and picks the
 * kernel: the native runner, or undefined for the TypeScript one.
 */
function prepare(
  jobs: readonly KernelJob[],
  choice: KernelChoice,
  offThread: boolean,
): NativeRunner | undefined {
  const native = choice === 'typescript' ? undefined : loadNativeRunner();
  checkKernelJobs(jobs, offThread && native !== undefined);
  if (choice === 'native' && native === undefined) throw unavailable();
  return native;
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
  const native = prepare(jobs, choice, true);
  if (native === undefined) {
    jobs.forEach((job, i) => {
      fuse(job);
      onJobDone?.(i);
    });
    return 'typescript';
  }
  if (onJobDone === undefined) {
    // One call: the native kernel spreads the whole batch over its threads.
    await native.runAsync(jobs);
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
  const native = prepare(jobs, choice, false);
  if (native === undefined) {
    for (const job of jobs) fuse(job);
    return 'typescript';
  }
  native.run(jobs);
  return 'native';
}
