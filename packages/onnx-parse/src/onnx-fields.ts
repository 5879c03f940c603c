// The fields of onnx.proto (IR version 10; onnx-ml's TypeProto members included), one table per
// message, named as in the .proto file (nested messages as protoc names them in C++:
// `TensorShapeProto_Dimension`). Each table is an enum of field numbers plus, per field, how it is
// encoded and which property of the model object (types.ts) holds it. The reader decodes and the
// writer encodes through these tables, so the two cannot disagree on a number.
//
// Enums rather than objects: the bundler writes `NodeProto.op_type` as the literal 4, so the
// reader's tag comparisons and the writer's tags are constants.

import type { TypedDataField } from './types.js';
import { WireType } from './wire.js';

/** How a field is encoded and what the model object holds for it. */
export enum Kind {
  /** `string`: a string, '' when absent. */
  STRING,
  /** `repeated string`: an array of strings (empty strings kept: they mark omitted node inputs). */
  STRINGS,
  /** `int64`, `int32` or an enum: a number. */
  INT,
  /** `repeated int64`, packed or not: an array of numbers. */
  INTS,
  /** `float`. */
  FLOAT,
  /** `repeated float`, packed or not. */
  FLOATS,
  /** `bytes`: a Uint8Array. */
  BYTES,
  /** `repeated bytes`. */
  BYTES_LIST,
  /** A sub-message. */
  MESSAGE,
  /** A repeated sub-message. */
  MESSAGES,
  /** `TensorProto.raw_data`: a ByteRange, read on request. */
  RAW,
  /** One of the typed data fields of `TensorProto`: chunks in file order, decoded on request. */
  TYPED,
}

/** One field of a message. */
export interface Field {
  /** Field number in onnx.proto. */
  readonly no: number;
  /** Field name in onnx.proto (error messages show it in the field path). */
  readonly name: string;
  readonly kind: Kind;
  /** Property of the model object that holds the value. */
  readonly key: string;
  /** Message type of a MESSAGE or MESSAGES field. */
  readonly type: MessageName | undefined;
}

/** A message: its name and its fields. */
export interface Message {
  /** Message name in onnx.proto (`TensorShapeProto.Dimension` for nested ones). */
  readonly name: string;
  /** Fields in number order (the order the writer emits them). */
  readonly fields: readonly Field[];
  /** Fields indexed by number; undefined for numbers the message does not define. */
  readonly byNumber: readonly (Field | undefined)[];
}

// --- field numbers ---------------------------------------------------------------------------

export enum ModelProto {
  ir_version = 1,
  producer_name = 2,
  producer_version = 3,
  domain = 4,
  model_version = 5,
  doc_string = 6,
  graph = 7,
  opset_import = 8,
  metadata_props = 14,
  training_info = 20,
  functions = 25,
}

export enum GraphProto {
  node = 1,
  name = 2,
  initializer = 5,
  doc_string = 10,
  input = 11,
  output = 12,
  value_info = 13,
  quantization_annotation = 14,
  sparse_initializer = 15,
  metadata_props = 16,
}

export enum NodeProto {
  input = 1,
  output = 2,
  name = 3,
  op_type = 4,
  attribute = 5,
  doc_string = 6,
  domain = 7,
  overload = 8,
  metadata_props = 9,
}

export enum AttributeProto {
  name = 1,
  f = 2,
  i = 3,
  s = 4,
  t = 5,
  g = 6,
  floats = 7,
  ints = 8,
  strings = 9,
  tensors = 10,
  graphs = 11,
  doc_string = 13,
  tp = 14,
  type_protos = 15,
  type = 20,
  ref_attr_name = 21,
  sparse_tensor = 22,
  sparse_tensors = 23,
}

export enum ValueInfoProto {
  name = 1,
  type = 2,
  doc_string = 3,
  metadata_props = 4,
}

export enum TensorProto {
  dims = 1,
  data_type = 2,
  segment = 3,
  float_data = 4,
  int32_data = 5,
  string_data = 6,
  int64_data = 7,
  name = 8,
  raw_data = 9,
  double_data = 10,
  uint64_data = 11,
  doc_string = 12,
  external_data = 13,
  data_location = 14,
  metadata_props = 16,
}

export enum TensorProto_Segment {
  begin = 1,
  end = 2,
}

export enum SparseTensorProto {
  values = 1,
  indices = 2,
  dims = 3,
}

export enum TensorShapeProto {
  dim = 1,
}

