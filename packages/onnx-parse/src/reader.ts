// ONNX reader. Decodes the protobuf structure into the model object without copying tensor
// payloads: raw_data, typed data fields and Constant payloads become ByteRanges. From a path,
// only the structure is read (through a small sliding window); payloads are read on request.

import { closeSync, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, normalize, relative, resolve, sep } from 'node:path';
import { FileIOError, ModelParseError, UnsafePathError } from '@edge/core';
import * as proto from './onnx-fields.js';
import { type Field, Kind, type MessageName } from './onnx-fields.js';
import { memorySource } from './tensor-data.js';
import type {
  AttributeProto,
  ByteRange,
  ByteSource,
  Dimension,
  ExternalDataRef,
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
  TypedDataChunk,
  TypedDataField,
  TypeProto,
  ValueInfo,
} from './types.js';
import { WireCursor, WireType } from './wire.js';

/** Options of {@link readModel}. */
export interface ReadOptions {
  /** Name of the input in error messages (default `<bytes>`). */
  label?: string;
  /** Folder that external data locations are relative to; without it external data cannot be read. */
  baseDir?: string;
}

/** Options of {@link readModelFile}. */
export interface ReadFileOptions {
  /**
   * `lazy` (default): read only the structure; payloads are read from the file when asked for.
   * `eager`: read the whole file once; payloads are views into that buffer.
   */
  payloads?: 'lazy' | 'eager';
}

/** Deepest message nesting accepted (subgraphs, nested types); bounds recursion on hostile input. */
const MAX_DEPTH = 256;
/** Highest IR version this reader knows (ONNX 1.17+ writes 10; 11 adds fields it skips safely). */
const MAX_IR_VERSION = 11;

/**
 * Reads an ONNX model from bytes. Tensor payloads are views into `bytes` (no copy): keep `bytes`
 * unchanged while the model is in use.
 *
 * @throws ModelParseError when the bytes are not a valid ONNX model (with byte offset and field path).
 * @throws UnsafePathError when external data points outside `baseDir`.
 */
export function readModel(bytes: Uint8Array, options: ReadOptions = {}): OnnxModel {
  const label = options.label ?? '<bytes>';
  const source = memorySource(bytes, label);
  const cursor = new WireCursor(bytes, 0, 0, bytes.length, label);
  return decode(cursor, source, options.baseDir);
}

/**
 * Reads an ONNX model from a file. By default only the structure is read; each payload is recorded
 * as (offset, length) and read when asked for (`tensorBytes`, `tensorValues`, `writeModel`).
 *
 * @throws FileIOError when the file cannot be read.
 * @throws ModelParseError when the file is not a valid ONNX model.
 * @throws UnsafePathError when external data is absolute or leaves the model's folder.
 */
export function readModelFile(path: string, options: ReadFileOptions = {}): OnnxModel {
  const baseDir = dirname(resolve(path));
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    throw new FileIOError(`cannot read model file ${path}: ${(cause as Error).message}`, path, { cause });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new FileIOError(`${path} is not a regular file`, path);
    if (options.payloads === 'eager') {
      // One sized read into one buffer, as readFileSync does. Not zero-filled first: the loop
      // below overwrites every byte or throws. A plain Uint8Array view, so payloads are not Buffers.
      const mem = Buffer.allocUnsafeSlow(st.size);
      const bytes = new Uint8Array(mem.buffer, mem.byteOffset, st.size);
      let done = 0;
      while (done < st.size) {
        const got = readSync(fd, bytes, done, st.size - done, done);
        if (got === 0) throw new FileIOError(`model file ${path} shrank while being read`, path);
        done += got;
      }
      return readModel(bytes, { label: path, baseDir });
    }
    const source = fileSource(path, st.size, st.mtimeMs);
    const cursor = new FileCursor(fd, st.size, path);
    return decode(cursor, source, baseDir);
  } finally {
    closeSync(fd);
  }
}

/** Window size of the structure reader: small, so skipped payloads are mostly not read at all. */
const WINDOW = 16 * 1024;

/** A cursor that keeps only a window of the file in memory and refills it on demand. */
class FileCursor extends WireCursor {
  /** The reusable window; `buf` is the part of it holding valid bytes. */
  private window = new Uint8Array(WINDOW);

  constructor(
    private readonly fd: number,
    private readonly size: number,
    label: string,
  ) {
    super(new Uint8Array(0), 0, 0, size, label);
  }

