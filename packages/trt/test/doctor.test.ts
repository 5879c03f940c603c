// Jetson detection from recorded JetPack files of five releases (fixtures/jetson/README.md in
// @edge/test-utils) and the doctor's report: on this machine (nothing installed) and on a Jetson whose files and
// libraries are stood in for (the addon double plus the fixture files).
import { recordedJetson, TRT_FAKE_ADDON } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { formatDoctor, trtDoctor } from '../src/doctor.js';
import { describeJetson, detectJetson, dpkgVersion, type FileReader, jetsonCheck } from '../src/jetson.js';
import { loadRuntime } from '../src/loader.js';

describe('detectJetson', () => {
  it.each([
    [
      'jp461-nano',
      'NVIDIA Jetson Nano Developer Kit',
      'Nano',
      '32.7.1',
      '4.6.1',
      '8.2.1',
      '10.2',
      '5.3',
      0,
      'jetpack-4.6.1',
    ],
    [
      'jp512-xavier-nx',
      'NVIDIA Jetson Xavier NX Developer Kit',
      'Xavier NX',
      '35.4.1',
      '5.1.2',
      '8.5.2',
      '11.4',
      '7.2',
      2,
      'jetpack-5.1',
    ],
    [
      'jp60-orin-nano',
      'NVIDIA Jetson Orin Nano Developer Kit',
      'Orin Nano',
      '36.3.0',
      '6.0',
      '8.6.2',
      '12.2',
      '8.7',
      0,
      'jetpack-6.0',
    ],
    [
      'jp62-agx-orin',
      'NVIDIA Jetson AGX Orin Developer Kit',
      'Orin',
      '36.4.3',
      '6.2',
      '10.3.0',
      '12.6',
      '8.7',
      2,
      'jetpack-6.2',
    ],
  ])('%s', (release, model, module, l4t, jetpack, tensorrt, cuda, cc, dla, checkTarget) => {
    expect(detectJetson(recordedJetson(release))).toEqual({
      model,
      module,
      l4t,
      jetpack,
      tensorrt,
      cuda,
      computeCapability: cc,
      dlaCores: dla,
      checkTarget,
      sources: ['/var/lib/dpkg/status (nvidia-l4t-core)', '/etc/nv_tegra_release', '/proc/device-tree/model'],
    });
  });

  it('falls back to nv_tegra_release without a dpkg entry; an unknown board name leaves the module null', () => {
    expect(detectJetson(recordedJetson('l4t-old-no-dpkg'))).toMatchObject({
      model: 'quill',
      module: null,
      l4t: '32.6.1',
      jetpack: '4.6',
      tensorrt: '8.0.1',
      checkTarget: 'jetpack-4.6',
      sources: ['/etc/nv_tegra_release', '/proc/device-tree/model'],
    });
  });

  it('an L4T patch release newer than the table takes its minor line; a later line is unknown', () => {
    const withCore =
      (v: string): FileReader =>
      (p) =>
        p === '/var/lib/dpkg/status'
          ? `Package: nvidia-l4t-core\nStatus: install ok installed\nVersion: ${v}-1\n`
          : undefined;
    expect(detectJetson(withCore('36.4.9'))).toMatchObject({
      l4t: '36.4.9',
      jetpack: '6.2.1',
      tensorrt: '10.3.0',
    });
    expect(detectJetson(withCore('38.2.0'))).toMatchObject({
      l4t: '38.2.0',
      jetpack: null,
      tensorrt: null,
      checkTarget: null,
    });
    expect(detectJetson(withCore('35.1.0'))).toMatchObject({ jetpack: '5.0.2', checkTarget: 'trt-8.4' });
  });

  it('not a Jetson: null; dpkg entries that are not installed do not count', () => {
    expect(detectJetson(() => undefined)).toBeNull();
    expect(
      dpkgVersion(
        'Package: nvidia-l4t-core\nStatus: deinstall ok config-files\nVersion: 32.7.1-1\n',
        'nvidia-l4t-core',
      ),
    ).toBeNull();
  });
});

