// A small FlatBuffers decoder written for untrusted input. Every read is checked against the end
// of the buffer, every vtable against its table, and every failure is a ModelParseError that
// carries the absolute byte offset and the field path being decoded: damaged files end in a typed
// error, never a RangeError. The schema is fixed by the caller, so recursion depth is bounded by
// the schema; what is not bounded by construction is the amount of data a hostile file can make
// the decoder produce (many offsets that point at one large vector), so every decoded vector
// element is charged to a budget proportional to the input size.

import { ModelParseError } from '@edge/core';

const UTF8 = new TextDecoder('utf-8');

/** Reads primitive values from a FlatBuffers byte array, with bounds checks and a decode budget. */
export class FlatReader {
  /** The whole input. */
  readonly bytes: Uint8Array;
  /** Label of the input for error messages (path or `<bytes>`). */
  readonly label: string;
  private readonly view: DataView;
  private budget: number;

  constructor(bytes: Uint8Array, label: string) {
    this.bytes = bytes;
    this.label = label;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // Non-overlapping data can never decode to more elements than the input has bytes; the
    // margin covers small files whose tables share a few vectors legitimately.
    this.budget = 4 * bytes.length + 65_536;
  }

  /** Throws the parse error for `path` at `offset`. */
  fail(reason: string, offset: number, path: string): never {
    throw new ModelParseError(reason, {
      source: this.label,
      offset: Math.max(0, Math.min(offset, this.bytes.length)),
      fieldPath: path,
    });
  }

  /** Makes sure bytes [pos, pos + n) exist. */
  need(pos: number, n: number, path: string, what: string): void {
    if (pos < 0 || n < 0 || pos + n > this.bytes.length) {
      this.fail(`${what} needs bytes ${pos}..${pos + n} but the input has ${this.bytes.length}`, pos, path);
    }
  }

  /** Charges `n` decoded elements to the budget. */
  charge(n: number, pos: number, path: string): void {
    this.budget -= n;
    if (this.budget < 0) {
      this.fail('decoded data exceeds what the input size allows (overlapping vectors?)', pos, path);
    }
  }

  u8(pos: number, path: string): number {
    this.need(pos, 1, path, 'uint8');
    return this.bytes[pos]!;
  }
  i8(pos: number, path: string): number {
    this.need(pos, 1, path, 'int8');
    return this.view.getInt8(pos);
  }
  u16(pos: number, path: string): number {
    this.need(pos, 2, path, 'uint16');
    return this.view.getUint16(pos, true);
  }
  i16(pos: number, path: string): number {
    this.need(pos, 2, path, 'int16');
    return this.view.getInt16(pos, true);
  }
  i32(pos: number, path: string): number {
    this.need(pos, 4, path, 'int32');
    return this.view.getInt32(pos, true);
  }
  u32(pos: number, path: string): number {
    this.need(pos, 4, path, 'uint32');
    return this.view.getUint32(pos, true);
  }
  f32(pos: number, path: string): number {
    this.need(pos, 4, path, 'float32');
    return this.view.getFloat32(pos, true);
  }
  f64(pos: number, path: string): number {
    this.need(pos, 8, path, 'float64');
    return this.view.getFloat64(pos, true);
  }
  /** int64 as a number; values beyond 2^53 lose precision, which no field we read can hold legitimately. */
  i64(pos: number, path: string): number {
    this.need(pos, 8, path, 'int64');
    return Number(this.view.getBigInt64(pos, true));
  }
  u64(pos: number, path: string): number {
    this.need(pos, 8, path, 'uint64');
    return Number(this.view.getBigUint64(pos, true));
  }

  /** Follows the uoffset stored at `pos`; offsets always point forward. */
  deref(pos: number, path: string): number {
    const off = this.u32(pos, path);
    const target = pos + off;
    if (off === 0 || target + 4 > this.bytes.length) {
      this.fail(`offset ${off} points outside the input`, pos, path);
    }
    return target;
  }

