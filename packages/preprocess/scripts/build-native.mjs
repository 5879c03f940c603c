// Builds the prebuilt native kernels that ship inside the npm package, one per Linux architecture:
//   prebuilds/linux-x64/node.napi.glibc.node     (x86-64-v2: SSE4.2)
//   prebuilds/linux-arm64/node.napi.glibc.node   (armv8-a: NEON), cross-compiled on x64
// with @edge/tooling's prebuild builder (shared with @edge/trt: see tooling/prebuild.mjs for the
// compilers, headers and symbol-version checks). The package build, the release (`prepack`) and
// the tests use this one script.
//
//   node scripts/build-native.mjs [--arch x64,arm64] [--strict] [--if-stale]

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPrebuilds, prebuildFlags } from '@edge/tooling/prebuild';

const script = fileURLToPath(import.meta.url);
await buildPrebuilds({
  packageName: '@edge/preprocess',
  root: join(dirname(script), '..'),
  ...prebuildFlags(process.argv.slice(2)),
  inputs: [script],
  fallback: 'the loader falls back to a source build or the TypeScript kernel there',
});
