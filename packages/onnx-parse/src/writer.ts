// ONNX writer: the model object back to protobuf bytes. Payloads are copied from wherever they
// live (the original bytes, the model file, or arrays made in code) exactly as stored.

import { writeFileAtomic } from '@edge/core';
import * as proto from './onnx-fields.js';
import { readRange } from './tensor-data.js';
import type {
  AttributeProto,
  Dimension,
  FunctionProto,
  GraphProto,
  NodeProto,
  OnnxModel,
  OperatorSetId,
  SparseTensorProto,
  StringEntry,
  TensorAnnotation,
  TensorProto,
  TrainingInfo,
  TypeProto,
  ValueInfo,
} from './types.js';
import { WireType, WireWriter } from './wire.js';

const UTF8 = new TextEncoder();

/**
 * Serialises a model to ONNX protobuf bytes. Payloads of a lazily read model are read from its file.
 *
 * @throws FileIOError when a lazily read payload cannot be read (e.g. the file changed).
 */
export function writeModel(model: OnnxModel): Uint8Array {
  const w = new WireWriter();
  modelProto(w, model);
  return w.finish();
}

/**
 * Writes a model to `path` atomically (`writeFileAtomic` of `@edge/core`: a temporary file in the
 * same folder, flushed, then renamed over `path`). On failure `path` is left as it was.
 *
 * @throws FileIOError when the file cannot be written.
 */
export function writeModelFile(path: string, model: OnnxModel): void {
  writeFileAtomic(path, writeModel(model));
}

function str(w: WireWriter, field: number, value: string): void {
  if (!value) return;
  bytes(w, field, UTF8.encode(value));
}

function bytes(w: WireWriter, field: number, value: Uint8Array): void {
  w.tag(field, WireType.LEN);
  w.varint(value.length);
  w.raw(value);
}

function int(w: WireWriter, field: number, value: number | undefined): void {
  if (value === undefined) return;
  w.tag(field, WireType.VARINT);
  w.varint(value);
}

function packedInts(w: WireWriter, field: number, values: readonly number[]): void {
  if (values.length === 0) return;
  w.message(field, () => {
    for (const v of values) w.varint(v);
  });
}

function strings(w: WireWriter, field: number, values: readonly string[]): void {
  for (const v of values) bytes(w, field, UTF8.encode(v));
}

function entries(w: WireWriter, field: number, list: readonly StringEntry[]): void {
  const F = proto.StringStringEntryProto;
  for (const e of list) {
    w.message(field, () => {
      str(w, F.key, e.key);
      str(w, F.value, e.value);
    });
  }
}

function opsets(w: WireWriter, field: number, list: readonly OperatorSetId[]): void {
  const F = proto.OperatorSetIdProto;
  for (const o of list) {
    w.message(field, () => {
      str(w, F.domain, o.domain);
      int(w, F.version, o.version);
    });
  }
}

// Fields in number order, as protobuf writers emit them.

function modelProto(w: WireWriter, m: OnnxModel): void {
  const F = proto.ModelProto;
  int(w, F.ir_version, m.irVersion);
  str(w, F.producer_name, m.producerName);
  str(w, F.producer_version, m.producerVersion);
  str(w, F.domain, m.domain);
  if (m.modelVersion) int(w, F.model_version, m.modelVersion);
  str(w, F.doc_string, m.docString);
  w.message(F.graph, () => graphProto(w, m.graph));
  opsets(w, F.opset_import, m.opsetImports);
  entries(w, F.metadata_props, m.metadataProps);
  for (const t of m.trainingInfo) w.message(F.training_info, () => trainingInfo(w, t));
  for (const f of m.functions) w.message(F.functions, () => functionProto(w, f));
}