  override ensure(n: number): void {
    if (this.pos >= this.base && this.pos + n <= this.bufEnd) return;
    if (n > this.size - this.pos) this.fail(`unexpected end of input (needs ${n} bytes)`);
    // Fill a whole window (bounded by the file, not by the current message) so the next
    // fields are already here; a field larger than the window gets a buffer of its own.
    const want = Math.min(Math.max(n, WINDOW), this.size - this.pos);
    const target = want <= this.window.length ? this.window : new Uint8Array(want);
    const got = readSync(this.fd, target, 0, want, this.pos);
    if (got < n) this.fail('file ended while reading (was it truncated while being read?)');
    this.setWindow(target.subarray(0, got), this.pos);
  }

  // Views into the window would be overwritten by the next refill: hand out copies.
  override bytes(n: number): Uint8Array {
    return super.bytes(n).slice();
  }
}

/** A ByteSource that reads ranges of a file on demand and refuses if the file changed since. */
function fileSource(path: string, size: number, mtimeMs: number): ByteSource {
  return {
    label: path,
    length: size,
    read(offset: number, length: number): Uint8Array {
      let fd: number;
      try {
        fd = openSync(path, 'r');
      } catch (cause) {
        throw new FileIOError(`cannot reopen model file ${path} to read a tensor payload`, path, { cause });
      }
      try {
        const st = fstatSync(fd);
        if (st.size !== size || st.mtimeMs !== mtimeMs) {
          throw new FileIOError(`model file ${path} changed since it was read; read it again`, path);
        }
        const out = new Uint8Array(length);
        let done = 0;
        while (done < length) {
          const got = readSync(fd, out, done, length - done, offset + done);
          if (got === 0)
            throw new FileIOError(`model file ${path} ended before byte ${offset + length}`, path);
          done += got;
        }
        return out;
      } finally {
        closeSync(fd);
      }
    },
  };
}

interface Ctx {
  c: WireCursor;
  source: ByteSource;
  baseDir?: string;
  realBase?: string;
}

function decode(c: WireCursor, source: ByteSource, baseDir: string | undefined): OnnxModel {
  const ctx: Ctx = { c, source, baseDir, realBase: undefined };
  c.depth = 0;
  c.names[0] = 'ModelProto';
  c.indices[0] = -1;
  // Every ONNX writer emits ir_version (field 1, tag byte 0x08) first: input that fails to parse
  // and does not start that way is most likely not a model at all, and the error says so.
  let firstByte = -1;
  if (c.end > c.pos) {
    c.ensure(1);
    firstByte = c.buf[c.pos - c.base]!;
  }
  let model: ModelAsRead;
  try {
    model = modelProto(ctx);
  } catch (e) {
    if (e instanceof ModelParseError && firstByte !== 0x08) {
      throw new ModelParseError(`not an ONNX model (${e.reason})`, e, { cause: e });
    }
    throw e;
  }
  const ir = model.irVersion;
  if (Number.isNaN(ir) || ir < 1 || ir > MAX_IR_VERSION) {
    c.depth = 0;
    c.fail(
      Number.isNaN(ir)
        ? 'not an ONNX model (no ir_version field)'
        : `unsupported IR version ${ir} (expected 1 to ${MAX_IR_VERSION})`,
      0,
    );
  }
  if (model.graph === undefined) {
    c.depth = 0;
    c.fail('not an ONNX model (no graph)', 0);
  }
  return model as OnnxModel;
}

// --- decoding through the field tables ---------------------------------------------------
//
// `field` reads one field as its message's table says: numbers the table does not define are
// skipped, the wire type is checked, the value goes to the property the table names. Most
// messages are just `fields`: `field` in a loop over an object holding their defaults. The
// messages that make up the bulk of a model (GraphProto, NodeProto, AttributeProto, TensorProto,
// and the value-info chain ValueInfoProto, TypeProto, TypeProto.Tensor, TensorShapeProto,
// Dimension: one per tensor in a model annotated with shapes) first test the tags of their
// frequent fields, most frequent first (V8 compares switch cases in order), and leave the rest to
// `field`. Their named property stores are what V8 compiles best; `field`'s keyed stores are
// shared by every message, and a read through `field` alone was 1.4-1.6x slower warm.

type Decoder = (ctx: Ctx) => unknown;