  /** Opens the table that starts at `pos`. */
  table(pos: number, path: string): FlatTable {
    this.charge(1, pos, path);
    const soffset = this.i32(pos, path);
    const vt = pos - soffset;
    this.need(vt, 4, path, 'vtable header');
    const vtSize = this.u16(vt, path);
    const objSize = this.u16(vt + 2, path);
    if (vtSize < 4 || vtSize % 2 !== 0) this.fail(`bad vtable size ${vtSize}`, vt, path);
    if (objSize < 4) this.fail(`bad table size ${objSize}`, vt + 2, path);
    this.need(vt, vtSize, path, 'vtable');
    this.need(pos, objSize, path, 'table');
    return new FlatTable(this, pos, vt, vtSize, objSize, path);
  }

  /** Opens the table the uoffset at `pos` points to. */
  tableAt(pos: number, path: string): FlatTable {
    return this.table(this.deref(pos, path), path);
  }

  /** Reads a vector header at `start` (the length word); returns the first element's position and the count. */
  vectorAt(start: number, elemSize: number, path: string): { first: number; length: number } {
    const length = this.u32(start, path);
    const first = start + 4;
    if (length * elemSize > this.bytes.length - first) {
      this.fail(
        `vector of ${length} elements of ${elemSize} bytes runs past the end of the input`,
        start,
        path,
      );
    }
    return { first, length };
  }

  /** Decodes the string at `start` (length word, bytes, NUL). */
  stringAt(start: number, path: string): string {
    const { first, length } = this.vectorAt(start, 1, path);
    this.charge(length, start, path);
    return UTF8.decode(this.bytes.subarray(first, first + length));
  }
}

/** A decoded table: its position, its vtable, and typed readers of its fields by field id. */
export class FlatTable {
  constructor(
    readonly reader: FlatReader,
    /** Absolute position of the table (its soffset word). */
    readonly pos: number,
    private readonly vt: number,
    private readonly vtSize: number,
    private readonly objSize: number,
    /** Field path of the table, for errors. */
    readonly path: string,
  ) {}

  /** Absolute position of field `id` (`size` bytes), or 0 when absent. */
  field(id: number, size: number, name: string): number {
    const slot = 4 + 2 * id;
    if (slot + 2 > this.vtSize) return 0;
    const off = this.reader.u16(this.vt + slot, this.path);
    if (off === 0) return 0;
    if (off < 4 || off + size > this.objSize) {
      this.reader.fail(
        `field at table offset ${off} lies outside its ${this.objSize}-byte table`,
        this.vt + slot,
        `${this.path}.${name}`,
      );
    }
    return this.pos + off;
  }

  has(id: number): boolean {
    const slot = 4 + 2 * id;
    if (slot + 2 > this.vtSize) return false;
    return this.reader.u16(this.vt + slot, this.path) !== 0;
  }

  u8(id: number, name: string, dflt = 0): number {
    const p = this.field(id, 1, name);
    return p === 0 ? dflt : this.reader.u8(p, `${this.path}.${name}`);
  }
  i8(id: number, name: string, dflt = 0): number {
    const p = this.field(id, 1, name);
    return p === 0 ? dflt : this.reader.i8(p, `${this.path}.${name}`);
  }
  bool(id: number, name: string, dflt = false): boolean {
    const p = this.field(id, 1, name);
    return p === 0 ? dflt : this.reader.u8(p, `${this.path}.${name}`) !== 0;
  }
  i32(id: number, name: string, dflt = 0): number {
    const p = this.field(id, 4, name);
    return p === 0 ? dflt : this.reader.i32(p, `${this.path}.${name}`);
  }
  u32(id: number, name: string, dflt = 0): number {
    const p = this.field(id, 4, name);
    return p === 0 ? dflt : this.reader.u32(p, `${this.path}.${name}`);
  }
  f32(id: number, name: string, dflt = 0): number {
    const p = this.field(id, 4, name);
    return p === 0 ? dflt : this.reader.f32(p, `${this.path}.${name}`);
  }
  i64(id: number, name: string, dflt = 0): number {
    const p = this.field(id, 8, name);
    return p === 0 ? dflt : this.reader.i64(p, `${this.path}.${name}`);
  }
  u64(id: number, name: string, dflt = 0): number {
    const p = this.field(id, 8, name);
    return p === 0 ? dflt : this.reader.u64(p, `${this.path}.${name}`);
  }

