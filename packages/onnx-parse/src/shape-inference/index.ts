// Public surface of shape inference.

export { inferShapes, typeFromProto, typeToProto } from './infer.js';
export type { Dim, InferOptions, ValueType } from './types.js';
