#!/usr/bin/env node
// `pnpm bench <name> [--model <path>] [--json]`: runs one registered benchmark.

import { BENCHMARKS } from './benchmarks/index.js';
import { runCli } from './harness/run.js';

const controller = new AbortController();
// First Ctrl-C: stop after the current step and say so; a second one exits at once.
process.once('SIGINT', () => {
  controller.abort();
  process.once('SIGINT', () => process.exit(130));
});

process.exitCode = await runCli(process.argv.slice(2), BENCHMARKS, {
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
});
