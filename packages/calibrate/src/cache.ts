// The calibration cache: TensorRT's text format, byte for byte as TensorRT writes it, so that an
// IInt8Calibrator's readCalibrationCache can hand it over unchanged; and a JSON beside it that
// says what the ranges were computed from, so a stale or foreign cache is refused, not used.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  ArgumentError,
  checkOneOf,
  checkString,
  type EdgeErrorOptions,
  FileIOError,
  ModelParseError,
  writeFileAtomic,
} from '@edge/core';
import { formatOrtCalibrationTable } from './ort-table.js';
import { RANGE_METHODS, type RangeMethod, type RangeParams } from './ranges.js';

/** Calibration algorithm names TensorRT writes in a cache's first line. */
export type TrtCalibrationAlgorithm = 'EntropyCalibration2' | 'MinMaxCalibration';

const ALGORITHMS: readonly TrtCalibrationAlgorithm[] = ['EntropyCalibration2', 'MinMaxCalibration'];

/** Format tag of the JSON beside a cache. */
export const METADATA_FORMAT = 'edge-calibration-cache/1';

/** Options of {@link formatTrtCache}. */
export interface TrtCacheOptions {
  /**
   * TensorRT version as its NV_TENSORRT_VERSION number (8601 for 8.6.1); TensorRT refuses a
   * cache of another version, so set the one of the target. Default `'8601'`.
   */
  readonly version?: string;
  /** Algorithm named in the header; default `EntropyCalibration2`. */
  readonly algorithm?: TrtCalibrationAlgorithm;
}

/** A parsed TensorRT calibration cache. */
export interface TrtCache {
  readonly version: string;
  readonly algorithm: TrtCalibrationAlgorithm;
  /** Scale per tensor, in file order; the dynamic range is scale x 127. */
  readonly scales: ReadonlyMap<string, number>;
}

const f32 = new DataView(new ArrayBuffer(4));

function scaleHex(scale: number): string {
  f32.setFloat32(0, scale, false);
  return f32.getUint32(0, false).toString(16).padStart(8, '0');
}

/**
 * TensorRT's cache text: `TRT-<version>-<algorithm>`, then `name: <8 lower-case hex digits of the
 * big-endian float32 scale>` per tensor, scale = amax / 127, each line ending in `\n`.
 *
 * @param ranges - Threshold (amax) per tensor name.
 * @throws ArgumentError on a negative or non-finite range, a name with a line break, or bad options.
 */
