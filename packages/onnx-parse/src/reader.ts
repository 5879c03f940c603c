// ONNX reader. Decodes the protobuf structure into the model object without copying tensor
// payloads: raw_data, typed data fields and Constant payloads become ByteRanges. From a path,
// only the structure is read (through a small sliding window); payloads are read on request.

import { closeSync, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, normalize, relative, resolve, sep } from 'node:path';
import { FileIOError, ModelParseError, UnsafePathError } from '@edge/core';
import { memorySource } from './tensor-data.js';
import type {
  AttributeProto,
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
      // One sized read into one buffer: readFileSync does the same work with more steps.
      const bytes = new Uint8Array(st.size);
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
    if (this.pos >= this.base && this.pos + n <= this.base + this.buf.length) return;
    if (n > this.size - this.pos) this.fail(`unexpected end of input (needs ${n} bytes)`);
    // Fill a whole window (bounded by the file, not by the current message) so the next
    // fields are already here; a field larger than the window gets a buffer of its own.
    const want = Math.min(Math.max(n, WINDOW), this.size - this.pos);
    const target = want <= this.window.length ? this.window : new Uint8Array(want);
    const got = readSync(this.fd, target, 0, want, this.pos);
    if (got < n) this.fail('file ended while reading (was it truncated while being read?)');
    this.buf = target.subarray(0, got);
    this.base = this.pos;
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
  depth: number;
}

function decode(c: WireCursor, source: ByteSource, baseDir: string | undefined): OnnxModel {
  const ctx: Ctx = { c, source, baseDir, depth: 0 };
  c.path.push('ModelProto');
  // Every ONNX writer emits ir_version (field 1, tag byte 0x08) first: input that fails to parse
  // and does not start that way is most likely not a model at all, and the error says so.
  let firstByte = -1;
  if (c.end > c.pos) {
    c.ensure(1);
    firstByte = c.buf[c.pos - c.base]!;
  }
  let model: ModelWithFlags;
  try {
    model = readModelProto(ctx);
  } catch (e) {
    if (e instanceof ModelParseError && firstByte !== 0x08) {
      throw new ModelParseError(`not an ONNX model (${e.reason})`, e, { cause: e });
    }
    throw e;
  }
  if (!model.sawIr || model.irVersion < 1 || model.irVersion > MAX_IR_VERSION) {
    c.path.length = 1;
    c.fail(
      model.sawIr
        ? `unsupported IR version ${model.irVersion} (expected 1 to ${MAX_IR_VERSION})`
        : 'not an ONNX model (no ir_version field)',
      0,
    );
  }
  if (!model.sawGraph) {
    c.path.length = 1;
    c.fail('not an ONNX model (no graph)', 0);
  }
  const { sawIr: _i, sawGraph: _g, ...rest } = model;
  return rest;
}

// --- helpers -------------------------------------------------------------------------------

function fieldOf(tag: number): number {
  return tag > 0xffffffff ? Math.floor(tag / 8) : tag >>> 3;
}

function expectWire(c: WireCursor, wt: number, expected: number, name: string): void {
  if (wt !== expected) c.fail(`field '${name}' has wire type ${wt}, expected ${expected}`);
}

/** Runs `body` over a length-delimited sub-message; the cursor ends exactly at its end. */
function sub<T>(ctx: Ctx, name: string, index: number | undefined, wt: number, body: (ctx: Ctx) => T): T {
  const c = ctx.c;
  c.path.push(name);
  if (index !== undefined) c.path.push(index);
  expectWire(c, wt, WireType.LEN, name);
  const n = c.length();
  const saved = c.end;
  if (++ctx.depth > MAX_DEPTH) c.fail(`messages nested deeper than ${MAX_DEPTH}`);
  c.end = c.pos + n;
  const value = body(ctx);
  if (c.pos !== c.end) c.fail('message did not end at its length');
  c.end = saved;
  // pop() rather than `length = pathLen`: setting an array's length is a slow path in V8.
  c.path.pop();
  if (index !== undefined) c.path.pop();
  ctx.depth--;
  return value;
}

function str(c: WireCursor, wt: number, name: string): string {
  expectWire(c, wt, WireType.LEN, name);
  return c.string(c.length());
}

function int(c: WireCursor, wt: number, name: string): number {
  expectWire(c, wt, WireType.VARINT, name);
  return c.varint();
}

