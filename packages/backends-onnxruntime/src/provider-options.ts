// Settings of onnxruntime's TensorRT and CUDA execution providers, in onnxruntime's own option
// names (OrtTensorRTProviderOptionsV2 / OrtCUDAProviderOptionsV2: trt_fp16_enable, ...), so the
// same FP16/INT8 choice, TensorRT-format calibration table and engine cache folder as @edge/trt's
// can be asked of them.
//
// onnxruntime-node up to 1.30 hands these providers nothing but `deviceId` (its
// js/node/src/session_options_helper.cc creates default V2 options and sets device_id only, and
// V2 options make the providers ignore their ORT_TENSORRT_* environment variables). A provider
// asked for settings it would silently drop is skipped instead, with that reason, rather than run
// in another precision than the one asked for.

import { basename, dirname, resolve } from 'node:path';
import {
  ArgumentError,
  checkBoolean,
  checkInteger,
  checkPositiveInteger,
  checkString,
  invalidArgument,
} from '@edge/core';

/** TensorRT execution provider settings. */
export interface TensorRtProviderOptions {
  readonly fp16?: boolean;
  readonly int8?: boolean;
  /**
   * INT8 calibration table in TensorRT's own format (as `edge calibrate` writes it) for models
   * without Q/DQ; onnxruntime reads it from the engine cache folder.
   */
  readonly calibrationTable?: string;
  /** Folder where the provider keeps its engines (and finds the calibration table). */
  readonly engineCacheDir?: string;
  /** Workspace limit in bytes. */
  readonly workspaceBytes?: number;
  /** DLA core (with fp16 or int8). */
  readonly dlaCore?: number;
}

/** CUDA execution provider settings. */
export interface CudaProviderOptions {
  /** Arena limit in bytes (gpu_mem_limit). */
  readonly memoryLimitBytes?: number;
  /** cuDNN convolution algorithm search (cudnn_conv_algo_search). */
  readonly convAlgoSearch?: 'EXHAUSTIVE' | 'HEURISTIC' | 'DEFAULT';
}

/** An execution provider entry of onnxruntime's session options. */
export type ProviderConfig = { readonly name: string; readonly deviceId?: number } & Readonly<
  Record<string, unknown>
>;

/**
 * Checks TensorRT provider settings.
 *
 * @throws {@link ArgumentError} naming the option.
 */
export function checkTensorRtOptions(o: unknown): TensorRtProviderOptions {
  if (typeof o !== 'object' || o === null) throw invalidArgument('options.tensorrt', o, 'object');
  const t = o as TensorRtProviderOptions;
  if (t.fp16 !== undefined) checkBoolean('options.tensorrt.fp16', t.fp16);
  if (t.int8 !== undefined) checkBoolean('options.tensorrt.int8', t.int8);
  if (t.workspaceBytes !== undefined)
    checkPositiveInteger('options.tensorrt.workspaceBytes', t.workspaceBytes, { max: 2 ** 48 });
  if (t.dlaCore !== undefined) {
    checkInteger('options.tensorrt.dlaCore', t.dlaCore, { min: 0, max: 15 });
    if (!t.fp16 && !t.int8)
      throw new ArgumentError('options.tensorrt.dlaCore needs fp16 or int8: the DLA runs no FP32');
  }
  if (t.engineCacheDir !== undefined)
    checkString('options.tensorrt.engineCacheDir', t.engineCacheDir, { nonEmpty: true });
  if (t.calibrationTable !== undefined) {
    checkString('options.tensorrt.calibrationTable', t.calibrationTable, { nonEmpty: true });
    if (!t.int8) throw new ArgumentError('options.tensorrt.calibrationTable needs options.tensorrt.int8');
    const dir = resolve(dirname(t.calibrationTable));
    if (t.engineCacheDir !== undefined && resolve(t.engineCacheDir) !== dir) {
      throw new ArgumentError(
        `Expected options.tensorrt.calibrationTable inside options.tensorrt.engineCacheDir (${resolve(t.engineCacheDir)}), where onnxruntime looks for it, but received ${t.calibrationTable}`,
      );
    }
  }
  return t;
}

/**
 * Checks CUDA provider settings.
 *
 * @throws {@link ArgumentError} naming the option.
 */
export function checkCudaOptions(o: unknown): CudaProviderOptions {
  if (typeof o !== 'object' || o === null) throw invalidArgument('options.cuda', o, 'object');
  const c = o as CudaProviderOptions;
  if (c.memoryLimitBytes !== undefined)
    checkPositiveInteger('options.cuda.memoryLimitBytes', c.memoryLimitBytes, { max: 2 ** 48 });
  if (c.convAlgoSearch !== undefined && !['EXHAUSTIVE', 'HEURISTIC', 'DEFAULT'].includes(c.convAlgoSearch)) {
    throw invalidArgument(
      'options.cuda.convAlgoSearch',
      c.convAlgoSearch,
      '"EXHAUSTIVE", "HEURISTIC" or "DEFAULT"',
    );
  }
  return c;
}

/** The TensorRT provider entry with onnxruntime's option names. */
export function tensorRtProviderConfig(deviceId: number, t: TensorRtProviderOptions = {}): ProviderConfig {
  const c: Record<string, unknown> = { name: 'tensorrt', deviceId };
  if (t.fp16) c.trt_fp16_enable = true;
  if (t.int8) c.trt_int8_enable = true;
  const cacheDir =
    t.engineCacheDir ?? (t.calibrationTable !== undefined ? dirname(t.calibrationTable) : undefined);
  if (cacheDir !== undefined) {
    c.trt_engine_cache_enable = true;
    c.trt_engine_cache_path = cacheDir;
  }
  if (t.calibrationTable !== undefined) {
    c.trt_int8_calibration_table_name = basename(t.calibrationTable);
    // TensorRT's own cache format, not onnxruntime's flatbuffers one.
    c.trt_int8_use_native_calibration_table = true;
  }
  if (t.workspaceBytes !== undefined) c.trt_max_workspace_size = t.workspaceBytes;
  if (t.dlaCore !== undefined) {
    c.trt_dla_enable = true;
    c.trt_dla_core = t.dlaCore;
  }
  return c as ProviderConfig;
}

/** The CUDA provider entry with onnxruntime's option names. */
export function cudaProviderConfig(deviceId: number, o: CudaProviderOptions = {}): ProviderConfig {
  const c: Record<string, unknown> = { name: 'cuda', deviceId };
  if (o.memoryLimitBytes !== undefined) c.gpu_mem_limit = o.memoryLimitBytes;
  if (o.convAlgoSearch !== undefined) c.cudnn_conv_algo_search = o.convAlgoSearch;
  return c as ProviderConfig;
}

/** The settings of a provider entry beyond its name and device (what a binding might drop). */
export function providerSettings(config: ProviderConfig): string[] {
  return Object.keys(config).filter((k) => k !== 'name' && k !== 'deviceId');
}

/**
 * Whether this onnxruntime-node hands provider settings beyond `deviceId` to the CUDA and
 * TensorRT providers: no release up to 1.30 does; later ones are assumed to (unverified).
 */
export function bindingPassesProviderSettings(ortVersion: string): boolean {
  const m = /^(\d+)\.(\d+)/.exec(ortVersion);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 1 || (major === 1 && minor > 30);
}
