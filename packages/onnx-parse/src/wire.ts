// Protocol-buffer wire format primitives, written for untrusted input: every read is bounds
// checked against the end of the enclosing message and every failure is a ModelParseError that
// carries the absolute byte offset and the field path being decoded.

import { ModelParseError } from '@edge/core';

/** Wire types of the protobuf encoding (an enum so the bundler writes them as literals). */
export enum WireType {
  VARINT = 0,
  I64 = 1,
  LEN = 2,
  SGROUP = 3,
  EGROUP = 4,
  I32 = 5,
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/**
 * A cursor over a window of bytes that sits at absolute position `base` in the input. Positions
 * (`pos`, `end`) are absolute, so offsets in errors and in recorded ranges are file offsets.
 *
 * The fast paths compare against `limit` alone, the end of what is both in memory and in the
 * current message: until V8 has compiled the reader, each property load and call costs more than
 * the byte it guards.
 */
export class WireCursor {
  /** Absolute position of the next byte to read. */
  pos: number;
  /** Absolute end of the current message; change it with {@link enter} and {@link leave}. */
  end: number;
  /** Absolute end of the bytes in `buf`. */
  protected bufEnd: number;
  /** `min(end, bufEnd)`. */
  protected limit: number;
  /**
   * Field path for error messages, maintained by the caller as a stack: `names[0..depth]` are the
   * message or field names, `indices[k]` the index of `names[k]` in a repeated field or -1.
   * Slots rather than push/pop: a store costs less than a call until V8 has compiled the reader.
   */
  names: string[] = [];
  indices: number[] = [];
  /** Top of the path stack; -1 when empty. */
  depth = -1;

  constructor(
    /** The bytes available in memory. */
    public buf: Uint8Array,
    /** Absolute position of buf[0]. */
    public base: number,
    pos: number,
    end: number,
    /** Label of the input for error messages. */
    public readonly label: string,
  ) {
    this.pos = pos;
    this.end = end;
    this.bufEnd = base + buf.length;
    this.limit = Math.min(end, this.bufEnd);
  }

  /** Makes sure bytes [pos, pos + n) are in `buf`; a file-backed cursor overrides this. */
  ensure(n: number): void {
    if (this.pos + n > this.bufEnd) this.fail(`unexpected end of input (needs ${n} bytes)`);
  }

  /** Replaces the bytes in memory (a file-backed cursor's refill). */
  protected setWindow(buf: Uint8Array, base: number): void {
    this.buf = buf;
    this.base = base;
    this.bufEnd = base + buf.length;
    this.limit = Math.min(this.end, this.bufEnd);
  }

  /** Makes the next `n` bytes the current message; returns the enclosing message's end for {@link leave}. */
  enter(n: number): number {
    const saved = this.end;
    this.end = this.pos + n;
    this.limit = Math.min(this.end, this.bufEnd);
    return saved;
  }

  /** Returns to the enclosing message, whose end {@link enter} returned. */
  leave(end: number): void {
    this.end = end;
    this.limit = Math.min(end, this.bufEnd);
  }

  fail(reason: string, offset: number = this.pos): never {
    throw new ModelParseError(reason, {
      source: this.label,
      offset,
      fieldPath: formatPath(this.names, this.indices, this.depth),
    });
  }

  /**
   * Reads a varint of up to 10 bytes as a number (negative int64 values in two's complement).
   * One- and two-byte values (tags, lengths under 16 KiB, most dims) return without another call:
   * until V8 has compiled the reader, every call costs more than the bytes it decodes.
   */
  varint(): number {
    const pos = this.pos;
    const limit = this.limit;
    if (pos < limit) {
      const buf = this.buf;
      const i = pos - this.base;
      const b = buf[i]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
      if (pos + 1 < limit) {
        const b1 = buf[i + 1]!;
        if (b1 < 0x80) {
          this.pos = pos + 2;
          return (b & 0x7f) | (b1 << 7);
        }
      }
    }
    return this.longVarint();
  }

