// Builds the optional statistics kernel (native/): see @edge/tooling/build-native. `--strict`
// (CI) fails when it cannot be built.

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildNative } from '@edge/tooling/build-native';

buildNative({
  root: join(dirname(fileURLToPath(import.meta.url)), '..'),
  packageName: '@edge/calibrate',
  addon: 'edge_calibrate',
  fallback: 'the TypeScript statistics kernel (same results, several times slower)',
  strict: process.argv.includes('--strict'),
});
