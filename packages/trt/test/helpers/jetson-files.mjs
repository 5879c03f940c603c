// The files detectJetson reads, served from the recorded ones of a release in
// test/fixtures/jetson/<release>/ (see its README): a reader for @edge/trt's doctor and for the
// trt backend's `jetsonFiles` option, used by this package's tests and by those of
// @edge/backends-trt and @edge/runtime.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'jetson');
const FILES = {
  '/etc/nv_tegra_release': 'nv_tegra_release',
  '/proc/device-tree/model': 'model',
  '/var/lib/dpkg/status': 'dpkg-status',
};

/** @param {string} release a folder of test/fixtures/jetson */
export function recordedJetson(release) {
  return (path) => {
    const name = FILES[path];
    try {
      return name ? readFileSync(join(FIXTURES, release, name), 'utf8') : undefined;
    } catch {
      return undefined;
    }
  };
}
