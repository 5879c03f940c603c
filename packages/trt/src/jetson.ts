// Which Jetson this is and which JetPack it runs, from the files JetPack leaves: /etc/nv_tegra_release
// (`# R36 (release), REVISION: 4.3, ...`), /proc/device-tree/model (`NVIDIA Jetson AGX Orin
// Developer Kit`), and the version of the nvidia-l4t-core package in dpkg's status file. The L4T
// release gives the JetPack release and with it the TensorRT and CUDA it ships (NVIDIA's JetPack
// archive); the module gives the GPU's compute capability and the DLA cores. Files are read through
// an injectable reader so that recorded files of several releases can be tested anywhere.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Reads a file's text, or returns undefined when it does not exist or cannot be read. */
export type FileReader = (path: string) => string | undefined;

/** What JetPack's files say. */
export interface JetsonInfo {
  /** `NVIDIA Jetson AGX Orin Developer Kit`. */
  readonly model: string | null;
  /** The module family: `Nano`, `TX2`, `Xavier`, `Xavier NX`, `Orin`, `Orin NX`, `Orin Nano`, `Thor`. */
  readonly module: string | null;
  /** L4T release, `36.4.3`. */
  readonly l4t: string | null;
  /** JetPack release of that L4T, `6.2`. */
  readonly jetpack: string | null;
  /** TensorRT that JetPack release ships, `10.3`. */
  readonly tensorrt: string | null;
  /** CUDA that JetPack release ships, `12.6`. */
  readonly cuda: string | null;
  readonly computeCapability: string | null;
  /** DLA cores of the module (0: none). */
  readonly dlaCores: number | null;
  /**
   * The `edge check --target` id for this JetPack: the JetPack alias of @edge/backends-trt (its
   * TensorRT and the DLA of its modules), or the TensorRT table where no alias names the release.
   */
  readonly checkTarget: string | null;
  /** The files the answer came from. */
  readonly sources: readonly string[];
}

/** One JetPack release: its L4T, the TensorRT and CUDA it ships, and its `edge check` target. */
export interface JetpackRelease {
  readonly l4t: string;
  readonly jetpack: string;
  readonly tensorrt: string;
  readonly cuda: string;
  /** `jetpack-6.2`, or `trt-8.4` for a release no JetPack alias names. */
  readonly checkTarget: string;
}

const release = (
  l4t: string,
  jetpack: string,
  tensorrt: string,
  cuda: string,
  checkTarget: string,
): JetpackRelease => Object.freeze({ l4t, jetpack, tensorrt, cuda, checkTarget });

/**
 * L4T release -> JetPack, TensorRT, CUDA and `edge check` target, after NVIDIA's JetPack archive
 * and release notes (written down here without a copy of them at hand: the 8.2 / 6.0 / 6.1-6.2
 * rows agree with the TensorRT headers' README; check the others before relying on them). The
 * targets are @edge/backends-trt's aliases (its tests check each exists and ships this TensorRT).
 */
export const JETPACK_RELEASES: readonly JetpackRelease[] = Object.freeze([
  release('32.5.0', '4.5', '7.1.3', '10.2', 'trt-7.1'),
  release('32.5.1', '4.5.1', '7.1.3', '10.2', 'trt-7.1'),
  release('32.5.2', '4.5.1', '7.1.3', '10.2', 'trt-7.1'),
  release('32.6.1', '4.6', '8.0.1', '10.2', 'jetpack-4.6'),
  release('32.7.1', '4.6.1', '8.2.1', '10.2', 'jetpack-4.6.1'),
  release('32.7.2', '4.6.2', '8.2.1', '10.2', 'jetpack-4.6.1'),
  release('32.7.3', '4.6.3', '8.2.1', '10.2', 'jetpack-4.6.1'),
  release('32.7.4', '4.6.4', '8.2.1', '10.2', 'jetpack-4.6.1'),
  release('32.7.5', '4.6.5', '8.2.1', '10.2', 'jetpack-4.6.1'),
  release('32.7.6', '4.6.6', '8.2.1', '10.2', 'jetpack-4.6.1'),
  release('35.1.0', '5.0.2', '8.4.1', '11.4', 'trt-8.4'),
  release('35.2.1', '5.1', '8.5.2', '11.4', 'jetpack-5.1'),
  release('35.3.1', '5.1.1', '8.5.2', '11.4', 'jetpack-5.1'),
  release('35.4.1', '5.1.2', '8.5.2', '11.4', 'jetpack-5.1'),
  release('35.5.0', '5.1.3', '8.5.2', '11.4', 'jetpack-5.1'),
  release('35.6.0', '5.1.4', '8.5.2', '11.4', 'jetpack-5.1'),
  release('36.2.0', '6.0 DP', '8.6.2', '12.2', 'jetpack-6.0'),
  release('36.3.0', '6.0', '8.6.2', '12.2', 'jetpack-6.0'),
  release('36.4.0', '6.1', '10.3.0', '12.6', 'jetpack-6.1'),
  release('36.4.3', '6.2', '10.3.0', '12.6', 'jetpack-6.2'),
  release('36.4.4', '6.2.1', '10.3.0', '12.6', 'jetpack-6.2'),
]);

