// The model builders of @edge/onnx-parse (`onnxBuilder`), under the short names the tests use.
import { onnxBuilder } from '@edge/onnx-parse';

export const { attr, chain, constant, float, floats, graph, int64s, model, node, value } = onnxBuilder;