/** A repeated int64 field, packed or not. */
function ints(c: WireCursor, wt: number, out: number[]): void {
  if (wt === WireType.VARINT) {
    out.push(c.varint());
    return;
  }
  expectWire(c, wt, WireType.LEN, 'ints');
  const n = c.length();
  const end = c.pos + n;
  const saved = c.end;
  c.end = end;
  while (c.pos < end) out.push(c.varint());
  c.end = saved;
}

/** A repeated float field, packed or not. */
function floats(c: WireCursor, wt: number, out: number[]): void {
  if (wt === WireType.I32) {
    out.push(c.float());
    return;
  }
  expectWire(c, wt, WireType.LEN, 'floats');
  const n = c.length();
  if (n % 4 !== 0) c.fail(`packed float field of ${n} bytes is not a multiple of 4`);
  const end = c.pos + n;
  while (c.pos < end) out.push(c.float());
}

function entry(ctx: Ctx): StringEntry {
  const c = ctx.c;
  const e: StringEntry = { key: '', value: '' };
  while (c.pos < c.end) {
    const tag = c.varint();
    const wt = tag & 7;
    switch (fieldOf(tag)) {
      case 1:
        e.key = str(c, wt, 'key');
        break;
      case 2:
        e.value = str(c, wt, 'value');
        break;
      default:
        skip(c, tag);
    }
  }
  return e;
}

function skip(c: WireCursor, tag: number): void {
  const field = fieldOf(tag);
  if (field === 0) c.fail('field number 0 is invalid');
  c.skipValue(tag & 7, field);
}

function opset(ctx: Ctx): OperatorSetId {
  const c = ctx.c;
  const o: OperatorSetId = { domain: '', version: 0 };
  while (c.pos < c.end) {
    const tag = c.varint();
    const wt = tag & 7;
    switch (fieldOf(tag)) {
      case 1:
        o.domain = str(c, wt, 'domain');
        break;
      case 2:
        o.version = int(c, wt, 'version');
        break;
      default:
        skip(c, tag);
    }
  }
  return o;
}

// --- messages ------------------------------------------------------------------------------

type ModelWithFlags = OnnxModel & { sawIr: boolean; sawGraph: boolean };

function readModelProto(ctx: Ctx): ModelWithFlags {
  const c = ctx.c;
  const m: ModelWithFlags = {
    irVersion: 0,
    opsetImports: [],
    producerName: '',
    producerVersion: '',
    domain: '',
    modelVersion: 0,
    docString: '',
    graph: emptyGraph(),
    metadataProps: [],
    trainingInfo: [],
    functions: [],
    sawIr: false,
    sawGraph: false,
  };
  while (c.pos < c.end) {
    const tag = c.varint();
    const wt = tag & 7;
    switch (fieldOf(tag)) {
      case 1:
        m.irVersion = int(c, wt, 'ir_version');
        m.sawIr = true;
        break;
      case 8:
        m.opsetImports.push(sub(ctx, 'opset_import', m.opsetImports.length, wt, opset));
        break;
      case 2:
        m.producerName = str(c, wt, 'producer_name');
        break;
      case 3:
        m.producerVersion = str(c, wt, 'producer_version');
        break;
      case 4:
        m.domain = str(c, wt, 'domain');
        break;
      case 5:
        m.modelVersion = int(c, wt, 'model_version');
        break;
      case 6:
        m.docString = str(c, wt, 'doc_string');
        break;
      case 7:
        m.graph = sub(ctx, 'graph', undefined, wt, graphProto);
        m.sawGraph = true;
        break;
      case 14:
        m.metadataProps.push(sub(ctx, 'metadata_props', m.metadataProps.length, wt, entry));
        break;
      case 20:
        m.trainingInfo.push(sub(ctx, 'training_info', m.trainingInfo.length, wt, trainingInfo));
        break;
      case 25:
        m.functions.push(sub(ctx, 'functions', m.functions.length, wt, functionProto));
        break;
      default:
        skip(c, tag);
    }
  }
  return m;
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
  while (c.pos < c.end) {
    const tag = c.varint();
    const wt = tag & 7;
    switch (fieldOf(tag)) {
      case 1:
        g.nodes.push(sub(ctx, 'node', g.nodes.length, wt, nodeProto));
        break;
      case 2:
        g.name = str(c, wt, 'name');
        break;
      case 5:
        g.initializers.push(sub(ctx, 'initializer', g.initializers.length, wt, tensorProto));
        break;
      case 15:
        g.sparseInitializers.push(
          sub(ctx, 'sparse_initializer', g.sparseInitializers.length, wt, sparseTensor),
        );
        break;
      case 10:
        g.docString = str(c, wt, 'doc_string');
        break;
      case 11:
        g.inputs.push(sub(ctx, 'input', g.inputs.length, wt, valueInfo));
        break;
      case 12:
        g.outputs.push(sub(ctx, 'output', g.outputs.length, wt, valueInfo));
        break;
      case 13:
        g.valueInfo.push(sub(ctx, 'value_info', g.valueInfo.length, wt, valueInfo));
        break;
      case 14:
        g.quantizationAnnotations.push(
          sub(ctx, 'quantization_annotation', g.quantizationAnnotations.length, wt, tensorAnnotation),
        );
        break;
      case 16:
        g.metadataProps.push(sub(ctx, 'metadata_props', g.metadataProps.length, wt, entry));
        break;
      default:
        skip(c, tag);
    }
  }
  return g;
}