/** `dim_value` and `dim_param` are a oneof. */
export enum TensorShapeProto_Dimension {
  dim_value = 1,
  dim_param = 2,
  denotation = 3,
}

/** The members but `denotation` are the oneof `value`. */
export enum TypeProto {
  tensor_type = 1,
  sequence_type = 4,
  map_type = 5,
  denotation = 6,
  opaque_type = 7,
  sparse_tensor_type = 8,
  optional_type = 9,
}

/** `TypeProto.Tensor`; `TypeProto.SparseTensor` has the same fields. */
export enum TypeProto_Tensor {
  elem_type = 1,
  shape = 2,
}

/** `TypeProto.Sequence`; `TypeProto.Optional` has the same field. */
export enum TypeProto_Sequence {
  elem_type = 1,
}

export enum TypeProto_Map {
  key_type = 1,
  value_type = 2,
}

export enum TypeProto_Opaque {
  domain = 1,
  name = 2,
}

export enum OperatorSetIdProto {
  domain = 1,
  version = 2,
}

export enum StringStringEntryProto {
  key = 1,
  value = 2,
}

export enum TensorAnnotation {
  tensor_name = 1,
  quant_parameter_tensor_names = 2,
}

export enum TrainingInfoProto {
  initialization = 1,
  algorithm = 2,
  initialization_binding = 3,
  update_binding = 4,
}

export enum FunctionProto {
  name = 1,
  input = 4,
  output = 5,
  attribute = 6,
  node = 7,
  doc_string = 8,
  opset_import = 9,
  domain = 10,
  attribute_proto = 11,
  value_info = 12,
  overload = 13,
  metadata_props = 14,
}

/** Wire type of one unpacked element of each of TensorProto's typed data fields. */
export const TYPED_DATA_WIRE: { readonly [F in TypedDataField]: WireType } = {
  [TensorProto.float_data]: WireType.I32,
  [TensorProto.int32_data]: WireType.VARINT,
  [TensorProto.string_data]: WireType.LEN,
  [TensorProto.int64_data]: WireType.VARINT,
  [TensorProto.double_data]: WireType.I64,
  [TensorProto.uint64_data]: WireType.VARINT,
};

// --- encodings and model properties ---------------------------------------------------------

/** `[kind, key]`, or `[kind, key, message type]` for MESSAGE and MESSAGES. */
type Spec = readonly [Kind, string, MessageName?];

const { STRING, STRINGS, INT, INTS, FLOAT, FLOATS, BYTES, BYTES_LIST, MESSAGE, MESSAGES, RAW, TYPED } = Kind;

/** Builds a message from its field numbers and a spec for each of them (the compiler checks both name sets match). */
function message<E extends Record<string, string | number>>(
  name: string,
  numbers: E,
  specs: { readonly [K in Extract<keyof E, string>]: Spec },
): Message {
  const byNumber: (Field | undefined)[] = [];
  for (const fieldName of Object.keys(specs) as Extract<keyof E, string>[]) {
    const no = numbers[fieldName] as number;
    const [kind, key, type] = specs[fieldName];
    byNumber[no] = { no, name: fieldName, kind, key, type };
  }
  // A dense array (no holes) keeps element loads on V8's fast path.
  const dense = Array.from(byNumber, (f) => f);
  return { name, fields: dense.filter((f): f is Field => f !== undefined), byNumber: dense };
}

const ENTRY = 'StringStringEntryProto';

/** Names of the messages in {@link messages}: as in onnx.proto, nested ones with a dot. */
export type MessageName =
  | 'ModelProto'
  | 'GraphProto'
  | 'NodeProto'
  | 'AttributeProto'
  | 'ValueInfoProto'
  | 'TensorProto'
  | 'TensorProto.Segment'
  | 'SparseTensorProto'
  | 'TensorShapeProto'
  | 'TensorShapeProto.Dimension'
  | 'TypeProto'
  | 'TypeProto.Tensor'
  | 'TypeProto.SparseTensor'
  | 'TypeProto.Sequence'
  | 'TypeProto.Optional'
  | 'TypeProto.Map'
  | 'TypeProto.Opaque'
  | 'OperatorSetIdProto'
  | 'StringStringEntryProto'
  | 'TensorAnnotation'
  | 'TrainingInfoProto'
  | 'FunctionProto';

