import { packageConfig } from '@edge/tooling/tsup';

// Two entries: the root, and `@edge/preprocess/kernel` (the kernels, for benchmarks and tests).
export default packageConfig({ entry: { index: 'src/index.ts', kernel: 'src/kernel/index.ts' } });
