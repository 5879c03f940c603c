// The second step of the build chain: model facts + the user's options + the TensorRT version
// become one plan, the single description that both the native build and `trtexecCommand` read.
// The version decides how a precision is asked for (FACTS.md, TensorRT section):
//   - 8.x: builder flags; INT8 from a calibration cache replayed by a calibrator (never
//     recalibrated on the device), or from a Q/DQ model;
//   - 10.0 to 10.11: builder flags; INT8 only from a Q/DQ model (implicit calibrators deprecated);
//   - 10.12 on: the precision flags are deprecated, "superseded by strong typing": the network is
//     created strongly typed and takes FP16 from an FP16 model and INT8 from a Q/DQ model.

import { readFileSync } from 'node:fs';
import {
  ArgumentError,
  checkBoolean,
  checkInteger,
  checkOneOf,
  checkPositiveInteger,
  FileIOError,
  invalidArgument,
  type ModelDim,
} from '@edge/core';
import type { ModelFacts } from './model-facts.js';
import { deriveProfile, type ProfileEntry, type ShapeRange } from './profiles.js';

/** Precision of an engine: `best` lets TensorRT pick per layer among fp32, fp16 and int8. */
export type Precision = 'fp32' | 'fp16' | 'int8' | 'best';

const PRECISIONS: readonly Precision[] = ['fp32', 'fp16', 'int8', 'best'];

/** Options of an engine build (and of the trtexec command written for it). */
export interface BuildOptions {
  /** Default `fp32`. */
  readonly precision?: Precision;
  /**
   * TensorRT calibration cache (its text format, as `edge calibrate` / @edge/calibrate write it):
   * a path or its bytes. Used for INT8 on TensorRT 8; TensorRT 10 takes a Q/DQ model instead.
   */
  readonly calibrationCache?: string | Uint8Array;
  /** DLA core to build for; default: the GPU. */
  readonly dlaCore?: number;
  /** With a DLA core: run layers the DLA cannot on the GPU instead of failing. Default false. */
  readonly gpuFallback?: boolean;
  /** Workspace memory limit in bytes; default: TensorRT's. */
  readonly workspaceBytes?: number;
  /** Input shapes by name (opt of the profile), e.g. from `--shape`. */
  readonly shapes?: Readonly<Record<string, readonly ModelDim[]>>;
  /** Explicit min/opt/max by input name. */
  readonly profiles?: Readonly<Record<string, ShapeRange>>;
  /** Largest batch of a free batch dimension; default: the batch of `shapes`, else 1. */
  readonly maxBatch?: number;
  /** Execution contexts the engine will run at once (one optimisation profile each); default 1. */
  readonly contexts?: number;
  /** GPU index; default 0. */
  readonly device?: number;
  /** Timing cache file to read before the build and update after it. */
  readonly timingCache?: string;
  /** Forward TensorRT's verbose messages too. */
  readonly verbose?: boolean;
}

/** A TensorRT version, as numbers. */
export interface TensorRTVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** Everything a build or a trtexec command needs, decided. */
export interface BuildPlan {
  readonly tensorrt: TensorRTVersion;
  readonly precision: Precision;
  /** BuilderFlag::kFP16 / kINT8 (trtexec --fp16 / --int8). */
  readonly fp16: boolean;
  readonly int8: boolean;
  /** A strongly typed network (trtexec --stronglyTyped). */
  readonly stronglyTyped: boolean;
  /** The calibration cache replayed on TensorRT 8 INT8 builds. */
  readonly calibrationCache: Uint8Array | null;
  /** Where the cache came from, for trtexec's --calib (undefined when given as bytes). */
  readonly calibrationCachePath?: string;
  readonly profile: readonly ProfileEntry[];
  readonly dlaCore: number | null;
  readonly gpuFallback: boolean;
  readonly workspaceBytes: number | null;
  readonly contexts: number;
  readonly device: number;
  readonly timingCache?: string;
  readonly verbose: boolean;
  /** Why each flag was chosen, in words (shown by `edge trt build` and in errors). */
  readonly notes: readonly string[];
}

/**
 * `8.6`, `8.6.1`, `10.3.0` as numbers.
 *
 * @throws {@link ArgumentError} on anything else.
 */