/** A field as the reader uses it: its table entry, its wire type and the decoder of its message type. */
interface Slot extends Field {
  /** The wire type its kind takes (-1 for TYPED, which takes several). */
  readonly wire: number;
  readonly decode: Decoder | undefined;
}

/** A message's slots, indexed by field number. */
type Slots = readonly (Slot | undefined)[];

/** Wire type of each Kind; INTS and FLOATS also take LEN (packed). */
const WIRE: readonly number[] = [
  WireType.LEN, // STRING
  WireType.LEN, // STRINGS
  WireType.VARINT, // INT
  WireType.VARINT, // INTS
  WireType.I32, // FLOAT
  WireType.I32, // FLOATS
  WireType.LEN, // BYTES
  WireType.LEN, // BYTES_LIST
  WireType.LEN, // MESSAGE
  WireType.LEN, // MESSAGES
  WireType.LEN, // RAW
  -1, // TYPED
];

/** Reads the field whose tag was just read into `target`, as the message's table says. */
function field(ctx: Ctx, slots: Slots, tag: number, target: object): void {
  const c = ctx.c;
  const no = tag > 0xffffffff ? Math.floor(tag / 8) : tag >>> 3;
  const wt = tag & 7;
  const f = no < slots.length ? slots[no] : undefined;
  if (f === undefined) {
    if (no === 0) c.fail('field number 0 is invalid');
    c.skipValue(wt, no);
    return;
  }
  if (wt !== f.wire && f.wire >= 0) {
    const packable = f.kind === Kind.INTS || f.kind === Kind.FLOATS;
    if (!packable || wt !== WireType.LEN) {
      c.fail(`field '${f.name}' has wire type ${wt}, expected ${f.wire}${packable ? ' or 2 (packed)' : ''}`);
    }
  }
  const out = target as Record<string, unknown>;
  switch (f.kind) {
    case Kind.STRING:
      out[f.key] = c.string();
      break;
    case Kind.STRINGS:
      (out[f.key] as string[]).push(c.string());
      break;
    case Kind.INT:
      out[f.key] = c.varint();
      break;
    case Kind.INTS:
      if (wt === WireType.LEN) packedInts(c, out[f.key] as number[]);
      else (out[f.key] as number[]).push(c.varint());
      break;
    case Kind.FLOAT:
      out[f.key] = c.float();
      break;
    case Kind.FLOATS:
      if (wt === WireType.LEN) packedFloats(c, out[f.key] as number[]);
      else (out[f.key] as number[]).push(c.float());
      break;
    case Kind.BYTES:
      out[f.key] = c.bytes(c.length());
      break;
    case Kind.BYTES_LIST:
      (out[f.key] as Uint8Array[]).push(c.bytes(c.length()));
      break;
    case Kind.MESSAGE:
      out[f.key] = sub(ctx, f, -1, f.decode!);
      break;
    case Kind.MESSAGES: {
      const list = out[f.key] as unknown[];
      list.push(sub(ctx, f, list.length, f.decode!));
      break;
    }
    case Kind.RAW:
      out[f.key] = range(ctx);
      break;
    case Kind.TYPED:
      typedChunk(ctx, out[f.key] as TypedDataChunk[], no as TypedDataField, wt);
      break;
  }
}

/** Reads a message's fields into `target`, whose properties hold their defaults. */
function fields<T extends object>(ctx: Ctx, slots: Slots, target: T): T {
  const c = ctx.c;
  while (c.pos < c.end) field(ctx, slots, c.varint(), target);
  return target;
}

/**
 * Decodes a length-delimited sub-message; the cursor ends exactly at its end. Callers that know
 * the message type pass its decoder, which V8 can then inline.
 */
function sub<T>(ctx: Ctx, f: Field, index: number, decode: (ctx: Ctx) => T): T {
  const c = ctx.c;
  const depth = ++c.depth;
  c.names[depth] = f.name;
  c.indices[depth] = index;
  if (depth > MAX_DEPTH) c.fail(`messages nested deeper than ${MAX_DEPTH}`);
  const saved = c.enter(c.length());
  const value = decode(ctx);
  if (c.pos !== c.end) c.fail('message did not end at its length');
  c.leave(saved);
  c.depth = depth - 1;
  return value;
}

/** Appends `v`; a first element gets an array of one slot, where push would allocate seventeen. */
function append<T>(list: T[], v: T): T[] {
  if (list.length === 0) return [v];
  list.push(v);
  return list;
}

