// The model builders of @edge/onnx-parse (`onnxBuilder`), under the short names the tests use.
import { onnxBuilder as b } from '@edge/onnx-parse';

export const attr: typeof b.attr = b.attr;
export const chain: typeof b.chain = b.chain;
export const constant: typeof b.constant = b.constant;
export const float: typeof b.float = b.float;
export const floats: typeof b.floats = b.floats;
export const graph: typeof b.graph = b.graph;
export const int64s: typeof b.int64s = b.int64s;
export const model: typeof b.model = b.model;
export const node: typeof b.node = b.node;
export const value: typeof b.value = b.value;
