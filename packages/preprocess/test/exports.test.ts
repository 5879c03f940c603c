// The public API, both entry points (@edge/preprocess and @edge/preprocess/kernel), against
// exports.snap.txt: an added, removed or renamed export fails here and shows in review.
import { expectExports } from '@edge/tooling/exports';
import { it } from 'vitest';
import * as api from '../src/index.js';
import * as kernel from '../src/kernel/index.js';

it('exports exactly the names in exports.snap.txt', () =>
  expectExports({ '../src/index.ts': api, '../src/kernel/index.ts': kernel }, import.meta.url));
