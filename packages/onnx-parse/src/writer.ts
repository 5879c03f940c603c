// ONNX writer: the model object back to protobuf bytes. Payloads are copied from wherever they
// live (the original bytes, the model file, or arrays made in code) exactly as stored.

import { writeFileAtomic } from '@edge/core';
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

function entries(w: WireWriter, field: number, list: readonly StringEntry[]): void {
  for (const e of list) {
    w.message(field, () => {
      str(w, 1, e.key);
      str(w, 2, e.value);
    });
  }
}

function opsets(w: WireWriter, field: number, list: readonly OperatorSetId[]): void {
  for (const o of list) {
    w.message(field, () => {
      str(w, 1, o.domain);
      int(w, 2, o.version);
    });
  }
}

function modelProto(w: WireWriter, m: OnnxModel): void {
  int(w, 1, m.irVersion);
  str(w, 2, m.producerName);
  str(w, 3, m.producerVersion);
  str(w, 4, m.domain);
  if (m.modelVersion) int(w, 5, m.modelVersion);
  str(w, 6, m.docString);
  w.message(7, () => graphProto(w, m.graph));
  opsets(w, 8, m.opsetImports);
  entries(w, 14, m.metadataProps);
  for (const t of m.trainingInfo) w.message(20, () => trainingInfo(w, t));
  for (const f of m.functions) w.message(25, () => functionProto(w, f));
}

function graphProto(w: WireWriter, g: GraphProto): void {
  for (const n of g.nodes) w.message(1, () => nodeProto(w, n));
  str(w, 2, g.name);
  for (const t of g.initializers) w.message(5, () => tensorProto(w, t));
  str(w, 10, g.docString);
  for (const v of g.inputs) w.message(11, () => valueInfo(w, v));
  for (const v of g.outputs) w.message(12, () => valueInfo(w, v));
  for (const v of g.valueInfo) w.message(13, () => valueInfo(w, v));
  for (const a of g.quantizationAnnotations) w.message(14, () => tensorAnnotation(w, a));
  for (const s of g.sparseInitializers) w.message(15, () => sparseTensor(w, s));
  entries(w, 16, g.metadataProps);
}

function tensorAnnotation(w: WireWriter, a: TensorAnnotation): void {
  str(w, 1, a.tensorName);
  entries(w, 2, a.quantParameterTensorNames);
}

function nodeProto(w: WireWriter, n: NodeProto): void {
  // Inputs keep empty strings: they mark omitted optional inputs by position.
  for (const i of n.inputs) bytes(w, 1, UTF8.encode(i));
  for (const o of n.outputs) bytes(w, 2, UTF8.encode(o));
  str(w, 3, n.name);
  str(w, 4, n.opType);
  for (const a of n.attributes) w.message(5, () => attributeProto(w, a));
  str(w, 6, n.docString);
  str(w, 7, n.domain);
  str(w, 8, n.overload);
  entries(w, 9, n.metadataProps);
}

function attributeProto(w: WireWriter, a: AttributeProto): void {
  str(w, 1, a.name);
  if (a.f !== undefined) {
    w.tag(2, WireType.I32);
    w.float(a.f);
  }
  int(w, 3, a.i);
  if (a.s !== undefined) bytes(w, 4, a.s);
  if (a.t) w.message(5, () => tensorProto(w, a.t!));
  if (a.g) w.message(6, () => graphProto(w, a.g!));
  if (a.floats.length) {
    w.message(7, () => {
      for (const f of a.floats) w.float(f);
    });
  }
  packedInts(w, 8, a.ints);
  for (const s of a.strings) bytes(w, 9, s);
  for (const t of a.tensors) w.message(10, () => tensorProto(w, t));
  for (const g of a.graphs) w.message(11, () => graphProto(w, g));
  str(w, 13, a.docString);
  if (a.tp) w.message(14, () => typeProto(w, a.tp!));
  for (const t of a.typeProtos) w.message(15, () => typeProto(w, t));
  int(w, 20, a.type);
  str(w, 21, a.refAttrName);
  if (a.sparseTensor) w.message(22, () => sparseTensor(w, a.sparseTensor!));
  for (const s of a.sparseTensors) w.message(23, () => sparseTensor(w, s));
}

