// The model object: a faithful, typed mirror of onnx.proto (IR versions 3 to 10) in camelCase.
// Repeated fields are plural arrays. Tensor payloads are never copied at read time: they are
// `ByteRange`s into the bytes given to the reader, or into the model file read on demand.

/** Where a tensor payload's bytes live; `read` returns a view where the source is in memory. */
export interface ByteSource {
  /** Path of the file, or `<bytes>` for an in-memory buffer; used in error messages. */
  readonly label: string;
  /** Total length in bytes. */
  readonly length: number;
  /**
   * Returns `length` bytes starting at `offset`.
   * @throws FileIOError when the backing file cannot be read or changed since the model was read.
   */
  read(offset: number, length: number): Uint8Array;
}

/** A slice of a {@link ByteSource}: a payload not yet read. */
export interface ByteRange {
  readonly source: ByteSource;
  readonly offset: number;
  readonly length: number;
}

/** A `StringStringEntryProto`. */
export interface StringEntry {
  key: string;
  value: string;
}

/** An `OperatorSetIdProto`: `domain` '' (or 'ai.onnx') is the default ONNX domain. */
export interface OperatorSetId {
  domain: string;
  version: number;
}

/** One dimension of a tensor shape: a fixed value, a symbolic name, or unknown (neither). */
export interface Dimension {
  value?: number;
  param?: string;
  denotation?: string;
}

/** A `TypeProto`. `shape` undefined means unknown rank; an empty array means a scalar. */
export type TypeProto =
  | { kind: 'tensor'; elemType: number; shape?: Dimension[]; denotation?: string }
  | { kind: 'sparseTensor'; elemType: number; shape?: Dimension[]; denotation?: string }
  | { kind: 'sequence'; elemType?: TypeProto; denotation?: string }
  | { kind: 'map'; keyType: number; valueType?: TypeProto; denotation?: string }
  | { kind: 'optional'; elemType?: TypeProto; denotation?: string }
  | { kind: 'opaque'; domain: string; name: string; denotation?: string }
  | { kind: 'unset'; denotation?: string };

/** A `ValueInfoProto`: a named value with an optional type. */
export interface ValueInfo {
  name: string;
  type?: TypeProto;
  docString: string;
  metadataProps: StringEntry[];
}

/** Protobuf field numbers of the typed data fields of `TensorProto`. */
export type TypedDataField =
  | 4 // float_data
  | 5 // int32_data (also int8/uint8/int16/uint16/bool/float16/bfloat16/float8/int4)
  | 6 // string_data
  | 7 // int64_data
  | 10 // double_data
  | 11; // uint64_data (also uint32)

/** One occurrence of a typed data field in the file: packed (many values) or a single element. */
export interface TypedDataChunk {
  field: TypedDataField;
  packed: boolean;
  range: ByteRange;
}

/** External data resolved against the model's folder when the model was read. */
export interface ExternalDataRef {
  /** `location` as written in the model (relative to the model's folder). */
  location: string;
  /** Absolute path it resolved to (inside the model's folder). */
  path: string;
  offset: number;
  /** Bytes to read; undefined means to the end of the file. */
  length?: number;
}

/** A `TensorProto`. */
export interface TensorProto {
  name: string;
  /** ONNX `TensorProto.DataType` value, see {@link DataType}. */
  dataType: number;
  dims: number[];
  docString: string;
  segment?: { begin: number; end: number };
  /** The `raw_data` field: little-endian element bytes. */
  rawData?: ByteRange;
  /** The typed data fields in file order; decoded only on request. */
  typedData: TypedDataChunk[];
  /** `data_location`: 0 default, 1 external. */
  dataLocation: number;
  /** The `external_data` entries as written (location, offset, length, checksum). */
  externalData: StringEntry[];
  /** Resolved external data; set by the reader when `dataLocation` is 1 and a base folder is known. */
  external?: ExternalDataRef;
  metadataProps: StringEntry[];
}

/** A `SparseTensorProto`. */
export interface SparseTensorProto {
  values?: TensorProto;
  indices?: TensorProto;
  dims: number[];
}

/** `AttributeProto.AttributeType`. */
export const AttributeType = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
  SPARSE_TENSOR: 11,
  SPARSE_TENSORS: 12,
  TYPE_PROTO: 13,
  TYPE_PROTOS: 14,
} as const;

/** An `AttributeProto`. Singular fields are undefined when absent from the file. */
export interface AttributeProto {
  name: string;
  refAttrName: string;
  docString: string;
  /** {@link AttributeType} value. */
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  sparseTensor?: SparseTensorProto;
  tp?: TypeProto;
  floats: number[];
  ints: number[];
  strings: Uint8Array[];
  tensors: TensorProto[];
  graphs: GraphProto[];
  sparseTensors: SparseTensorProto[];
  typeProtos: TypeProto[];
}

/** A `NodeProto`. An empty string in `inputs` is an omitted optional input. */
export interface NodeProto {
  name: string;
  opType: string;
  domain: string;
  overload: string;
  inputs: string[];
  outputs: string[];
  attributes: AttributeProto[];
  docString: string;
  metadataProps: StringEntry[];
}

/** A `TensorAnnotation` (quantization parameters of a tensor). */
export interface TensorAnnotation {
  tensorName: string;
  quantParameterTensorNames: StringEntry[];
}

/** A `GraphProto`. */
export interface GraphProto {
  name: string;
  docString: string;
  nodes: NodeProto[];
  initializers: TensorProto[];
  sparseInitializers: SparseTensorProto[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  valueInfo: ValueInfo[];
  quantizationAnnotations: TensorAnnotation[];
  metadataProps: StringEntry[];
}

/** A `FunctionProto` (model-local function). */
export interface FunctionProto {
  name: string;
  domain: string;
  overload: string;
  inputs: string[];
  outputs: string[];
  /** Attribute names without defaults. */
  attributes: string[];
  /** Attributes with defaults (IR 9+). */
  attributeProtos: AttributeProto[];
  nodes: NodeProto[];
  valueInfo: ValueInfo[];
  opsetImports: OperatorSetId[];
  docString: string;
  metadataProps: StringEntry[];
}

/** A `TrainingInfoProto`. */
export interface TrainingInfo {
  initialization?: GraphProto;
  algorithm?: GraphProto;
  initializationBinding: StringEntry[];
  updateBinding: StringEntry[];
}

/** A `ModelProto`: the root of an ONNX file. */
export interface OnnxModel {
  irVersion: number;
  opsetImports: OperatorSetId[];
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  graph: GraphProto;
  metadataProps: StringEntry[];
  trainingInfo: TrainingInfo[];
  functions: FunctionProto[];
}
