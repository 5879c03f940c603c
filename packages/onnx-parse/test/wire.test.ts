import { ModelParseError } from '@edge/core';
import { describe, expect, it } from 'vitest';
import { WireCursor, WireWriter } from '../src/wire.js';

/** Length-prefixed strings as protobuf writes them, from raw byte sequences. */
function encode(values: readonly Uint8Array[]): Uint8Array {
  const w = new WireWriter();
  for (const v of values) {
    w.varint(v.length);
    w.raw(v);
  }
  return w.finish().slice();
}

describe('WireCursor.string', () => {
  // ASCII names, UTF-8 names, invalid UTF-8 (lone continuation byte, truncated sequence, 0xff),
  // and lengths on both sides of the reused-array limit (64) and of one-byte length prefixes (128).
  const utf8 = new TextEncoder();
  const values = [
    utf8.encode('conv2d_0.tmp_0'),
    utf8.encode(''),
    utf8.encode('nœud-ü-名前'),
    Uint8Array.from([0x61, 0x80, 0x62]),
    Uint8Array.from([0x61, 0xe4, 0xb8]),
    Uint8Array.from([0xff]),
    utf8.encode('x'.repeat(64)),
    utf8.encode('y'.repeat(200)),
  ];
  const expected = values.map((v) => new TextDecoder().decode(v));
  const bytes = encode(values);

  it('decodes as TextDecoder does, before and after it switches from native calls to its own loop', () => {
    const c = new WireCursor(bytes, 0, 0, bytes.length, 'strings');
    // The switch comes after 10,000 strings in the process: read well past it.
    for (let round = 0; round < 3000; round++) {
      c.pos = 0;
      const got = values.map(() => c.string());
      expect(got, `round ${round}`).toEqual(expected);
    }
  });

  it('EXPECTED FAILURE - a length past the end of the message names the offset and the path', () => {
    const c = new WireCursor(Uint8Array.from([5, 0x61, 0x62]), 0, 0, 3, 'short');
    c.depth = 0;
    c.names[0] = 'NodeProto';
    c.indices[0] = -1;
    let err: unknown;
    try {
      c.string();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ModelParseError);
    expect((err as ModelParseError).reason).toBe(
      'length 5 exceeds the 2 bytes left in the enclosing message',
    );
    expect((err as ModelParseError).offset).toBe(0);
    expect((err as ModelParseError).fieldPath).toBe('NodeProto');
  });
});

describe('WireCursor.varint', () => {
  it("reads one-, two- and long varints, negative int64 in two's complement, at message ends too", () => {
    const w = new WireWriter();
    const values = [0, 1, 127, 128, 300, 16383, 16384, 2 ** 31, Number.MAX_SAFE_INTEGER, -1, -(2 ** 40)];
    for (const v of values) w.varint(v);
    const bytes = w.finish().slice();
    const c = new WireCursor(bytes, 0, 0, bytes.length, 'varints');
    expect(values.map(() => c.varint())).toEqual(values);
    expect(c.pos).toBe(bytes.length);
    // The last byte of a message: the one-byte path must not read past `end`.
    const tail = new WireCursor(Uint8Array.from([0x05, 0x07]), 0, 1, 2, 'tail');
    expect(tail.varint()).toBe(7);
  });
});
