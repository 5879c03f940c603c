// `check:native` as part of the test command: the addon's C++ compiled against the TensorRT 8.2,
// 8.6, 10.3 and 10.16 headers with -Wall -Wextra -Werror, linked without any TensorRT or CUDA
// symbol, each build loaded into Node on this machine without TensorRT, and the ABI within each
// major compared (vtable-check.mjs). The headers live outside the repository
// (../shared/third_party/tensorrt, or EDGE_TRT_HEADERS) and, like CUDA's, come from neither npm nor
// Debian: requirement `tensorrt-headers` is optional, so where they are missing the tests that need
// them are skipped with that reason, under CI=true too.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requires, scratchDir } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { EXIT_NO_HEADERS, headersRoot, VERSIONS } from '../scripts/check-native.mjs';
// @ts-expect-error: a plain .mjs script without types
import { classesUsed, compareVtables } from '../scripts/vtable-check.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const script = join(here, '..', 'scripts', 'check-native.mjs');
const versions = VERSIONS as string[];

describe(`check:native against TensorRT ${versions.join(', ')} headers`, () => {
  it('compiles with -Wall -Wextra -Werror, links no TensorRT or CUDA symbol, loads here, and keeps the ABI within each major', {
    ...requires('tensorrt-headers'),
    timeout: 600_000,
  }, () => {
    const r = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      env: { npm_config_nodedir: '/usr', ...process.env },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const v of versions) {
      expect(r.stdout).toMatch(
        new RegExp(`TensorRT ${v}: .*loads here \\(headers ${v.replace('.', '\\.')}\\.\\d+\\)`),
      );
    }
    expect(r.stdout).toContain('no TensorRT headers: ');
    expect(r.stdout).toMatch(
      /TensorRT 8\.2 -> 8\.6: the \d+ classes the addon calls keep their vtable slots/,
    );
    expect(r.stdout).toMatch(
      /TensorRT 10\.3 -> 10\.16: the \d+ classes the addon calls keep their vtable slots/,
    );
  });

  it('EXPECTED FAILURE - without the headers the script exits with its own code and names what is missing and where to get it', () => {
    const r = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      env: { ...process.env, EDGE_TRT_HEADERS: join(tmpdir(), 'edge-no-such-headers') },
    });
    expect(r.status).toBe(EXIT_NO_HEADERS);
    expect(r.stderr).toContain(
      `check:native: no TensorRT headers at ${join(tmpdir(), 'edge-no-such-headers')}`,
    );
    expect(r.stderr).toContain('EDGE_TRT_HEADERS');
    expect(r.stderr).toContain('not on npm or in Debian');
  });
});

describe('the ABI comparison of two header versions (vtable-check.mjs)', () => {
  const dir = scratchDir('edge-trt-vtables-');
  function headers(version: string, text: string): string {
    const include = join(dir, version);
    mkdirSync(include, { recursive: true });
    writeFileSync(join(include, 'NvInfer.h'), text);
    return include;
  }
  const older = headers(
    'old',
    `namespace nvinfer1 { namespace apiv {
class VRoot { public: virtual ~VRoot() noexcept = default; };
class VBuilder : public VRoot { public:
  virtual bool platformHasFastFp16() const noexcept = 0; // a comment
  virtual int32_t getNbDLACores(int32_t a, /* b */ int32_t b) const noexcept = 0; }; }
class IBuilder { public: bool platformHasFastFp16() const noexcept { return mImpl->platformHasFastFp16(); }
protected: apiv::VBuilder* mImpl; };
class ILogger { public: virtual void log(int severity, char const* msg) noexcept = 0; virtual ~ILogger() = default; }; }`,
  );
  const used = { called: ['IBuilder', 'VBuilder'], implemented: ['ILogger'] };

  it('new methods at the end of a class the addon calls are compatible', () => {
    const newer = headers(
      'appended',
      readOld().replace(
        'int32_t b) const noexcept = 0;',
        'int32_t b) const noexcept = 0;\n  virtual void setMaxThreads(int32_t n) noexcept = 0;',
      ),
    );
    expect(compareVtables(older, newer, used)).toMatchObject({
      problems: [],
      called: 3,
      implemented: 1,
      grown: 1,
    });
  });

  it('EXPECTED FAILURE - a method inserted before others, a member before the pimpl, a slot added to a class the addon implements', () => {
    const newer = headers(
      'broken',
      readOld()
        .replace('public:\n  virtual bool', 'public:\n  virtual void reset() noexcept = 0;\n  virtual bool')
        .replace('protected: apiv::VBuilder* mImpl;', 'protected: int32_t mFlags; apiv::VBuilder* mImpl;')
        .replace(
          'virtual ~ILogger() = default;',
          'virtual ~ILogger() = default; virtual int level() const noexcept = 0;',
        ),
    );
    expect(compareVtables(older, newer, used).problems).toEqual([
      'IBuilder: data members apiv::VBuilder* mImpl became int32_t mFlags, apiv::VBuilder* mImpl',
      'VBuilder: vtable slot 1 is platformHasFastFp16/0 in the older headers, reset/0 in the newer',
      'ILogger: the addon implements it, and the newer headers add level/0',
    ]);
  });

  it(
    'the real headers: compatible within a major, and the 8.2 -> 10.3 break is seen',
    requires('tensorrt-headers'),
    () => {
      const root = headersRoot();
      const addon = classesUsed(join(here, '..', 'native', 'src'));
      expect(addon.implemented.sort()).toEqual(['IInt8EntropyCalibrator2', 'ILogger', 'IProgressMonitor']);
      const cross = compareVtables(join(root, '8.2', 'include'), join(root, '10.3', 'include'), addon);
      expect(cross.problems).toContain(
        'VCudaEngine: vtable slot 1 is getNbBindings/0 in the older headers, getPImpl/0 in the newer',
      );
    },
  );

  function readOld(): string {
    return readFileSync(join(older, 'NvInfer.h'), 'utf8');
  }
});