/** A length-delimited payload as a range of the input, skipped over. */
function range(ctx: Ctx): ByteRange {
  const c = ctx.c;
  const n = c.length();
  const r = { source: ctx.source, offset: c.pos, length: n };
  c.skip(n);
  return r;
}

/** The values of a packed repeated int64 field. */
function packedInts(c: WireCursor, out: number[]): void {
  const saved = c.enter(c.length());
  while (c.pos < c.end) out.push(c.varint());
  c.leave(saved);
}

/** The values of a packed repeated float field. */
function packedFloats(c: WireCursor, out: number[]): void {
  const n = c.length();
  if (n % 4 !== 0) c.fail(`packed float field of ${n} bytes is not a multiple of 4`);
  const end = c.pos + n;
  while (c.pos < end) out.push(c.float());
}

/** Records one typed data field occurrence as a range; its values are decoded only on request. */
function typedChunk(ctx: Ctx, out: TypedDataChunk[], field: TypedDataField, wt: number): void {
  const c = ctx.c;
  const single = proto.TYPED_DATA_WIRE[field];
  const start = c.pos;
  if (wt === WireType.LEN && single !== WireType.LEN) {
    const n = c.length();
    if (
      (field === proto.TensorProto.float_data && n % 4) ||
      (field === proto.TensorProto.double_data && n % 8)
    )
      c.fail(`packed field ${field} length ${n} is not whole`);
    out.push({ field, packed: true, range: { source: ctx.source, offset: c.pos, length: n } });
    c.skip(n);
    return;
  }
  if (wt !== single) c.fail(`field '${proto.TensorProto[field]}' has wire type ${wt}, expected ${single}`);
  let offset = start;
  let n: number;
  if (single === WireType.LEN) {
    n = c.length();
    offset = c.pos;
    c.skip(n);
  } else if (single === WireType.VARINT) {
    c.varint();
    n = c.pos - start;
  } else {
    n = single === WireType.I32 ? 4 : 8;
    c.skip(n);
  }
  out.push({ field, packed: false, range: { source: ctx.source, offset, length: n } });
}

// --- messages ------------------------------------------------------------------------------

/** A ModelProto as read: NaN and undefined mark the two fields every model must have. */
type ModelAsRead = Omit<OnnxModel, 'graph'> & { graph: GraphProto | undefined };

function modelProto(ctx: Ctx): ModelAsRead {
  return fields<ModelAsRead>(ctx, S.ModelProto, {
    irVersion: Number.NaN,
    opsetImports: [],
    producerName: '',
    producerVersion: '',
    domain: '',
    modelVersion: 0,
    docString: '',
    graph: undefined,
    metadataProps: [],
    trainingInfo: [],
    functions: [],
  });
}

function emptyGraph(): GraphProto {
  return {
    name: '',
    docString: '',
    nodes: [],
    initializers: [],
    sparseInitializers: [],
    inputs: [],
    outputs: [],
    valueInfo: [],
    quantizationAnnotations: [],
    metadataProps: [],
  };
}

function graphProto(ctx: Ctx): GraphProto {
  const c = ctx.c;
  const g = emptyGraph();
  const slots = S.GraphProto;
  while (c.pos < c.end) {
    const tag = c.varint();
    switch (tag) {
      case (proto.GraphProto.node << 3) | WireType.LEN:
        g.nodes.push(sub(ctx, slots[proto.GraphProto.node]!, g.nodes.length, nodeProto));
        break;
      case (proto.GraphProto.initializer << 3) | WireType.LEN:
        g.initializers.push(
          sub(ctx, slots[proto.GraphProto.initializer]!, g.initializers.length, tensorProto),
        );
        break;
      default:
        field(ctx, slots, tag, g);
    }
  }
  return g;
}

// NodeProto, AttributeProto and TensorProto make their arrays apart from the object literal: V8
// copies a literal holding array literals through its runtime until the function is compiled, at
// about five percent of a whole first read.

