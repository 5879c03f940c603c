import { basename } from 'node:path';
import { writeFileAtomic } from '@edge/core';
import {
  encodeNpy,
  PRESET_NAMES,
  type PreprocessSpec,
  type PresetName,
  preprocess,
  preset,
} from '@edge/preprocess';
import { type Command, type Io, parse, UsageError } from '../command.js';
import { formatBytes } from '../format.js';

const USAGE = `usage: edge preprocess <image...> (--preset NAME | --size WxH [options]) --out tensor.npy

Decodes the images (JPEG, PNG, WebP), resizes, normalises and stacks them into one batch tensor
written in numpy's .npy format, to hold against a training pipeline's tensor with numpy.load.
Resizing is OpenCV's (cv2.resize INTER_LINEAR, pixel for pixel, by default).

  --preset NAME          ${PRESET_NAMES.join(', ')}
  --size WxH             output size (required without --preset; overrides the preset's)
  --mode M               stretch | letterbox | center-crop | shorter-side-crop | pad-right
  --shorter N            shorter side before the crop (shorter-side-crop; default 256/224 x size)
  --interpolation I      bilinear | nearest | area
  --color C              rgb | bgr | gray (channel order of the tensor)
  --scale S              multiplier of the 0..255 values, e.g. 1/255 (default) or 1
  --mean a,b,c           subtracted after scaling (one value or one per channel)
  --std a,b,c            divides after the mean
  --pad V                padding value in 0..255 (one value or one per channel)
  --layout L             nchw (default) | nhwc
  --dtype T              float32 (default) | float16 | uint8 | int8
  --quant scale,zp       quantisation of a uint8/int8 tensor
  --max-pixels N         largest accepted image (default 100000000)
  --kernel K             auto (default) | typescript | native
  --out FILE             the .npy file to write (required)
  --json                 print the shapes and transforms as JSON`;

function numbers(flag: string, text: string): number[] {
  const values = text.split(',').map((s) => {
    const t = s.trim();
    const frac = /^(-?[\d.]+)\/([\d.]+)$/.exec(t);
    return frac ? Number(frac[1]) / Number(frac[2]) : t === '' ? Number.NaN : Number(t);
  });
  if (values.some((v) => !Number.isFinite(v)))
    throw new UsageError(`${flag} expects numbers separated by commas, got '${text}'`);
  return values;
}

function one(flag: string, text: string): number {
  const v = numbers(flag, text);
  if (v.length !== 1) throw new UsageError(`${flag} expects one number, got '${text}'`);
  return v[0]!;
}

function perChannel(flag: string, text: string): number | number[] {
  const v = numbers(flag, text);
  return v.length === 1 ? v[0]! : v;
}

/** The spec the flags describe. */
export function specFromFlags(
  values: Record<string, string | boolean | string[] | undefined>,
): PreprocessSpec {
  const str = (k: string) => values[k] as string | undefined;
  let spec: PreprocessSpec = {};
  if (str('preset') !== undefined) {
    const name = str('preset')!;
    if (!(PRESET_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(`--preset expects one of ${PRESET_NAMES.join(', ')}, got '${name}'`);
    }
    spec = preset(name as PresetName);
  } else if (str('size') === undefined) {
    throw new UsageError('give --preset NAME or --size WxH');
  }
  const size = str('size');
  if (size !== undefined) {
    const m = /^(\d+)x(\d+)$/.exec(size);
    if (!m) throw new UsageError(`--size expects WxH like 640x640, got '${size}'`);
    spec = { ...spec, size: { width: Number(m[1]), height: Number(m[2]) } };
    delete spec.dynamicSize;
  }
  if (str('mode') !== undefined) spec.resize = str('mode') as PreprocessSpec['resize'];
  if (str('shorter') !== undefined) spec.shorterSide = one('--shorter', str('shorter')!);
  if (str('interpolation') !== undefined)
    spec.interpolation = str('interpolation') as PreprocessSpec['interpolation'];
  if (str('color') !== undefined) spec.color = str('color') as PreprocessSpec['color'];
  if (str('scale') !== undefined) spec.scale = one('--scale', str('scale')!);
  if (str('mean') !== undefined) spec.mean = perChannel('--mean', str('mean')!);
  if (str('std') !== undefined) spec.std = perChannel('--std', str('std')!);
  if (str('pad') !== undefined) spec.pad = perChannel('--pad', str('pad')!);
  if (str('layout') !== undefined) spec.layout = str('layout') as PreprocessSpec['layout'];
  if (str('dtype') !== undefined) spec.dtype = str('dtype') as PreprocessSpec['dtype'];
  if (str('quant') !== undefined) {
    const q = numbers('--quant', str('quant')!);
    if (q.length !== 2) throw new UsageError(`--quant expects scale,zeroPoint, got '${str('quant')}'`);
    spec.quantization = { scale: q[0]!, zeroPoint: q[1]! };
  }
  return spec;
}

/** `edge preprocess`: images to a batch tensor in .npy. */
export const preprocessCommand: Command = {
  name: 'preprocess',
  usage: USAGE,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parse(args, {
      string: [
        'preset',
        'size',
        'mode',
        'shorter',
        'interpolation',
        'color',
        'scale',
        'mean',
        'std',
        'pad',
        'layout',
        'dtype',
        'quant',
        'max-pixels',
        'kernel',
        'out',
      ],
      boolean: ['json'],
    });
    if (positionals.length === 0) throw new UsageError('expected at least one image');
    const out = values.out as string | undefined;
    if (out === undefined) throw new UsageError('--out FILE is required');
    const spec = specFromFlags(values);
    const maxPixels =
      values['max-pixels'] === undefined ? undefined : one('--max-pixels', values['max-pixels'] as string);
    const kernel = (values.kernel as 'auto' | 'typescript' | 'native' | undefined) ?? 'auto';
    if (!['auto', 'typescript', 'native'].includes(kernel))
      throw new UsageError(`--kernel expects auto, typescript or native, got '${kernel}'`);
    const result = await preprocess(positionals, spec, {
      kernel,
      ...(maxPixels === undefined ? {} : { maxPixels }),
    });
    const bytes = encodeNpy(result.tensor);
    writeFileAtomic(out, bytes);
    if (values.json) {
      io.stdout.write(
        `${JSON.stringify({ out, dtype: result.tensor.dtype, shape: result.tensor.shape, kernel: result.kernel, images: result.images }, null, 2)}\n`,
      );
    } else {
      io.stdout.write(
        `${out}  ${result.tensor.dtype} [${result.tensor.shape.join(', ')}]  ${formatBytes(bytes.length)}  (${result.kernel} kernel)\n`,
      );
      for (const img of result.images) {
        const t = img.toSource;
        const term = (scale: number, offset: number, v: string) =>
          `${v} * ${+scale.toPrecision(6)} ${offset < 0 ? '-' : '+'} ${+Math.abs(offset).toPrecision(6)}`;
        io.stdout.write(
          `  ${basename(img.label)}  ${img.sourceWidth}x${img.sourceHeight}  tensor -> original: ${term(t.scaleX, t.offsetX, 'x')}, ${term(t.scaleY, t.offsetY, 'y')}\n`,
        );
      }
    }
    return 0;
  },
};
