// A progress bar on stderr for long jobs (images run, tensors calibrated). On a terminal it is
// redrawn in place; elsewhere (CI logs, tests, pipes) `\r` would pile up into one huge line, so it
// prints a line at every tenth of the job, or every 5 s, instead.

import type { Progress } from '@edge/calibrate';
import type { Io } from './command.js';

const WIDTH = 20;
const QUIET_MS = 5000;
const TTY_MS = 100;

/** A progress bar: `update` after each item, `finish` once at the end (also on failure). */
export interface ProgressBar {
  update(progress: Progress): void;
  finish(): void;
}

/** The line of a bar: `[#####...............] 12/40 images  3.1 s  0.26 s/image`. */
export function progressLine(p: Progress, unit = 'image'): string {
  const s = p.elapsedMs / 1000;
  const per = p.done > 0 ? `  ${(s / p.done).toFixed(2)} s/${unit}` : '';
  const count = `${p.done}${p.total === undefined ? '' : `/${p.total}`} ${unit}s  ${s.toFixed(1)} s${per}`;
  if (!p.total) return count;
  const full = Math.min(WIDTH, Math.floor((WIDTH * p.done) / p.total));
  return `[${'#'.repeat(full)}${'.'.repeat(WIDTH - full)}] ${count}`;
}

/** A bar drawn on `io.stderr`, in place when it is a terminal, as sparse lines when it is not. */
export function progressBar(io: Io, unit = 'image'): ProgressBar {
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  let last: Progress | undefined;
  let shown: Progress | undefined;
  const show = (p: Progress) => {
    io.stderr.write(tty ? `\r${progressLine(p, unit)}` : `${progressLine(p, unit)}\n`);
    shown = p;
  };
  return {
    update(p) {
      last = p;
      const since = p.elapsedMs - (shown?.elapsedMs ?? Number.NEGATIVE_INFINITY);
      const tenth = (q: Progress | undefined) => (q && p.total ? Math.floor((10 * q.done) / p.total) : -1);
      if (p.done === p.total || since >= (tty ? TTY_MS : QUIET_MS) || (!tty && tenth(p) > tenth(shown)))
        show(p);
    },
    finish() {
      if (last && last !== shown) show(last);
      if (tty && shown) io.stderr.write('\n');
    },
  };
}
