import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { FileIOError } from '@edge/core';
import {
  colorizeScoreMap,
  decodeNpy,
  denormalizationOf,
  encodeImage,
  type Image8,
  maskToImage,
  PRESET_NAMES,
  type PresetName,
  type TensorToImageOptions,
  tensorToImage,
} from '@edge/preprocess';
import { type Command, type Io, parse, UsageError } from '../command.js';
import { writeAtomically } from './preprocess.js';

const USAGE = `usage: edge postprocess <tensor.npy> --out image.png [options]

Turns a tensor back into an image: layout to HWC, de-normalise, clamp to 0..255, encode PNG or
JPEG (from the --out extension). A 3-channel tensor is an image, a 1-channel one a score map
(colour-mapped), one with more channels per-class scores shown as a mask (argmax).

  --preset NAME        undo this preset's normalisation (${PRESET_NAMES.join(', ')})
  --scale S --mean a,b,c --std a,b,c --color rgb|bgr
                       undo this normalisation instead (defaults: 1/255, 0, 1, rgb)
  --layout L           nchw | nhwc (default: guessed from the shape)
  --index N            which image of the batch (default 0)
  --as KIND            image | scores | mask (default: from the channel count)
  --colormap M         viridis (default) | jet | gray, for scores
  --min V --max V      score range shown (default 0..1)
  --quality Q          JPEG quality (default 90)
  --out FILE           .png, .jpg or .jpeg (required)`;

function nums(flag: string, text: string): number[] {
  const v = text.split(',').map((s) => {
    const frac = /^(-?[\d.]+)\/([\d.]+)$/.exec(s.trim());
    return frac ? Number(frac[1]) / Number(frac[2]) : s.trim() === '' ? Number.NaN : Number(s);
  });
  if (v.some((x) => !Number.isFinite(x)))
    throw new UsageError(`${flag} expects numbers separated by commas, got '${text}'`);
  return v;
}

/** `edge postprocess`: a tensor (.npy) back to an image. */
export const postprocessCommand: Command = {
  name: 'postprocess',
  usage: USAGE,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parse(args, {
      preset: { type: 'string' },
      scale: { type: 'string' },
      mean: { type: 'string' },
      std: { type: 'string' },
      color: { type: 'string' },
      layout: { type: 'string' },
      index: { type: 'string' },
      as: { type: 'string' },
      colormap: { type: 'string' },
      min: { type: 'string' },
      max: { type: 'string' },
      quality: { type: 'string' },
      out: { type: 'string' },
    });
    if (positionals.length !== 1) throw new UsageError(`expected one tensor file, got ${positionals.length}`);
    const out = values.out as string | undefined;
    if (out === undefined) throw new UsageError('--out FILE is required');
    const ext = extname(out).toLowerCase();
    if (!['.png', '.jpg', '.jpeg'].includes(ext))
      throw new UsageError(`--out must end in .png, .jpg or .jpeg, got '${out}'`);
    const path = positionals[0]!;
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw new FileIOError(
        `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        path,
        { cause: e },
      );
    }
    const tensor = decodeNpy(bytes, path);
    const str = (k: string) => values[k] as string | undefined;
    const index = str('index') === undefined ? 0 : nums('--index', str('index')!)[0]!;
    const layout = str('layout') as 'nchw' | 'nhwc' | undefined;
    // The channel axis: 1 for NCHW, last for NHWC; a 2-D tensor is one map.
    const shape = tensor.shape;
    const guessNhwc =
      layout === 'nhwc' ||
      (layout === undefined && shape.length >= 3 && (shape.at(-1) === 1 || shape.at(-1) === 3));
    const channels =
      shape.length <= 2 ? 1 : guessNhwc ? shape.at(-1)! : shape.length === 4 ? shape[1]! : shape[0]!;
    const kind = str('as') ?? (channels === 3 ? 'image' : channels === 1 ? 'scores' : 'mask');
    let image: Image8;
    if (kind === 'image') {
      let options: TensorToImageOptions = {};
      if (str('preset') !== undefined) {
        if (!(PRESET_NAMES as readonly string[]).includes(str('preset')!)) {
          throw new UsageError(`--preset expects one of ${PRESET_NAMES.join(', ')}, got '${str('preset')}'`);
        }
        options = denormalizationOf(str('preset') as PresetName);
      }
      if (str('scale') !== undefined) options.scale = nums('--scale', str('scale')!)[0]!;
      if (str('mean') !== undefined) options.mean = nums('--mean', str('mean')!);
      if (str('std') !== undefined) options.std = nums('--std', str('std')!);
      if (str('color') !== undefined) options.color = str('color') as 'rgb' | 'bgr';
      const m = options.mean;
      if (Array.isArray(m) && m.length === 1) options.mean = m[0];
      const s = options.std;
      if (Array.isArray(s) && s.length === 1) options.std = s[0];
      image = tensorToImage(tensor, { ...options, index, ...(layout === undefined ? {} : { layout }) });
    } else if (kind === 'scores') {
      image = colorizeScoreMap(
        shape.length === 4 && guessNhwc ? tensor.reshape([shape[0]!, 1, shape[1]!, shape[2]!]) : tensor,
        {
          index,
          colormap: (str('colormap') ?? 'viridis') as 'viridis' | 'jet' | 'gray',
          min: str('min') === undefined ? 0 : nums('--min', str('min')!)[0]!,
          max: str('max') === undefined ? 1 : nums('--max', str('max')!)[0]!,
        },
      );
    } else if (kind === 'mask') {
      image = maskToImage(tensor, { index });
    } else {
      throw new UsageError(`--as expects image, scores or mask, got '${kind}'`);
    }
    const quality = str('quality') === undefined ? 90 : nums('--quality', str('quality')!)[0]!;
    const encoded = await encodeImage(image, ext === '.png' ? 'png' : 'jpeg', quality);
    writeAtomically(out, encoded);
    io.stdout.write(`${out}  ${image.width}x${image.height} ${image.order} (${kind})\n`);
    return 0;
  },
};
