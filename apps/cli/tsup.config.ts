import { packageConfig } from '@edge/tooling/tsup';

export default packageConfig({ entry: ['src/cli.ts'], bin: true });