const SINGLE_WIRE: Record<number, number> = {
  4: WireType.I32,
  5: WireType.VARINT,
  6: WireType.LEN,
  7: WireType.VARINT,
  10: WireType.I64,
  11: WireType.VARINT,
};

function tensorProto(w: WireWriter, t: TensorProto): void {
  packedInts(w, 1, t.dims);
  int(w, 2, t.dataType);
  if (t.segment) {
    const s = t.segment;
    w.message(3, () => {
      int(w, 1, s.begin);
      int(w, 2, s.end);
    });
  }
  for (const chunk of t.typedData) {
    const data = readRange(chunk.range);
    const wire = SINGLE_WIRE[chunk.field]!;
    if (chunk.packed || wire === WireType.LEN) {
      bytes(w, chunk.field, data);
    } else {
      // A single unpacked element: the stored bytes are already its wire encoding.
      w.tag(chunk.field, wire);
      w.raw(data);
    }
  }
  str(w, 8, t.name);
  if (t.rawData) bytes(w, 9, readRange(t.rawData));
  str(w, 12, t.docString);
  entries(w, 13, t.externalData);
  if (t.dataLocation) int(w, 14, t.dataLocation);
  entries(w, 16, t.metadataProps);
}

function sparseTensor(w: WireWriter, s: SparseTensorProto): void {
  if (s.values) w.message(1, () => tensorProto(w, s.values!));
  if (s.indices) w.message(2, () => tensorProto(w, s.indices!));
  packedInts(w, 3, s.dims);
}

function valueInfo(w: WireWriter, v: ValueInfo): void {
  str(w, 1, v.name);
  if (v.type) w.message(2, () => typeProto(w, v.type!));
  str(w, 3, v.docString);
  entries(w, 4, v.metadataProps);
}

function typeProto(w: WireWriter, t: TypeProto): void {
  switch (t.kind) {
    case 'tensor':
    case 'sparseTensor':
      w.message(t.kind === 'tensor' ? 1 : 8, () => {
        int(w, 1, t.elemType);
        if (t.shape) w.message(2, () => shape(w, t.shape!));
      });
      break;
    case 'sequence':
    case 'optional':
      w.message(t.kind === 'sequence' ? 4 : 9, () => {
        if (t.elemType) w.message(1, () => typeProto(w, t.elemType!));
      });
      break;
    case 'map':
      w.message(5, () => {
        int(w, 1, t.keyType);
        if (t.valueType) w.message(2, () => typeProto(w, t.valueType!));
      });
      break;
    case 'opaque':
      w.message(7, () => {
        str(w, 1, t.domain);
        str(w, 2, t.name);
      });
      break;
    case 'unset':
      break;
  }
  if (t.denotation !== undefined) str(w, 6, t.denotation);
}

function shape(w: WireWriter, dims: readonly Dimension[]): void {
  for (const d of dims) {
    w.message(1, () => {
      int(w, 1, d.value);
      if (d.param !== undefined) bytes(w, 2, UTF8.encode(d.param));
      if (d.denotation !== undefined) str(w, 3, d.denotation);
    });
  }
}

function functionProto(w: WireWriter, f: FunctionProto): void {
  str(w, 1, f.name);
  for (const i of f.inputs) bytes(w, 4, UTF8.encode(i));
  for (const o of f.outputs) bytes(w, 5, UTF8.encode(o));
  for (const a of f.attributes) bytes(w, 6, UTF8.encode(a));
  for (const n of f.nodes) w.message(7, () => nodeProto(w, n));
  str(w, 8, f.docString);
  opsets(w, 9, f.opsetImports);
  str(w, 10, f.domain);
  for (const a of f.attributeProtos) w.message(11, () => attributeProto(w, a));
  for (const v of f.valueInfo) w.message(12, () => valueInfo(w, v));
  str(w, 13, f.overload);
  entries(w, 14, f.metadataProps);
}

function trainingInfo(w: WireWriter, t: TrainingInfo): void {
  if (t.initialization) w.message(1, () => graphProto(w, t.initialization!));
  if (t.algorithm) w.message(2, () => graphProto(w, t.algorithm!));
  entries(w, 3, t.initializationBinding);
  entries(w, 4, t.updateBinding);
}
