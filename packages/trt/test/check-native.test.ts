// `check:native` as part of the test command: the addon's C++ compiled against the TensorRT 8.2,
// 8.6, 10.3 and 10.16 headers with -Wall -Wextra -Werror, linked without any TensorRT or CUDA
// symbol, and each build loaded into Node on this machine without TensorRT. The headers live
// outside the repository (../shared/third_party/tensorrt, or EDGE_TRT_HEADERS) and come from neither
// npm nor Debian: requirement `tensorrt-headers` is optional, so where they are missing the test is
// skipped with that reason, under CI=true too.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requires } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { EXIT_NO_HEADERS, VERSIONS } from '../scripts/check-native.mjs';

const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'check-native.mjs');

describe(`check:native against TensorRT ${(VERSIONS as string[]).join(', ')} headers`, () => {
  it('compiles with -Wall -Wextra -Werror, links no TensorRT or CUDA symbol, and loads here', {
    ...requires('tensorrt-headers'),
    timeout: 600_000,
  }, () => {
    const r = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      env: { npm_config_nodedir: '/usr', ...process.env },
    });
    if (r.status === EXIT_NO_HEADERS) {
      throw new Error(`no TensorRT headers: ${r.stderr.trim()}`);
    }
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const v of VERSIONS as string[]) {
      expect(r.stdout).toMatch(
        new RegExp(`TensorRT ${v}: .*loads here \\(headers ${v.replace('.', '\\.')}\\.\\d+\\)`),
      );
    }
    expect(r.stdout).toContain('no TensorRT headers: ');
  });
});
