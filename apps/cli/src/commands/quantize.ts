import { readFileSync, statSync } from 'node:fs';
import { createBackend } from '@edge/backends-onnxruntime';
import {
  chooseActivationType,
  convertToFloat16,
  DEFAULT_FLOAT16_BLOCK_LIST,
  DEFAULT_QDQ_OPS,
  findFloatTensors,
  imageFeeds,
  type QdqOptions,
  type QdqResult,
  quantizeQdq,
  readCalibrationCache,
  sha256Hex,
  tensorMinimums,
} from '@edge/calibrate';
import { Tensor } from '@edge/core';
import { readModelFile, writeModelFile } from '@edge/onnx-parse';
import { type Command, type Io, parse, UsageError } from '../command.js';
import { formatBytes } from '../format.js';
import { interruptible } from '../interrupt.js';
import { progressBar } from '../progress.js';
import { IMAGE_SET_FLAGS, IMAGE_SET_USAGE, imageSet, positiveInteger, singleInput } from './image-set.js';

const USAGE = `usage: edge quantize <model.onnx> (--int8 [--cache FILE] | --fp16) --out FILE [options]

Rewrites an FP32 model for reduced precision and writes it atomically:
  --int8             QDQ INT8 (QuantizeLinear/DequantizeLinear pairs, as TensorRT's explicit
                     quantization and onnxruntime read them) from a calibration cache of this model
  --fp16             float16 weights and activations; inputs and outputs stay float32 behind Casts
  --out FILE         the model to write (required)
  --exclude N1,N2    node names kept in float32

--int8 only:
  --cache FILE       cache written by 'edge calibrate' (default <model>.calib.cache); a cache
                     computed for another model is refused
  --bias B           int32 (default; lets onnxruntime fuse QLinearConv) | float (as TensorRT prefers)
  --activations T    auto (default: the faster of the two on this machine, timed on onnxruntime
                     with an input of the calibrated shape) | int8 (zero point 0, what TensorRT
                     requires) | uint8 (asymmetric ranges from the calibrated minimums, as
                     onnxruntime's quantizer writes them)
  --reduce-range     7-bit weights (-63..63): for onnxruntime's fused kernels on x86 CPUs without
                     VNNI, which saturate with 8-bit weights
  --ops A,B          op types to quantize (default ${DEFAULT_QDQ_OPS.join(',')})
  --no-fold          do not fold BatchNormalization and per-channel Mul/Add into Conv, nor rewrite
                     spelled-out hard-swish, before quantizing
  --target S         mixed precision: quantize groups of nodes one at a time on --images, then keep
                     the costliest groups in float32 until the first output's score (IoU of a map,
                     top-1 agreement of class scores, cosine otherwise) reaches S; use calibration
                     images here and check held-out ones with 'edge compare'
  --group N          nodes per group for --target (default 8)
${IMAGE_SET_USAGE}

--fp16 only:
  --block A,B        op types kept in float32, replacing the default list
                     (${DEFAULT_FLOAT16_BLOCK_LIST.join(',')})`;

const INT8_FLAGS = [
  'cache',
  'bias',
  'activations',
  'reduce-range',
  'ops',
  'no-fold',
  'target',
  'group',
  'images',
  'preset',
  'spec',
  'limit',
];

function list(text: unknown): string[] | undefined {
  return typeof text === 'string'
    ? text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
}

function oneOf<T extends string>(flag: string, text: unknown, allowed: readonly T[]): T | undefined {
  if (text === undefined) return undefined;
  if (!allowed.includes(text as T))
    throw new UsageError(`--${flag} expects one of ${allowed.join(', ')}, got '${String(text)}'`);
  return text as T;
}

/** Up to `max` lines, then a count of the rest. */
function firstLines(lines: readonly string[], max = 10): string {
  const more = lines.length > max ? [`  ... ${lines.length - max} more`] : [];
  return [...lines.slice(0, max).map((l) => `  ${l}`), ...more].join('\n');
}