function tensorAnnotation(ctx: Ctx): TensorAnnotation {
  const c = ctx.c;
  const a: TensorAnnotation = { tensorName: '', quantParameterTensorNames: [] };
  while (c.pos < c.end) {
    const tag = c.varint();
    const wt = tag & 7;
    switch (fieldOf(tag)) {
      case 1:
        a.tensorName = str(c, wt, 'tensor_name');
        break;
      case 2:
        a.quantParameterTensorNames.push(
          sub(ctx, 'quant_parameter_tensor_names', a.quantParameterTensorNames.length, wt, entry),
        );
        break;
      default:
        skip(c, tag);
    }
  }
  return a;
}

function nodeProto(ctx: Ctx): NodeProto {
  const c = ctx.c;
  const n: NodeProto = {
    name: '',
    opType: '',
    domain: '',
    overload: '',
    inputs: [],
    outputs: [],
    attributes: [],
    docString: '',
    metadataProps: [],
  };
  while (c.pos < c.end) {
    const tag = c.varint();
    const wt = tag & 7;
    switch (fieldOf(tag)) {
      case 1:
        n.inputs.push(str(c, wt, 'input'));
        break;
      case 2:
        n.outputs.push(str(c, wt, 'output'));
        break;
      case 3:
        n.name = str(c, wt, 'name');
        break;
      case 4:
        n.opType = str(c, wt, 'op_type');
        break;
      case 7:
        n.domain = str(c, wt, 'domain');
        break;
      case 8:
        n.overload = str(c, wt, 'overload');
        break;
      case 5:
        n.attributes.push(sub(ctx, 'attribute', n.attributes.length, wt, attributeProto));
        break;
      case 6:
        n.docString = str(c, wt, 'doc_string');
        break;
      case 9:
        n.metadataProps.push(sub(ctx, 'metadata_props', n.metadataProps.length, wt, entry));
        break;
      default:
        skip(c, tag);
    }
  }
  return n;
}