/** Module families by the words of the device-tree model, most specific first. */
const MODULES: readonly [pattern: RegExp, module: string, cc: string, dla: number][] = [
  [/Orin Nano/i, 'Orin Nano', '8.7', 0],
  [/Orin NX/i, 'Orin NX', '8.7', 2],
  [/Orin/i, 'Orin', '8.7', 2],
  [/Xavier NX/i, 'Xavier NX', '7.2', 2],
  [/Xavier/i, 'Xavier', '7.2', 2],
  [/TX2/i, 'TX2', '6.2', 0],
  [/Nano/i, 'Nano', '5.3', 0],
  [/TX1/i, 'TX1', '5.3', 0],
];

/** Reads with readFileSync; undefined for a missing or unreadable file. */
export const readTextFile: FileReader = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** Reads the Jetson's files under `root` instead of `/` (a host's root mounted in a container). */
export function fileReaderAt(root: string): FileReader {
  return (path) => readTextFile(join(root, path));
}

function normalise(version: string): string {
  const parts = version.split('.');
  while (parts.length < 3) parts.push('0');
  return parts.slice(0, 3).join('.');
}

/** The version of an installed dpkg package from /var/lib/dpkg/status, or null. */
export function dpkgVersion(status: string | undefined, name: string): string | null {
  if (status === undefined) return null;
  for (const block of status.split(/\n\n+/)) {
    if (!new RegExp(`^Package: ${name.replace(/[.+]/g, '\\$&')}$`, 'm').test(block)) continue;
    if (!/^Status: .*\binstalled$/m.test(block)) continue;
    const v = /^Version: (.+)$/m.exec(block)?.[1];
    if (v) return v.trim();
  }
  return null;
}

/**
 * What this Jetson is and runs, or null when the files of a Jetson are absent (not a Jetson).
 * Values it cannot tell are null (an L4T release newer than this table, say).
 */
export function detectJetson(read: FileReader = readTextFile): JetsonInfo | null {
  const sources: string[] = [];
  const release = read('/etc/nv_tegra_release');
  const rawModel = read('/proc/device-tree/model');
  const core = dpkgVersion(read('/var/lib/dpkg/status'), 'nvidia-l4t-core');
  if (release === undefined && core === null) return null;
  let l4t: string | null = null;
  if (core !== null) {
    // 36.4.3-20250107174145
    l4t = normalise(core.split('-')[0]!);
    sources.push('/var/lib/dpkg/status (nvidia-l4t-core)');
  } else if (release !== undefined) {
    const m = /#\s*R(\d+)\s*\(release\),\s*REVISION:\s*([\d.]+)/.exec(release);
    if (m) l4t = normalise(`${m[1]}.${m[2]}`);
    sources.push('/etc/nv_tegra_release');
  }
  if (core !== null && release !== undefined) sources.push('/etc/nv_tegra_release');
  // The device-tree string ends in a NUL.
  const model = rawModel?.replace(/\0/g, '').trim() || null;
  if (model !== null) sources.push('/proc/device-tree/model');
  // The newest known release of the same L4T major.minor not newer than this one (36.4.2 is 6.1).
  const row =
    l4t === null
      ? undefined
      : JETPACK_RELEASES.filter(
          (r) =>
            r.l4t.split('.').slice(0, 2).join('.') === l4t!.split('.').slice(0, 2).join('.') &&
            compare(r.l4t, l4t!) <= 0,
        ).at(-1);
  const mod = model === null ? undefined : MODULES.find(([p]) => p.test(model));
  return {
    model,
    module: mod?.[1] ?? null,
    l4t,
    jetpack: row?.jetpack ?? null,
    tensorrt: row?.tensorrt ?? null,
    cuda: row?.cuda ?? null,
    computeCapability: mod?.[2] ?? null,
    dlaCores: mod?.[3] ?? null,
    checkTarget: row?.checkTarget ?? null,
    sources,
  };
}

function compare(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** `NVIDIA Jetson AGX Orin Developer Kit (JetPack 6.2, L4T 36.4.3, TensorRT 10.3.0)`. */
export function describeJetson(info: JetsonInfo): string {
  const release = [
    `JetPack ${info.jetpack ?? 'unknown'}`,
    `L4T ${info.l4t ?? 'unknown'}`,
    ...(info.tensorrt ? [`TensorRT ${info.tensorrt}`] : []),
  ];
  return `${info.model ?? 'a Jetson of unknown model'} (${release.join(', ')})`;
}

/** The `edge check` command for a Jetson, and what to read of its answer. */
export interface JetsonCheck {
  /** `edge check MODEL.onnx --target jetpack-6.2`. */
  readonly command: string;
  /** For a module without DLA: that only the TensorRT verdicts of the JetPack target apply. */
  readonly note?: string;
}

/**
 * The `edge check` command that tells, before any build, which nodes of `model` deploy on this
 * board's TensorRT (and DLA), or null when the JetPack release is not known.
 */
export function jetsonCheck(info: JetsonInfo, model = 'MODEL.onnx'): JetsonCheck | null {
  if (info.checkTarget === null) return null;
  const command = `edge check ${model} --target ${info.checkTarget}`;
  // A JetPack alias covers the DLA of the release's modules; a module without one ignores those verdicts.
  if (info.dlaCores === 0 && info.checkTarget.startsWith('jetpack-') && info.tensorrt !== null) {
    const trt = `trt-${info.tensorrt.split('.').slice(0, 2).join('.')}`;
    return { command, note: `the ${info.module ?? 'module'} has no DLA: only the ${trt} verdicts apply` };
  }
  return { command };
}
