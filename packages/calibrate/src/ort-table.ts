// onnxruntime's calibration table, as its quantization tool writes it (write_calibration_table in
// onnxruntime/python/tools/quantization/quant_utils.py): `calibration.flatbuffers`, the table its
// TensorRT execution provider reads (option trt_int8_calibration_table_name), a FlatBuffers
// `TrtTable { dict: [KeyValue { key: string (key); value: string }] }` with the dynamic range
// written as text; and `calibration.cache`, the same pairs as `name value` lines. The value is the
// range's upper end as Python prints a float (repr of the float32 widened to double).

/** The two files of onnxruntime's calibration table. */
export interface OrtCalibrationTable {
  /** `calibration.flatbuffers`: what onnxruntime's TensorRT execution provider reads. */
  readonly flatbuffers: Uint8Array;
  /** `calibration.cache`: `name value` per line, names sorted. */
  readonly text: string;
}

/**
 * A float as Python's `repr` prints it: the shortest digits that read back to the same double,
 * fixed notation from 1e-4 up to 1e16 (with `.0` on whole numbers), else `d.ddde-05`.
 */
export function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa, exp] = value.toExponential().split('e') as [string, string];
  const e = Number(exp);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace(/[-.]/g, '');
  if (e >= -4 && e < 16) {
    if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
    const whole = digits.padEnd(e + 1, '0');
    const frac = digits.slice(e + 1);
    return `${sign}${whole.slice(0, e + 1)}.${frac || '0'}`;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

const UTF8 = new TextEncoder();

/**
 * onnxruntime's calibration table of symmetric ranges (amax per tensor): the value of each tensor
 * is amax rounded to float32, names in sorted order (FlatBuffers' `key` attribute wants the
 * vector sorted for look-ups by key).
 */
export function formatOrtCalibrationTable(ranges: Readonly<Record<string, number>>): OrtCalibrationTable {
  const entries = Object.keys(ranges)
    .sort()
    .map((k) => [k, pythonFloat(Math.fround(ranges[k]!))] as const);
  const text = entries.map(([k, v]) => `${k} ${v}\n`).join('');
  return { flatbuffers: trtTable(entries), text };
}

/**
 * The FlatBuffers bytes, laid out front to back (every offset that must be unsigned points
 * forward): root offset, the TrtTable's vtable and table, the KeyValue vtable, the vector of
 * KeyValue offsets, the KeyValue tables, then the strings. Everything 4-byte aligned.
 */
function trtTable(entries: readonly (readonly [string, string])[]): Uint8Array {
  const strings = entries.flatMap(([k, v]) => [UTF8.encode(k), UTF8.encode(v)]);
  const padded = (n: number) => (n + 3) & ~3;
  const ROOT_VTABLE = 4; // u16 x3 = 6 bytes, padded to 8
  const ROOT = 12; // soffset + uoffset to the vector
  const KV_VTABLE = 20; // u16 x4 = 8 bytes
  const VECTOR = 28;
  const tables = VECTOR + 4 + 4 * entries.length;
  const stringsAt = tables + 12 * entries.length;
  const size = strings.reduce((at, s) => at + padded(4 + s.length + 1), stringsAt);
  const buf = new Uint8Array(size);
  const view = new DataView(buf.buffer);
  view.setUint32(0, ROOT, true);
  // TrtTable vtable: its size, the table's size, field 0 (dict) at +4.
  view.setUint16(ROOT_VTABLE, 6, true);
  view.setUint16(ROOT_VTABLE + 2, 8, true);
  view.setUint16(ROOT_VTABLE + 4, 4, true);
  view.setInt32(ROOT, ROOT - ROOT_VTABLE, true);
  view.setUint32(ROOT + 4, VECTOR - (ROOT + 4), true);
  // KeyValue vtable: field 0 (key) at +4, field 1 (value) at +8.
  view.setUint16(KV_VTABLE, 8, true);
  view.setUint16(KV_VTABLE + 2, 12, true);
  view.setUint16(KV_VTABLE + 4, 4, true);
  view.setUint16(KV_VTABLE + 6, 8, true);
  view.setUint32(VECTOR, entries.length, true);
  let at = stringsAt;
  const stringAt = strings.map((s) => {
    const pos = at;
    view.setUint32(pos, s.length, true);
    buf.set(s, pos + 4);
    at += padded(4 + s.length + 1);
    return pos;
  });
  for (let i = 0; i < entries.length; i++) {
    const slot = VECTOR + 4 + 4 * i;
    const table = tables + 12 * i;
    view.setUint32(slot, table - slot, true);
    view.setInt32(table, table - KV_VTABLE, true);
    view.setUint32(table + 4, stringAt[2 * i]! - (table + 4), true);
    view.setUint32(table + 8, stringAt[2 * i + 1]! - (table + 8), true);
  }
  return buf;
}
