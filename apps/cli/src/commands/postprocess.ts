import { extname } from 'node:path';
import { writeFileAtomic } from '@edge/core';
import {
  type ColorMapName,
  decodeNpy,
  denormalizationOf,
  encodeImage,
  PRESET_NAMES,
  type PresetName,
  type RenderTensorOptions,
  renderTensor,
  TENSOR_IMAGE_KINDS,
  type TensorImageKind,
} from '@edge/preprocess';
import { type Command, type Io, parse, UsageError } from '../command.js';
import { readNamedFile } from '../read-file.js';

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
      string: [
        'preset',
        'scale',
        'mean',
        'std',
        'color',
        'layout',
        'index',
        'as',
        'colormap',
        'min',
        'max',
        'quality',
        'out',
      ],
    });
    if (positionals.length !== 1) throw new UsageError(`expected one tensor file, got ${positionals.length}`);
    const out = values.out as string | undefined;
    if (out === undefined) throw new UsageError('--out FILE is required');
    const ext = extname(out).toLowerCase();
    if (!['.png', '.jpg', '.jpeg'].includes(ext))
      throw new UsageError(`--out must end in .png, .jpg or .jpeg, got '${out}'`);
    const path = positionals[0]!;
    const tensor = decodeNpy(readNamedFile(path), path);
    const str = (k: string) => values[k] as string | undefined;
    const one = (flag: string) => (str(flag) === undefined ? undefined : nums(`--${flag}`, str(flag)!)[0]!);
    const perChannel = (flag: string) => {
      const v = str(flag) === undefined ? undefined : nums(`--${flag}`, str(flag)!);
      return v?.length === 1 ? v[0] : v;
    };
    const presetName = str('preset');
    if (presetName !== undefined && !(PRESET_NAMES as readonly string[]).includes(presetName))
      throw new UsageError(`--preset expects one of ${PRESET_NAMES.join(', ')}, got '${presetName}'`);
    // The preset's normalisation, under what the flags set.
    const base = presetName === undefined ? {} : denormalizationOf(presetName as PresetName);
    const kind = str('as');
    if (kind !== undefined && !(TENSOR_IMAGE_KINDS as readonly string[]).includes(kind))
      throw new UsageError(`--as expects image, scores or mask, got '${kind}'`);
    const flags: RenderTensorOptions = {
      kind: kind as TensorImageKind | undefined,
      layout: str('layout') as 'nchw' | 'nhwc' | undefined,
      index: one('index'),
      scale: one('scale'),
      mean: perChannel('mean'),
      std: perChannel('std'),
      color: str('color') as 'rgb' | 'bgr' | undefined,
      colormap: str('colormap') as ColorMapName | undefined,
      min: one('min'),
      max: one('max'),
    };
    const given = Object.entries(flags).filter(([, v]) => v !== undefined);
    const rendered = renderTensor(tensor, { ...base, ...Object.fromEntries(given) });
    const image = rendered.image;
    const quality = str('quality') === undefined ? 90 : nums('--quality', str('quality')!)[0]!;
    const encoded = await encodeImage(image, ext === '.png' ? 'png' : 'jpeg', quality);
    writeFileAtomic(out, encoded);
    io.stdout.write(`${out}  ${image.width}x${image.height} ${image.order} (${rendered.kind})\n`);
    return 0;
  },
};