function graphProto(w: WireWriter, g: GraphProto): void {
  const F = proto.GraphProto;
  for (const n of g.nodes) w.message(F.node, () => nodeProto(w, n));
  str(w, F.name, g.name);
  for (const t of g.initializers) w.message(F.initializer, () => tensorProto(w, t));
  str(w, F.doc_string, g.docString);
  for (const v of g.inputs) w.message(F.input, () => valueInfo(w, v));
  for (const v of g.outputs) w.message(F.output, () => valueInfo(w, v));
  for (const v of g.valueInfo) w.message(F.value_info, () => valueInfo(w, v));
  for (const a of g.quantizationAnnotations)
    w.message(F.quantization_annotation, () => tensorAnnotation(w, a));
  for (const s of g.sparseInitializers) w.message(F.sparse_initializer, () => sparseTensor(w, s));
  entries(w, F.metadata_props, g.metadataProps);
}

function tensorAnnotation(w: WireWriter, a: TensorAnnotation): void {
  const F = proto.TensorAnnotation;
  str(w, F.tensor_name, a.tensorName);
  entries(w, F.quant_parameter_tensor_names, a.quantParameterTensorNames);
}

function nodeProto(w: WireWriter, n: NodeProto): void {
  const F = proto.NodeProto;
  // Inputs keep empty strings: they mark omitted optional inputs by position.
  strings(w, F.input, n.inputs);
  strings(w, F.output, n.outputs);
  str(w, F.name, n.name);
  str(w, F.op_type, n.opType);
  for (const a of n.attributes) w.message(F.attribute, () => attributeProto(w, a));
  str(w, F.doc_string, n.docString);
  str(w, F.domain, n.domain);
  str(w, F.overload, n.overload);
  entries(w, F.metadata_props, n.metadataProps);
}

function attributeProto(w: WireWriter, a: AttributeProto): void {
  const F = proto.AttributeProto;
  str(w, F.name, a.name);
  if (a.f !== undefined) {
    w.tag(F.f, WireType.I32);
    w.float(a.f);
  }
  int(w, F.i, a.i);
  if (a.s !== undefined) bytes(w, F.s, a.s);
  if (a.t) w.message(F.t, () => tensorProto(w, a.t!));
  if (a.g) w.message(F.g, () => graphProto(w, a.g!));
  if (a.floats.length) {
    w.message(F.floats, () => {
      for (const f of a.floats) w.float(f);
    });
  }
  packedInts(w, F.ints, a.ints);
  for (const s of a.strings) bytes(w, F.strings, s);
  for (const t of a.tensors) w.message(F.tensors, () => tensorProto(w, t));
  for (const g of a.graphs) w.message(F.graphs, () => graphProto(w, g));
  str(w, F.doc_string, a.docString);
  if (a.tp) w.message(F.tp, () => typeProto(w, a.tp!));
  for (const t of a.typeProtos) w.message(F.type_protos, () => typeProto(w, t));
  int(w, F.type, a.type);
  str(w, F.ref_attr_name, a.refAttrName);
  if (a.sparseTensor) w.message(F.sparse_tensor, () => sparseTensor(w, a.sparseTensor!));
  for (const s of a.sparseTensors) w.message(F.sparse_tensors, () => sparseTensor(w, s));
}

function tensorProto(w: WireWriter, t: TensorProto): void {
  const F = proto.TensorProto;
  packedInts(w, F.dims, t.dims);
  int(w, F.data_type, t.dataType);
  if (t.segment) {
    const s = t.segment;
    const S = proto.TensorProto_Segment;
    w.message(F.segment, () => {
      int(w, S.begin, s.begin);
      int(w, S.end, s.end);
    });
  }
  // Typed data in the order it was read: each chunk is a field of its own number.
  for (const chunk of t.typedData) {
    const data = readRange(chunk.range);
    const wire = proto.TYPED_DATA_WIRE[chunk.field];
    if (chunk.packed || wire === WireType.LEN) {
      bytes(w, chunk.field, data);
    } else {
      // A single unpacked element: the stored bytes are already its wire encoding.
      w.tag(chunk.field, wire);
      w.raw(data);
    }
  }
  str(w, F.name, t.name);
  if (t.rawData) bytes(w, F.raw_data, readRange(t.rawData));
  str(w, F.doc_string, t.docString);
  entries(w, F.external_data, t.externalData);
  if (t.dataLocation) int(w, F.data_location, t.dataLocation);
  entries(w, F.metadata_props, t.metadataProps);
}

