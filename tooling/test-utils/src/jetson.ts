// The files @edge/trt's detectJetson reads, served from the recordings of one JetPack release in
// fixtures/jetson/<release>/ (see its README): a reader for @edge/trt's doctor and the trt
// backend's `jetsonFiles` option.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder of the recorded releases (jp461-nano, jp512-xavier-nx, jp60-orin-nano, jp62-agx-orin, l4t-old-no-dpkg). */
export const JETSON_RECORDINGS: string = fileURLToPath(new URL('../fixtures/jetson', import.meta.url));

/** The path on the board of each recorded file, and the file's name in the recording. */
export const JETSON_FILES: Readonly<Record<string, string>> = {
  '/etc/nv_tegra_release': 'nv_tegra_release',
  '/proc/device-tree/model': 'model',
  '/var/lib/dpkg/status': 'dpkg-status',
};

/** A reader of the board's files that serves those of `release`, and undefined for any other path. */
export function recordedJetson(release: string): (path: string) => string | undefined {
  return (path) => {
    const name = JETSON_FILES[path];
    try {
      return name ? readFileSync(join(JETSON_RECORDINGS, release, name), 'utf8') : undefined;
    } catch {
      return undefined;
    }
  };
}
