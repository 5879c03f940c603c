import { createBackend } from '@edge/backends-onnxruntime';
import {
  compareModels,
  formatComparison,
  imageFeeds,
  type OutputKind,
  writeComparisonHtml,
} from '@edge/calibrate';
import { writeFileAtomic } from '@edge/core';
import { readModelFile } from '@edge/onnx-parse';
import { type Command, type Io, parse, UsageError } from '../command.js';
import { interruptible } from '../interrupt.js';
import { progressBar } from '../progress.js';
import { IMAGE_SET_FLAGS, IMAGE_SET_USAGE, imageSet, singleInput } from './image-set.js';

const KINDS: readonly OutputKind[] = ['classification', 'map', 'segmentation', 'raw'];

const USAGE = `usage: edge compare <reference.onnx> <candidate.onnx> --images DIR (--preset NAME | --spec FILE)
                    [options]

Runs both models (say FP32 and its INT8 or FP16 rewrite) on the same images and prints, per output,
cosine similarity, largest and mean absolute error, top-1 agreement (class scores) and IoU of the
binarised maps (segmentation, text detection); then the tensors both models compute whose relative
error grows most: where the precision is lost.

${IMAGE_SET_USAGE}
  --kind K             how to read every output: ${KINDS.join(' | ')} (default by shape: rank 2
                       classification, rank 4 with one channel map, anything else raw;
                       segmentation: class scores per pixel, compared by arg-max)
  --threshold T        threshold that binarises map outputs (default 0.3)
  --layers N           layers to list (default 10; 0 skips the layer comparison and its extra run)
  --json FILE          also write the report as JSON
  --html FILE          also write a page with the relative error of every layer as a chart (needs the
                       layer comparison, so not with --layers 0; opens offline)
  --exact              run Quantize/DequantizeLinear as ONNX defines them (what TensorRT computes)
                       instead of onnxruntime's fused INT8 kernels, which on x86 CPUs without VNNI
                       saturate with 8-bit weights (see 'edge quantize --reduce-range')

Ctrl-C stops after the current image (exit code 130).`;

/** `edge compare`: accuracy of a reduced-precision model against its reference, output by output. */
export const compareCommand: Command = {
  name: 'compare',
  usage: USAGE,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parse(args, IMAGE_SET_FLAGS, {
      string: ['kind', 'threshold', 'layers', 'json', 'html'],
      boolean: ['exact'],
    });
    if (positionals.length !== 2)
      throw new UsageError(`expected a reference and a candidate model, got ${positionals.length} file(s)`);
    const [refPath, candPath] = positionals as [string, string];
    const kind = values.kind as OutputKind | undefined;
    if (kind !== undefined && !KINDS.includes(kind))
      throw new UsageError(`--kind expects one of ${KINDS.join(', ')}, got '${kind}'`);
    const threshold = Number(values.threshold ?? 0.3);
    if (values.threshold === '' || !Number.isFinite(threshold))
      throw new UsageError(`--threshold expects a number, got '${values.threshold}'`);
    const layers = Number(values.layers ?? 10);
    if (!Number.isInteger(layers) || layers < 0 || values.layers === '')
      throw new UsageError(`--layers expects an integer of at least 0, got '${values.layers}'`);
    const jsonPath = values.json as string | undefined;
    const htmlPath = values.html as string | undefined;
    if (htmlPath !== undefined && layers === 0)
      throw new UsageError('--html charts the layer comparison, which --layers 0 skips');
    const set = imageSet(values);
    const reference = readModelFile(refPath);
    const candidate = readModelFile(candPath);
    const input = singleInput(reference, refPath);

    return interruptible(io, 'compare', async (signal) => {
      const bar = progressBar(io);
      let report: Awaited<ReturnType<typeof compareModels>>;
      try {
        report = await compareModels(reference, candidate, imageFeeds(set.paths, set.spec, input), {
          backend: createBackend({ graphOptimizationLevel: values.exact ? 'basic' : 'all' }),
          threads: set.threads,
          threshold,
          kind,
          layers,
          total: set.paths.length,
          onProgress: bar.update,
          signal,
        });
      } finally {
        bar.finish();
      }
      io.stdout.write(`${refPath} (reference) vs ${candPath}\n${formatComparison(report)}\n`);
      if (jsonPath !== undefined) {
        const json = { reference: refPath, candidate: candPath, images: set.paths.length, ...report };
        writeFileAtomic(jsonPath, `${JSON.stringify(json, null, 2)}\n`);
        io.stdout.write(`wrote ${jsonPath}\n`);
      }
      if (htmlPath !== undefined) {
        writeComparisonHtml(htmlPath, report, {
          title: `${candPath} against ${refPath}`,
          notes: [`${set.paths.length} images`],
        });
        io.stdout.write(`wrote ${htmlPath}\n`);
      }
      return 0;
    });
  },
};