export function formatTrtCache(
  ranges: Readonly<Record<string, number>>,
  options: TrtCacheOptions = {},
): string {
  const version = options.version ?? '8601';
  if (!/^\d+$/.test(version)) {
    throw new ArgumentError(`Expected digits for options.version but received ${JSON.stringify(version)}`);
  }
  const algorithm = checkOneOf('options.algorithm', options.algorithm ?? 'EntropyCalibration2', ALGORITHMS);
  const lines = [`TRT-${version}-${algorithm}`];
  for (const [name, amax] of Object.entries(ranges)) {
    if (/[\r\n]/.test(name) || name === '') {
      throw new ArgumentError(`tensor name ${JSON.stringify(name)} cannot be written to a calibration cache`);
    }
    if (typeof amax !== 'number' || !Number.isFinite(amax) || amax < 0) {
      throw new ArgumentError(
        `Expected finite non-negative number for ranges[${JSON.stringify(name)}] but received ${String(amax)}`,
      );
    }
    lines.push(`${name}: ${scaleHex(amax / 127)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Parses TensorRT's cache text.
 *
 * @param source - Path or label for messages.
 * @throws ModelParseError naming the line when the header or a tensor line is malformed.
 */
export function parseTrtCache(text: string, source = '<text>'): TrtCache {
  const lines = text.split('\n');
  let offset = 0;
  const fail = (reason: string, line: number): never => {
    throw new ModelParseError(reason, { source, offset, fieldPath: `calibration cache line ${line}` });
  };
  const header = /^TRT-(\d+)-(EntropyCalibration2|MinMaxCalibration)$/.exec(lines[0]!.replace(/\r$/, ''));
  if (!header) fail(`expected a header TRT-<version>-EntropyCalibration2 or -MinMaxCalibration`, 1);
  const scales = new Map<string, number>();
  offset = lines[0]!.length + 1;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line === '' && i === lines.length - 1) break;
    const at = line.lastIndexOf(': ');
    const hex = at < 0 ? '' : line.slice(at + 2);
    if (at <= 0 || !/^[0-9a-fA-F]{1,8}$/.test(hex))
      fail(`expected 'name: <hex scale>' but found ${JSON.stringify(line.slice(0, 60))}`, i + 1);
    f32.setUint32(0, Number.parseInt(hex, 16), false);
    const scale = f32.getFloat32(0, false);
    if (!Number.isFinite(scale) || scale < 0)
      fail(`scale ${hex} is not a finite non-negative float32`, i + 1);
    scales.set(line.slice(0, at), scale);
    offset += lines[i]!.length + 1;
  }
  return { version: header![1]!, algorithm: header![2] as TrtCalibrationAlgorithm, scales };
}

/** What a cache was computed from: the JSON written beside it. */
export interface CalibrationMetadata {
  readonly format: typeof METADATA_FORMAT;
  readonly method: RangeMethod;
  readonly params: RangeParams;
  /** sha256 (hex) of the model bytes. */
  readonly modelSha256: string;
  /** The caller's identity of the calibration set (e.g. a sha256 of its files). */
  readonly datasetHash: string;
  /** sha256 (hex) of the cache text, so a cache and a JSON of different runs are told apart. */
  readonly cacheSha256: string;
  /** The calibration images by file name and sha256 of their bytes, when the caller gave them. */
  readonly images?: readonly ImageHash[];
  /** Per tensor: the threshold (amax) and, when known, the smallest and largest value seen. */
  readonly tensors?: Readonly<Record<string, TensorRange>>;
  /** Accuracy of the INT8 model on the calibration images and on held-out ones, once measured. */
  readonly evaluation?: unknown;
  /** Shape of each model input as calibrated (what a timing run can feed). */
  readonly inputs?: Readonly<Record<string, readonly number[]>>;
}

/** One calibration image in the JSON: file name and sha256 of its bytes. */
export interface ImageHash {
  readonly name: string;
  readonly sha256: string;
}

/** One tensor's range in the JSON beside a cache. */
export interface TensorRange {
  /** Threshold: the dynamic range is [-amax, amax] (what the TensorRT cache holds). */
  readonly amax: number;
  /** Smallest value seen during calibration. */
  readonly min?: number;
  /** Largest value seen during calibration. */
  readonly max?: number;
}

/** What a cache must have been computed from to be used; absent fields are not checked. */
export interface CacheExpectation {
  readonly modelSha256?: string;
  readonly datasetHash?: string;
  readonly method?: RangeMethod;
  readonly params?: RangeParams;
}

/** A cache exists but was computed from something else than what it is asked for. */
export class CalibrationCacheMismatchError extends ArgumentError {
  /** The first field that differs: `modelSha256`, `datasetHash`, `method` or `params`. */
  readonly field: string;
  /** What the caller asked for. */
  readonly expected: string;
  /** What the cache records. */
  readonly found: string;

  constructor(path: string, field: string, expected: string, found: string, options?: EdgeErrorOptions) {
    super(`calibration cache ${path} was computed for ${field} ${found}, not ${expected}`, options);
    this.field = field;
    this.expected = expected;
    this.found = found;
  }
}

/** sha256 of bytes, as lower-case hex. */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Paths of onnxruntime's calibration table written beside a cache: `<cache>.onnxruntime.flatbuffers`
 * (for its TensorRT execution provider's trt_int8_calibration_table_name) and
 * `<cache>.onnxruntime.cache` (its plain-text form).
 */
export function ortTablePaths(cachePath: string): { readonly flatbuffers: string; readonly text: string } {
  return { flatbuffers: `${cachePath}.onnxruntime.flatbuffers`, text: `${cachePath}.onnxruntime.cache` };
}

/** Path of the JSON written beside a cache. */
export function metadataPath(cachePath: string): string {
  return `${cachePath}.json`;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What {@link writeCalibrationCache} writes. */
export interface CalibrationCacheContent extends TrtCacheOptions {
  /** Threshold (amax) per tensor. */
  readonly ranges: Readonly<Record<string, number>>;
  readonly method: RangeMethod;
  readonly params?: RangeParams;
  readonly modelSha256: string;
  readonly datasetHash: string;
  /** Recorded in the JSON: the images calibrated on. */
  readonly images?: readonly ImageHash[];
  /** Recorded in the JSON beside each tensor's amax: the smallest and largest value seen. */
  readonly extremes?: Readonly<Record<string, { readonly min: number; readonly max: number }>>;
  /** Recorded in the JSON: held-out figures (see {@link recordEvaluation}). */
  readonly evaluation?: unknown;
  /** Recorded in the JSON: the shape of each model input as calibrated. */
  readonly inputs?: Readonly<Record<string, readonly number[]>>;
}

/**
 * Writes the TensorRT cache at `path`, its JSON at {@link metadataPath} and onnxruntime's
 * calibration table at {@link ortTablePaths}, each with core's `writeFileAtomic`, so a reader never
 * sees half a file (the TensorRT cache last: it is what a reuse looks for first). The header's algorithm
 * defaults to MinMaxCalibration for `minmax`, EntropyCalibration2 otherwise (TensorRT reads only
 * the scales; the JSON keeps the true method).
 *
 * @returns The metadata written.
 * @throws ArgumentError on bad content (see {@link formatTrtCache}).
 * @throws FileIOError when a file cannot be written.
 */
export function writeCalibrationCache(path: string, content: CalibrationCacheContent): CalibrationMetadata {
  checkString('path', path);
  const method = checkOneOf('content.method', content.method, RANGE_METHODS);
  const text = formatTrtCache(content.ranges, {
    version: content.version,
    algorithm: content.algorithm ?? (method === 'minmax' ? 'MinMaxCalibration' : 'EntropyCalibration2'),
  });
  const metadata: CalibrationMetadata = {
    format: METADATA_FORMAT,
    method,
    params: content.params ?? {},
    modelSha256: checkString('content.modelSha256', content.modelSha256),
    datasetHash: checkString('content.datasetHash', content.datasetHash),
    cacheSha256: sha256Hex(text),
    ...(content.images ? { images: content.images } : {}),
    tensors: Object.fromEntries(
      Object.entries(content.ranges).map(([name, amax]) => {
        const e = content.extremes?.[name];
        return [name, e ? { amax, min: e.min, max: e.max } : { amax }];
      }),
    ),
    ...(content.inputs ? { inputs: content.inputs } : {}),
    ...(content.evaluation === undefined ? {} : { evaluation: content.evaluation }),
  };
  const ort = formatOrtCalibrationTable(content.ranges);
  const ortPaths = ortTablePaths(path);
  writeFileAtomic(ortPaths.flatbuffers, ort.flatbuffers);
  writeFileAtomic(ortPaths.text, ort.text);
  writeFileAtomic(metadataPath(path), `${JSON.stringify(metadata, null, 2)}\n`);
  writeFileAtomic(path, text);
  return metadata;
}

/**
 * Adds (or replaces) the accuracy figures in the JSON beside a cache, atomically; the cache itself
 * is not touched.
 *
 * @throws FileIOError / ModelParseError as {@link readCalibrationCache}.
 */
export function recordEvaluation(path: string, evaluation: unknown): CalibrationMetadata {
  const { metadata } = readCalibrationCache(path);
  const updated = { ...metadata, evaluation };
  writeFileAtomic(metadataPath(path), `${JSON.stringify(updated, null, 2)}\n`);
  return updated;
}

/**
 * The smallest value of every tensor recorded in a cache's JSON: what {@link QdqOptions.minimums}
 * takes for asymmetric uint8 activations. Empty for a JSON written without extremes.
 */
export function tensorMinimums(metadata: CalibrationMetadata): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, t] of Object.entries(metadata.tensors ?? {})) if (t.min !== undefined) out[name] = t.min;
  return out;
}

/** A cache read back: its metadata, its scales, and the thresholds (scale x 127) per tensor. */
export interface CalibrationCache extends TrtCache {
  readonly metadata: CalibrationMetadata;
  readonly ranges: Record<string, number>;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new FileIOError(`cannot read ${path}: ${(cause as Error).message}`, path, { cause });
  }
}

/**
 * Reads a cache and its JSON, and checks them against `expect`.
 *
 * @throws FileIOError when either file is missing or unreadable.
 * @throws ModelParseError when either file is damaged, or the two are of different runs.
 * @throws CalibrationCacheMismatchError naming the first of model, data set, method and
 * parameters that differs from `expect`.
 */
export function readCalibrationCache(path: string, expect: CacheExpectation = {}): CalibrationCache {
  checkString('path', path);
  const text = readText(path);
  const jsonPath = metadataPath(path);
  const jsonText = readText(jsonPath);
  let metadata: CalibrationMetadata;
  try {
    metadata = JSON.parse(jsonText) as CalibrationMetadata;
  } catch (cause) {
    throw new ModelParseError(
      'not valid JSON',
      { source: jsonPath, offset: 0, fieldPath: 'metadata' },
      { cause },
    );
  }
  for (const key of ['format', 'method', 'modelSha256', 'datasetHash', 'cacheSha256'] as const) {
    if (typeof metadata?.[key] !== 'string') {
      throw new ModelParseError(`field '${key}' is missing or not a string`, {
        source: jsonPath,
        offset: 0,
        fieldPath: `metadata.${key}`,
      });
    }
  }
  if (metadata.format !== METADATA_FORMAT) {
    throw new ModelParseError(`format ${JSON.stringify(metadata.format)} is not ${METADATA_FORMAT}`, {
      source: jsonPath,
      offset: 0,
      fieldPath: 'metadata.format',
    });
  }
  const cache = parseTrtCache(text, path);
  if (sha256Hex(text) !== metadata.cacheSha256) {
    throw new ModelParseError(`the cache does not match the sha256 recorded in ${jsonPath}`, {
      source: path,
      offset: 0,
      fieldPath: 'metadata.cacheSha256',
    });
  }
  const checks: [keyof CacheExpectation, string | undefined, string][] = [
    ['modelSha256', expect.modelSha256, metadata.modelSha256],
    ['datasetHash', expect.datasetHash, metadata.datasetHash],
    ['method', expect.method, metadata.method],
    ['params', expect.params && canonical(expect.params), canonical(metadata.params ?? {})],
  ];
  for (const [field, wanted, found] of checks) {
    if (wanted !== undefined && wanted !== found)
      throw new CalibrationCacheMismatchError(path, field, wanted, found);
  }
  const ranges: Record<string, number> = {};
  for (const [name, scale] of cache.scales) ranges[name] = scale * 127;
  return { ...cache, metadata, ranges };
}

/** Options of {@link loadOrCalibrate}. */
export interface LoadOrCalibrateOptions extends TrtCacheOptions {
  readonly cachePath: string;
  readonly modelSha256: string;
  readonly datasetHash: string;
  readonly method: RangeMethod;
  readonly params?: RangeParams;
  /**
   * Computes the thresholds when the cache cannot be reused ({@link calibrate} returns this
   * shape); `statistics`, when given, puts each tensor's extremes in the JSON.
   */
  readonly calibrate: () => Promise<{
    readonly ranges: Readonly<Record<string, number>>;
    readonly statistics?: {
      readonly tensors: ReadonlyMap<string, { readonly min: number; readonly max: number }>;
      readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
    };
  }>;
  /** Recorded in the JSON: the images calibrated on. */
  readonly images?: readonly ImageHash[];
  /** Recompute over a cache of another model or a damaged one instead of throwing; default false. */
  readonly overwrite?: boolean;
  /** Recompute even when the cache could be reused (and replace one of another model); default false. */
  readonly force?: boolean;
}

/** Result of {@link loadOrCalibrate}. */
export interface LoadOrCalibrateResult {
  /** Threshold per tensor (read back from the cache when reused, so float32-rounded scale x 127). */
  readonly ranges: Record<string, number>;
  /** True when the cache was reused and `calibrate` not called. */
  readonly reused: boolean;
  /** The JSON beside the cache. */
  readonly metadata: CalibrationMetadata;
}

/**
 * Reuses the cache at `cachePath` when it was computed for the same model, data set, method and
 * parameters; recomputes (and rewrites it) when there is none or only the data set, method or
 * parameters differ.
 *
 * @throws CalibrationCacheMismatchError when the cache is of another model (unless `overwrite`).
 * @throws ModelParseError when the cache is damaged (unless `overwrite`).
 * @throws FileIOError when the cache cannot be written.
 */
export async function loadOrCalibrate(options: LoadOrCalibrateOptions): Promise<LoadOrCalibrateResult> {
  const { cachePath, modelSha256, datasetHash, method } = options;
  const params = options.params ?? {};
  let stale = true;
  if (!options.force) {
    try {
      readCalibrationCache(cachePath, { modelSha256 });
      stale = false;
    } catch (error) {
      const missing = error instanceof FileIOError;
      if (!missing && !options.overwrite) throw error;
    }
  }
  if (!stale) {
    try {
      const cache = readCalibrationCache(cachePath, { modelSha256, datasetHash, method, params });
      return { ranges: cache.ranges, reused: true, metadata: cache.metadata };
    } catch (error) {
      if (!(error instanceof CalibrationCacheMismatchError)) throw error;
    }
  }
  const { ranges, statistics } = await options.calibrate();
  writeCalibrationCache(cachePath, {
    ranges,
    method,
    params,
    modelSha256,
    datasetHash,
    images: options.images,
    extremes: statistics && Object.fromEntries(statistics.tensors),
    inputs: statistics?.inputShapes,
    version: options.version,
    algorithm: options.algorithm,
  });
  const cache = readCalibrationCache(cachePath);
  return { ranges: cache.ranges, reused: false, metadata: cache.metadata };
}
