// The engine container: TensorRT's plan wrapped in a header that says what it was built with, so
// that a plan from another GPU, another TensorRT or another model is refused with both sides named
// before TensorRT sees it (TensorRT itself either refuses with a bare "version tag" error or, for a
// GPU of the same compute capability, loads it and runs slower or wrong).
//
// Layout (little-endian):
//   0   8 bytes  magic "EDGE-TRT"
//   8   uint32   container format version (1)
//   12  uint32   header length H
//   16  32 bytes SHA-256 of the header
//   48  H bytes  header, UTF-8 JSON (EngineHeader)
//   48+H         the plan, whose length and SHA-256 the header holds
// The header is JSON so that `edge trt info` and people can read it; the hashes make a damaged
// file fail its check instead of reaching TensorRT.

import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { FileIOError, ModelLoadError, ModelParseError } from '@edge/core';
import type { Precision } from './build-plan.js';
import type { ProfileEntry } from './profiles.js';

/** Container format version written by this package. */
export const ENGINE_FORMAT_VERSION = 1;
const MAGIC = 'EDGE-TRT';
const PREAMBLE = 48;

/** What an engine was built with, as its file records it. */
export interface EngineHeader {
  readonly format: number;
  /** TensorRT version of the build, `10.3.0`. */
  readonly tensorrt: string;
  readonly gpu: { readonly name: string; readonly computeCapability: string };
  /** DLA core the engine was built for, or null (GPU). */
  readonly dlaCore: number | null;
  readonly build: {
    readonly precision: Precision;
    readonly fp16: boolean;
    readonly int8: boolean;
    readonly stronglyTyped: boolean;
    readonly gpuFallback: boolean;
    readonly workspaceBytes: number | null;
    /** Execution contexts it was built for (one optimisation profile each). */
    readonly contexts: number;
    readonly profile: readonly ProfileEntry[];
    /** SHA-256 of the calibration cache replayed, when there was one. */
    readonly calibrationCacheSha256: string | null;
    /** Tensors crossing between the DLA and the GPU (DLA builds). */
    readonly transitions: number;
  };
  readonly model: { readonly name: string; readonly sha256: string };
  readonly plan: { readonly bytes: number; readonly sha256: string };
  readonly createdAt: string;
}

/** What this machine offers, to check an engine against. */
export interface EngineHost {
  readonly tensorrt: string;
  readonly gpus: readonly { readonly name: string; readonly computeCapability: string }[];
  readonly dlaCores: number;
}

/**
 * An engine file was built elsewhere: another TensorRT, another GPU or compute capability, a DLA
 * core this device lacks, or another model. The message names both sides and the fix.
 */
export class EngineMismatchError extends ModelLoadError {
  /** What differs: `tensorrt`, `computeCapability`, `gpu`, `dlaCore` or `model`. */
  readonly field: string;
  /** The engine's value. */
  readonly engine: string;
  /** This machine's (or the caller's) value. */
  readonly here: string;

  constructor(message: string, field: string, engine: string, here: string) {
    super(message, 'trt');
    this.field = field;
    this.engine = engine;
    this.here = here;
  }
}

const utf8 = new TextEncoder();

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** SHA-256 (hex) of a plan, as the header records it. */
export function planSha256(plan: Uint8Array): string {
  return sha256(plan);
}

/** The header fields a build supplies; the container fills in `format` and `plan`. */
export type EngineHeaderFields = Omit<EngineHeader, 'plan' | 'format'>;

/**
 * The file's bytes in three chunks (preamble, header, plan), for `writeFileAtomic` to stream, and
 * the complete header written.
 */
export function encodeEngineFile(
  header: EngineHeaderFields,
  plan: Uint8Array,
): { chunks: Uint8Array[]; header: EngineHeader } {
  const full: EngineHeader = {
    format: ENGINE_FORMAT_VERSION,
    ...header,
    plan: { bytes: plan.length, sha256: sha256(plan) },
  };
  const json = utf8.encode(JSON.stringify(full));
  const pre = new Uint8Array(PREAMBLE);
  pre.set(utf8.encode(MAGIC), 0);
  const view = new DataView(pre.buffer);
  view.setUint32(8, ENGINE_FORMAT_VERSION, true);
  view.setUint32(12, json.length, true);
  pre.set(createHash('sha256').update(json).digest(), 16);
  return { chunks: [pre, json, plan], header: full };
}

/** Reads exactly `length` bytes at `position` (fewer only at the end of the file). */
function readAt(fd: number, position: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, out, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return out.subarray(0, done);
}

function damaged(source: string, offset: number, field: string, reason: string): ModelParseError {
  return new ModelParseError(
    `${reason}; the engine file is damaged or not an @edge/trt engine (rebuild it: edge trt build MODEL -o ${source})`,
    { source, offset, fieldPath: field },
  );
}

