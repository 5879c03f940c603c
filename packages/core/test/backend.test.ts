import { describe, expect, it } from 'vitest';
import {
  AbortedError,
  ArgumentError,
  checkFeeds,
  checkOutputNames,
  DisposedError,
  describeTensorInfo,
  type EdgeError,
  FeedError,
  formatShape,
  InferenceError,
  isAcceleratorDevice,
  isEdgeError,
  isTensorLike,
  ModelLoadError,
  NoBackendError,
  QueueFullError,
  Tensor,
  type TensorInfo,
  TimeoutError,
} from '../src/index.js';

const INPUTS: TensorInfo[] = [
  { name: 'x', dtype: 'float32', shape: ['N', 3, 48, null] },
  { name: 'ids', dtype: 'int64', shape: ['N'] },
];
const x = Tensor.zeros('float32', [2, 3, 48, 192]);
const ids = Tensor.zeros('int64', [2]);

function failure(fn: () => unknown): FeedError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FeedError);
    return e as FeedError;
  }
  throw new Error('did not throw');
}

describe('checkFeeds', () => {
  it('accepts matching tensors with any size in free dimensions', () => {
    const feeds = { x, ids };
    expect(checkFeeds(INPUTS, feeds)).toBe(feeds);
    expect(
      checkFeeds(INPUTS, { x: Tensor.zeros('float32', [1, 3, 48, 7]), ids: Tensor.zeros('int64', [1]) }),
    ).toBeTruthy();
  });

  it('BAD CALL - a missing input: names it and what the model expects', () => {
    const e = failure(() => checkFeeds(INPUTS, { x }));
    expect(e.message).toBe("input 'ids' is missing in feeds: expected int64 tensor of shape [N]");
    expect([e.input, e.expected, e.received]).toEqual(['ids', 'int64 tensor of shape [N]', 'nothing']);
    expect(e.code).toBe('EDGE_ARGUMENT');
    expect(e).toBeInstanceOf(ArgumentError);
  });

  it('BAD CALL - a wrong dtype: expected and received', () => {
    const e = failure(() => checkFeeds(INPUTS, { x: Tensor.zeros('uint8', [2, 3, 48, 192]), ids }));
    expect(e.message).toBe(
      "Expected float32 tensor of shape [N,3,48,?] for input 'x' but received Tensor<uint8>[2,3,48,192]: dtype uint8 is not float32",
    );
    expect(e.input).toBe('x');
    expect(e.received).toBe('Tensor<uint8>[2,3,48,192]');
  });

  it('BAD CALL - a wrong fixed dimension and a wrong rank', () => {
    const dim = failure(() => checkFeeds(INPUTS, { x: Tensor.zeros('float32', [2, 3, 32, 192]), ids }));
    expect(dim.message).toMatch(
      /for input 'x' but received Tensor<float32>\[2,3,32,192\]: dimension 2 is 32, the model needs 48$/,
    );
    const rank = failure(() => checkFeeds(INPUTS, { x: Tensor.zeros('float32', [3, 48, 192]), ids }));
    expect(rank.message).toMatch(/: rank 3, the model needs rank 4$/);
  });

  it('BAD CALL - not a tensor, an unknown name, feeds not an object', () => {
    const notTensor = failure(() => checkFeeds(INPUTS, { x: new Float32Array(4), ids }));
    expect(notTensor.message).toBe(
      "Expected float32 tensor of shape [N,3,48,?] for input 'x' but received Float32Array of type object: not a Tensor",
    );
    const unknown = failure(() => checkFeeds(INPUTS, { x, ids, y: x }));
    expect(unknown.message).toBe(
      "feeds has 'y', which is not an input of the model: expected one of 'x', 'ids'",
    );
    expect(unknown.input).toBe('y');
    expect(() => checkFeeds(INPUTS, x)).toThrow(ArgumentError);
    expect(() => checkFeeds(INPUTS, null)).toThrow(
      "Expected object mapping input names ('x', 'ids') to tensors for feeds but received null of type object",
    );
  });

  it('does not take an inherited property for an input', () => {
    const e = failure(() => checkFeeds([{ name: 'toString', dtype: 'float32', shape: [1] }], {}));
    expect(e.message).toMatch(/input 'toString' is missing/);
  });
});

