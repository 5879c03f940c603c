// An engine header as a build on a Jetson AGX Orin with TensorRT 10.3 would write it.
import type { EngineHeaderFields } from '../../src/engine-file.js';

export function orinHeader(overrides: Partial<EngineHeaderFields> = {}): EngineHeaderFields {
  return {
    tensorrt: '10.3.0',
    gpu: { name: 'Orin', computeCapability: '8.7' },
    dlaCore: null,
    build: {
      precision: 'fp16',
      fp16: true,
      int8: false,
      stronglyTyped: false,
      gpuFallback: false,
      workspaceBytes: null,
      contexts: 1,
      profile: [{ name: 'x', min: [1, 3, 640, 640], opt: [1, 3, 640, 640], max: [4, 3, 640, 640] }],
      calibrationCacheSha256: null,
      transitions: 0,
    },
    model: { name: 'det.onnx', sha256: 'ab'.repeat(32) },
    createdAt: '2026-11-02T10:15:01.000Z',
    ...overrides,
  };
}

/** Stand-in plan bytes: TensorRT's plan is opaque to the container. */
export function fakePlan(length = 4096, seed = 7): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed;
  for (let i = 0; i < length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}
