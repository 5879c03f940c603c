// loadModel on a Jetson whose TensorRT is missing (recorded JetPack files of @edge/trt's fixtures,
// handed to the trt backend through `backendOptions.trt.jetsonFiles`; this machine has no
// TensorRT): the model runs on onnxruntime, and the explanation says why TensorRT was skipped,
// naming the board, its JetPack and the `edge check` target of its rule tables. (With TensorRT,
// the explanation's first line names the board too: trt-backend.test.ts.)
import { NoBackendError } from '@edge/core';
import { onnxBuilder as b, DataType, writeModel } from '@edge/onnx-parse';
import { recordedJetson } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../src/index.js';

const RELU = writeModel(
  b.model(
    b.graph({
      nodes: [b.node('Relu', ['x'], ['y'])],
      inputs: [b.value('x', [1, 3, 8, 8], DataType.FLOAT)],
      outputs: [b.value('y', [1, 3, 8, 8], DataType.FLOAT)],
    }),
  ),
);

describe('loadModel on a Jetson without TensorRT', () => {
  it('runs on onnxruntime and the explanation names the board, its JetPack and the edge check target', async () => {
    await using model = await loadModel(RELU, {
      backends: ['trt', 'onnxruntime'],
      backendOptions: { trt: { jetsonFiles: recordedJetson('jp512-xavier-nx') } },
    });
    expect(model.backend).toBe('onnxruntime');
    const skipped = model.explanation.split('\n').find((l) => l.startsWith('  skipped trt (unavailable): '))!;
    expect(skipped).toMatch(/^ {2}skipped trt \(unavailable\): TensorRT cannot run here: /);
    expect(skipped).toMatch(
      / This is NVIDIA Jetson Xavier NX Developer Kit \(JetPack 5\.1\.2, L4T 35\.4\.1, TensorRT 8\.5\.2\): which nodes of a model deploy on it is known without TensorRT: `edge check MODEL\.onnx --target jetpack-5\.1`\.$/,
    );
  });

  it('EXPECTED FAILURE - TensorRT alone: NoBackendError carries the board and the check command', async () => {
    const e = await loadModel(RELU, {
      backends: ['trt'],
      backendOptions: { trt: { jetsonFiles: recordedJetson('jp60-orin-nano') } },
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NoBackendError);
    expect((e as Error).message).toContain(
      'This is NVIDIA Jetson Orin Nano Developer Kit (JetPack 6.0, L4T 36.3.0, TensorRT 8.6.2): which nodes of a model deploy on it is known without TensorRT: `edge check MODEL.onnx --target jetpack-6.0` (the Orin Nano has no DLA: only the trt-8.6 verdicts apply).',
    );
  });
});
