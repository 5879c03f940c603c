// The flatc-generated accessors (third_party/tflite) trust their input: flatbuffers' ByteBuffer
// reads past the end as 0 or undefined, follows offsets backwards, and decodes strings of any
// length. This subclass is the only ByteBuffer the reader hands them. It checks every read the
// generated code makes against the end of the input, follows offsets only forwards (uoffset, as
// the format defines them) and never to 0, checks vector and string lengths against the bytes
// left, keeps each field inside its table's size, and turns every failure into a ModelParseError
// with the byte offset and the field path being decoded (`path` and `field`, which the reader
// sets as it walks). What bounds cannot catch, a hostile file making the decoder produce much
// more than it holds (many offsets into one large vector), is stopped by a budget: every vector
// and string length opened is charged against a multiple of the input size.
//
// The generated `*Array()` accessors build typed arrays straight over the input. They are safe
// here for 1-byte elements only (offset and length are checked); for wider elements the length
// check does not cover the whole array and a misaligned offset throws a RangeError, so the
// reader reads those vectors element by element.

import { ModelParseError } from '@edge/core';
import { ByteBuffer, Encoding, type Table } from 'flatbuffers';

const UTF8 = new TextDecoder('utf-8');

/** A ByteBuffer whose every read is bounds-checked; failures are {@link ModelParseError}s. */
export class CheckedByteBuffer extends ByteBuffer {
  /** The whole input. */
  readonly input: Uint8Array;
  /** Label of the input for error messages (path or `<bytes>`). */
  readonly label: string;
  /** Field path of the table being decoded, e.g. `Model.subgraphs[0].tensors[3]`. */
  path = 'Model';
  /** The field of that table being read, or '' for the table itself. */
  field = '';
  private readonly size: number;
  private readonly view: DataView;
  private budget: number;

  constructor(bytes: Uint8Array, label: string) {
    super(bytes);
    this.input = bytes;
    this.label = label;
    this.size = bytes.length;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // Non-overlapping data can never decode to more elements than the input has bytes; the
    // margin covers small files whose tables share a few vectors legitimately.
    this.budget = 4 * bytes.length + 65_536;
  }

  /** Points error messages at `field` of the table at `path`. */
  at(path: string, field = ''): void {
    this.path = path;
    this.field = field;
  }

  /** Throws the parse error for the current field (or `fieldPath`) at `offset`. */
  fail(reason: string, offset: number, fieldPath?: string): never {
    throw new ModelParseError(reason, {
      source: this.label,
      offset: Math.max(0, Math.min(offset, this.size)),
      fieldPath: fieldPath ?? (this.field === '' ? this.path : `${this.path}.${this.field}`),
    });
  }

  /** Charges `n` decoded elements to the budget. */
  charge(n: number, offset: number): void {
    this.budget -= n;
    if (this.budget < 0) {
      this.fail('decoded data exceeds what the input size allows (overlapping vectors?)', offset);
    }
  }

  private need(pos: number, n: number, what: string): void {
    // Written so that NaN fails too.
    if (!(pos >= 0 && pos + n <= this.size)) {
      this.fail(`${what} needs bytes ${pos}..${pos + n} but the input has ${this.size}`, pos);
    }
  }

  override readInt8(pos: number): number {
    this.need(pos, 1, 'int8');
    return this.view.getInt8(pos);
  }
  override readUint8(pos: number): number {
    this.need(pos, 1, 'uint8');
    return this.view.getUint8(pos);
  }
  override readInt16(pos: number): number {
    this.need(pos, 2, 'int16');
    return this.view.getInt16(pos, true);
  }
  override readUint16(pos: number): number {
    this.need(pos, 2, 'uint16');
    return this.view.getUint16(pos, true);
  }
  override readInt32(pos: number): number {
    this.need(pos, 4, 'int32');
    return this.view.getInt32(pos, true);
  }
  override readUint32(pos: number): number {
    this.need(pos, 4, 'uint32');
    return this.view.getUint32(pos, true);
  }
  override readInt64(pos: number): bigint {
    this.need(pos, 8, 'int64');
    return this.view.getBigInt64(pos, true);
  }
  override readUint64(pos: number): bigint {
    this.need(pos, 8, 'uint64');
    return this.view.getBigUint64(pos, true);
  }
  override readFloat32(pos: number): number {
    this.need(pos, 4, 'float32');
    return this.view.getFloat32(pos, true);
  }
  override readFloat64(pos: number): number {
    this.need(pos, 8, 'float64');
    return this.view.getFloat64(pos, true);
  }

  /** The field's offset in the table at `tablePos` (0 when absent), kept inside the table. */
  override __offset(tablePos: number, slot: number): number {
    const vtable = tablePos - this.readInt32(tablePos);
    if (slot >= this.readUint16(vtable)) return 0;
    const offset = this.readUint16(vtable + slot);
    if (offset !== 0) {
      const tableSize = this.readUint16(vtable + 2);
      if (offset >= tableSize) {
        this.fail(`field at table offset ${offset} lies outside its ${tableSize}-byte table`, vtable + slot);
      }
    }
    return offset;
  }

  /** Follows the uoffset stored at `pos`: forwards, non-zero, to at least 4 readable bytes. */
  override __indirect(pos: number): number {
    const offset = this.readUint32(pos);
    const target = pos + offset;
    if (offset === 0 || target + 4 > this.size) this.fail(`offset ${offset} points outside the input`, pos);
    return target;
  }

  override __vector(pos: number): number {
    return this.__indirect(pos) + 4;
  }

  /** The length of the vector the uoffset at `pos` points to; it must fit the input, and is charged. */
  override __vector_len(pos: number): number {
    const start = this.__indirect(pos);
    const length = this.readUint32(start);
    if (length > this.size - start - 4) {
      this.fail(`vector of ${length} elements runs past the end of the input`, start);
    }
    this.charge(length, start);
    return length;
  }

  override __string(pos: number, encoding?: Encoding): string | Uint8Array {
    const start = this.__indirect(pos);
    const length = this.readUint32(start);
    if (length > this.size - start - 4) {
      this.fail(`string of ${length} bytes runs past the end of the input`, start);
    }
    this.charge(length, start);
    const bytes = this.input.subarray(start + 4, start + 4 + length);
    return encoding === Encoding.UTF8_BYTES ? bytes : UTF8.decode(bytes);
  }

  override __union(table: Table, pos: number): Table {
    table.bb_pos = this.__indirect(pos);
    table.bb = this;
    return table;
  }
}
