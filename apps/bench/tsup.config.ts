import { packageConfig } from '@edge/tooling/tsup';

// The library (`@edge/bench`, used by `edge bench`) with types, and the `pnpm bench` command.
// Only the first config cleans dist/, so the second does not delete what the first wrote.
export default [
  { ...packageConfig({ entry: ['src/index.ts'] }), shims: true },
  { ...packageConfig({ entry: ['src/cli.ts'], bin: true }), clean: false },
];