function nodeProto(ctx: Ctx): NodeProto {
  const c = ctx.c;
  const inputs: string[] = [];
  const outputs: string[] = [];
  const attributes: AttributeProto[] = [];
  const metadataProps: StringEntry[] = [];
  const n: NodeProto = {
    name: '',
    opType: '',
    domain: '',
    overload: '',
    inputs,
    outputs,
    attributes,
    docString: '',
    metadataProps,
  };
  const slots = S.NodeProto;
  while (c.pos < c.end) {
    const tag = c.varint();
    switch (tag) {
      case (proto.NodeProto.input << 3) | WireType.LEN:
        n.inputs = append(n.inputs, c.string());
        break;
      case (proto.NodeProto.output << 3) | WireType.LEN:
        n.outputs = append(n.outputs, c.string());
        break;
      case (proto.NodeProto.name << 3) | WireType.LEN:
        n.name = c.string();
        break;
      case (proto.NodeProto.op_type << 3) | WireType.LEN:
        n.opType = c.string();
        break;
      case (proto.NodeProto.attribute << 3) | WireType.LEN:
        n.attributes = append(
          n.attributes,
          sub(ctx, slots[proto.NodeProto.attribute]!, n.attributes.length, attributeProto),
        );
        break;
      default:
        field(ctx, slots, tag, n);
    }
  }
  return n;
}

function attributeProto(ctx: Ctx): AttributeProto {
  const c = ctx.c;
  const floats: number[] = [];
  const ints: number[] = [];
  const strings: Uint8Array[] = [];
  const tensors: TensorProto[] = [];
  const graphs: GraphProto[] = [];
  const sparseTensors: SparseTensorProto[] = [];
  const typeProtos: TypeProto[] = [];
  const a: AttributeProto = {
    name: '',
    refAttrName: '',
    docString: '',
    type: 0,
    floats,
    ints,
    strings,
    tensors,
    graphs,
    sparseTensors,
    typeProtos,
  };
  const slots = S.AttributeProto;
  while (c.pos < c.end) {
    const tag = c.varint();
    switch (tag) {
      case (proto.AttributeProto.name << 3) | WireType.LEN:
        a.name = c.string();
        break;
      case (proto.AttributeProto.type << 3) | WireType.VARINT:
        a.type = c.varint();
        break;
      case (proto.AttributeProto.t << 3) | WireType.LEN:
        a.t = sub(ctx, slots[proto.AttributeProto.t]!, -1, tensorProto);
        break;
      case (proto.AttributeProto.ints << 3) | WireType.VARINT:
        a.ints = append(a.ints, c.varint());
        break;
      case (proto.AttributeProto.ints << 3) | WireType.LEN:
        packedInts(c, a.ints);
        break;
      case (proto.AttributeProto.i << 3) | WireType.VARINT:
        a.i = c.varint();
        break;
      case (proto.AttributeProto.f << 3) | WireType.I32:
        a.f = c.float();
        break;
      default:
        field(ctx, slots, tag, a);
    }
  }
  return a;
}

function tensorProto(ctx: Ctx): TensorProto {
  const c = ctx.c;
  const dims: number[] = [];
  const typedData: TypedDataChunk[] = [];
  const externalData: StringEntry[] = [];
  const metadataProps: StringEntry[] = [];
  const t: TensorProto = {
    name: '',
    dataType: 0,
    dims,
    docString: '',
    typedData,
    dataLocation: 0,
    externalData,
    metadataProps,
  };
  const slots = S.TensorProto;
  while (c.pos < c.end) {
    const tag = c.varint();
    switch (tag) {
      case (proto.TensorProto.dims << 3) | WireType.VARINT:
        t.dims = append(t.dims, c.varint());
        break;
      case (proto.TensorProto.dims << 3) | WireType.LEN:
        packedInts(c, t.dims);
        break;
      case (proto.TensorProto.data_type << 3) | WireType.VARINT:
        t.dataType = c.varint();
        break;
      case (proto.TensorProto.name << 3) | WireType.LEN:
        t.name = c.string();
        break;
      case (proto.TensorProto.raw_data << 3) | WireType.LEN:
        t.rawData = range(ctx);
        break;
      default:
        field(ctx, slots, tag, t);
    }
  }
  for (const d of t.dims) {
    if (d < 0 || !Number.isSafeInteger(d)) c.fail(`tensor '${t.name}' has invalid dimension ${d}`);
  }
  if (t.dataLocation === 1) t.external = resolveExternal(ctx, t);
  return t;
}