function parseHeader(
  pre: Uint8Array,
  readHeader: (length: number) => Uint8Array,
  source: string,
  size: number,
): EngineHeader {
  if (pre.length < PREAMBLE || new TextDecoder().decode(pre.subarray(0, 8)) !== MAGIC) {
    throw damaged(source, 0, 'magic', `expected the magic "${MAGIC}" of an @edge/trt engine file`);
  }
  const view = new DataView(pre.buffer, pre.byteOffset, PREAMBLE);
  const format = view.getUint32(8, true);
  if (format !== ENGINE_FORMAT_VERSION) {
    throw new EngineMismatchError(
      `${source} is an engine file of container format ${format}; this @edge/trt reads format ${ENGINE_FORMAT_VERSION}: rebuild the engine with this version (edge trt build MODEL -o ${source})`,
      'format',
      String(format),
      String(ENGINE_FORMAT_VERSION),
    );
  }
  const length = view.getUint32(12, true);
  if (PREAMBLE + length > size) {
    throw damaged(
      source,
      12,
      'header length',
      `header length ${length} runs past the end of the file (${size} bytes)`,
    );
  }
  const json = readHeader(length);
  if (Buffer.compare(createHash('sha256').update(json).digest(), pre.subarray(16, 48)) !== 0) {
    throw damaged(source, PREAMBLE, 'header checksum', 'the header does not match its SHA-256');
  }
  let header: EngineHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(json)) as EngineHeader;
  } catch (cause) {
    throw new ModelParseError(`header is not JSON: ${(cause as Error).message}`, {
      source,
      offset: PREAMBLE,
      fieldPath: 'header',
    });
  }
  if (typeof header?.plan?.bytes !== 'number' || typeof header.plan.sha256 !== 'string') {
    throw damaged(source, PREAMBLE, 'header.plan', 'the header has no plan length and checksum');
  }
  if (PREAMBLE + length + header.plan.bytes !== size) {
    throw damaged(
      source,
      PREAMBLE + length,
      'plan',
      `the plan should be ${header.plan.bytes} bytes but the file holds ${size - PREAMBLE - length} (truncated or appended to)`,
    );
  }
  return header;
}

/** An engine file's header and where its plan starts. */
export interface EngineFileInfo {
  readonly header: EngineHeader;
  readonly planOffset: number;
  readonly fileBytes: number;
}

/**
 * Reads an engine file's header only (the plan stays on disk): for `edge trt info` and for the
 * checks before a load.
 *
 * @throws {@link FileIOError} when the file cannot be read.
 * @throws {@link ModelParseError} when it is not an engine file or is damaged (offset and field named).
 * @throws {@link EngineMismatchError} when it is of another container format.
 */
export function readEngineHeader(path: string): EngineFileInfo {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    throw new FileIOError(`cannot read engine file ${path}: ${(cause as Error).message}`, path, { cause });
  }
  try {
    const size = fstatSync(fd).size;
    const pre = readAt(fd, 0, PREAMBLE);
    const header = parseHeader(pre, (n) => readAt(fd, PREAMBLE, n), path, size);
    return { header, planOffset: size - header.plan.bytes, fileBytes: size };
  } finally {
    closeSync(fd);
  }
}

/**
 * Decodes a whole engine file and verifies the plan against its checksum.
 *
 * @param source - Path or label for messages.
 * @throws {@link ModelParseError} when the file is damaged (the plan fails its SHA-256 included).
 * @throws {@link EngineMismatchError} when it is of another container format.
 */
export function decodeEngineFile(
  bytes: Uint8Array,
  source = '<bytes>',
): { header: EngineHeader; plan: Uint8Array } {
  const header = parseHeader(
    bytes.subarray(0, PREAMBLE),
    (n) => bytes.subarray(PREAMBLE, PREAMBLE + n),
    source,
    bytes.length,
  );
  const plan = bytes.subarray(bytes.length - header.plan.bytes);
  if (sha256(plan) !== header.plan.sha256) {
    throw damaged(
      source,
      bytes.length - header.plan.bytes,
      'plan checksum',
      'the plan does not match its SHA-256',
    );
  }
  return { header, plan };
}

/**
 * Refuses an engine this machine cannot run: another TensorRT version (plans are tied to the exact
 * version), no GPU of the engine's compute capability, another GPU model (same capability, other
 * tuning: TensorRT only warns), a DLA core this device lacks, or, when `modelSha256` is given,
 * another model.
 *
 * @throws {@link EngineMismatchError} naming the field, the engine's value and this machine's.
 */
export function checkEngineHost(
  header: EngineHeader,
  host: EngineHost,
  options: { source?: string; device?: number; modelSha256?: string } = {},
): void {
  const source = options.source ?? 'the engine';
  const rebuild = `rebuild it on this machine (edge trt build MODEL -o ${options.source ?? 'ENGINE'})`;
  const fail = (field: string, engine: string, here: string, what: string): never => {
    throw new EngineMismatchError(
      `${source} was built for ${what} ${engine}, and this machine has ${here}: ${rebuild}`,
      field,
      engine,
      here,
    );
  };
  if (options.modelSha256 !== undefined && options.modelSha256 !== header.model.sha256) {
    throw new EngineMismatchError(
      `${source} was built from model ${header.model.name} (sha256 ${header.model.sha256.slice(0, 12)}…), not from the model given (sha256 ${options.modelSha256.slice(0, 12)}…): rebuild it from that model`,
      'model',
      header.model.sha256,
      options.modelSha256,
    );
  }
  if (header.tensorrt !== host.tensorrt)
    fail('tensorrt', header.tensorrt, `TensorRT ${host.tensorrt}`, 'TensorRT');
  const gpu = host.gpus[options.device ?? 0];
  const engineGpu = `${header.gpu.name} (compute capability ${header.gpu.computeCapability})`;
  if (gpu === undefined) fail('gpu', engineGpu, `no GPU ${options.device ?? 0}`, 'the GPU');
  if (gpu!.computeCapability !== header.gpu.computeCapability) {
    fail(
      'computeCapability',
      header.gpu.computeCapability,
      `${gpu!.name} (compute capability ${gpu!.computeCapability})`,
      `${header.gpu.name}, compute capability`,
    );
  }
  if (gpu!.name !== header.gpu.name)
    fail('gpu', engineGpu, `${gpu!.name} (compute capability ${gpu!.computeCapability})`, 'the GPU');
  if (header.dlaCore !== null && header.dlaCore >= host.dlaCores) {
    fail(
      'dlaCore',
      String(header.dlaCore),
      host.dlaCores === 0 ? 'no DLA' : `${host.dlaCores} DLA cores`,
      'DLA core',
    );
  }
}
