// A model path or bytes as the contract's ModelSource (what loadModel and the checker were given):
// an absolute path or bytes, and the format, told from the bytes (a TFLite flatbuffer carries
// "TFL3" at offset 4; ONNX is a protobuf without a magic number) and, for a file, its extension.

import { closeSync, openSync, readSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type { ModelFormat, ModelSource } from './backend.js';
import { invalidArgument } from './checks.js';
import { FileIOError } from './errors.js';

function formatOfHeader(header: Uint8Array): ModelFormat | undefined {
  if (header.length >= 8 && String.fromCharCode(...header.subarray(4, 8)) === 'TFL3') return 'tflite';
  return undefined;
}

function formatOfExtension(path: string): ModelFormat | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === '.onnx' || ext === '.ort') return 'onnx';
  if (ext === '.tflite') return 'tflite';
  return undefined;
}

function readHeader(path: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : (e as Error).message;
    throw new FileIOError(`cannot read model ${path}: ${why}`, path, { cause: e });
  }
  try {
    const header = new Uint8Array(8);
    const n = readSync(fd, header, 0, 8, 0);
    return header.subarray(0, n);
  } catch (e) {
    throw new FileIOError(`cannot read model ${path}: ${(e as Error).message}`, path, { cause: e });
  } finally {
    closeSync(fd);
  }
}

/**
 * A model path or bytes as a {@link ModelSource}.
 *
 * @throws {@link ArgumentError} when `model` is neither a non-empty string nor a Uint8Array.
 * @throws {@link FileIOError} when the file cannot be read.
 */
export function toModelSource(model: string | Uint8Array): ModelSource {
  if (typeof model === 'string' && model !== '') {
    const path = resolve(model);
    const format = formatOfHeader(readHeader(path)) ?? formatOfExtension(path) ?? 'onnx';
    return { format, name: model, path };
  }
  if (model instanceof Uint8Array) {
    const bytes = model;
    return { format: formatOfHeader(bytes.subarray(0, 8)) ?? 'onnx', name: '<bytes>', bytes };
  }
  throw invalidArgument('model', model, 'path (non-empty string) or Uint8Array of the model file');
}