  private longVarint(): number {
    const start = this.pos;
    const avail = this.end - this.pos;
    if (avail <= 0) this.fail('unexpected end of message in varint');
    this.ensure(Math.min(avail, 10));
    const buf = this.buf;
    const i = this.pos - this.base;
    let b = buf[i]!;
    if (b < 0x80) {
      this.pos++;
      return b;
    }
    // Up to four bytes (28 bits) stay in small-integer arithmetic: tags, lengths, dims.
    let v = b & 0x7f;
    for (let k = 1; k < 4 && k < avail; k++) {
      b = buf[i + k]!;
      v |= (b & 0x7f) << (7 * k);
      if (b < 0x80) {
        this.pos += k + 1;
        return v;
      }
    }
    // Rare long values (INT64_MAX sentinels, negative int64): exact through a bigint.
    let big = 0n;
    for (let k = 0; ; k++) {
      if (k >= avail) this.fail('truncated varint', start);
      if (k >= 10) this.fail('varint longer than 10 bytes', start);
      b = buf[i + k]!;
      big |= BigInt(b & 0x7f) << BigInt(7 * k);
      if (b < 0x80) {
        this.pos += k + 1;
        return Number(BigInt.asIntN(64, big));
      }
    }
  }

  /** Reads a length prefix and checks that the payload fits inside the current message. */
  length(): number {
    const start = this.pos;
    // One-byte lengths (names, small messages) without the call to varint().
    const first = start < this.limit ? this.buf[start - this.base]! : 0x80;
    let n: number;
    if (first < 0x80) {
      n = first;
      this.pos = start + 1;
    } else n = this.varint();
    const left = this.end - this.pos;
    if (n < 0 || n > left)
      this.fail(`length ${n} exceeds the ${left} bytes left in the enclosing message`, start);
    return n;
  }

  fixed32(): number {
    if (this.end - this.pos < 4) this.fail('truncated fixed32');
    this.ensure(4);
    const i = this.pos - this.base;
    const b = this.buf;
    this.pos += 4;
    return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
  }

  float(): number {
    const bits = this.fixed32();
    F32_BITS[0] = bits;
    return F32[0]!;
  }

  skip(n: number): void {
    if (n > this.end - this.pos) this.fail('truncated field');
    this.pos += n;
  }

  /** Skips the value of a field of the given wire type (unknown fields). */
  skipValue(wireType: number, fieldNumber: number): void {
    switch (wireType) {
      case WireType.VARINT:
        this.varint();
        return;
      case WireType.I64:
        this.skip(8);
        return;
      case WireType.LEN:
        this.skip(this.length());
        return;
      case WireType.I32:
        this.skip(4);
        return;
      case WireType.SGROUP:
        this.skipGroup(fieldNumber);
        return;
      default:
        this.fail(`invalid wire type ${wireType} for field ${fieldNumber}`);
    }
  }

  private skipGroup(fieldNumber: number): void {
    // Groups are deprecated and never used by onnx.proto; skip iteratively to bound depth.
    let depth = 1;
    while (depth > 0) {
      if (this.pos >= this.end) this.fail(`unterminated group for field ${fieldNumber}`);
      const tag = this.varint();
      const wt = tag & 7;
      if (wt === WireType.SGROUP) depth++;
      else if (wt === WireType.EGROUP) depth--;
      else this.skipValue(wt, Math.floor(tag / 8));
    }
  }

  /** Reads a length-delimited UTF-8 string (length prefix and bytes). */
  string(): string {
    const start = this.pos;
    const limit = this.limit;
    const first = start < limit ? this.buf[start - this.base]! : 0x80;
    let i: number;
    let n: number;
    if (first < 0x80 && start + 1 + first <= limit) {
      // A short string wholly in memory and in the message: the usual case, no further call.
      n = first;
      this.pos = start + 1 + n;
      i = start + 1 - this.base;
    } else {
      n = this.length();
      if (this.pos + n > this.bufEnd) this.ensure(n);
      i = this.pos - this.base;
      this.pos += n;
    }
    if (n === 0) return '';
    const buf = this.buf;
    // Until V8 has compiled the reader (the first few models a process reads: every CLI call),
    // one native call per string costs less than interpreting a loop over its bytes.
    if (coldStrings > 0 && nativeUtf8 !== undefined) {
      coldStrings--;
      return nativeUtf8.call(buf, i, i + n);
    }
    // Compiled, the loop wins: names are short ASCII, and a call's fixed cost (native or
    // TextDecoder) is several times that of building them directly.
    if (n < CHAR_POOL.length) {
      // Reused plain arrays of each length: one fromCharCode call, no view, no garbage.
      const codes = CHAR_POOL[n]!;
      let k = 0;
      for (; k < n; k++) {
        const b = buf[i + k]!;
        if (b >= 0x80) break;
        codes[k] = b;
      }
      if (k === n) return String.fromCharCode.apply(null, codes);
    }
    return UTF8.decode(buf.subarray(i, i + n));
  }