function valueInfo(ctx: Ctx): ValueInfo {
  const c = ctx.c;
  const v: ValueInfo = { name: '', docString: '', metadataProps: [] };
  const slots = S.ValueInfoProto;
  while (c.pos < c.end) {
    const tag = c.varint();
    switch (tag) {
      case (proto.ValueInfoProto.name << 3) | WireType.LEN:
        v.name = c.string();
        break;
      case (proto.ValueInfoProto.type << 3) | WireType.LEN:
        v.type = sub(ctx, slots[proto.ValueInfoProto.type]!, -1, typeProto);
        break;
      default:
        field(ctx, slots, tag, v);
    }
  }
  return v;
}

/** TypeProto's value oneof: the last member present decides the kind. */
function typeProto(ctx: Ctx): TypeProto {
  const c = ctx.c;
  const m = { value: { kind: 'unset' } as TypeProto, denotation: undefined as string | undefined };
  const slots = S.TypeProto;
  while (c.pos < c.end) {
    const tag = c.varint();
    if (tag === ((proto.TypeProto.tensor_type << 3) | WireType.LEN)) {
      m.value = sub(ctx, slots[proto.TypeProto.tensor_type]!, -1, tensorType);
    } else field(ctx, slots, tag, m);
  }
  if (m.denotation !== undefined) m.value.denotation = m.denotation;
  return m.value;
}

function tensorType(ctx: Ctx): TypeProto {
  const c = ctx.c;
  const t: TypeProto & { kind: 'tensor' } = { kind: 'tensor', elemType: 0 };
  const slots = S['TypeProto.Tensor'];
  while (c.pos < c.end) {
    const tag = c.varint();
    if (tag === ((proto.TypeProto_Tensor.elem_type << 3) | WireType.VARINT)) t.elemType = c.varint();
    else if (tag === ((proto.TypeProto_Tensor.shape << 3) | WireType.LEN)) {
      t.shape = sub(ctx, slots[proto.TypeProto_Tensor.shape]!, -1, tensorShape);
    } else field(ctx, slots, tag, t);
  }
  return t;
}

function tensorShape(ctx: Ctx): Dimension[] {
  const c = ctx.c;
  const m = { dim: [] as Dimension[] };
  const slots = S.TensorShapeProto;
  while (c.pos < c.end) {
    const tag = c.varint();
    if (tag === ((proto.TensorShapeProto.dim << 3) | WireType.LEN)) {
      m.dim.push(sub(ctx, slots[proto.TensorShapeProto.dim]!, m.dim.length, dimension));
    } else field(ctx, slots, tag, m);
  }
  return m.dim;
}

function dimension(ctx: Ctx): Dimension {
  const c = ctx.c;
  const d: Dimension = {};
  const slots = S['TensorShapeProto.Dimension'];
  while (c.pos < c.end) {
    const tag = c.varint();
    if (tag === ((proto.TensorShapeProto_Dimension.dim_value << 3) | WireType.VARINT)) d.value = c.varint();
    else if (tag === ((proto.TensorShapeProto_Dimension.dim_param << 3) | WireType.LEN)) d.param = c.string();
    else field(ctx, slots, tag, d);
  }
  return d;
}

const DECODERS: { readonly [N in MessageName]: Decoder } = {
  ModelProto: modelProto,
  GraphProto: graphProto,
  NodeProto: nodeProto,
  AttributeProto: attributeProto,
  ValueInfoProto: valueInfo,
  TensorProto: tensorProto,
  'TensorProto.Segment': (ctx) => fields(ctx, S['TensorProto.Segment'], { begin: 0, end: 0 }),
  SparseTensorProto: (ctx) => fields<SparseTensorProto>(ctx, S.SparseTensorProto, { dims: [] }),
  TensorShapeProto: tensorShape,
  'TensorShapeProto.Dimension': dimension,
  TypeProto: typeProto,
  'TypeProto.Tensor': tensorType,
  'TypeProto.SparseTensor': (ctx) =>
    fields<TypeProto>(ctx, S['TypeProto.SparseTensor'], { kind: 'sparseTensor', elemType: 0 }),
  'TypeProto.Sequence': (ctx) =>
    fields<TypeProto>(ctx, S['TypeProto.Sequence'], { kind: 'sequence', elemType: undefined }),
  'TypeProto.Optional': (ctx) =>
    fields<TypeProto>(ctx, S['TypeProto.Optional'], { kind: 'optional', elemType: undefined }),
  'TypeProto.Map': (ctx) => fields<TypeProto>(ctx, S['TypeProto.Map'], { kind: 'map', keyType: 0 }),
  'TypeProto.Opaque': (ctx) =>
    fields<TypeProto>(ctx, S['TypeProto.Opaque'], { kind: 'opaque', domain: '', name: '' }),
  OperatorSetIdProto: (ctx) => fields<OperatorSetId>(ctx, S.OperatorSetIdProto, { domain: '', version: 0 }),
  StringStringEntryProto: (ctx) => fields<StringEntry>(ctx, S.StringStringEntryProto, { key: '', value: '' }),
  TensorAnnotation: (ctx) =>
    fields<TensorAnnotation>(ctx, S.TensorAnnotation, { tensorName: '', quantParameterTensorNames: [] }),
  TrainingInfoProto: (ctx) =>
    fields<TrainingInfo>(ctx, S.TrainingInfoProto, { initializationBinding: [], updateBinding: [] }),
  FunctionProto: (ctx) =>
    fields<FunctionProto>(ctx, S.FunctionProto, {
      name: '',
      domain: '',
      overload: '',
      inputs: [],
      outputs: [],
      attributes: [],
      attributeProtos: [],
      nodes: [],
      valueInfo: [],
      opsetImports: [],
      docString: '',
      metadataProps: [],
    }),
};

