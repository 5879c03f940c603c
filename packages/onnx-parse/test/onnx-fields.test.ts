// The field tables against onnx.proto itself: the descriptors of Debian's python3-onnx (onnx 1.12,
// built with ONNX-ML), plus the fields newer onnx releases added, named here with their release.
import { python, requires } from '@edge/test-utils';
import { describe, expect, it } from 'vitest';
import { type Field, Kind, type MessageName, messages } from '../src/onnx-fields.js';

interface ProtoField {
  name: string;
  number: number;
  /** FieldDescriptor.type: 2 float, 3 int64, 5 int32, 9 string, 11 message, 12 bytes, 14 enum. */
  type: number;
  repeated: boolean;
  /** Full name of a message field's type, without the `onnx.` package. */
  message: string | null;
}

let read: Record<string, ProtoField[]> | undefined;
/** The fields of every message of onnx.proto, by full name without `onnx.` (read once). */
function descriptors(): Record<string, ProtoField[]> {
  read ??= python<Record<string, ProtoField[]>>(`
import json, onnx
from google.protobuf.descriptor import FieldDescriptor as F
out = {}
def visit(d):
    out[d.full_name[len('onnx.'):]] = [
        {'name': f.name, 'number': f.number, 'type': f.type, 'repeated': f.label == F.LABEL_REPEATED,
         'message': f.message_type.full_name[len('onnx.'):] if f.message_type else None}
        for f in d.fields]
    for n in d.nested_types:
        visit(n)
for d in onnx.onnx_ml_pb2.DESCRIPTOR.message_types_by_name.values():
    visit(d)
print(json.dumps(out))
`);
  return read;
}

/** Fields onnx added after 1.12, with the release that added them (onnx/onnx.in.proto). */
const NEWER: Record<string, string> = {
  'NodeProto.overload': '1.16',
  'NodeProto.metadata_props': '1.16',
  'ValueInfoProto.metadata_props': '1.16',
  'TensorProto.metadata_props': '1.16',
  'GraphProto.metadata_props': '1.16',
  'FunctionProto.attribute_proto': '1.13',
  'FunctionProto.value_info': '1.15',
  'FunctionProto.overload': '1.16',
  'FunctionProto.metadata_props': '1.16',
};

/** The kinds a field of this protobuf type and label may have in the tables. */
function kindsFor(f: ProtoField): Kind[] {
  if (f.type === 11) return [f.repeated ? Kind.MESSAGES : Kind.MESSAGE];
  if (f.type === 9) return [f.repeated ? Kind.STRINGS : Kind.STRING];
  if (f.type === 2) return [f.repeated ? Kind.FLOATS : Kind.FLOAT];
  if (f.type === 12) return f.repeated ? [Kind.BYTES_LIST] : [Kind.BYTES, Kind.RAW];
  if ([3, 5, 14].includes(f.type)) return [f.repeated ? Kind.INTS : Kind.INT];
  return [];
}

const names = Object.keys(messages) as MessageName[];

describe('field tables', () => {
  const onnx = requires('python-onnx');

  it('has a table for every message the model object mirrors, and onnx.proto has each of them', onnx, () => {
    expect(names.length).toBe(22);
    for (const name of names) expect(Object.keys(descriptors()), name).toContain(name);
  });

  it('names and numbers every field as onnx.proto does, with a kind that fits its type', onnx, () => {
    let checked = 0;
    for (const name of names) {
      const ours = new Map(messages[name].fields.map((f) => [f.name, f]));
      for (const p of descriptors()[name]!) {
        const f = ours.get(p.name);
        expect(f, `${name}.${p.name} is missing`).toBeDefined();
        expect(f!.no, `${name}.${p.name}`).toBe(p.number);
        // TensorProto's typed data fields are kept as raw chunks, whatever their element type.
        if (f!.kind === Kind.TYPED) expect(name).toBe('TensorProto');
        else expect(kindsFor(p), `${name}.${p.name}`).toContain(f!.kind);
        if (p.message !== null) expect(f!.type, `${name}.${p.name}`).toBe(p.message);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('has no field onnx.proto lacks but those of later onnx releases', onnx, () => {
    const extra: string[] = [];
    for (const name of names) {
      const theirs = new Set(descriptors()[name]!.map((p) => p.name));
      for (const f of messages[name].fields) if (!theirs.has(f.name)) extra.push(`${name}.${f.name}`);
    }
    expect(extra.sort()).toEqual(Object.keys(NEWER).sort());
  });

  it('indexes fields by number and lists them in number order, each with a known message type', () => {
    for (const name of names) {
      const m = messages[name];
      const numbers = m.fields.map((f) => f.no);
      expect(numbers, name).toEqual([...numbers].sort((a, b) => a - b));
      expect(new Set(m.fields.map((f) => f.key)).size + typedShare(m.fields), name).toBe(m.fields.length);
      m.byNumber.forEach((f, no) => {
        if (f !== undefined) expect(f.no).toBe(no);
      });
      expect(m.byNumber.filter((f) => f !== undefined).length).toBe(m.fields.length);
      for (const f of m.fields) {
        const nested = f.kind === Kind.MESSAGE || f.kind === Kind.MESSAGES;
        expect(f.type !== undefined, `${name}.${f.name}`).toBe(nested);
        if (nested) expect(names).toContain(f.type);
      }
    }
  });
});

/** TensorProto's six typed data fields share one property; TypeProto's oneof members share one. */
function typedShare(fields: readonly Field[]): number {
  const byKey = new Map<string, number>();
  for (const f of fields) byKey.set(f.key, (byKey.get(f.key) ?? 0) + 1);
  let shared = 0;
  for (const n of byKey.values()) shared += n - 1;
  return shared;
}
