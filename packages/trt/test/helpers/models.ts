// Small ONNX models written with @edge/onnx-parse's builder.
import { onnxBuilder as b, DataType, writeModel } from '@edge/onnx-parse';

/** A Relu over an input of the given shape; `qdq` adds a Q/DQ pair, `fp16` a Cast to float16. */
export function reluModel(
  shape: (number | string | null)[],
  opts: { qdq?: boolean; fp16?: boolean } = {},
): Uint8Array {
  const nodes = [];
  let x = 'x';
  if (opts.qdq) {
    nodes.push(
      b.constant('s', b.floats('s', [], 0.02)),
      b.node('QuantizeLinear', ['x', 's'], ['xq']),
      b.node('DequantizeLinear', ['xq', 's'], ['xd']),
    );
    x = 'xd';
  }
  if (opts.fp16) {
    nodes.push(
      b.node('Cast', [x], ['xh'], { to: DataType.FLOAT16 }),
      b.node('Relu', ['xh'], ['yh']),
      b.node('Cast', ['yh'], ['y'], { to: DataType.FLOAT }),
    );
  } else {
    nodes.push(b.node('Relu', [x], ['y']));
  }
  const g = b.graph({ nodes, inputs: [b.value('x', shape)], outputs: [b.value('y', shape)] });
  return writeModel(b.model(g));
}