export function parseTensorRTVersion(version: string): TensorRTVersion {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(?:\.\d+)*$/.exec(typeof version === 'string' ? version.trim() : '');
  if (!m) throw invalidArgument('tensorrtVersion', version, "version like '8.6' or '10.3.0'");
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

/** `10.3.0`. */
export function formatVersion(v: TensorRTVersion): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** True when `v` is at least major.minor. */
export function atLeast(v: TensorRTVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

function readCache(cache: string | Uint8Array): { bytes: Uint8Array; path?: string } {
  if (cache instanceof Uint8Array) return { bytes: cache };
  if (typeof cache !== 'string') throw invalidArgument('calibrationCache', cache, 'path or Uint8Array');
  try {
    return { bytes: readFileSync(cache), path: cache };
  } catch (cause) {
    throw new FileIOError(`cannot read calibration cache ${cache}: ${(cause as Error).message}`, cache, {
      cause,
    });
  }
}

/** The first line of a TensorRT calibration cache: `TRT-<version>-<algorithm>`. */
function checkCacheHeader(bytes: Uint8Array, name: string): void {
  const first = new TextDecoder().decode(bytes.subarray(0, 80)).split('\n')[0]!.replace(/\r$/, '');
  if (!/^TRT-\d+-(EntropyCalibration2|MinMaxCalibration|EntropyCalibration|LegacyCalibration)$/.test(first)) {
    throw new ArgumentError(
      `Expected a TensorRT calibration cache (first line TRT-<version>-EntropyCalibration2, as edge calibrate writes) for calibrationCache but received ${name} starting with ${JSON.stringify(first.slice(0, 40))}`,
    );
  }
}

interface Precisions {
  fp16: boolean;
  int8: boolean;
  stronglyTyped: boolean;
  cache: boolean;
  notes: string[];
}

function choosePrecision(
  precision: Precision,
  v: TensorRTVersion,
  facts: ModelFacts,
  hasCache: boolean,
): Precisions {
  const name = `TensorRT ${formatVersion(v)}`;
  const typed = atLeast(v, 10, 12);
  const wantFp16 = precision === 'fp16' || precision === 'best';
  const wantInt8 = precision === 'int8' || precision === 'best';
  const p: Precisions = { fp16: false, int8: false, stronglyTyped: false, cache: false, notes: [] };
  if (precision === 'fp32') {
    if (hasCache) throw new ArgumentError('calibrationCache is only used with precision int8 or best');
    return p;
  }
  if (typed) {
    // Precision flags are deprecated: the model must carry its precision.
    if (hasCache) {
      throw new ArgumentError(
        `${name} builds INT8 from a Q/DQ model, not from a calibration cache: write one with \`edge quantize ${facts.name} --int8 --cache CACHE --out MODEL.qdq.onnx\` and build that`,
      );
    }
    if (wantInt8 && !facts.quantized && precision === 'int8') {
      throw new ArgumentError(
        `${name} takes INT8 from the model (precision flags are deprecated from 10.12), and ${facts.name} has no QuantizeLinear/DequantizeLinear: write a Q/DQ model with \`edge quantize ${facts.name} --int8 --cache CACHE --out MODEL.qdq.onnx\``,
      );
    }
    if (wantFp16 && !facts.float16 && !facts.quantized) {
      throw new ArgumentError(
        `${name} takes FP16 from the model (precision flags are deprecated from 10.12), and ${facts.name} has no float16 tensors: convert it with \`edge quantize ${facts.name} --fp16 --out MODEL.fp16.onnx\``,
      );
    }
    p.stronglyTyped = true;
    p.notes.push(`${name}: strongly typed network, precisions as the model declares them`);
    return p;
  }
  p.fp16 = wantFp16;
  if (!wantInt8) return p;
  if (facts.quantized) {
    if (hasCache) throw new ArgumentError(`${facts.name} is already a Q/DQ model: drop calibrationCache`);
    p.int8 = true;
    p.notes.push(`${name}: INT8 from the model's Q/DQ nodes (explicit quantization)`);
    return p;
  }
  if (v.major >= 10) {
    if (precision === 'best') {
      p.notes.push(
        `${name}: no Q/DQ in ${facts.name}, so best means FP16 (INT8 needs a Q/DQ model on TensorRT 10)`,
      );
      return p;
    }
    throw new ArgumentError(
      `${name} builds INT8 from a Q/DQ model (its calibrators are deprecated), and ${facts.name} has none: write one with \`edge quantize ${facts.name} --int8 --cache CACHE --out MODEL.qdq.onnx\``,
    );
  }
  if (!hasCache) {
    if (precision === 'best') {
      p.notes.push(`${name}: no calibration cache and no Q/DQ, so best means FP16`);
      return p;
    }
    throw new ArgumentError(
      `${name} needs a calibration cache for INT8 of ${facts.name} (made on the development machine with \`edge calibrate\`), or a Q/DQ model: pass calibrationCache (--int8 CACHE)`,
    );
  }
  p.int8 = true;
  p.cache = true;
  p.notes.push(`${name}: INT8 ranges replayed from the calibration cache (no calibration on the device)`);
  return p;
}

/** Build options with their defaults applied, as {@link checkBuildOptions} returns them. */
export interface CheckedBuildOptions {
  readonly precision: Precision;
  readonly dlaCore: number | null;
  readonly gpuFallback: boolean;
  readonly workspaceBytes: number | null;
  readonly contexts: number;
  readonly device: number;
  readonly verbose: boolean;
}

/**
 * Checks the options that do not depend on the model (shapes against the model and the precision
 * against the TensorRT version are checked by {@link planBuild}).
 *
 * @throws {@link ArgumentError} naming the option and the allowed values.
 */
export function checkBuildOptions(options: BuildOptions): CheckedBuildOptions {
  if (typeof options !== 'object' || options === null) throw invalidArgument('options', options, 'object');
  const precision = checkOneOf('options.precision', options.precision ?? 'fp32', PRECISIONS);
  const dlaCore =
    options.dlaCore === undefined
      ? null
      : checkInteger('options.dlaCore', options.dlaCore, { min: 0, max: 15 });
  const gpuFallback =
    options.gpuFallback === undefined ? false : checkBoolean('options.gpuFallback', options.gpuFallback);
  if (gpuFallback && dlaCore === null) throw new ArgumentError('options.gpuFallback needs options.dlaCore');
  const workspaceBytes =
    options.workspaceBytes === undefined
      ? null
      : checkPositiveInteger('options.workspaceBytes', options.workspaceBytes, { max: 2 ** 48 });
  const contexts =
    options.contexts === undefined
      ? 1
      : checkPositiveInteger('options.contexts', options.contexts, { max: 64 });
  const device =
    options.device === undefined ? 0 : checkInteger('options.device', options.device, { min: 0, max: 63 });
  const verbose = options.verbose === undefined ? false : checkBoolean('options.verbose', options.verbose);
  if (options.maxBatch !== undefined) checkPositiveInteger('options.maxBatch', options.maxBatch);
  for (const key of ['shapes', 'profiles'] as const) {
    const v = options[key];
    if (v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v))) {
      throw invalidArgument(`options.${key}`, v, 'object mapping input names to shapes');
    }
  }
  if (options.timingCache !== undefined && typeof options.timingCache !== 'string') {
    throw invalidArgument('options.timingCache', options.timingCache, 'path');
  }
  return { precision, dlaCore, gpuFallback, workspaceBytes, contexts, device, verbose };
}