/** Every message of onnx.proto the model object mirrors. */
export const messages: { readonly [N in MessageName]: Message } = {
  ModelProto: message('ModelProto', ModelProto, {
    ir_version: [INT, 'irVersion'],
    producer_name: [STRING, 'producerName'],
    producer_version: [STRING, 'producerVersion'],
    domain: [STRING, 'domain'],
    model_version: [INT, 'modelVersion'],
    doc_string: [STRING, 'docString'],
    graph: [MESSAGE, 'graph', 'GraphProto'],
    opset_import: [MESSAGES, 'opsetImports', 'OperatorSetIdProto'],
    metadata_props: [MESSAGES, 'metadataProps', ENTRY],
    training_info: [MESSAGES, 'trainingInfo', 'TrainingInfoProto'],
    functions: [MESSAGES, 'functions', 'FunctionProto'],
  }),
  GraphProto: message('GraphProto', GraphProto, {
    node: [MESSAGES, 'nodes', 'NodeProto'],
    name: [STRING, 'name'],
    initializer: [MESSAGES, 'initializers', 'TensorProto'],
    doc_string: [STRING, 'docString'],
    input: [MESSAGES, 'inputs', 'ValueInfoProto'],
    output: [MESSAGES, 'outputs', 'ValueInfoProto'],
    value_info: [MESSAGES, 'valueInfo', 'ValueInfoProto'],
    quantization_annotation: [MESSAGES, 'quantizationAnnotations', 'TensorAnnotation'],
    sparse_initializer: [MESSAGES, 'sparseInitializers', 'SparseTensorProto'],
    metadata_props: [MESSAGES, 'metadataProps', ENTRY],
  }),
  NodeProto: message('NodeProto', NodeProto, {
    input: [STRINGS, 'inputs'],
    output: [STRINGS, 'outputs'],
    name: [STRING, 'name'],
    op_type: [STRING, 'opType'],
    attribute: [MESSAGES, 'attributes', 'AttributeProto'],
    doc_string: [STRING, 'docString'],
    domain: [STRING, 'domain'],
    overload: [STRING, 'overload'],
    metadata_props: [MESSAGES, 'metadataProps', ENTRY],
  }),
  AttributeProto: message('AttributeProto', AttributeProto, {
    name: [STRING, 'name'],
    f: [FLOAT, 'f'],
    i: [INT, 'i'],
    s: [BYTES, 's'],
    t: [MESSAGE, 't', 'TensorProto'],
    g: [MESSAGE, 'g', 'GraphProto'],
    floats: [FLOATS, 'floats'],
    ints: [INTS, 'ints'],
    strings: [BYTES_LIST, 'strings'],
    tensors: [MESSAGES, 'tensors', 'TensorProto'],
    graphs: [MESSAGES, 'graphs', 'GraphProto'],
    doc_string: [STRING, 'docString'],
    tp: [MESSAGE, 'tp', 'TypeProto'],
    type_protos: [MESSAGES, 'typeProtos', 'TypeProto'],
    type: [INT, 'type'],
    ref_attr_name: [STRING, 'refAttrName'],
    sparse_tensor: [MESSAGE, 'sparseTensor', 'SparseTensorProto'],
    sparse_tensors: [MESSAGES, 'sparseTensors', 'SparseTensorProto'],
  }),
  ValueInfoProto: message('ValueInfoProto', ValueInfoProto, {
    name: [STRING, 'name'],
    type: [MESSAGE, 'type', 'TypeProto'],
    doc_string: [STRING, 'docString'],
    metadata_props: [MESSAGES, 'metadataProps', ENTRY],
  }),
  // The typed data fields share one list, `typedData`, in file order.
  TensorProto: message('TensorProto', TensorProto, {
    dims: [INTS, 'dims'],
    data_type: [INT, 'dataType'],
    segment: [MESSAGE, 'segment', 'TensorProto.Segment'],
    float_data: [TYPED, 'typedData'],
    int32_data: [TYPED, 'typedData'],
    string_data: [TYPED, 'typedData'],
    int64_data: [TYPED, 'typedData'],
    name: [STRING, 'name'],
    raw_data: [RAW, 'rawData'],
    double_data: [TYPED, 'typedData'],
    uint64_data: [TYPED, 'typedData'],
    doc_string: [STRING, 'docString'],
    external_data: [MESSAGES, 'externalData', ENTRY],
    data_location: [INT, 'dataLocation'],
    metadata_props: [MESSAGES, 'metadataProps', ENTRY],
  }),
  'TensorProto.Segment': message('TensorProto.Segment', TensorProto_Segment, {
    begin: [INT, 'begin'],
    end: [INT, 'end'],
  }),
  SparseTensorProto: message('SparseTensorProto', SparseTensorProto, {
    values: [MESSAGE, 'values', 'TensorProto'],
    indices: [MESSAGE, 'indices', 'TensorProto'],
    dims: [INTS, 'dims'],
  }),
  // The model object holds a shape as its array of dimensions.
  TensorShapeProto: message('TensorShapeProto', TensorShapeProto, {
    dim: [MESSAGES, 'dim', 'TensorShapeProto.Dimension'],
  }),
  'TensorShapeProto.Dimension': message('TensorShapeProto.Dimension', TensorShapeProto_Dimension, {
    dim_value: [INT, 'value'],
    dim_param: [STRING, 'param'],
    denotation: [STRING, 'denotation'],
  }),
  // The model's TypeProto is a union: the member of the oneof present becomes it (`value`), its
  // sub-message's decoder gives it its `kind`.
  TypeProto: message('TypeProto', TypeProto, {
    tensor_type: [MESSAGE, 'value', 'TypeProto.Tensor'],
    sequence_type: [MESSAGE, 'value', 'TypeProto.Sequence'],
    map_type: [MESSAGE, 'value', 'TypeProto.Map'],
    denotation: [STRING, 'denotation'],
    opaque_type: [MESSAGE, 'value', 'TypeProto.Opaque'],
    sparse_tensor_type: [MESSAGE, 'value', 'TypeProto.SparseTensor'],
    optional_type: [MESSAGE, 'value', 'TypeProto.Optional'],
  }),
  'TypeProto.Tensor': message('TypeProto.Tensor', TypeProto_Tensor, {
    elem_type: [INT, 'elemType'],
    shape: [MESSAGE, 'shape', 'TensorShapeProto'],
  }),
  'TypeProto.SparseTensor': message('TypeProto.SparseTensor', TypeProto_Tensor, {
    elem_type: [INT, 'elemType'],
    shape: [MESSAGE, 'shape', 'TensorShapeProto'],
  }),
  'TypeProto.Sequence': message('TypeProto.Sequence', TypeProto_Sequence, {
    elem_type: [MESSAGE, 'elemType', 'TypeProto'],
  }),
  'TypeProto.Optional': message('TypeProto.Optional', TypeProto_Sequence, {
    elem_type: [MESSAGE, 'elemType', 'TypeProto'],
  }),
  'TypeProto.Map': message('TypeProto.Map', TypeProto_Map, {
    key_type: [INT, 'keyType'],
    value_type: [MESSAGE, 'valueType', 'TypeProto'],
  }),
  'TypeProto.Opaque': message('TypeProto.Opaque', TypeProto_Opaque, {
    domain: [STRING, 'domain'],
    name: [STRING, 'name'],
  }),
  OperatorSetIdProto: message('OperatorSetIdProto', OperatorSetIdProto, {
    domain: [STRING, 'domain'],
    version: [INT, 'version'],
  }),
  StringStringEntryProto: message(ENTRY, StringStringEntryProto, {
    key: [STRING, 'key'],
    value: [STRING, 'value'],
  }),
  TensorAnnotation: message('TensorAnnotation', TensorAnnotation, {
    tensor_name: [STRING, 'tensorName'],
    quant_parameter_tensor_names: [MESSAGES, 'quantParameterTensorNames', ENTRY],
  }),
  TrainingInfoProto: message('TrainingInfoProto', TrainingInfoProto, {
    initialization: [MESSAGE, 'initialization', 'GraphProto'],
    algorithm: [MESSAGE, 'algorithm', 'GraphProto'],
    initialization_binding: [MESSAGES, 'initializationBinding', ENTRY],
    update_binding: [MESSAGES, 'updateBinding', ENTRY],
  }),
  FunctionProto: message('FunctionProto', FunctionProto, {
    name: [STRING, 'name'],
    input: [STRINGS, 'inputs'],
    output: [STRINGS, 'outputs'],
    attribute: [STRINGS, 'attributes'],
    node: [MESSAGES, 'nodes', 'NodeProto'],
    doc_string: [STRING, 'docString'],
    opset_import: [MESSAGES, 'opsetImports', 'OperatorSetIdProto'],
    domain: [STRING, 'domain'],
    attribute_proto: [MESSAGES, 'attributeProtos', 'AttributeProto'],
    value_info: [MESSAGES, 'valueInfo', 'ValueInfoProto'],
    overload: [STRING, 'overload'],
    metadata_props: [MESSAGES, 'metadataProps', ENTRY],
  }),
};