  /** Returns a view of the next n bytes (no copy). */
  bytes(n: number): Uint8Array {
    this.ensure(n);
    const i = this.pos - this.base;
    this.pos += n;
    return this.buf.subarray(i, i + n);
  }
}

/** Formats a field path: names `ModelProto, graph, node` with indices `-1, -1, 3` → `ModelProto.graph.node[3]`. */
export function formatPath(names: readonly string[], indices: readonly number[], depth: number): string {
  let out = '';
  for (let k = 0; k <= depth; k++) {
    out += k === 0 ? names[k] : `.${names[k]}`;
    if (indices[k]! >= 0) out += `[${indices[k]}]`;
  }
  return out || '<root>';
}

const F32 = new Float32Array(1);
const F32_BITS = new Uint32Array(F32.buffer);
const UTF8 = new TextDecoder('utf-8');

/** Node's UTF-8 decoder behind `Buffer#toString`, where this runtime has it. */
const nativeUtf8 = (
  globalThis.Buffer?.prototype as
    | { utf8Slice?: (this: Uint8Array, start: number, end: number) => string }
    | undefined
)?.utf8Slice;

/** Strings left to decode natively: about the first three PaddleOCR-sized models of a process. */
let coldStrings = 10_000;
const CHAR_POOL: number[][] = Array.from({ length: 65 }, (_, n) => new Array<number>(n).fill(0));

/** Calls `visit` with each varint of a packed repeated field (as an unsigned 64-bit bigint); returns the count. */
export function decodePackedVarints(
  bytes: Uint8Array,
  visit: (value: bigint, index: number) => void,
  label: string,
  offset: number,
  fieldPath: string,
): number {
  let i = 0;
  let n = 0;
  while (i < bytes.length) {
    let v = 0n;
    let shift = 0n;
    const start = i;
    for (;;) {
      if (i >= bytes.length || shift > 63n) {
        throw new ModelParseError('truncated or overlong varint in packed field', {
          source: label,
          offset: offset + start,
          fieldPath,
        });
      }
      const b = bytes[i++]!;
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7n;
    }
    visit(BigInt.asUintN(64, v), n++);
  }
  return n;
}

/** Counts varints in a packed field (bytes whose top bit is clear). */
export function countPackedVarints(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! < 0x80) n++;
  return n;
}

/** A growable output buffer for encoding. */
export class WireWriter {
  private buf: Uint8Array = new Uint8Array(1 << 16);
  private view: DataView = new DataView(this.buf.buffer);
  /** Bytes written so far. */
  pos = 0;

  private grow(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Writes a non-negative integer or a negative int64 (two's complement, 10 bytes). */
  varint(v: number): void {
    this.grow(10);
    if (v >= 0 && v < 0x80) {
      this.buf[this.pos++] = v;
      return;
    }
    if (v < 0 || v > Number.MAX_SAFE_INTEGER) {
      this.bigVarint(toInt64(v));
      return;
    }
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  /** Writes an int64 given as a bigint (two's complement for negatives). */
  bigVarint(v: bigint): void {
    this.grow(10);
    let u = BigInt.asUintN(64, v);
    while (u >= 0x80n) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  float(v: number): void {
    this.grow(4);
    this.view.setFloat32(this.pos, v, true);
    this.pos += 4;
  }

  raw(bytes: Uint8Array): void {
    this.grow(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Reserves room for a length prefix, runs `body`, then writes the length in front of it. */
  message(field: number, body: () => void): void {
    this.tag(field, WireType.LEN);
    // Most nested messages are short: write the body after a 1-byte gap, then shift if needed.
    this.grow(1);
    const lenPos = this.pos;
    this.pos += 1;
    body();
    const len = this.pos - lenPos - 1;
    if (len < 0x80) {
      this.buf[lenPos] = len;
      return;
    }
    const prefix = varintSize(len);
    this.grow(prefix - 1);
    this.buf.copyWithin(lenPos + prefix, lenPos + 1, this.pos);
    this.pos += prefix - 1;
    let v = len;
    let p = lenPos;
    while (v >= 0x80) {
      this.buf[p++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[p] = v;
  }

  /** The bytes written (a view, valid until the next write). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Converts a JS number to an int64 bigint, saturating at the int64 bounds (e.g. INT64_MAX sentinels). */
export function toInt64(v: number): bigint {
  if (!Number.isFinite(v)) return v > 0 ? INT64_MAX : INT64_MIN;
  const b = BigInt(Math.trunc(v));
  if (b > INT64_MAX) return INT64_MAX;
  if (b < INT64_MIN) return INT64_MIN;
  return b;
}
