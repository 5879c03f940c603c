// A minimal FlatBuffers writer, for making .tflite files in code (test models, fixtures). It lays
// the buffer out front to back: root offset, file identifier, then each table preceded by its
// vtable, and the table's children after it, so every uoffset points forward as the format
// requires. Scalars and vectors are aligned to their size, as a conforming reader may expect.

/** A scalar field of a table: its FlatBuffers type and value. */
export type FlatScalar =
  | { kind: 'bool'; value: boolean }
  | { kind: 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'f32'; value: number }
  | { kind: 'i64' | 'u64'; value: number | bigint };

/** Any field of a table to be written. */
export type FlatField =
  | FlatScalar
  | { kind: 'string'; value: string }
  | { kind: 'table'; value: FlatTableSpec }
  | { kind: 'vector'; elem: 'u8' | 'i8' | 'i32' | 'u32' | 'f32' | 'i64'; value: ArrayLike<number> }
  | { kind: 'bytes'; value: Uint8Array; align?: number }
  | { kind: 'tables'; value: FlatTableSpec[] }
  | { kind: 'strings'; value: string[] };

/** A table to be written: `fields[id]` is the field with that id (holes and undefined are absent). */
export interface FlatTableSpec {
  fields: (FlatField | undefined)[];
}

const SCALAR_SIZE: Record<string, number> = {
  bool: 1,
  i8: 1,
  u8: 1,
  i16: 2,
  u16: 2,
  i32: 4,
  u32: 4,
  f32: 4,
  i64: 8,
  u64: 8,
};

const UTF8 = new TextEncoder();

class Out {
  buf = new Uint8Array(1024);
  view = new DataView(this.buf.buffer);
  len = 0;

  reserve(n: number): number {
    if (this.len + n > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < this.len + n) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    const at = this.len;
    this.len += n;
    return at;
  }

  align(n: number, extra = 0): void {
    while ((this.len + extra) % n !== 0) this.reserve(1);
  }
}

function writeScalar(out: Out, at: number, f: FlatScalar): void {
  const v = out.view;
  switch (f.kind) {
    case 'bool':
      v.setUint8(at, f.value ? 1 : 0);
      break;
    case 'i8':
      v.setInt8(at, f.value);
      break;
    case 'u8':
      v.setUint8(at, f.value);
      break;
    case 'i16':
      v.setInt16(at, f.value, true);
      break;
    case 'u16':
      v.setUint16(at, f.value, true);
      break;
    case 'i32':
      v.setInt32(at, f.value, true);
      break;
    case 'u32':
      v.setUint32(at, f.value, true);
      break;
    case 'f32':
      v.setFloat32(at, f.value, true);
      break;
    case 'i64':
      v.setBigInt64(at, BigInt(f.value), true);
      break;
    case 'u64':
      v.setBigUint64(at, BigInt(f.value), true);
      break;
  }
}

type Pending = { at: number; field: FlatField };

function patch(out: Out, at: number, target: number): void {
  out.view.setUint32(at, target - at, true);
}

function writeTable(out: Out, spec: FlatTableSpec): number {
  const fields = spec.fields;
  // Inline layout: 4-byte soffset, then fields sorted largest first so each lands aligned.
  const present: { id: number; field: FlatField; size: number }[] = [];
  for (let id = 0; id < fields.length; id++) {
    const f = fields[id];
    if (f === undefined) continue;
    present.push({ id, field: f, size: SCALAR_SIZE[f.kind] ?? 4 });
  }
  present.sort((a, b) => b.size - a.size || a.id - b.id);
  const hasI64 = present.some((p) => p.size === 8);
  const offsets = new Map<number, number>();
  let cursor = 4;
  for (const p of present) {
    // The table start is aligned to 8 when it holds 64-bit fields, to 4 otherwise.
    while (cursor % p.size !== 0) cursor++;
    offsets.set(p.id, cursor);
    cursor += p.size;
  }
  const objSize = cursor;
  const numSlots = fields.length;
  const vtSize = 4 + 2 * numSlots;
  // vtable first (2-aligned), then the table, aligned so that its 8-byte fields are aligned.
  out.align(2);
  const tableAlign = hasI64 ? 8 : 4;
  // Pad so that (vtable end) lands on the table alignment.
  out.align(tableAlign, vtSize);
  const vt = out.reserve(vtSize);
  out.view.setUint16(vt, vtSize, true);
  out.view.setUint16(vt + 2, objSize, true);
  for (let id = 0; id < numSlots; id++) out.view.setUint16(vt + 4 + 2 * id, offsets.get(id) ?? 0, true);
  const pos = out.reserve(objSize);
  out.view.setInt32(pos, pos - vt, true);
  const pending: Pending[] = [];
  for (const p of present) {
    const at = pos + offsets.get(p.id)!;
    if (p.field.kind in SCALAR_SIZE) writeScalar(out, at, p.field as FlatScalar);
    else pending.push({ at, field: p.field });
  }
  for (const { at, field } of pending) patch(out, at, writeChild(out, field));
  return pos;
}

function writeChild(out: Out, f: FlatField): number {
  switch (f.kind) {
    case 'table':
      return writeTable(out, f.value);
    case 'string': {
      const bytes = UTF8.encode(f.value);
      out.align(4);
      const at = out.reserve(4 + bytes.length + 1);
      out.view.setUint32(at, bytes.length, true);
      out.buf.set(bytes, at + 4);
      return at;
    }
    case 'bytes': {
      out.align(f.align ?? 4, 4);
      const at = out.reserve(4 + f.value.length);
      out.view.setUint32(at, f.value.length, true);
      out.buf.set(f.value, at + 4);
      return at;
    }
    case 'vector': {
      const size = SCALAR_SIZE[f.elem]!;
      out.align(Math.max(4, size), 4);
      const at = out.reserve(4 + size * f.value.length);
      out.view.setUint32(at, f.value.length, true);
      for (let i = 0; i < f.value.length; i++) {
        writeScalar(out, at + 4 + i * size, { kind: f.elem, value: f.value[i]! } as FlatScalar);
      }
      return at;
    }
    case 'tables':
    case 'strings': {
      out.align(4);
      const at = out.reserve(4 + 4 * f.value.length);
      out.view.setUint32(at, f.value.length, true);
      for (let i = 0; i < f.value.length; i++) {
        const child: FlatField =
          f.kind === 'tables'
            ? { kind: 'table', value: f.value[i] as FlatTableSpec }
            : { kind: 'string', value: f.value[i] as string };
        patch(out, at + 4 + 4 * i, writeChild(out, child));
      }
      return at;
    }
    default:
      throw new Error(`not an offset field: ${f.kind}`);
  }
}

/**
 * Writes a FlatBuffer whose root is `root`, with an optional 4-character file identifier.
 *
 * @param root - The root table.
 * @param identifier - File identifier written at bytes 4..8 (e.g. `TFL3`).
 * @returns The serialized bytes.
 */
export function writeFlatBuffer(root: FlatTableSpec, identifier?: string): Uint8Array {
  const out = new Out();
  out.reserve(identifier === undefined ? 4 : 8);
  if (identifier !== undefined) out.buf.set(UTF8.encode(identifier.padEnd(4, '\0').slice(0, 4)), 4);
  const pos = writeTable(out, root);
  out.view.setUint32(0, pos, true);
  return out.buf.slice(0, out.len);
}
