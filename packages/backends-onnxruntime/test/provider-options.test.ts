// onnxruntime's TensorRT and CUDA providers asked for FP16/INT8, a TensorRT-format calibration
// table and an engine cache: the settings in onnxruntime's option names, and the skip reason when
// they cannot be applied (onnxruntime-node 1.30 passes only deviceId to these providers; this
// machine also lacks their libraries).
import { ArgumentError } from '@edge/core';
import { OCR_MODELS } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { createBackend } from '../src/index.js';
import {
  bindingPassesProviderSettings,
  cudaProviderConfig,
  tensorRtProviderConfig,
} from '../src/provider-options.js';

const CLS = OCR_MODELS.cls;

describe('provider settings in onnxruntime option names', () => {
  it('TensorRT: fp16, int8 with the native calibration table, its folder as the engine cache, DLA', () => {
    expect(
      tensorRtProviderConfig(1, {
        fp16: true,
        int8: true,
        calibrationTable: '/data/cal/det.cache',
        workspaceBytes: 1 << 30,
        dlaCore: 0,
      }),
    ).toEqual({
      name: 'tensorrt',
      deviceId: 1,
      trt_fp16_enable: true,
      trt_int8_enable: true,
      trt_engine_cache_enable: true,
      trt_engine_cache_path: '/data/cal',
      trt_int8_calibration_table_name: 'det.cache',
      trt_int8_use_native_calibration_table: true,
      trt_max_workspace_size: 1 << 30,
      trt_dla_enable: true,
      trt_dla_core: 0,
    });
    expect(tensorRtProviderConfig(0)).toEqual({ name: 'tensorrt', deviceId: 0 });
    expect(cudaProviderConfig(0, { memoryLimitBytes: 2 ** 31, convAlgoSearch: 'HEURISTIC' })).toEqual({
      name: 'cuda',
      deviceId: 0,
      gpu_mem_limit: 2 ** 31,
      cudnn_conv_algo_search: 'HEURISTIC',
    });
  });

  it('no onnxruntime-node up to 1.30 passes them on', () => {
    expect(['1.17.0', '1.30.0', 'unknown version'].map(bindingPassesProviderSettings)).toEqual([
      false,
      false,
      false,
    ]);
    expect(bindingPassesProviderSettings('1.31.0')).toBe(true);
  });

  it('EXPECTED FAILURE - a provider asked for settings it would drop is skipped, and the reason says why', async () => {
    const backend = createBackend({
      executionProviders: ['tensorrt', 'cuda', 'cpu'],
      tensorrt: { fp16: true, engineCacheDir: '/tmp/ort-engines' },
    });
    await using session = await backend.load({ format: 'onnx', name: CLS, path: CLS });
    expect(session.provider).toBe('cpu');
    const [trt, cuda] = session.skippedProviders;
    expect(trt!.reason).toMatch(
      /^onnxruntime-node 1\.30\.0 passes only deviceId to the tensorrt execution provider, so trt_fp16_enable, trt_engine_cache_enable, trt_engine_cache_path would be dropped and it would run in another precision than asked \(and it is not available here: .*libonnxruntime_providers_(shared|tensorrt)\.so.*\); use the trt backend for these settings$/,
    );
    // No settings asked of cuda: its reason is the missing library, as before.
    expect(cuda!.reason).toMatch(/^Failed to load shared library/);
  });

  it('BAD CALL - settings out of range name the option', () => {
    expect(() => createBackend({ tensorrt: { fp16: 'yes' as unknown as boolean } })).toThrow(ArgumentError);
    expect(() => createBackend({ tensorrt: { dlaCore: 0 } })).toThrow(
      'options.tensorrt.dlaCore needs fp16 or int8: the DLA runs no FP32',
    );
    expect(() => createBackend({ tensorrt: { calibrationTable: 'x.cache' } })).toThrow(
      'options.tensorrt.calibrationTable needs options.tensorrt.int8',
    );
    expect(() =>
      createBackend({ tensorrt: { int8: true, calibrationTable: '/a/x.cache', engineCacheDir: '/b' } }),
    ).toThrow(
      'Expected options.tensorrt.calibrationTable inside options.tensorrt.engineCacheDir (/b), where onnxruntime looks for it, but received /a/x.cache',
    );
    expect(() => createBackend({ cuda: { convAlgoSearch: 'FAST' as 'DEFAULT' } })).toThrow(
      'Expected "EXHAUSTIVE", "HEURISTIC" or "DEFAULT" for options.cuda.convAlgoSearch but received "FAST" of type string',
    );
  });
});