/**
 * Decides a build: precision flags for this TensorRT version, the optimisation profile, DLA and
 * memory settings.
 *
 * @throws {@link ArgumentError} naming the option and the allowed values, or naming the fix when the
 * precision cannot be had this way on this version (e.g. INT8 on TensorRT 10 from a model without Q/DQ).
 * @throws {@link FileIOError} when the calibration cache cannot be read.
 */
export function planBuild(facts: ModelFacts, options: BuildOptions, tensorrt: TensorRTVersion): BuildPlan {
  const { precision, dlaCore, gpuFallback, workspaceBytes, contexts, device, verbose } =
    checkBuildOptions(options);
  if (tensorrt.major !== 8 && tensorrt.major !== 10) {
    throw new ArgumentError(
      `Expected TensorRT 8.x or 10.x for tensorrtVersion but received ${formatVersion(tensorrt)} (the binding speaks those two APIs)`,
    );
  }
  let cache: { bytes: Uint8Array; path?: string } | undefined;
  if (options.calibrationCache !== undefined) {
    cache = readCache(options.calibrationCache);
    checkCacheHeader(cache.bytes, cache.path ?? '<bytes>');
  }
  const chosen = choosePrecision(precision, tensorrt, facts, cache !== undefined);
  const profile = deriveProfile(facts.inputs, {
    ...(options.shapes ? { shapes: options.shapes } : {}),
    ...(options.profiles ? { profiles: options.profiles } : {}),
    ...(options.maxBatch !== undefined ? { maxBatch: options.maxBatch } : {}),
  });
  if (dlaCore !== null && precision === 'fp32') {
    chosen.notes.push(
      'the DLA runs FP16 and INT8 only: with fp32 every layer falls back to the GPU or the build fails',
    );
  }
  return {
    tensorrt,
    precision,
    fp16: chosen.fp16,
    int8: chosen.int8,
    stronglyTyped: chosen.stronglyTyped,
    calibrationCache: chosen.cache ? cache!.bytes : null,
    ...(chosen.cache && cache!.path !== undefined ? { calibrationCachePath: cache!.path } : {}),
    profile,
    dlaCore,
    gpuFallback,
    workspaceBytes,
    contexts,
    device,
    ...(options.timingCache !== undefined ? { timingCache: options.timingCache } : {}),
    verbose,
    notes: chosen.notes,
  };
}
