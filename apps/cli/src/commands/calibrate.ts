import { readFileSync } from 'node:fs';
import { createBackend } from '@edge/backends-onnxruntime';
import {
  CalibrationCacheMismatchError,
  calibrate,
  datasetHash,
  evaluateHeldOut,
  formatHeldOut,
  imageFeeds,
  imageHashes,
  listImages,
  loadOrCalibrate,
  metadataPath,
  ortTablePaths,
  quantizeQdq,
  RANGE_METHODS,
  type RangeMethod,
  type RangeParams,
  readCalibrationCache,
  recordEvaluation,
  sha256Hex,
  splitHeldOut,
  tensorMinimums,
} from '@edge/calibrate';
import { ArgumentError, FileIOError, isEdgeError } from '@edge/core';
import { readModelFile } from '@edge/onnx-parse';
import { type Command, type Io, parse, UsageError } from '../command.js';
import { interruptible } from '../interrupt.js';
import { progressBar } from '../progress.js';
import { IMAGE_SET_FLAGS, IMAGE_SET_USAGE, imageSet, positiveInteger, singleInput } from './image-set.js';

const USAGE = `usage: edge calibrate <model.onnx> --images DIR (--preset NAME | --spec FILE) [options]

Runs the FP32 model over a folder of images, gathers statistics of every float tensor, and writes
TensorRT's calibration cache (its text format, readable by an IInt8Calibrator) with a JSON beside it
that records the model, images, preprocessing, method and parameters. When that JSON matches, the
cache is reused and no image is run; when only the images, method or parameters differ, it is
recomputed. 'edge quantize --int8' reads it.

${IMAGE_SET_USAGE}
  --method M           ${RANGE_METHODS.join(' | ')} (default percentile: it held best on
                       held-out images for the PaddleOCR classifier and detector; entropy clips
                       the ranges that carry the answer, see README)
  --percentile P       percentile of |x| kept by --method percentile (default 99.99)
  --cache FILE         cache to reuse or write (default <model>.calib.cache; its JSON is FILE.json)
  --trt-version V      TensorRT version in the header, as NV_TENSORRT_VERSION (default 8601 for
                       8.6.1); TensorRT refuses a cache of another version
  --force              recompute even when the cache could be reused, and replace a cache of another
                       model or a damaged one (which are otherwise refused); the old cache stays in
                       place until the new one is complete
  --eval DIR           held-out images: quantize with the cache (uint8 activations, the recipe of
                       'edge quantize --int8'), compare with FP32 on the calibration images and on
                       these, print both and flag a large gap as over-fitting; the figures go into
                       the JSON
  --split N            no held-out folder: hold out every N-th image of --images (the 1st, the
                       N+1-th, ...) and calibrate on the others, then evaluate as --eval does
  --max-gap G          largest score drop from calibration to held-out images before it is flagged
                       (default 0.02)

Beside the cache: FILE.json (method, parameters, the images' sha256, every tensor's amax, min and max,
held-out figures) and onnxruntime's calibration table, FILE.onnxruntime.flatbuffers (for its TensorRT
execution provider's trt_int8_calibration_table_name) and FILE.onnxruntime.cache (its text form).

The header names MinMaxCalibration for minmax and EntropyCalibration2 for entropy, percentile and
mse: TensorRT reads only the scales, and the JSON keeps the true method. Ctrl-C stops after the
current image and leaves the cache as it was (exit code 130).`;

function modelHash(path: string): string {
  try {
    return sha256Hex(readFileSync(path));
  } catch (e) {
    throw new FileIOError(`cannot read ${path}: ${(e as Error).message}`, path, { cause: e });
  }
}

function rangeParams(method: RangeMethod, percentile: string | undefined): RangeParams {
  if (percentile !== undefined && method !== 'percentile')
    throw new UsageError('--percentile applies to --method percentile only');
  if (method !== 'percentile') return {};
  const p = Number(percentile ?? '99.99');
  if (percentile?.trim() === '' || !Number.isFinite(p) || p <= 0 || p > 100)
    throw new UsageError(`--percentile expects a number in (0, 100], got '${percentile}'`);
  // Written out even when defaulted, so that a run with --percentile 99.99 reuses the cache.
  return { percentile: p };
}

