import { packageConfig } from '@edge/tooling/tsup';

export default packageConfig();
