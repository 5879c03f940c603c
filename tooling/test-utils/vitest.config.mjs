import { packageTestConfig } from '@edge/tooling/vitest';

export default packageTestConfig();