/** `edge calibrate`: activation ranges of a model over a folder of images, as a TensorRT cache. */
export const calibrateCommand: Command = {
  name: 'calibrate',
  usage: USAGE,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parse(args, IMAGE_SET_FLAGS, {
      string: ['method', 'percentile', 'cache', 'trt-version', 'eval', 'split', 'max-gap'],
      boolean: ['force'],
    });
    if (positionals.length !== 1) throw new UsageError(`expected one model file, got ${positionals.length}`);
    const modelPath = positionals[0]!;
    const method = (values.method ?? 'percentile') as RangeMethod;
    if (!RANGE_METHODS.includes(method))
      throw new UsageError(`--method expects one of ${RANGE_METHODS.join(', ')}, got '${method}'`);
    const params = rangeParams(method, values.percentile as string | undefined);
    const version = (values['trt-version'] ?? '8601') as string;
    if (!/^\d+$/.test(version))
      throw new UsageError(`--trt-version expects digits like 8601 (8.6.1), got '${version}'`);
    const cachePath =
      (values.cache as string | undefined) ?? `${modelPath.replace(/\.onnx$/i, '')}.calib.cache`;
    const set = imageSet(values);
    const split = positiveInteger('split', values.split);
    if (split !== undefined && values.eval !== undefined)
      throw new UsageError('give one of --eval and --split');
    if (split === 1) throw new UsageError('--split expects an integer of at least 2, got 1');
    const maxGap = values['max-gap'] === undefined ? undefined : Number(values['max-gap']);
    if (maxGap !== undefined && !(maxGap >= 0 && maxGap <= 1))
      throw new UsageError(`--max-gap expects a number in [0, 1], got '${values['max-gap']}'`);
    const parts = split === undefined ? undefined : splitHeldOut(set.paths, split);
    const paths = parts?.calibration ?? set.paths;
    const heldOut =
      parts?.heldOut ?? (values.eval === undefined ? undefined : listImages(values.eval as string));
    const model = readModelFile(modelPath);
    const input = singleInput(model, modelPath);
    const feeds = (images: readonly string[]) => imageFeeds(images, set.spec, input);

    return interruptible(io, 'calibrate', async (signal) => {
      const bars = { feeds: progressBar(io), tensors: progressBar(io, 'tensor') };
      let run: { samples: number; runMs: number; rangesMs: number } | undefined;
      let result: Awaited<ReturnType<typeof loadOrCalibrate>>;
      try {
        result = await loadOrCalibrate({
          cachePath,
          modelSha256: modelHash(modelPath),
          datasetHash: datasetHash(paths, set.spec),
          images: imageHashes(paths),
          method,
          params,
          version,
          force: values.force === true,
          calibrate: async () => {
            const r = await calibrate(model, feeds(paths), {
              backend: createBackend({ graphOptimizationLevel: 'all' }),
              threads: set.threads,
              total: paths.length,
              method,
              params,
              onProgress: (p) => {
                if (p.stage === 'tensors' && p.done === 1) bars.feeds.finish();
                bars[p.stage].update(p);
              },
              signal,
            });
            run = { samples: r.statistics.samples, runMs: r.statistics.elapsedMs, rangesMs: r.rangesMs };
            return r;
          },
        });
      } catch (e) {
        // A cache of another model, or a damaged one, is refused before anything runs.
        if (run || !(e instanceof CalibrationCacheMismatchError || isEdgeError(e, 'EDGE_MODEL_PARSE')))
          throw e;
        throw new ArgumentError(`${e.message}; pass --force to replace it`, { cause: e });
      } finally {
        bars.feeds.finish();
        bars.tensors.finish();
      }
      const cache = readCalibrationCache(cachePath);
      const tensors = cache.scales.size;
      if (run) {
        const { samples, runMs, rangesMs } = run;
        io.stdout.write(
          `computed ${method} ranges of ${tensors} tensors over ${samples} images: model runs ${(runMs / 1000).toFixed(1)} s (${(runMs / 1000 / Math.max(1, samples)).toFixed(3)} s/image), ranges ${(rangesMs / 1000).toFixed(1)} s\n`,
        );
      } else {
        io.stdout.write(
          `reused ${cachePath}: ${tensors} tensors, computed for the same model, ${paths.length} images, method ${method} and parameters; no image was run\n`,
        );
      }
      const ort = ortTablePaths(cachePath);
      io.stdout.write(
        `cache ${cachePath} (TRT-${cache.version}-${cache.algorithm})\njson  ${metadataPath(cachePath)}\nonnxruntime ${ort.flatbuffers}, ${ort.text}\n`,
      );
      if (!heldOut) return 0;
      const int8 = quantizeQdq(model, cache.ranges, {
        activationType: 'uint8',
        minimums: tensorMinimums(result.metadata),
      });
      const bar = progressBar(io);
      const report = await evaluateHeldOut(model, int8.model, feeds(paths), feeds(heldOut), {
        backend: createBackend({ graphOptimizationLevel: 'basic' }),
        threads: set.threads,
        maxGap,
        onProgress: bar.update,
        signal,
      }).finally(bar.finish);
      const how = parts
        ? `every ${split}th image of ${values.images} held out (${heldOut.length}), calibrated on the other ${paths.length}`
        : `${heldOut.length} held-out images from ${values.eval}`;
      io.stdout.write(`\nINT8 (uint8 activations) against FP32; ${how}:\n${formatHeldOut(report)}\n`);
      recordEvaluation(cachePath, {
        heldOut: parts ? { split } : { folder: values.eval, images: imageHashes(heldOut) },
        scores: report.scores,
        gap: report.gap,
        overfit: report.overfit,
        calibration: report.calibration.outputs,
        heldOutOutputs: report.heldOut.outputs,
      });
      return 0;
    });
  },
};
