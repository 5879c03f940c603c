// Ctrl-C for long jobs: the first SIGINT aborts the job's signal, so it stops between two images
// and cleans up (sessions disposed, no half-written file); a second one kills the process as usual.

import { isEdgeError } from '@edge/core';
import type { Io } from './command.js';

/** Exit code of a job stopped by Ctrl-C: 128 + SIGINT, as shells report it. */
export const EXIT_INTERRUPTED = 130;

/**
 * Runs `job` with a signal that the first SIGINT aborts; `step` names what finishes first.
 *
 * @returns The job's exit code, or {@link EXIT_INTERRUPTED} when it stopped with an `EDGE_ABORTED`
 *   error after a SIGINT.
 */
export async function interruptible(
  io: Io,
  name: string,
  job: (signal: AbortSignal) => Promise<number>,
  step = 'image',
): Promise<number> {
  const controller = new AbortController();
  const onSigint = () => {
    io.stderr.write(
      `\nedge ${name}: interrupted; stopping after the current ${step} (Ctrl-C again to quit now)\n`,
    );
    controller.abort(new Error('SIGINT'));
  };
  process.once('SIGINT', onSigint);
  try {
    return await job(controller.signal);
  } catch (e) {
    if (!controller.signal.aborted || !isEdgeError(e, 'EDGE_ABORTED')) throw e;
    io.stderr.write(`edge ${name}: ${e.message}; nothing was written\n`);
    return EXIT_INTERRUPTED;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
