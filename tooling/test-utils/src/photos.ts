// The photo cache that scripts/test-data.sh fills (requirement `photos`): the data folders of
// Debian's python3-skimage and opencv-doc, listed with their licences in
// packages/preprocess/test/fixtures/index.json.
import { join } from 'node:path';
import { REPO_ROOT } from '@edge/tooling/test-data';

/** The git-ignored cache of downloaded test data. */
export const TEST_DATA: string = join(REPO_ROOT, '.cache/test-data');

/** The folder of one photo source: scikit-image's data or OpenCV's samples. */
export function photoDir(source: 'skimage' | 'opencv'): string {
  return join(TEST_DATA, `${source}-data`);
}

/** A photo's path by the name fixtures/index.json uses (`skimage/astronaut.png`). */
export function photo(name: string): string {
  const [source, file] = name.split('/') as [string, string];
  if (source !== 'skimage' && source !== 'opencv')
    throw new Error(`photo ${name}: expected skimage/... or opencv/...`);
  return join(photoDir(source), file);
}