  /** The sub-table of field `id`, or undefined when absent. */
  table(id: number, name: string): FlatTable | undefined {
    const p = this.field(id, 4, name);
    return p === 0 ? undefined : this.reader.tableAt(p, `${this.path}.${name}`);
  }

  string(id: number, name: string): string | undefined {
    const p = this.field(id, 4, name);
    if (p === 0) return undefined;
    const path = `${this.path}.${name}`;
    return this.reader.stringAt(this.reader.deref(p, path), path);
  }

  /** Position of the first element and count of the vector in field `id`, or undefined when absent. */
  vector(id: number, elemSize: number, name: string): { first: number; length: number } | undefined {
    const p = this.field(id, 4, name);
    if (p === 0) return undefined;
    const path = `${this.path}.${name}`;
    return this.reader.vectorAt(this.reader.deref(p, path), elemSize, path);
  }

  /** A scalar vector decoded to numbers (`int32`, `uint32`, `int64`, `float32`, `uint8`, `int8`). */
  numbers(id: number, name: string, kind: 'i32' | 'u32' | 'i64' | 'f32' | 'u8' | 'i8'): number[] | undefined {
    const size = kind === 'i64' ? 8 : kind === 'u8' || kind === 'i8' ? 1 : 4;
    const v = this.vector(id, size, name);
    if (v === undefined) return undefined;
    const r = this.reader;
    const path = `${this.path}.${name}`;
    r.charge(v.length, v.first - 4, path);
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) {
      const at = v.first + i * size;
      out[i] =
        kind === 'i32'
          ? r.i32(at, path)
          : kind === 'u32'
            ? r.u32(at, path)
            : kind === 'i64'
              ? r.i64(at, path)
              : kind === 'f32'
                ? r.f32(at, path)
                : kind === 'u8'
                  ? r.u8(at, path)
                  : r.i8(at, path);
    }
    return out;
  }

  /** A `[ubyte]` vector as a view of the input (no copy), with its absolute offset. */
  bytes(id: number, name: string): { offset: number; data: Uint8Array } | undefined {
    const v = this.vector(id, 1, name);
    if (v === undefined) return undefined;
    return { offset: v.first, data: this.reader.bytes.subarray(v.first, v.first + v.length) };
  }

  /** The tables of a vector-of-tables field, decoded by `decode`; empty when absent. */
  tables<T>(id: number, name: string, decode: (t: FlatTable, index: number) => T): T[] {
    const v = this.vector(id, 4, name);
    if (v === undefined) return [];
    const r = this.reader;
    r.charge(v.length, v.first - 4, `${this.path}.${name}`);
    const out: T[] = [];
    for (let i = 0; i < v.length; i++) {
      const path = `${this.path}.${name}[${i}]`;
      out.push(decode(r.tableAt(v.first + 4 * i, path), i));
    }
    return out;
  }

  /** The strings of a vector-of-strings field; empty when absent. */
  strings(id: number, name: string): string[] {
    const v = this.vector(id, 4, name);
    if (v === undefined) return [];
    const r = this.reader;
    const out: string[] = [];
    for (let i = 0; i < v.length; i++) {
      const path = `${this.path}.${name}[${i}]`;
      out.push(r.stringAt(r.deref(v.first + 4 * i, path), path));
    }
    return out;
  }
}