function sparseTensor(w: WireWriter, s: SparseTensorProto): void {
  const F = proto.SparseTensorProto;
  if (s.values) w.message(F.values, () => tensorProto(w, s.values!));
  if (s.indices) w.message(F.indices, () => tensorProto(w, s.indices!));
  packedInts(w, F.dims, s.dims);
}

function valueInfo(w: WireWriter, v: ValueInfo): void {
  const F = proto.ValueInfoProto;
  str(w, F.name, v.name);
  if (v.type) w.message(F.type, () => typeProto(w, v.type!));
  str(w, F.doc_string, v.docString);
  entries(w, F.metadata_props, v.metadataProps);
}

function typeProto(w: WireWriter, t: TypeProto): void {
  const F = proto.TypeProto;
  switch (t.kind) {
    case 'tensor':
    case 'sparseTensor':
      // TypeProto.SparseTensor has the fields of TypeProto.Tensor.
      w.message(t.kind === 'tensor' ? F.tensor_type : F.sparse_tensor_type, () => {
        int(w, proto.TypeProto_Tensor.elem_type, t.elemType);
        if (t.shape) w.message(proto.TypeProto_Tensor.shape, () => shape(w, t.shape!));
      });
      break;
    case 'sequence':
    case 'optional':
      // TypeProto.Optional has the field of TypeProto.Sequence.
      w.message(t.kind === 'sequence' ? F.sequence_type : F.optional_type, () => {
        if (t.elemType) w.message(proto.TypeProto_Sequence.elem_type, () => typeProto(w, t.elemType!));
      });
      break;
    case 'map':
      w.message(F.map_type, () => {
        int(w, proto.TypeProto_Map.key_type, t.keyType);
        if (t.valueType) w.message(proto.TypeProto_Map.value_type, () => typeProto(w, t.valueType!));
      });
      break;
    case 'opaque':
      w.message(F.opaque_type, () => {
        str(w, proto.TypeProto_Opaque.domain, t.domain);
        str(w, proto.TypeProto_Opaque.name, t.name);
      });
      break;
    case 'unset':
      break;
  }
  if (t.denotation !== undefined) str(w, F.denotation, t.denotation);
}

function shape(w: WireWriter, dims: readonly Dimension[]): void {
  const D = proto.TensorShapeProto_Dimension;
  for (const d of dims) {
    w.message(proto.TensorShapeProto.dim, () => {
      int(w, D.dim_value, d.value);
      if (d.param !== undefined) bytes(w, D.dim_param, UTF8.encode(d.param));
      if (d.denotation !== undefined) str(w, D.denotation, d.denotation);
    });
  }
}

function functionProto(w: WireWriter, f: FunctionProto): void {
  const F = proto.FunctionProto;
  str(w, F.name, f.name);
  strings(w, F.input, f.inputs);
  strings(w, F.output, f.outputs);
  strings(w, F.attribute, f.attributes);
  for (const n of f.nodes) w.message(F.node, () => nodeProto(w, n));
  str(w, F.doc_string, f.docString);
  opsets(w, F.opset_import, f.opsetImports);
  str(w, F.domain, f.domain);
  for (const a of f.attributeProtos) w.message(F.attribute_proto, () => attributeProto(w, a));
  for (const v of f.valueInfo) w.message(F.value_info, () => valueInfo(w, v));
  str(w, F.overload, f.overload);
  entries(w, F.metadata_props, f.metadataProps);
}

function trainingInfo(w: WireWriter, t: TrainingInfo): void {
  const F = proto.TrainingInfoProto;
  if (t.initialization) w.message(F.initialization, () => graphProto(w, t.initialization!));
  if (t.algorithm) w.message(F.algorithm, () => graphProto(w, t.algorithm!));
  entries(w, F.initialization_binding, t.initializationBinding);
  entries(w, F.update_binding, t.updateBinding);
}