describe('checkOutputNames', () => {
  const OUTPUTS: TensorInfo[] = [
    { name: 'boxes', dtype: 'float32', shape: ['N', 4] },
    { name: 'scores', dtype: 'float32', shape: ['N'] },
  ];

  it('passes known names through, and undefined (every output) as it is', () => {
    const wanted = ['scores'];
    expect(checkOutputNames(OUTPUTS, wanted)).toBe(wanted);
    expect(checkOutputNames(OUTPUTS, [])).toEqual([]);
    expect(checkOutputNames(OUTPUTS, undefined)).toBeUndefined();
  });

  it('BAD CALL - an output the model lacks: ArgumentError naming it and every output', () => {
    expect(() => checkOutputNames(OUTPUTS, ['scores', 'labels'])).toThrow(ArgumentError);
    expect(() => checkOutputNames(OUTPUTS, ['scores', 'labels'])).toThrow(
      "Expected output names ('boxes', 'scores') for options.outputs but received 'labels'",
    );
  });
});

describe('contract helpers', () => {
  it('formats shapes and infos', () => {
    expect(formatShape(['N', 3, null, 4])).toBe('[N,3,?,4]');
    expect(formatShape([])).toBe('[]');
    expect(formatShape(null)).toBe('(unknown rank)');
    expect(describeTensorInfo(INPUTS[0]!)).toBe('float32 tensor of shape [N,3,48,?]');
  });

  it('recognises tensors structurally (a second copy of core counts)', () => {
    expect(isTensorLike(x)).toBe(true);
    expect(isTensorLike({ dtype: 'float32', shape: [1], data: new Float32Array(1) })).toBe(true);
    expect(isTensorLike({ dtype: 'float64', shape: [1], data: new Float64Array(1) })).toBe(false);
    expect(isTensorLike({ dtype: 'float32', shape: [1], data: [0] })).toBe(false);
  });

  it('treats every device but cpu as an accelerator', () => {
    expect(isAcceleratorDevice('cpu')).toBe(false);
    expect(isAcceleratorDevice('cpu:1')).toBe(false);
    expect(isAcceleratorDevice('gpu:0')).toBe(true);
    expect(isAcceleratorDevice('tpu:0')).toBe(true);
  });
});

describe('runtime error classes', () => {
  it('carry their code, name and fields', () => {
    const cases: [EdgeError, string, string][] = [
      [new ModelLoadError('bad', 'onnxruntime'), 'EDGE_MODEL_LOAD', 'ModelLoadError'],
      [new InferenceError('bad'), 'EDGE_INFERENCE', 'InferenceError'],
      [new QueueFullError('bad', 4), 'EDGE_QUEUE_FULL', 'QueueFullError'],
      [new AbortedError('bad'), 'EDGE_ABORTED', 'AbortedError'],
      [new TimeoutError('bad', 50), 'EDGE_TIMEOUT', 'TimeoutError'],
      [new DisposedError('bad'), 'EDGE_DISPOSED', 'DisposedError'],
    ];
    for (const [error, code, name] of cases) {
      expect(error.code).toBe(code);
      expect(error.name).toBe(name);
      expect(error.message).toBe('bad');
      expect(isEdgeError(error, error.code)).toBe(true);
    }
    expect(new QueueFullError('bad', 4).limit).toBe(4);
    expect(new TimeoutError('bad', 50).timeoutMs).toBe(50);
    expect(new ModelLoadError('bad', 'onnxruntime').backend).toBe('onnxruntime');
  });

  it('NoBackendError lists every backend and its reason', () => {
    const e = new NoBackendError('model.onnx', [
      { backend: 'trt', kind: 'unavailable', reason: 'TensorRT not installed' },
      { backend: 'tflite', kind: 'cannot-load', reason: 'reads .tflite models only' },
    ]);
    expect(e.code).toBe('EDGE_NO_BACKEND');
    expect(e.message).toBe(
      'no backend can run model.onnx:\n  - trt (unavailable): TensorRT not installed\n  - tflite (cannot-load): reads .tflite models only',
    );
    expect(e.skipped.map((s) => s.backend)).toEqual(['trt', 'tflite']);
    expect(new NoBackendError('m', []).message).toBe('no backend can run m: (no backend was tried)');
  });
});
