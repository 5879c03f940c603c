// Builds the statistics kernel's prebuilds that ship inside the npm package, one per Linux
// architecture (prebuilds/linux-<arch>/node.napi.glibc.node, arm64 cross-compiled on x64), with
// @edge/tooling's prebuild builder, shared with @edge/preprocess and @edge/trt (tooling/prebuild.mjs:
// compilers, headers, symbol-version checks). The package build, the release (`prepack`) and the
// tests use this one script.
//
//   node scripts/build-native.mjs [--arch x64,arm64] [--strict] [--if-stale]

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPrebuilds, prebuildFlags } from '@edge/tooling/prebuild';

const script = fileURLToPath(import.meta.url);
await buildPrebuilds({
  packageName: '@edge/calibrate',
  root: join(dirname(script), '..'),
  ...prebuildFlags(process.argv.slice(2)),
  inputs: [script],
  fallback: 'calibration uses the TypeScript statistics kernel there (same results, several times slower)',
});
