// The model at each precision of the matrix: FP32 as given, FP16 by @edge/calibrate's rewrite,
// INT8 as a Q/DQ model from a calibration cache (the result of `edge calibrate`). Each is built
// once, in memory, when the first configuration needs it.

import { readFileSync } from 'node:fs';
import { convertToFloat16, quantizeQdq, readCalibrationCache, sha256Hex } from '@edge/calibrate';
import { ArgumentError, FileIOError, UnavailableError } from '@edge/core';
import { readModel, writeModel } from '@edge/onnx-parse';

/** Precisions `edge bench` measures. */
export type Precision = 'fp32' | 'fp16' | 'int8';

/** Every {@link Precision}, in the order reports list them. */
export const PRECISIONS: readonly Precision[] = ['fp32', 'fp16', 'int8'];

/** A model file read once. */
export interface ModelFile {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly format: 'onnx' | 'tflite';
}

/**
 * Reads a model file; the format is told by its first bytes (a TFLite flatbuffer says `TFL3`).
 *
 * @throws {@link FileIOError} when the file cannot be read.
 */
export function readModelBytes(path: string): ModelFile {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new FileIOError(`cannot read model ${path}: ${(e as Error).message}`, path, { cause: e });
  }
  const magic = new TextDecoder().decode(bytes.subarray(4, 8));
  return { path, bytes, format: magic === 'TFL3' ? 'tflite' : 'onnx' };
}

/** Builds and keeps the model's bytes per precision and backend. */
export class ModelVariants {
  readonly file: ModelFile;
  readonly #ranges: Readonly<Record<string, number>> | undefined;
  readonly #built = new Map<string, Uint8Array>();

  /**
   * Reads the calibration cache at once, so a wrong one fails before anything is measured.
   *
   * @param calibration - Path of the calibration cache (with its `.json`) INT8 is built from.
   * @throws {@link ArgumentError} when `calibration` is given for a TFLite model.
   * @throws {@link CalibrationCacheMismatchError} when the cache was computed for another model.
   * @throws {@link FileIOError} or {@link ModelParseError} when it is missing or damaged.
   */
  constructor(file: ModelFile, calibration?: string) {
    if (calibration !== undefined && file.format !== 'onnx')
      throw new ArgumentError(
        `calibration applies to ONNX models; ${file.path} is ${file.format}: quantize it with its own converter`,
      );
    this.file = file;
    this.#ranges =
      calibration === undefined
        ? undefined
        : readCalibrationCache(calibration, { modelSha256: sha256Hex(file.bytes) }).ranges;
  }

  /**
   * The model's bytes at `precision` for `backend`. INT8 for onnxruntime uses uint8 activations
   * (onnxruntime's x86 kernels), int8 ones elsewhere (what TensorRT requires).
   *
   * @throws {@link UnavailableError} when the precision cannot be built for this model (a TFLite
   *   model at FP16/INT8, INT8 without a calibration cache).
   */
  bytes(precision: Precision, backend: string): Uint8Array {
    if (precision === 'fp32') return this.file.bytes;
    if (this.file.format !== 'onnx')
      throw new UnavailableError(
        `${precision} is built from ONNX models; ${this.file.path} is ${this.file.format} (measure a model converted at that precision instead)`,
      );
    const activations = backend === 'onnxruntime' ? 'uint8' : 'int8';
    const key = precision === 'int8' ? `int8-${activations}` : precision;
    let bytes = this.#built.get(key);
    if (bytes === undefined) {
      const model = readModel(this.file.bytes, { label: this.file.path });
      if (precision === 'fp16') {
        bytes = writeModel(convertToFloat16(model).model);
      } else {
        if (this.#ranges === undefined)
          throw new UnavailableError(
            'int8 needs a calibration result: pass calibration (the cache `edge calibrate` writes)',
          );
        bytes = writeModel(quantizeQdq(model, this.#ranges, { activationType: activations }).model);
      }
      this.#built.set(key, bytes);
    }
    return bytes;
  }
}