/** The slots of every message (each object of one shape, so V8 keeps their loads monomorphic). */
const S = Object.fromEntries(
  (Object.keys(proto.messages) as MessageName[]).map((name) => [
    name,
    proto.messages[name].byNumber.map(
      (f): Slot | undefined =>
        f && {
          no: f.no,
          name: f.name,
          kind: f.kind,
          key: f.key,
          type: f.type,
          wire: WIRE[f.kind]!,
          decode: f.type === undefined ? undefined : DECODERS[f.type],
        },
    ),
  ]),
) as unknown as { readonly [N in MessageName]: Slots };

// --- external data -------------------------------------------------------------------------

/**
 * Resolves a tensor's external data location against the model's folder and refuses anything
 * that could leave it (CVE-2022-25882): absolute paths, `..` escapes, and symlinks pointing out.
 * Runs while the model is read, before any external byte is touched.
 */
function resolveExternal(ctx: Ctx, t: TensorProto): ExternalDataRef | undefined {
  const c = ctx.c;
  let location = '';
  let offset = 0;
  let length: number | undefined;
  for (const e of t.externalData) {
    if (e.key === 'location') location = e.value;
    else if (e.key === 'offset' || e.key === 'length') {
      const v = /^\d+$/.test(e.value) ? Number(e.value) : Number.NaN;
      if (!Number.isSafeInteger(v))
        c.fail(`tensor '${t.name}' has invalid external data ${e.key} '${e.value}'`);
      if (e.key === 'offset') offset = v;
      else length = v;
    }
  }
  if (!location) c.fail(`tensor '${t.name}' is stored externally but has no location`);
  const unsafe = (why: string): never => {
    throw new UnsafePathError(
      `${c.label}: external data location '${location}' of tensor '${t.name}' ${why}; it must be a relative path inside the model's folder`,
      location,
    );
  };
  if (location.includes('\0')) unsafe('contains a NUL byte');
  if (isAbsolute(location) || /^[a-zA-Z]:/.test(location) || location.startsWith('\\')) unsafe('is absolute');
  const parts = normalize(location.replaceAll('\\', '/')).split('/');
  if (parts[0] === '..') unsafe('leaves the folder');
  if (!ctx.baseDir) return undefined;
  const path = resolve(ctx.baseDir, location);
  const rel = relative(ctx.baseDir, path);
  if (rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) unsafe('leaves the folder');
  let real: string;
  try {
    ctx.realBase ??= realpathSync(ctx.baseDir);
    real = realpathSync(path);
  } catch (cause) {
    throw new FileIOError(
      `${c.label}: external data file '${location}' of tensor '${t.name}' not found in ${ctx.baseDir}`,
      path,
      { cause },
    );
  }
  const realRel = relative(ctx.realBase, real);
  if (realRel.startsWith(`..${sep}`) || realRel === '..' || isAbsolute(realRel)) {
    unsafe(`is a link to ${real}, outside the folder`);
  }
  if (!statSync(real).isFile()) unsafe('is not a regular file');
  return length === undefined ? { location, path: real, offset } : { location, path: real, offset, length };
}