/** `edge quantize`: an FP32 model as QDQ INT8 (from a calibration cache) or FP16. */
export const quantizeCommand: Command = {
  name: 'quantize',
  usage: USAGE,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parse(args, IMAGE_SET_FLAGS, {
      string: ['target', 'group', 'out', 'exclude', 'cache', 'bias', 'activations', 'ops', 'block'],
      boolean: ['int8', 'fp16', 'no-fold', 'reduce-range'],
    });
    if (positionals.length !== 1) throw new UsageError(`expected one model file, got ${positionals.length}`);
    const modelPath = positionals[0]!;
    if (values.int8 === values.fp16) throw new UsageError('give one of --int8 and --fp16');
    const out = values.out as string | undefined;
    if (out === undefined) throw new UsageError('--out FILE is required');
    const misplaced = values.int8 ? (values.block === undefined ? [] : ['block']) : INT8_FLAGS;
    const wrong = misplaced.find((f) => values[f] !== undefined);
    if (wrong) throw new UsageError(`--${wrong} does not apply to --${values.int8 ? 'int8' : 'fp16'}`);
    const exclude = list(values.exclude);

    const model = readModelFile(modelPath);
    const lines: string[] = [];
    let kept: readonly { node: string; op: string; reason: string }[];
    if (values.int8) {
      const cachePath =
        (values.cache as string | undefined) ?? `${modelPath.replace(/\.onnx$/i, '')}.calib.cache`;
      const cache = readCalibrationCache(cachePath, { modelSha256: sha256Hex(readFileSync(modelPath)) });
      const base: QdqOptions = {
        bias: oneOf('bias', values.bias, ['int32', 'float'] as const),
        ops: list(values.ops),
        excludeNodes: exclude,
        fold: values['no-fold'] !== true,
        reduceRange: values['reduce-range'] === true,
        minimums: tensorMinimums(cache.metadata),
      };
      const asked = oneOf('activations', values.activations ?? 'auto', ['auto', 'int8', 'uint8'] as const);
      let activationType: 'int8' | 'uint8' = asked === 'uint8' ? 'uint8' : 'int8';
      if (asked === 'auto') {
        const inputs = cache.metadata.inputs;
        if (inputs === undefined) {
          activationType = 'int8';
          lines.push(
            'activations int8: the cache records no input shape to time the two types on (recalibrate to record it)',
          );
        } else {
          const feed = Object.fromEntries(
            Object.entries(inputs).map(([name, shape]) => {
              const n = shape.reduce((a, b) => a * b, 1);
              return [
                name,
                new Tensor(
                  'float32',
                  shape,
                  Float32Array.from({ length: n }, (_, i) => Math.sin(i)),
                ),
              ];
            }),
          );
          const choice = await chooseActivationType(model, cache.ranges, feed, {
            backend: createBackend({ graphOptimizationLevel: 'all', executionProviders: ['cpu'] }),
            qdq: base,
          });
          activationType = choice.activationType;
          lines.push(
            `activations ${activationType}: faster here (onnxruntime CPU, median of 5 runs at ${Object.values(
              inputs,
            )
              .map((s) => s.join('x'))
              .join(
                ', ',
              )}: int8 ${choice.medianMs.int8.toFixed(1)} ms, uint8 ${choice.medianMs.uint8.toFixed(1)} ms)`,
          );
        }
      }
      const options: QdqOptions = { ...base, activationType };
      let r: QdqResult | undefined =
        values.target === undefined ? quantizeQdq(model, cache.ranges, options) : undefined;
      if (!r) {
        const target = Number(values.target);
        if (!(target >= 0 && target <= 1))
          throw new UsageError(`--target expects a score between 0 and 1, got '${values.target}'`);
        const set = imageSet(values);
        const input = singleInput(model, modelPath);
        const groupSize = positiveInteger('group', values.group);
        const code = await interruptible(io, 'quantize', async (signal) => {
          const bar = progressBar(io, 'group');
          try {
            const choice = await findFloatTensors(
              model,
              cache.ranges,
              () => imageFeeds(set.paths, set.spec, input),
              {
                backend: createBackend({ graphOptimizationLevel: 'basic' }),
                threads: set.threads,
                target,
                groupSize,
                qdq: options,
                onProgress: bar.update,
                signal,
              },
            );
            r = choice.result;
            lines.push(
              `mixed precision on ${set.paths.length} images: score ${choice.steps.map((v: number) => v.toFixed(4)).join(' -> ')} (target ${target}); ${choice.floatTensors.length} tensors kept in float32`,
            );
          } finally {
            bar.finish();
          }
          return 0;
        });
        if (code !== 0 || !r) return code;
      }
      writeModelFile(out, r.model);
      const activation = activationType;
      lines.push(
        `quantized ${r.quantized.length} nodes with ${cache.metadata.method} ranges of ${cachePath}; ${r.weights} weights int8, ${r.activations} activations ${activation}, ${r.folded} nodes folded first`,
      );
      kept = r.kept;
    } else {
      const r = convertToFloat16(model, { blockList: list(values.block), blockNodes: exclude });
      writeModelFile(out, r.model);
      lines.push(
        `converted ${r.converted} nodes to float16; ${r.casts} Casts added, ${r.clamped} weight values clamped to ±65504`,
      );
      kept = r.kept;
    }
    if (kept.length) {
      lines.push(`kept in float32: ${kept.length} node${kept.length === 1 ? '' : 's'}`);
      lines.push(firstLines(kept.map((k) => `${k.node} (${k.op}): ${k.reason}`)));
    }
    const [before, after] = [statSync(modelPath).size, statSync(out).size];
    lines.push(
      `wrote ${out}: ${formatBytes(after)} (${Math.round((100 * after) / before)}% of ${formatBytes(before)})`,
    );
    io.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};
