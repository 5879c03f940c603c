import { readFileSync } from 'node:fs';
import { createBackend } from '@edge/backends-onnxruntime';
import {
  type ActivationStatistics,
  CalibrationCacheMismatchError,
  collectStatistics,
  computeRange,
  datasetHash,
  imageFeeds,
  loadOrCalibrate,
  metadataPath,
  RANGE_METHODS,
  type RangeMethod,
  type RangeParams,
  readCalibrationCache,
  sha256Hex,
  writeCalibrationCache,
} from '@edge/calibrate';
import { AbortedError, ArgumentError, FileIOError, isEdgeError } from '@edge/core';
import { readModelFile } from '@edge/onnx-parse';
import { type Command, type Io, parse, UsageError } from '../command.js';
import { interruptible } from '../interrupt.js';
import { progressBar } from '../progress.js';
import { IMAGE_SET_FLAGS, IMAGE_SET_USAGE, imageSet, singleInput } from './image-set.js';

const USAGE = `usage: edge calibrate <model.onnx> --images DIR (--preset NAME | --spec FILE) [options]

Runs the FP32 model over a folder of images, gathers statistics of every float tensor, and writes
TensorRT's calibration cache (its text format, readable by an IInt8Calibrator) with a JSON beside it
that records the model, images, preprocessing, method and parameters. When that JSON matches, the
cache is reused and no image is run; when only the images, method or parameters differ, it is
recomputed. 'edge quantize --int8' reads it.

${IMAGE_SET_USAGE}
  --method M           ${RANGE_METHODS.join(' | ')} (default entropy)
  --percentile P       percentile of |x| kept by --method percentile (default 99.99)
  --cache FILE         cache to reuse or write (default <model>.calib.cache; its JSON is FILE.json)
  --trt-version V      TensorRT version in the header, as NV_TENSORRT_VERSION (default 8601 for
                       8.6.1); TensorRT refuses a cache of another version
  --force              recompute even when the cache could be reused, and replace a cache of another
                       model or a damaged one (which are otherwise refused); the old cache stays in
                       place until the new one is complete

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

/**
 * computeRanges, one tensor at a time with a progress bar: the entropy search costs far more than
 * the model runs (tens of milliseconds a tensor), and Ctrl-C must still be heard meanwhile.
 */
async function ranges(
  stats: ActivationStatistics,
  method: RangeMethod,
  params: RangeParams,
  io: Io,
  signal: AbortSignal,
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const bar = progressBar(io, 'tensor');
  const start = performance.now();
  try {
    for (const [name, s] of stats.tensors) {
      await new Promise(setImmediate);
      if (signal.aborted) throw new AbortedError(`${method} ranges were aborted`, { cause: signal.reason });
      out[name] = computeRange(s, method, params);
      bar.update({
        done: Object.keys(out).length,
        total: stats.tensors.size,
        elapsedMs: performance.now() - start,
      });
    }
  } finally {
    bar.finish();
  }
  return out;
}

/** `edge calibrate`: activation ranges of a model over a folder of images, as a TensorRT cache. */
export const calibrateCommand: Command = {
  name: 'calibrate',
  usage: USAGE,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parse(args, {
      ...IMAGE_SET_FLAGS,
      method: { type: 'string' },
      percentile: { type: 'string' },
      cache: { type: 'string' },
      'trt-version': { type: 'string' },
      force: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UsageError(`expected one model file, got ${positionals.length}`);
    const modelPath = positionals[0]!;
    const method = (values.method ?? 'entropy') as RangeMethod;
    if (!RANGE_METHODS.includes(method))
      throw new UsageError(`--method expects one of ${RANGE_METHODS.join(', ')}, got '${method}'`);
    const params = rangeParams(method, values.percentile as string | undefined);
    const version = (values['trt-version'] ?? '8601') as string;
    if (!/^\d+$/.test(version))
      throw new UsageError(`--trt-version expects digits like 8601 (8.6.1), got '${version}'`);
    const cachePath =
      (values.cache as string | undefined) ?? `${modelPath.replace(/\.onnx$/i, '')}.calib.cache`;
    const set = imageSet(values);
    const model = readModelFile(modelPath);
    const input = singleInput(model, modelPath);
    const identity = { modelSha256: modelHash(modelPath), datasetHash: datasetHash(set.paths, set.spec) };

    return interruptible(io, 'calibrate', async (signal) => {
      let run: { samples: number; runMs: number; rangesMs: number } | undefined;
      let started = false;
      const calibrate = async () => {
        started = true;
        const bar = progressBar(io);
        const stats = await collectStatistics(model, imageFeeds(set.paths, set.spec, input), {
          backend: createBackend({ graphOptimizationLevel: 'all' }),
          threads: set.threads,
          total: set.paths.length,
          onProgress: bar.update,
          signal,
        }).finally(bar.finish);
        const start = performance.now();
        const computed = await ranges(stats, method, params, io, signal);
        run = { samples: stats.samples, runMs: stats.elapsedMs, rangesMs: performance.now() - start };
        return computed;
      };
      const content = { ...identity, method, params, version };
      if (values.force) writeCalibrationCache(cachePath, { ...content, ranges: await calibrate() });
      else {
        try {
          await loadOrCalibrate({ ...content, cachePath, calibrate });
        } catch (e) {
          // A cache of another model, or a damaged one, is refused before anything runs.
          if (started || !(e instanceof CalibrationCacheMismatchError || isEdgeError(e, 'EDGE_MODEL_PARSE')))
            throw e;
          throw new ArgumentError(`${e.message}; pass --force to replace it`, { cause: e });
        }
      }
      const cache = readCalibrationCache(cachePath);
      const tensors = cache.scales.size;
      const header = `TRT-${cache.version}-${cache.algorithm}`;
      if (run) {
        const { samples, runMs, rangesMs } = run;
        io.stdout.write(
          `computed ${method} ranges of ${tensors} tensors over ${samples} images: model runs ${(runMs / 1000).toFixed(1)} s (${(runMs / 1000 / Math.max(1, samples)).toFixed(3)} s/image), ranges ${(rangesMs / 1000).toFixed(1)} s\n`,
        );
      } else {
        io.stdout.write(
          `reused ${cachePath}: ${tensors} tensors, computed for the same model, ${set.paths.length} images, method ${method} and parameters; no image was run\n`,
        );
      }
      io.stdout.write(`cache ${cachePath} (${header})\njson  ${metadataPath(cachePath)}\n`);
      return 0;
    });
  },
};
