// Public surface of shape inference.

export { inferShapes, typeFromProto, typeToProto } from './infer.js';
export type { Dim, ShapeInferenceOptions, ValueType } from './types.js';