function attributeProto(ctx: Ctx): AttributeProto {
  const c = ctx.c;
  const a: AttributeProto = {
    name: '',
    refAttrName: '',
    docString: '',
    type: 0,
    floats: [],
    ints: [],
    strings: [],
    tensors: [],
    graphs: [],
    sparseTensors: [],
    typeProtos: [],
  };
  while (c.pos < c.end) {
    const tag = c.varint();
    const wt = tag & 7;
    switch (fieldOf(tag)) {
      case 1:
        a.name = str(c, wt, 'name');
        break;
      case 21:
        a.refAttrName = str(c, wt, 'ref_attr_name');
        break;
      case 13:
        a.docString = str(c, wt, 'doc_string');
        break;
      case 20:
        a.type = int(c, wt, 'type');
        break;
      case 2:
        expectWire(c, wt, WireType.I32, 'f');
        a.f = c.float();
        break;
      case 3:
        a.i = int(c, wt, 'i');
        break;
      case 4:
        expectWire(c, wt, WireType.LEN, 's');
        a.s = c.bytes(c.length());
        break;
      case 5:
        a.t = sub(ctx, 't', undefined, wt, tensorProto);
        break;
      case 6:
        a.g = subgraph(ctx, 'g', undefined, wt);
        break;
      case 22:
        a.sparseTensor = sub(ctx, 'sparse_tensor', undefined, wt, sparseTensor);
        break;
      case 14:
        a.tp = sub(ctx, 'tp', undefined, wt, typeProto);
        break;
      case 7:
        floats(c, wt, a.floats);
        break;
      case 8:
        ints(c, wt, a.ints);
        break;
      case 9:
        expectWire(c, wt, WireType.LEN, 'strings');
        a.strings.push(c.bytes(c.length()));
        break;
      case 10:
        a.tensors.push(sub(ctx, 'tensors', a.tensors.length, wt, tensorProto));
        break;
      case 11:
        a.graphs.push(subgraph(ctx, 'graphs', a.graphs.length, wt));
        break;
      case 23:
        a.sparseTensors.push(sub(ctx, 'sparse_tensors', a.sparseTensors.length, wt, sparseTensor));
        break;
      case 15:
        a.typeProtos.push(sub(ctx, 'type_protos', a.typeProtos.length, wt, typeProto));
        break;
      default:
        skip(c, tag);
    }
  }
  return a;
}

function subgraph(ctx: Ctx, name: string, index: number | undefined, wt: number): GraphProto {
  return sub(ctx, name, index, wt, graphProto);
}

function tensorProto(ctx: Ctx): TensorProto {
  const c = ctx.c;
  const t: TensorProto = {
    name: '',
    dataType: 0,
    dims: [],
    docString: '',
    typedData: [],
    dataLocation: 0,
    externalData: [],
    metadataProps: [],
  };
  while (c.pos < c.end) {
    const tag = c.varint();
    const wt = tag & 7;
    const field = fieldOf(tag);
    switch (field) {
      case 1:
        ints(c, wt, t.dims);
        break;
      case 2:
        t.dataType = int(c, wt, 'data_type');
        break;
      case 3:
        t.segment = sub(ctx, 'segment', undefined, wt, segment);
        break;
      case 8:
        t.name = str(c, wt, 'name');
        break;
      case 12:
        t.docString = str(c, wt, 'doc_string');
        break;
      case 9: {
        expectWire(c, wt, WireType.LEN, 'raw_data');
        const n = c.length();
        t.rawData = { source: ctx.source, offset: c.pos, length: n };
        c.skip(n);
        break;
      }
      case 4:
      case 5:
      case 6:
      case 7:
      case 10:
      case 11:
        typedChunk(ctx, t, field, wt);
        break;
      case 13:
        t.externalData.push(sub(ctx, 'external_data', t.externalData.length, wt, entry));
        break;
      case 14:
        t.dataLocation = int(c, wt, 'data_location');
        break;
      case 16:
        t.metadataProps.push(sub(ctx, 'metadata_props', t.metadataProps.length, wt, entry));
        break;
      default:
        skip(c, tag);
    }
  }
  for (const d of t.dims) {
    if (d < 0 || !Number.isSafeInteger(d)) c.fail(`tensor '${t.name}' has invalid dimension ${d}`);
  }
  if (t.dataLocation === 1) t.external = resolveExternal(ctx, t);
  return t;
}

const SINGLE_WIRE: Record<number, number> = {
  4: WireType.I32,
  5: WireType.VARINT,
  6: WireType.LEN,
  7: WireType.VARINT,
  10: WireType.I64,
  11: WireType.VARINT,
};

/** Records one typed data field occurrence as a range; its values are decoded only on request. */
function typedChunk(ctx: Ctx, t: TensorProto, field: TypedDataField, wt: number): void {
  const c = ctx.c;
  const single = SINGLE_WIRE[field]!;
  const start = c.pos;
  if (wt === WireType.LEN && single !== WireType.LEN) {
    const n = c.length();
    if ((field === 4 && n % 4) || (field === 10 && n % 8))
      c.fail(`packed field ${field} length ${n} is not whole`);
    t.typedData.push({ field, packed: true, range: { source: ctx.source, offset: c.pos, length: n } });
    c.skip(n);
    return;
  }
  expectWire(c, wt, single, `typed data field ${field}`);
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
  t.typedData.push({ field, packed: false, range: { source: ctx.source, offset, length: n } });
}