describe('trtDoctor', () => {
  it('this machine: every missing piece marked, with what it blocks and the fix', () => {
    const report = trtDoctor({ read: () => undefined });
    expect(report.jetson).toBeNull();
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(byName['native addon']!.ok).toBe(true);
    expect(byName['native addon']!.found).toMatch(/node\.napi\.glibc\.node \(prebuild\)$/);
    expect(byName['addon TensorRT part']!.ok).toBe(false);
    // Installing TensorRT is the fix; without TensorRT builds in the package, building one too.
    expect(byName['addon TensorRT part']!.fix).toMatch(
      /^blocks engine build and execution.*; fix: install TensorRT/,
    );
    expect(byName.TensorRT!.ok).toBe(false);
    expect(byName.TensorRT!.fix).toMatch(
      /^blocks engine build and execution; fix: install TensorRT: on Jetson `sudo apt install nvidia-tensorrt`/,
    );
    expect(byName['NVIDIA driver']!.found).toBe('libcuda not found');
    const text = formatDoctor(report);
    expect(text).toMatch(/^check +ok +found\n/);
    expect(text).toContain('what is missing and what it blocks:');
    expect(text).toContain('TensorRT cannot run here yet.');
  });

  it('a JetPack 6.2 Orin with its TensorRT: all checks pass and the next command builds the detector', () => {
    const rt = loadRuntime({
      env: { ...process.env, EDGE_TRT_NATIVE: TRT_FAKE_ADDON },
    });
    const report = trtDoctor({ read: recordedJetson('jp62-agx-orin'), runtime: rt });
    expect(report.checks.every((c) => c.ok)).toBe(true);
    expect(report.checks.at(-1)).toEqual({
      name: 'Jetson',
      ok: true,
      found:
        'NVIDIA Jetson AGX Orin Developer Kit, L4T 36.4.3, JetPack 6.2 (ships TensorRT 10.3.0, CUDA 12.6), DLA cores 2, compute capability 8.7',
    });
    expect(report.next[0]).toMatch(
      /^edge trt build .*ch_PP-OCRv4_det_infer\.onnx --shape x=1x3x640x640 --fp16 -o det\.engine --bench 50$/,
    );
    expect(report.next[1]).toBe(
      "edge check MODEL.onnx --target jetpack-6.2   # which nodes deploy on this board's TensorRT and DLA",
    );
    expect(formatDoctor(report)).toContain('  edge check MODEL.onnx --target jetpack-6.2 ');
  });

  it('a Jetson whose TensorRT is missing still gets the check of its JetPack; a module without DLA is told which verdicts apply', () => {
    const report = trtDoctor({ read: recordedJetson('jp60-orin-nano') });
    expect(report.status.available).toBe(false);
    expect(report.next).toEqual([
      'fix the checks marked "no" above, then run edge trt doctor again',
      "edge check MODEL.onnx --target jetpack-6.0   # which nodes deploy on this board's TensorRT and DLA; the Orin Nano has no DLA: only the trt-8.6 verdicts apply",
    ]);
    expect(describeJetson(report.jetson!)).toBe(
      'NVIDIA Jetson Orin Nano Developer Kit (JetPack 6.0, L4T 36.3.0, TensorRT 8.6.2)',
    );
    expect(jetsonCheck(detectJetson(recordedJetson('l4t-old-no-dpkg'))!)).toEqual({
      command: 'edge check MODEL.onnx --target jetpack-4.6',
    });
  });

  it("EXPECTED FAILURE - a TensorRT that is not JetPack's is flagged with the reason it matters", () => {
    const rt = loadRuntime({
      env: { ...process.env, EDGE_TRT_NATIVE: TRT_FAKE_ADDON },
    });
    const report = trtDoctor({ read: recordedJetson('jp512-xavier-nx'), runtime: rt });
    const jetson = report.checks.find((c) => c.name === 'Jetson')!;
    expect(jetson.ok).toBe(false);
    expect(jetson.fix).toBe(
      "the TensorRT found (10.3.0) is not the one JetPack 5.1.2 ships (8.5.2): engines and calibration caches are tied to one version; point EDGE_TRT_LIB_DIR at JetPack's or rebuild them for this one",
    );
  });
});