function segment(ctx: Ctx): { begin: number; end: number } {
  const c = ctx.c;
  const s = { begin: 0, end: 0 };
  while (c.pos < c.end) {
    const tag = c.varint();
    const wt = tag & 7;
    switch (fieldOf(tag)) {
      case 1:
        s.begin = int(c, wt, 'begin');
        break;
      case 2:
        s.end = int(c, wt, 'end');
        break;
      default:
        skip(c, tag);
    }
  }
  return s;
}

function sparseTensor(ctx: Ctx): SparseTensorProto {
  const c = ctx.c;
  const s: SparseTensorProto = { dims: [] };
  while (c.pos < c.end) {
    const tag = c.varint();
    const wt = tag & 7;
    switch (fieldOf(tag)) {
      case 1:
        s.values = sub(ctx, 'values', undefined, wt, tensorProto);
        break;
      case 2:
        s.indices = sub(ctx, 'indices', undefined, wt, tensorProto);
        break;
      case 3:
        ints(c, wt, s.dims);
        break;
      default:
        skip(c, tag);
    }
  }
  return s;
}

function valueInfo(ctx: Ctx): ValueInfo {
  const c = ctx.c;
  const v: ValueInfo = { name: '', docString: '', metadataProps: [] };
  while (c.pos < c.end) {
    const tag = c.varint();
    const wt = tag & 7;
    switch (fieldOf(tag)) {
      case 1:
        v.name = str(c, wt, 'name');
        break;
      case 2:
        v.type = sub(ctx, 'type', undefined, wt, typeProto);
        break;
      case 3:
        v.docString = str(c, wt, 'doc_string');
        break;
      case 4:
        v.metadataProps.push(sub(ctx, 'metadata_props', v.metadataProps.length, wt, entry));
        break;
      default:
        skip(c, tag);
    }
  }
  return v;
}

function typeProto(ctx: Ctx): TypeProto {
  const c = ctx.c;
  let t: TypeProto = { kind: 'unset' };
  let denotation: string | undefined;
  while (c.pos < c.end) {
    const tag = c.varint();
    const wt = tag & 7;
    switch (fieldOf(tag)) {
      case 1:
        t = sub(ctx, 'tensor_type', undefined, wt, (x) => tensorType(x, 'tensor'));
        break;
      case 8:
        t = sub(ctx, 'sparse_tensor_type', undefined, wt, (x) => tensorType(x, 'sparseTensor'));
        break;
      case 4:
        t = sub(ctx, 'sequence_type', undefined, wt, (x) => ({ kind: 'sequence', elemType: elemOnly(x) }));
        break;
      case 9:
        t = sub(ctx, 'optional_type', undefined, wt, (x) => ({ kind: 'optional', elemType: elemOnly(x) }));
        break;
      case 5:
        t = sub(ctx, 'map_type', undefined, wt, mapType);
        break;
      case 7:
        t = sub(ctx, 'opaque_type', undefined, wt, opaqueType);
        break;
      case 6:
        denotation = str(c, wt, 'denotation');
        break;
      default:
        skip(c, tag);
    }
  }
  if (denotation !== undefined) t.denotation = denotation;
  return t;
}

function tensorType(ctx: Ctx, kind: 'tensor' | 'sparseTensor'): TypeProto {
  const c = ctx.c;
  let elemType = 0;
  let shape: Dimension[] | undefined;
  while (c.pos < c.end) {
    const tag = c.varint();
    const wt = tag & 7;
    switch (fieldOf(tag)) {
      case 1:
        elemType = int(c, wt, 'elem_type');
        break;
      case 2:
        shape = sub(ctx, 'shape', undefined, wt, tensorShape);
        break;
      default:
        skip(c, tag);
    }
  }
  return shape ? { kind, elemType, shape } : { kind, elemType };
}

function tensorShape(ctx: Ctx): Dimension[] {
  const c = ctx.c;
  const dims: Dimension[] = [];
  while (c.pos < c.end) {
    const tag = c.varint();
    const wt = tag & 7;
    if (fieldOf(tag) === 1) dims.push(sub(ctx, 'dim', dims.length, wt, dimension));
    else skip(c, tag);
  }
  return dims;
}

function dimension(ctx: Ctx): Dimension {
  const c = ctx.c;
  const d: Dimension = {};
  while (c.pos < c.end) {
    const tag = c.varint();
    const wt = tag & 7;
    switch (fieldOf(tag)) {
      case 1:
        d.value = int(c, wt, 'dim_value');
        break;
      case 2:
        d.param = str(c, wt, 'dim_param');
        break;
      case 3:
        d.denotation = str(c, wt, 'denotation');
        break;
      default:
        skip(c, tag);
    }
  }
  return d;
}

function elemOnly(ctx: Ctx): TypeProto | undefined {
  const c = ctx.c;
  let elem: TypeProto | undefined;
  while (c.pos < c.end) {
    const tag = c.varint();
    const wt = tag & 7;
    if (fieldOf(tag) === 1) elem = sub(ctx, 'elem_type', undefined, wt, typeProto);
    else skip(c, tag);
  }
  return elem;
}

function mapType(ctx: Ctx): TypeProto {
  const c = ctx.c;
  let keyType = 0;
  let valueType: TypeProto | undefined;
  while (c.pos < c.end) {
    const tag = c.varint();
    const wt = tag & 7;
    switch (fieldOf(tag)) {
      case 1:
        keyType = int(c, wt, 'key_type');
        break;
      case 2:
        valueType = sub(ctx, 'value_type', undefined, wt, typeProto);
        break;
      default:
        skip(c, tag);
    }
  }
  return valueType ? { kind: 'map', keyType, valueType } : { kind: 'map', keyType };
}

function opaqueType(ctx: Ctx): TypeProto {
  const c = ctx.c;
  const t = { kind: 'opaque' as const, domain: '', name: '' };
  while (c.pos < c.end) {
    const tag = c.varint();
    const wt = tag & 7;
    switch (fieldOf(tag)) {
      case 1:
        t.domain = str(c, wt, 'domain');
        break;
      case 2:
        t.name = str(c, wt, 'name');
        break;
      default:
        skip(c, tag);
    }
  }
  return t;
}

function functionProto(ctx: Ctx): FunctionProto {
  const c = ctx.c;
  const f: FunctionProto = {
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
  };
  while (c.pos < c.end) {
    const tag = c.varint();
    const wt = tag & 7;
    switch (fieldOf(tag)) {
      case 1:
        f.name = str(c, wt, 'name');
        break;
      case 10:
        f.domain = str(c, wt, 'domain');
        break;
      case 13:
        f.overload = str(c, wt, 'overload');
        break;
      case 4:
        f.inputs.push(str(c, wt, 'input'));
        break;
      case 5:
        f.outputs.push(str(c, wt, 'output'));
        break;
      case 6:
        f.attributes.push(str(c, wt, 'attribute'));
        break;
      case 11:
        f.attributeProtos.push(sub(ctx, 'attribute_proto', f.attributeProtos.length, wt, attributeProto));
        break;
      case 7:
        f.nodes.push(sub(ctx, 'node', f.nodes.length, wt, nodeProto));
        break;
      case 12:
        f.valueInfo.push(sub(ctx, 'value_info', f.valueInfo.length, wt, valueInfo));
        break;
      case 9:
        f.opsetImports.push(sub(ctx, 'opset_import', f.opsetImports.length, wt, opset));
        break;
      case 8:
        f.docString = str(c, wt, 'doc_string');
        break;
      case 14:
        f.metadataProps.push(sub(ctx, 'metadata_props', f.metadataProps.length, wt, entry));
        break;
      default:
        skip(c, tag);
    }
  }
  return f;
}

function trainingInfo(ctx: Ctx): TrainingInfo {
  const c = ctx.c;
  const t: TrainingInfo = { initializationBinding: [], updateBinding: [] };
  while (c.pos < c.end) {
    const tag = c.varint();
    const wt = tag & 7;
    switch (fieldOf(tag)) {
      case 1:
        t.initialization = subgraph(ctx, 'initialization', undefined, wt);
        break;
      case 2:
        t.algorithm = subgraph(ctx, 'algorithm', undefined, wt);
        break;
      case 3:
        t.initializationBinding.push(
          sub(ctx, 'initialization_binding', t.initializationBinding.length, wt, entry),
        );
        break;
      case 4:
        t.updateBinding.push(sub(ctx, 'update_binding', t.updateBinding.length, wt, entry));
        break;
      default:
        skip(c, tag);
    }
  }
  return t;
}

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
